// The instructor's tests for primes.cpp: 6 visible points, 4 hidden ones for speed.
#include <gtest/gtest.h>

#include <vector>

#include "primes.hpp"

TEST(Primes, SmallNumbersThatArePrime) {
    std::vector<long> found;
    for (long n = 0; n < 20; n++) {
        if (is_prime(n)) found.push_back(n);
    }
    EXPECT_EQ(found, (std::vector<long>{2, 3, 5, 7, 11, 13, 17, 19}));
}

TEST(Primes, ZeroOneAndNegativesAreNotPrime) {
    for (long n : {-7L, -1L, 0L, 1L}) EXPECT_FALSE(is_prime(n)) << n;
}

TEST(Primes, PrimesUpToIncludesItsBound) {
    RecordProperty("points", 2);
    EXPECT_EQ(primes_up_to(13), (std::vector<long>{2, 3, 5, 7, 11, 13}));
}

TEST(Primes, NthPrimeCountsFromOne) {
    RecordProperty("points", 2);
    std::vector<long> answers;
    for (long k : {1, 2, 10, 100}) answers.push_back(nth_prime(k));
    EXPECT_EQ(answers, (std::vector<long>{2, 3, 29, 541}));
}

// Each speed test is worth 2 hidden points in the suite's group "speed".
class Speed : public testing::Test {
  protected:
    void SetUp() override {
        RecordProperty("points", 2);
        RecordProperty("group", "speed");
        RecordProperty("hidden", "true");
    }
};

TEST_F(Speed, ASevenDigitPrime) { EXPECT_TRUE(is_prime(1000003)); }

TEST_F(Speed, PrimesUpToTwoHundredThousand) { EXPECT_EQ(primes_up_to(200000).size(), 17984u); }
