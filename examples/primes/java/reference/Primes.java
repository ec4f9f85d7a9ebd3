import java.util.ArrayList;
import java.util.List;

/** The reference solution: trial division to the square root, and a sieve. */
public class Primes {
    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (long divisor = 2; divisor * divisor <= n; divisor++) {
            if (n % divisor == 0) {
                return false;
            }
        }
        return true;
    }

    public static List<Integer> primesUpTo(int n) {
        List<Integer> primes = new ArrayList<>();
        boolean[] composite = new boolean[Math.max(n + 1, 2)];
        for (int i = 2; i <= n; i++) {
            if (!composite[i]) {
                primes.add(i);
                for (long multiple = (long) i * i; multiple <= n; multiple += i) {
                    composite[(int) multiple] = true;
                }
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
