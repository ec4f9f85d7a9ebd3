"""Every language on the real Docker engine: the behaviours a student meets, per language.

Programs run through the sandbox in this process; a compiled language compiles once, in a
sandbox of its own, and its artefact is sent into the run's container.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import docker
import pytest

from grading.outcome import RunResult, Status
from runners.sandbox.limits import resolve_limits
from runners.sandbox.protocol import CaseInput, Program, RunRequest
from runners.sandbox.sandbox import Sandbox
from runners.settings import Settings
from tests.helpers import leftovers_after_removal

pytestmark = pytest.mark.docker

SECRET = f"postgres://admin:{uuid.uuid4().hex}@db/prod"

HELLO = {
    "c": '#include <stdio.h>\nint main(void) { char s[64]; scanf("%63s", s); '
    'printf("Hello, %s!\\n", s); }\n',
    "cpp": "#include <iostream>\n#include <string>\nint main() { std::string s; std::cin >> s; "
    'std::cout << "Hello, " << s << "!" << std::endl; }\n',
    "java": "import java.util.Scanner;\npublic class Greeter { public static void main(String[] a) "
    '{ System.out.println("Hello, " + new Scanner(System.in).next() + "!"); } }\n',
    "javascript": "const s = require('fs').readFileSync(0, 'utf8').trim();\n"
    "console.log(`Hello, ${s}!`);\n",
    "python": 'print(f"Hello, {input()}!")\n',
}

BEHAVIOURS = {
    "c": {
        "timeout": "int main(void) { for (;;) {} }\n",
        "memory_limit": "#include <stdlib.h>\n#include <string.h>\n"
        "int main(void) { for (;;) { char *p = malloc(1 << 26); memset(p, 1, 1 << 26); } }\n",
        "runtime_error": "int main(void) { int *p = 0; *p = 1; return 0; }\n",
        "compile_error": "int main(void) { return 0 }\n",
    },
    "cpp": {
        "timeout": "int main() { volatile long x = 0; for (;;) x++; }\n",
        "memory_limit": "#include <vector>\nint main() { std::vector<std::vector<char>> v; "
        "for (;;) v.emplace_back(1 << 26, 1); }\n",
        "runtime_error": '#include <stdexcept>\nint main() { throw std::runtime_error("boom"); }\n',
        "compile_error": "int main() { undeclared(); }\n",
    },
    "java": {
        "timeout": "public class Spin { public static void main(String[] a) "
        "{ while (true) {} } }\n",
        "memory_limit": "import java.util.*;\npublic class Hog { "
        "public static void main(String[] a) { List<long[]> l = new ArrayList<>(); "
        "while (true) l.add(new long[1 << 24]); } }\n",
        "runtime_error": "public class Boom { public static void main(String[] a) "
        '{ throw new IllegalStateException("boom"); } }\n',
        "compile_error": "public class Broken { public static void main(String[] a) "
        "{ int x = } }\n",
    },
    "javascript": {
        "timeout": "for (;;) {}\n",
        "memory_limit": "new Uint8Array(1 << 30).fill(1);\n",
        "runtime_error": "throw new Error('boom');\n",
        "compile_error": "function ( {\n",
    },
    "python": {
        "timeout": "while True: pass\n",
        "memory_limit": "x = bytearray(1024**3)\n",
        "runtime_error": "raise SystemExit(3)\n",
        "compile_error": "print(\n",
    },
}

LANGUAGE_IDS = sorted(HELLO)
RUN_SECONDS = 6
"""Room for a JVM to start on a busy machine; a timeout still ends at this wall clock."""


@pytest.fixture(autouse=True)
def engine_stays_clean(docker_engine: docker.DockerClient) -> Iterator[None]:
    """After each test no container of ours is left, once background removals have finished."""
    yield
    assert leftovers_after_removal(docker_engine) == []


def run(
    sandbox: Sandbox, settings: Settings, lang: str, code: str, stdin: bytes = b""
) -> RunResult:
    limits = resolve_limits(settings, time_limit=RUN_SECONDS, memory_limit=128)
    request = RunRequest(code=code, language=lang, stdin=stdin, limits=limits)
    return sandbox.run(request).result


@pytest.mark.parametrize("lang", LANGUAGE_IDS)
def test_hello_world_reads_stdin_and_answers(
    sandbox: Sandbox, settings: Settings, lang: str
) -> None:
    result = run(sandbox, settings, lang, HELLO[lang], stdin=b"Ada\n")
    assert (result.status, result.stdout) == (Status.OK, "Hello, Ada!\n"), result


@pytest.mark.parametrize(
    ("lang", "behaviour"),
    [
        pytest.param(lang, kind, id=f"{lang}-{kind}")
        for lang in LANGUAGE_IDS
        for kind in BEHAVIOURS[lang]
    ],
)
def test_each_failure_gets_its_status(
    sandbox: Sandbox, settings: Settings, lang: str, behaviour: str
) -> None:
    result = run(sandbox, settings, lang, BEHAVIOURS[lang][behaviour])
    assert result.status == behaviour, result


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        pytest.param("c", "error: expected ';' before '}' token", id="c"),
        pytest.param("cpp", "'undeclared' was not declared", id="cpp"),
        pytest.param("java", "Broken.java:1: error:", id="java"),
    ],
)
def test_compile_error_carries_the_compilers_messages(
    sandbox: Sandbox, settings: Settings, lang: str, said: str
) -> None:
    result = run(sandbox, settings, lang, BEHAVIOURS[lang]["compile_error"])
    assert result.status is Status.COMPILE_ERROR
    assert result.message is not None
    assert result.message.startswith("did not compile: ")
    plain = result.message.replace("\u2018", "'").replace("\u2019", "'")
    assert said in plain, result.message
    assert result.stdout == ""


RECURSIVE_INCLUDE = '#include "main.c"\nint main(void) { return 0; }\n'
TEMPLATE_BOMB = """
template <int A, int B> struct X { enum { v = X<A - 1, B>::v + X<A, B - 1>::v }; };
template <int B> struct X<0, B> { enum { v = 1 }; };
template <int A> struct X<A, 0> { enum { v = 1 }; };
int main() { return X<900, 900>::v; }
"""
HUGE_OBJECT = "char big[512 << 20] = {1};\nint main(void) { return big[0]; }\n"


def test_a_recursive_include_is_a_compile_error(sandbox: Sandbox, settings: Settings) -> None:
    result = run(sandbox, settings, "c", RECURSIVE_INCLUDE)
    assert result.status is Status.COMPILE_ERROR
    assert result.message is not None
    assert "nested depth" in result.message


def test_a_template_bomb_is_stopped_and_said_to_be(sandbox: Sandbox, settings: Settings) -> None:
    result = run(sandbox, settings, "cpp", TEMPLATE_BOMB)
    assert result.status is Status.COMPILE_ERROR
    assert result.message is not None
    stopped = ("took longer than", "ran out of memory", "instantiation depth")
    assert any(reason in result.message for reason in stopped), result.message


def test_a_compile_that_fills_the_disk_says_so(sandbox: Sandbox, settings: Settings) -> None:
    result = run(sandbox, settings, "c", HUGE_OBJECT)
    assert result.status is Status.COMPILE_ERROR
    assert result.message is not None
    assert "filled the sandbox's disk" in result.message


def test_java_runs_the_class_its_file_is_named_after(sandbox: Sandbox, settings: Settings) -> None:
    code = (
        "class Helper { static int twice(int x) { return 2 * x; } }\n"
        "class Solution { public static void main(String[] a) "
        "{ System.out.println(Helper.twice(21)); } }\n"
    )
    result = run(sandbox, settings, "java", code)
    assert (result.status, result.stdout) == (Status.OK, "42\n"), result


def test_javascript_syntax_error_is_a_compile_error_and_never_runs(
    sandbox: Sandbox, settings: Settings
) -> None:
    result = run(sandbox, settings, "javascript", "console.log('ran');\nfunction ( {\n")
    assert (result.status, result.stdout) == (Status.COMPILE_ERROR, "")
    assert "SyntaxError" in result.stderr


def test_a_compiled_program_runs_every_case_of_one_container(
    sandbox: Sandbox, settings: Settings
) -> None:
    limits = resolve_limits(settings, time_limit=2, memory_limit=128)
    program = Program(code=HELLO["cpp"], language="cpp")
    cases = [CaseInput(limits=limits, stdin=f"{name}\n".encode()) for name in ("Ada", "Bo", "Cy")]
    results = [execution.result for execution in sandbox.run_cases(program, cases)]
    assert [r.stdout for r in results] == ["Hello, Ada!\n", "Hello, Bo!\n", "Hello, Cy!\n"]


def test_one_artefact_serves_every_run_of_it(sandbox: Sandbox, settings: Settings) -> None:
    artefact = sandbox.compile("c", HELLO["c"])
    assert artefact.failure is None
    assert set(artefact.files) == {"main"}
    limits = resolve_limits(settings, time_limit=2, memory_limit=128)
    for name in ("Ada", "Bo"):
        request = RunRequest(
            code=HELLO["c"], language="c", stdin=name.encode(), limits=limits, artefact=artefact
        )
        assert sandbox.run(request).result.stdout == f"Hello, {name}!\n"


HOSTILE_C = [
    pytest.param(
        "#include <unistd.h>\nint main(void) { for (;;) fork(); }\n", Status.TIMEOUT, id="fork-bomb"
    ),
    pytest.param(
        '#include <stdio.h>\nint main(void) { return fopen("/etc/owned", "w") ? 0 : 1; }\n',
        Status.RUNTIME_ERROR,
        id="write-root-fs",
    ),
    pytest.param(
        "#include <unistd.h>\nint main(void) { return setuid(0); }\n",
        Status.RUNTIME_ERROR,
        id="become-root-setuid",
    ),
    pytest.param(
        '#include <stdio.h>\nint main(void) { for (;;) fputs("yyyyyyyy", stdout); }\n',
        Status.OUTPUT_LIMIT,
        id="output-flood",
    ),
    pytest.param(
        '#include <stdio.h>\nint main(void) { FILE *f = fopen("fill", "w"); '
        'for (;;) if (fputs("xxxxxxxxxxxxxxxx", f) < 0) return 1; }\n',
        Status.RUNTIME_ERROR,
        id="fill-the-disk",
    ),
    pytest.param(
        "#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n"
        "int main(void) { int s = socket(AF_INET, SOCK_STREAM, 0);\n"
        "struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};\n"
        'inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);\n'
        "return connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : 1; }\n",
        Status.RUNTIME_ERROR,
        id="network-unreachable",
    ),
]


@pytest.mark.parametrize(("code", "status"), HOSTILE_C)
def test_hostile_compiled_program_gets_its_status(
    sandbox: Sandbox, settings: Settings, code: str, status: Status
) -> None:
    assert run(sandbox, settings, "c", code).status is status


def test_compiled_program_sees_no_secret_and_no_privilege(
    sandbox: Sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", SECRET)
    code = (
        "#include <stdio.h>\n#include <unistd.h>\nextern char **environ;\n"
        'int main(void) { printf("%d %d\\n", (int)getuid(), (int)getgid());\n'
        '  for (char **e = environ; *e; e++) printf("%s\\n", *e);\n'
        '  FILE *s = fopen("/proc/self/status", "r"); char line[256];\n'
        "  while (fgets(line, sizeof line, s)) if (line[0] == 'C' && line[1] == 'a') "
        "fputs(line, stdout); }\n"
    )
    result = run(sandbox, settings, "c", code)
    assert result.status is Status.OK, result
    assert result.stdout.splitlines()[0] == "65534 65534"
    assert SECRET not in result.stdout
    assert "DATABASE_URL" not in result.stdout
    assert "CapEff:\t0000000000000000" in result.stdout


def test_java_thread_bomb_is_held_by_the_pids_limit(sandbox: Sandbox, settings: Settings) -> None:
    code = (
        "public class Threads { public static void main(String[] a) { while (true) "
        "new Thread(() -> { try { Thread.sleep(60000); } catch (Exception e) {} }).start(); } }\n"
    )
    result = run(sandbox, settings, "java", code)
    assert result.status in (Status.RUNTIME_ERROR, Status.TIMEOUT), result
