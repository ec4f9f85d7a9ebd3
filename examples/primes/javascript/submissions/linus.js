function isPrime(n) {
  if (n < 2) return false;
  let divisors = 0;
  for (let d = 2; d < n; d++) if (n % d === 0) divisors++; // every divisor below n: right, but slow
  return divisors === 0;
}

function primesUpTo(n) {
  const primes = [];
  for (let i = 0; i <= n; i++) if (isPrime(i)) primes.push(i);
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
