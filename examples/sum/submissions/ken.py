import sys

words = sys.stdin.read().split()
print(int(words[0]) + sum(int(word) for word in words[1:]))
