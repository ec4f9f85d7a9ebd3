/* The reference solution: trial division to the square root, and a sieve. */
#include <stdlib.h>

#include "primes.h"

bool is_prime(long n) {
    if (n < 2) return false;
    for (long divisor = 2; divisor * divisor <= n; divisor++) {
        if (n % divisor == 0) return false;
    }
    return true;
}

size_t primes_up_to(long n, long *out, size_t capacity) {
    if (n < 2) return 0;
    char *composite = calloc(n + 1, 1);
    size_t count = 0;
    for (long i = 2; i <= n; i++) {
        if (composite[i]) continue;
        if (count < capacity) out[count] = i;
        count++;
        for (long multiple = i * i; multiple <= n; multiple += i) composite[multiple] = 1;
    }
    free(composite);
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
