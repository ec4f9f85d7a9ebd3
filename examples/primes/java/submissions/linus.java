import java.util.ArrayList;
import java.util.List;

public class Primes {
    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; d < n; d++) { // every divisor below n: right, but slow
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
        int n = 1;
        while (k > 0) {
            n++;
            if (isPrime(n)) {
                k--;
            }
        }
        return n;
    }
}
