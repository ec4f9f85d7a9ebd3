def is_prime(n):
    if n < 2:
        return False
    return all(n % d for d in range(2, int(n**0.5) + 1))


def primes_up_to(n):
    sieve = bytearray([1]) * n  # one short: n itself is never looked at
    for p in range(2, int(n**0.5) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytes(len(range(p * p, n, p)))
    return [i for i in range(2, n) if sieve[i]]


def nth_prime(k):
    found, n = 0, 1
    while found < k:
        n += 1
        found += is_prime(n)
    return n
