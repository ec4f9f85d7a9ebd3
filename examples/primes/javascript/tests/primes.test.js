// The instructor's tests for primes.js: 6 visible points, 4 hidden ones for speed.
const test = require("node:test");
const assert = require("node:assert/strict");

const { isPrime, nthPrime, primesUpTo } = require("../primes.js");

test("small numbers that are prime", () => {
  const found = [...Array(20).keys()].filter((n) => isPrime(n));
  assert.deepEqual(found, [2, 3, 5, 7, 11, 13, 17, 19]);
});

test("zero, one and negatives are not prime", () => {
  assert.ok(![-7, -1, 0, 1].some((n) => isPrime(n)));
});

test("primes up to a bound include it", () => {
  assert.deepEqual(primesUpTo(13), [2, 3, 5, 7, 11, 13]);
});

test("the nth prime counts from one", () => {
  assert.deepEqual([1, 2, 10, 100].map((k) => nthPrime(k)), [2, 3, 29, 541]);
});

test("speed: a seven-digit prime", () => {
  assert.ok(isPrime(1_000_003));
});

test("speed: primes up to two hundred thousand", () => {
  assert.equal(primesUpTo(200_000).length, 17_984);
});
