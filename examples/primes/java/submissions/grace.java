import java.util.ArrayList;
import java.util.List;

public class Primes {
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
        for (int i = 2; i < n; i++) { // stops one short of n
            if (isPrime(i)) {
                primes.add(i);
            }
        }
        return primes;
    }

    public static int nthPrime(int k) {
        int found = 0;
        int n = 1;
        while (found < k) {
            n++;
            if (isPrime(n)) {
                found++;
            }
        }
        return n;
    }
}
