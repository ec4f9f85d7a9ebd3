r = float(input())
quarter, k = 0.0, 0
while True:
    quarter += (-1) ** k / (2 * k + 1)
    k += 1
