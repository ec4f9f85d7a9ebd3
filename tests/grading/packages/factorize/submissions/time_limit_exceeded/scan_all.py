n = int(input())
a = next(d for d in range(2, n + 1) if n % d == 0)
print("impossible" if a == n else f"{a} {n // a}")
