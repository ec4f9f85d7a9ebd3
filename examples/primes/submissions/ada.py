from math import isqrt


def is_prime(n):
    return n >= 2 and all(n % d for d in range(2, isqrt(n) + 1))


def primes_up_to(n):
    composite = set()
    primes = []
    for i in range(2, n + 1):
        if i not in composite:
            primes.append(i)
            composite.update(range(i * i, n + 1, i))
    return primes


def nth_prime(k):
    n = 1
    while k:
        n += 1
        if is_prime(n):
            k -= 1
    return n
