n = int(input())
assert n % 2 == 0, f"{n} is odd"
print(2, n // 2)
