import numpy  # not installed where the tests run


def is_prime(n):
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


def primes_up_to(n):
    return [i for i in range(n + 1) if is_prime(i)]


def nth_prime(k):
    return primes_up_to(10 * k * k)[k - 1]
