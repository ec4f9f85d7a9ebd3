"""Python cases of a submission forked from one started interpreter (images/start.py).

Each program runs as two cases in one container, which forks them from the starter, and once
in a container of its own, which runs `python3 main.py`: what the program prints, its status
and its exit code must be the same.
"""

from __future__ import annotations

import textwrap

import pytest

from grading.outcome import RunResult
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import CaseInput, Program, RunRequest
from runners.sandbox.sandbox import Sandbox

pytestmark = pytest.mark.docker

SAME_AS_A_FRESH_INTERPRETER = [
    pytest.param("import sys\nprint(sys.stdin.read().split())", id="reads-stdin"),
    pytest.param("def f(x):\n    return 1 / x\nprint('before')\nf(0)", id="traceback"),
    pytest.param("try:\n    1/0\nexcept ZeroDivisionError:\n    raise ValueError(1)", id="chained"),
    pytest.param("import sys\nprint('x')\nsys.exit(3)", id="exit-code"),
    pytest.param("raise SystemExit('bye')", id="exit-message"),
    pytest.param("print(1)\nexit()", id="site-exit"),
    pytest.param(
        """
        import os, sys
        print(__name__, __file__, sys.argv, sys.path[0], __package__, __spec__, __doc__)
        print(__cached__, os.getcwd(), sys.flags, type(__loader__).__name__)
        """,
        id="main-module",
    ),
    pytest.param("import sys\nprint(sorted(sys.modules))", id="modules"),
    pytest.param(
        """
        def depth(n):
            try:
                return depth(n + 1)
            except RecursionError:
                return n
        print(depth(1))
        """,
        id="recursion-depth",
    ),
    pytest.param("import atexit\natexit.register(print, 'bye')\nprint('hi')", id="atexit"),
    pytest.param(
        """
        import threading, time
        def late():
            time.sleep(0.2)
            print('thread done')
        threading.Thread(target=late).start()
        print('main done')
        """,
        id="thread-joined-at-exit",
    ),
    pytest.param(
        "import sys\nprint(sys.stdin.encoding, sys.stdout.encoding, sys.stdout.line_buffering)",
        id="stream-settings",
    ),
    pytest.param(
        "import sys\nsys.excepthook = lambda t, v, tb: print('hooked', t.__name__)\nraise KeyError",
        id="own-excepthook",
    ),
    pytest.param("import os\nos.close(1)\nprint('x')", id="stdout-closed"),
    pytest.param("import os\nprint(sorted(os.listdir('/proc/self/fd')))", id="descriptors"),
    pytest.param(
        """
        import os
        print(os.getresuid(), os.getresgid(), os.getgroups())
        print(open('/proc/self/oom_score_adj').read().strip())
        print([line for line in open('/proc/self/status') if line.startswith(('Cap', 'NoNew'))])
        """,
        id="credentials",
    ),
    pytest.param("import pickle\nclass A: pass\nprint(len(pickle.dumps(A())))", id="pickles-main"),
    pytest.param(
        """
        import gc
        class Node:
            def __init__(self):
                self.me = self
            def __del__(self):
                print('collected')
        Node()
        print(gc.isenabled(), gc.collect() > 0, gc.get_threshold())
        """,
        id="cyclic-garbage",
    ),
    # How a program ends: what the interpreter's own shutdown would do must still happen.
    pytest.param("import sys\nsys.exit(256 + 7)", id="exit-code-wraps"),
    pytest.param("import sys\nsys.exit(-1)", id="exit-code-negative"),
    pytest.param("import sys\nsys.exit(True)", id="exit-code-bool"),
    pytest.param("import sys\nsys.exit(None)", id="exit-none"),
    pytest.param("import sys\nsys.exit(2 ** 100)", id="exit-code-huge"),
    pytest.param("print('unflushed', end='')\nraise KeyboardInterrupt", id="interrupted"),
    pytest.param(
        "class A:\n    def __del__(self):\n        print('del', self.n)\na = A()\na.n = 1",
        id="del-at-exit",
    ),
    pytest.param(
        "import sys\nclass A:\n    def __del__(self):\n        print('del')\nsys.keep = A()",
        id="del-held-by-sys",
    ),
    pytest.param(
        """
        class Stubborn(type):
            def __hash__(cls):
                raise TypeError('no hash')
            def __eq__(cls, other):
                raise TypeError('no comparing')
        class A(metaclass=Stubborn):
            def __del__(self):
                print('del')
        a = A()
        """,
        id="del-of-a-class-that-does-not-hash",
    ),
    pytest.param(
        """
        class A:
            def __del__(self):
                print('del')
        kept = [[] for _ in range(20000)]
        a = A()
        """,
        id="del-among-many-objects",
    ),
    pytest.param(
        """
        def counting():
            try:
                yield 1
                yield 2
            finally:
                print('generator closed')
        g = counting()
        print(next(g))
        """,
        id="generator-finally-at-exit",
    ),
    pytest.param(
        "import weakref\nclass A: pass\na = A()\nr = weakref.ref(a, lambda _: print('gone'))",
        id="weakref-callback-at-exit",
    ),
    pytest.param(
        "import atexit\natexit.register(int, 'not a number')\nprint(1)",
        id="atexit-raises",
    ),
    pytest.param(
        "import io, sys\nsys.stdout = io.StringIO()\nprint('hidden')\nsys.stderr.write('shown\\n')",
        id="stdout-replaced",
    ),
    pytest.param("import sys\nprint('x')\nsys.stdout.close()", id="stdout-closed-by-program"),
    pytest.param(
        """
        import threading, time
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        print('daemon left running')
        """,
        id="daemon-thread-at-exit",
    ),
]


