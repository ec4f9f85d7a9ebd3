#include "primes.hpp"

bool is_prime(long n) {
    if (n < 2) return false;
    for (long d = 2; d * d <= n; d++) {
        if (n % d == 0) return false;
    }
    return true;
}

std::vector<long> primes_up_to(long n) {
    std::vector<long> primes;
    for (long i = 2; i < n; i++) {  // stops one short of n
        if (is_prime(i)) primes.push_back(i);
    }
    return primes;
}

long nth_prime(long k) {
    long found = 0, n = 1;
    while (found < k) {
        n++;
        found += is_prime(n);
    }
    return n;
}
