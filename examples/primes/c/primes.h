/* What a student's primes.c provides; the tests are C++, so the names are C's. */
#ifndef PRIMES_H
#define PRIMES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

bool is_prime(long n);
/* Writes the primes up to n into out (room for capacity of them); returns how many. */
size_t primes_up_to(long n, long *out, size_t capacity);
long nth_prime(long k);

#ifdef __cplusplus
}
#endif

#endif
