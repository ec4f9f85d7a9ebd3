import sys

# A missing closing parenthesis: the program never runs, every case is a compile error.
numbers = [int(word) for word in sys.stdin.read().split()
print(sum(numbers))
