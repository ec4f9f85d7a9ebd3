// The reference solution: trial division to the square root, and a sieve.
function isPrime(n) {
  if (n < 2) return false;
  for (let divisor = 2; divisor * divisor <= n; divisor++) {
    if (n % divisor === 0) return false;
  }
  return true;
}

function primesUpTo(n) {
  const composite = new Uint8Array(Math.max(n + 1, 0));
  const primes = [];
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let multiple = i * i; multiple <= n; multiple += i) composite[multiple] = 1;
  }
  return primes;
}

function nthPrime(k) {
  let n = 1;
  while (k > 0) {
    n++;
    if (isPrime(n)) k--;
  }
  return n;
}

module.exports = { isPrime, primesUpTo, nthPrime };
