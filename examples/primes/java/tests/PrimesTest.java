import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The instructor's tests for Primes.java: 6 visible points, 4 hidden ones for speed. */
class PrimesTest {
    @Test
    void smallNumbersThatArePrime() {
        List<Integer> found = IntStream.range(0, 20).filter(Primes::isPrime).boxed().toList();
        assertEquals(List.of(2, 3, 5, 7, 11, 13, 17, 19), found);
    }

    @Test
    void zeroOneAndNegativesAreNotPrime() {
        assertFalse(IntStream.of(-7, -1, 0, 1).anyMatch(Primes::isPrime));
    }

    @Test
    void primesUpToIncludesItsBound() {
        assertEquals(List.of(2, 3, 5, 7, 11, 13), Primes.primesUpTo(13));
    }

    @Test
    void nthPrimeCountsFromOne() {
        List<Integer> answers = IntStream.of(1, 2, 10, 100).map(Primes::nthPrime).boxed().toList();
        assertEquals(List.of(2, 3, 29, 541), answers);
    }

    @Test
    void speedOfASevenDigitPrime() {
        assertTrue(Primes.isPrime(1_000_003));
    }

    @Test
    void speedOfPrimesUpToTwoHundredThousand() {
        assertEquals(17_984, Primes.primesUpTo(200_000).size());
    }
}
