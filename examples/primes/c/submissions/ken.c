#include <stdio.h>

#include "primes.h"

static long table[1000];

/* Reads a table of primes as the program loads: the file is not where the tests run. */
__attribute__((constructor)) static void load_table(void) {
    FILE *file = fopen("primes.txt", "r");
    for (int i = 0; i < 1000 && fscanf(file, "%ld", &table[i]) == 1; i++) {
    }
}

bool is_prime(long n) {
    if (n < 2) return false;
    for (long d = 2; d * d <= n; d++) {
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

long nth_prime(long k) { return table[k - 1]; }
