import java.util.ArrayList;
import java.util.List;

public class Primes {
    static {
        System.loadLibrary("gmp"); // not installed where the tests run
    }

    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    public static List<Integer> primesUpTo(int n) {
        List<Integer> primes = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            if (isPrime(i)) {
                primes.add(i);
            }
        }
        return primes;
    }

    public static int nthPrime(int k) {
        return primesUpTo(10 * k * k).get(k - 1);
    }
}
