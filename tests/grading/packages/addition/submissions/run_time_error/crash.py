a, b = map(int, input().split())
raise RuntimeError(f"cannot add {a} and {b}")
