import math

n = int(input())
a = next((d for d in range(2, math.isqrt(n) + 1) if n % d == 0), None)
print("impossible" if a is None else f"{a} {n // a}")
