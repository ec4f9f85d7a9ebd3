import sys

numbers = [int(word) for word in sys.stdin.read().split()]
total = 0
while numbers:
    total += numbers[0]
    if total > 50:
        continue  # forgets to drop the number: loops for ever
    numbers.pop(0)
print(total)
