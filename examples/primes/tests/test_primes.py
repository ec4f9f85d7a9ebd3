"""The instructor's tests for primes.py: 6 visible points, 4 hidden ones for speed."""

import pytest

from primes import is_prime, nth_prime, primes_up_to


def test_small_numbers_that_are_prime():
    assert [n for n in range(20) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19]


def test_zero_one_and_negatives_are_not_prime():
    assert not any(is_prime(n) for n in (-7, -1, 0, 1))


@pytest.mark.points(2)
def test_primes_up_to_includes_its_bound():
    assert primes_up_to(13) == [2, 3, 5, 7, 11, 13]


@pytest.mark.points(2)
def test_nth_prime_counts_from_one(partial_credit):
    answers = [nth_prime(k) for k in (1, 2, 10, 100)]
    partial_credit.set(sum(got == want for got, want in zip(answers, [2, 3, 29, 541])) / 2)
    assert answers == [2, 3, 29, 541]


@pytest.mark.group("speed")
@pytest.mark.hidden
@pytest.mark.points(2)
def test_a_seven_digit_prime():
    assert is_prime(1_000_003)


@pytest.mark.group("speed")
@pytest.mark.hidden
@pytest.mark.points(2)
def test_primes_up_to_two_hundred_thousand():
    assert len(primes_up_to(200_000)) == 17_984
