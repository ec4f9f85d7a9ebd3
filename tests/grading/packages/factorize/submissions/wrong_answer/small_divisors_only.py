n = int(input())
a = next((d for d in range(2, 1001) if d * d <= n and n % d == 0), None)
print("impossible" if a is None else f"{a} {n // a}")
