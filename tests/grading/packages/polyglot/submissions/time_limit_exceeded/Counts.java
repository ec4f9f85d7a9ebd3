import java.util.Scanner;

public class Counts {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        long a = in.nextLong(), b = in.nextLong(), sum = a;
        while (true) { if (sum == Long.MIN_VALUE) break; sum += 0 * b; }
        System.out.println(sum);
    }
}
