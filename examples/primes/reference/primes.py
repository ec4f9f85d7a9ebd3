"""The reference solution: trial division to the square root, and a sieve."""


def is_prime(n):
    if n < 2:
        return False
    divisor = 2
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 1
    return True


def primes_up_to(n):
    if n < 2:
        return []
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    for p in range(2, int(n**0.5) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytes(len(range(p * p, n + 1, p)))
    return [i for i, prime in enumerate(sieve) if prime]


def nth_prime(k):
    n = 2
    while True:
        if is_prime(n):
            k -= 1
            if k == 0:
                return n
        n += 1
