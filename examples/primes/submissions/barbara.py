def is_prime(n):
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


def primes_up_to(n):
    return [i for i in range(n + 1) if is_prime(i)]


def nth_prime(k, start=2):
    if k == 1 and is_prime(start):
        return start
    return nth_prime(k, start + 1)  # forgets to count the primes it passes: never ends
