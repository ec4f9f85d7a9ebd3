// What a student's primes.cpp provides.
#pragma once

#include <vector>

bool is_prime(long n);
std::vector<long> primes_up_to(long n);
long nth_prime(long k);
