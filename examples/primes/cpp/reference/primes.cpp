// The reference solution: trial division to the square root, and a sieve.
#include "primes.hpp"

bool is_prime(long n) {
    if (n < 2) return false;
    for (long divisor = 2; divisor * divisor <= n; divisor++) {
        if (n % divisor == 0) return false;
    }
    return true;
}

std::vector<long> primes_up_to(long n) {
    std::vector<long> primes;
    std::vector<bool> composite(n > 0 ? n + 1 : 1);
    for (long i = 2; i <= n; i++) {
        if (composite[i]) continue;
        primes.push_back(i);
        for (long multiple = i * i; multiple <= n; multiple += i) composite[multiple] = true;
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
