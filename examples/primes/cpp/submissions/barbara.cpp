#include <cmath>

#include "primes.hpp"

bool is_prime(long n) {
    if (n < 2) return false;
    for (long d = 2; d <= static_cast<long>(std::sqrt(n)); d++) {
        if (n % d == 0) return false;
    }
    return true;
}

std::vector<long> primes_up_to(long n) {
    std::vector<long> primes;
    for (long i = 0; i <= n; i++) {
        if (is_prime(i)) primes.push_back(i);
    }
    return primes;
}

static long from(long k, long start) {
    if (k == 1 && is_prime(start)) return start;
    long found = from(k, start + 1);  // forgets to count the primes it passes: never ends
    return found > 0 ? found : -1;
}

long nth_prime(long k) { return from(k, 2); }
