const bigintPrimes = require("bigint-crypto-utils"); // not installed where the tests run

function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function primesUpTo(n) {
  const primes = [];
  for (let i = 0; i <= n; i++) if (isPrime(i)) primes.push(i);
  return primes;
}

function nthPrime(k) {
  return primesUpTo(10 * k * k)[k - 1];
}

module.exports = { isPrime, primesUpTo, nthPrime, bigintPrimes };