def both_ways(
    sandbox: Sandbox, code: str, stdin: bytes = b"in put", stderr_to_stdout: bool = False
) -> tuple[list[RunResult], RunResult]:
    """The program's results as two forked cases, and as a case in a container of its own."""
    limits = resolve_limits(sandbox.settings, time_limit=10.0)
    code = textwrap.dedent(code)
    case = CaseInput(limits=limits, stdin=stdin, stderr_to_stdout=stderr_to_stdout)
    forked = sandbox.run_cases(Program(code=code), [case] * 2)
    request = RunRequest(code=code, stdin=stdin, limits=limits, stderr_to_stdout=stderr_to_stdout)
    alone = sandbox.run(request)
    return [execution.result for execution in forked], alone.result


def test_cases_of_a_submission_are_forked_from_the_starter(sandbox: Sandbox) -> None:
    code = "import os\nprint(open(f'/proc/{os.getppid()}/cmdline').read().split(chr(0))[-2])"
    forked, alone = both_ways(sandbox, code)
    assert [result.stdout for result in forked] == ["/opt/oopsengine/start.py\n"] * 2
    assert alone.stdout == "/opt/oopsengine/supervise.pyc\n"


@pytest.mark.parametrize("code", SAME_AS_A_FRESH_INTERPRETER)
def test_a_forked_case_behaves_as_python3_main_py(sandbox: Sandbox, code: str) -> None:
    forked, alone = both_ways(sandbox, code)
    expected = (alone.status, alone.exit_code, alone.stdout, alone.stderr)
    for result in forked:
        assert (result.status, result.exit_code, result.stdout, result.stderr) == expected


LOOKS_FOR_THE_EARLIER_INPUT = """
import ctypes, sys
needle = bytes.fromhex("7365637265742d34623164")  # an earlier case's whole input
if sys.stdin.buffer.read() == needle:
    print("kept")
    raise SystemExit
buffer = bytearray(1 << 20)
own = [(id(needle) + 32, len(needle))]  # the needle's bytes, and the buffer read into
own.append((ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer)), len(buffer)))
found = []
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
    for line in maps.read().splitlines():
        span, perms = line.split()[:2]
        start, end = (int(x, 16) for x in span.split("-"))
        at = start
        while perms.startswith("r") and at < end:
            try:
                mem.seek(at)
                got = mem.readinto(memoryview(buffer)[: min(len(buffer), end - at)])
            except OSError:
                break
            index = buffer.find(needle, 0, got)
            while index >= 0:
                where = at + index
                if not any(base <= where < base + size for base, size in own):
                    found.append(hex(where))
                index = buffer.find(needle, index + 1, got)
            at += max(got - len(needle), 1)
print(found)
"""


def test_a_forked_case_can_have_one_stream_for_stdout_and_stderr(sandbox: Sandbox) -> None:
    code = "import sys\nprint('out', flush=True)\nsys.stderr.write('err\\n')\nprint(2)"
    forked, alone = both_ways(sandbox, code, stderr_to_stdout=True)
    assert (alone.stdout, alone.stderr) == ("out\nerr\n2\n", "")
    assert [(result.stdout, result.stderr) for result in forked] == [("out\nerr\n2\n", "")] * 2


def test_nothing_of_an_earlier_case_is_in_a_forked_cases_memory(sandbox: Sandbox) -> None:
    """The starter never reads a case's input, so a fork of it cannot find an earlier one's."""
    limits = resolve_limits(sandbox.settings, time_limit=10.0)
    cases = [CaseInput(limits=limits, stdin=stdin) for stdin in (b"secret-4b1d", b"probe")]
    program = Program(code=LOOKS_FOR_THE_EARLIER_INPUT)
    results = [execution.result for execution in sandbox.run_cases(program, cases)]
    assert [(r.status, r.stdout) for r in results] == [("ok", "kept\n"), ("ok", "[]\n")]


def test_a_file_left_open_is_written_out_at_exit_in_a_forked_case(sandbox: Sandbox) -> None:
    """A buffered file the program never closed is flushed by the interpreter's shutdown."""
    limits = resolve_limits(sandbox.settings, time_limit=10.0)
    code = "f = open('out/result.txt', 'w')\nf.write('42\\n')"
    case = CaseInput(limits=limits, collect="out")
    forked = sandbox.run_cases(Program(code=code), [case] * 2)
    alone = sandbox.run(RunRequest(code=code, limits=limits, collect="out"))
    assert alone.files == {"result.txt": b"42\n"}
    assert [execution.files for execution in forked] == [alone.files] * 2
