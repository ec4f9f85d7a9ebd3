#include "primes.hpp"

bool is_prime(long n) {
    if (n < 2) return false;
    long divisors = 0;
    for (long d = 2; d < n; d++) {  // every divisor below n: right, but slow
        if (n % d == 0) divisors++;
    }
    return divisors == 0;
}

std::vector<long> primes_up_to(long n) {
    std::vector<long> primes;
    for (long i = 0; i <= n; i++) {
        if (is_prime(i)) primes.push_back(i);
    }
    return primes;
}

long nth_prime(long k) {
    long n = 1;
    while (k > 0) {
        n++;
        if (is_prime(n)) k--;
    }
    return n;
}
