#include <fstream>
#include <iterator>
#include <stdexcept>

#include "primes.hpp"

// Reads a table of primes as the program loads: the file is not where the tests run.
static std::vector<long> load(const char *path) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error(std::string("cannot open ") + path);
    return {std::istream_iterator<long>(file), std::istream_iterator<long>()};
}

static const std::vector<long> table = load("primes.txt");

bool is_prime(long n) {
    if (n < 2) return false;
    for (long d = 2; d * d <= n; d++) {
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

long nth_prime(long k) { return table.at(k - 1); }
