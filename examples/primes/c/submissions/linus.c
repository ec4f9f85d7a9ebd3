#include "primes.h"

bool is_prime(long n) {
    if (n < 2) return false;
    long divisors = 0;
    for (long d = 2; d < n; d++) { /* every divisor below n: right, but slow */
        if (n % d == 0) divisors++;
    }
    return divisors == 0;
}

size_t primes_up_to(long n, long *out, size_t capacity) {
    size_t count = 0;
    for (long i = 0; i <= n; i++) {
        if (!is_prime(i)) continue;
        if (count < capacity) out[count] = i;
        count++;
    }
    return count;
}

long nth_prime(long k) {
    long n = 1;
    while (k > 0) {
        n++;
        if (is_prime(n)) k--;
    }
    return n;
}
