import sys

numbers = [int(word) for word in sys.stdin.read().split()]
# Makes room for every possible total before adding up: fine for small numbers only.
room = [0] * min(max(numbers, default=0) + 1, 10**8)
print(sum(numbers))
