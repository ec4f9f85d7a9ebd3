import sys

total = 0
for word in sys.stdin.read().split():
    total += int(word)
    while total > 40:
        print("debug:", total)
print(total)
