#include <math.h>

#include "primes.h"

bool is_prime(long n) {
    if (n < 2) return false;
    for (long d = 2; d <= (long)sqrt((double)n); d++) {
        if (n % d == 0) return false;
    }
    return true;
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

static long from(long k, long start) {
    if (k == 1 && is_prime(start)) return start;
    long found = from(k, start + 1); /* forgets to count the primes it passes: never ends */
    return found > 0 ? found : -1;
}

long nth_prime(long k) { return from(k, 2); }
