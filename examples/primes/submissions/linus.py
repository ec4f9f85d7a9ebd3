def is_prime(n):
    if n < 2:
        return False
    return all(n % d for d in range(2, n))  # every divisor below n: right, but slow


def primes_up_to(n):
    return [i for i in range(n + 1) if is_prime(i)]


def nth_prime(k):
    n = 1
    while k:
        n += 1
        k -= is_prime(n)
    return n
