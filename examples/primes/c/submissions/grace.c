#include "primes.h"

bool is_prime(long n) {
    if (n < 2) return false;
    for (long d = 2; d * d <= n; d++) {
        if (n % d == 0) return false;
    }
    return true;
}

size_t primes_up_to(long n, long *out, size_t capacity) {
    size_t count = 0;
    for (long i = 2; i < n; i++) { /* stops one short of n */
        if (!is_prime(i)) continue;
        if (count < capacity) out[count] = i;
        count++;
    }
    return count;
}

long nth_prime(long k) {
    long found = 0, n = 1;
    while (found < k) {
        n++;
        found += is_prime(n);
    }
    return n;
}
