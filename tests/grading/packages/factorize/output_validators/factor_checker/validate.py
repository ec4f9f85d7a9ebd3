"""Output validator: accepts any factorization a * b = n with 1 < a (and a <= b if `ordered`).

Invoked as `validate.py input answer feedback_dir [flags] < team_output`; exits 42 to accept
and 43 to reject, explaining a rejection in feedback_dir/judgemessage.txt.
"""

import sys
from pathlib import Path

ACCEPT, REJECT = 42, 43


def judge(n: int, answer: str, output: str, ordered: bool) -> str | None:
    """Why the output is wrong, or None when it is right."""
    tokens = output.split()
    if answer.strip() == "impossible":
        return None if tokens == ["impossible"] else f"{n} is prime: expected impossible"
    if len(tokens) != 2 or not all(t.isdigit() for t in tokens):
        return f"expected two positive integers, got {output.strip()[:50]!r}"
    a, b = map(int, tokens)
    if a <= 1 or a * b != n:
        return f"{a} * {b} is not a nontrivial factorization of {n}"
    if ordered and a > b:
        return f"expected a <= b, got {a} > {b}"
    return None


def main() -> None:
    input_file, answer_file, feedback_dir, *flags = sys.argv[1:]
    n = int(Path(input_file).read_text())
    reason = judge(n, Path(answer_file).read_text(), sys.stdin.read(), "ordered" in flags)
    if reason is None:
        sys.exit(ACCEPT)
    Path(feedback_dir, "judgemessage.txt").write_text(reason + "\n")
    sys.exit(REJECT)


if __name__ == "__main__":
    main()
