import java.util.ArrayList;
import java.util.List;

public class Primes {
    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; d <= Math.sqrt(n); d++) {
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
        return nthPrime(k, 2);
    }

    static int nthPrime(int k, int start) {
        if (k == 1 && isPrime(start)) {
            return start;
        }
        return nthPrime(k, start + 1); // forgets to count the primes it passes: never ends
    }
}
