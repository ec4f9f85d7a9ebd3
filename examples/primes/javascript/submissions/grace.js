function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function primesUpTo(n) {
  const primes = [];
  for (let i = 2; i < n; i++) if (isPrime(i)) primes.push(i); // stops one short of n
  return primes;
}

function nthPrime(k) {
  let found = 0;
  let n = 1;
  while (found < k) {
    n++;
    if (isPrime(n)) found++;
  }
  return n;
}

module.exports = { isPrime, primesUpTo, nthPrime };
