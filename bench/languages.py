"""Per language: what one compile costs and what one case costs once compiled.

    python -m bench.languages [--runs N] [--languages c,cpp,...]

For each language, a hello-world that reads stdin: the median wall time of compiling it in its
own sandbox (compiled languages only), of one case in its own container with the artefact
given (`case` isolation), and of one case among ten in one container (`submission` isolation).
Prints a Markdown table for docs/benchmarks.md; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from runners.sandbox.languages import LANGUAGES
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import CaseInput, Program, RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import settings

HELLO = {
    "c": '#include <stdio.h>\nint main(void) { char s[64]; scanf("%63s", s); puts(s); }\n',
    "cpp": "#include <iostream>\n#include <string>\n"
    "int main() { std::string s; std::cin >> s; std::cout << s << std::endl; }\n",
    "java": "import java.util.Scanner;\npublic class Echo { public static void main(String[] a) "
    "{ System.out.println(new Scanner(System.in).next()); } }\n",
    "javascript": "console.log(require('fs').readFileSync(0, 'utf8').trim());\n",
    "python": "print(input())\n",
}
CASES_PER_CONTAINER = 10


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in milliseconds, after one warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(sandbox: Sandbox, name: str, runs: int) -> tuple[float | None, float, float]:
    """Compile ms (None if the language does not compile), per-case ms alone, per-case ms in ten."""
    config = sandbox.settings
    lang = LANGUAGES[name]
    code = HELLO[name]
    compile_ms = median_ms(lambda: sandbox.compile(name, code), runs) if lang.compiled else None
    artefact = sandbox.compile(name, code) if lang.compiled else None
    limits = resolve_limits(config, time_limit=10)
    request = RunRequest(code=code, language=name, stdin=b"ada\n", limits=limits, artefact=artefact)
    alone = median_ms(lambda: sandbox.run(request), runs)
    program = Program(code=code, language=name, artefact=artefact)
    cases = [CaseInput(limits=limits, stdin=b"ada\n")] * CASES_PER_CONTAINER
    together = median_ms(lambda: sandbox.run_cases(program, cases), max(3, runs // 2))
    return compile_ms, alone, together / CASES_PER_CONTAINER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--languages", default=",".join(sorted(HELLO)))
    args = parser.parse_args()
    sandbox = Sandbox(settings())
    print("| language | compile (ms) | per case, own container (ms) | per case, 10 in one (ms) |")
    print("|---|---|---|---|")
    try:
        for name in args.languages.split(","):
            compile_ms, alone, together = measure(sandbox, name, args.runs)
            checked = "(syntax check in the sandbox)"
            shown = f"{compile_ms:.0f}" if compile_ms is not None else checked
            print(f"| {name} | {shown} | {alone:.0f} | {together:.0f} |")
    finally:
        sandbox.close()  # its warm containers too


if __name__ == "__main__":
    main()
