"""The languages a sandbox can run: one row each, and the images they run in.

A row says everything OopsEngine needs to know about a language; the next language is a row
here, and an image row if it needs a base of its own: every image is built by the one recipe
`images/Dockerfile` (build.py) from what its row says. Commands are argv lists with placeholders:
`{main}` is the program's entry point (the file name's stem: `main`, or Java's class),
`{files}` the source files, `{memory_mib}` the run's memory limit.

Two kinds of pre-run step, as Kattis has them:
- `compile` turns the source into an artefact once per submission, in a sandbox of its own with
  the row's compile limits; it writes what the program needs into `BUILD_DIR`, whose files are
  then handed to every case's container. C, C++ and Java compile.
- `check` is a cheap syntax check run in each case's own container before the program (Python's
  `compile()`, `node --check`), so a syntax error is a `compile_error`, not a crash.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import msgspec

from runners.errors import UnknownLanguage

BUILD_DIR = "build"
"""Where a compile step writes its artefact; its files become the run's working directory."""


class Image(msgspec.Struct, frozen=True, kw_only=True):
    """A sandbox image: the one recipe, `images/Dockerfile`, built on a base.

    `base_image` is the registry image to build on where a registry answers;
    `debian_packages` make the base from Debian's archive with mmdebstrap where none does. Every
    image needs `python3` for the supervisor. `registry_setup` is a shell command that gives a
    registry base what the Debian packages would have (its test frameworks).
    """

    name: str
    base_image: str
    debian_packages: tuple[str, ...]
    registry_setup: str = ""


class Language(msgspec.Struct, frozen=True, kw_only=True):
    """How to compile and run a program of one language inside its sandbox image.

    `memory_extra_mib` is added to the container's memory limit above the run's own (a JVM's
    code cache, metaspace and threads live outside the heap that `-Xmx` bounds), and
    `pids_limit`, when set, replaces the operator's (a JVM starts a dozen threads before `main`).
    `memory_errors` are lines a runtime prints when the program outgrew its own memory bound
    (a JVM's heap, V8's old space), so the run is a `memory_limit`, not a crash.
    `version_command` prints the language's version; it is read once when the image is built.
    `compile_time_limit` bounds the compile (and a `check`), `compile_memory_limit` the
    compile's container. `class_named_file` makes `{main}` the Java class the code declares.
    `starter`, when set, is an interpreter the image holds that a container serving several
    cases starts once, to fork each case from (`images/start.py` for Python); `command` must
    then be the interpreter and the program's file.
    """

    name: str
    title: str
    image: str
    extensions: tuple[str, ...]
    filename: str
    command: tuple[str, ...]
    env: dict[str, str] = msgspec.field(default_factory=dict)
    check: tuple[str, ...] = ()
    compile: tuple[str, ...] = ()
    compile_time_limit: float = 60.0
    compile_memory_limit: int = 1024
    memory_extra_mib: int = 0
    pids_limit: int | None = None
    memory_errors: tuple[str, ...] = ()
    version_command: tuple[str, ...] = ()
    class_named_file: bool = False
    starter: tuple[str, ...] = ()

    @property
    def compiled(self) -> bool:
        """Whether a program must be compiled, once, before any of its runs."""
        return bool(self.compile)


PYTHON_SYNTAX_CHECK = """\
import sys, traceback
try:
    with open(sys.argv[1], "rb") as source:
        compile(source.read(), sys.argv[1], "exec", dont_inherit=True)
except (SyntaxError, ValueError) as error:
    sys.stderr.write("".join(traceback.format_exception_only(error)))
    sys.exit(1)
"""
"""Python's check, as Kattis's `py_compile`: a syntax error is a compile error, not a crash."""

DEBIAN_SUPERVISOR = ("python3-minimal", "python3.11")
"""What the supervisor needs in a base made from Debian's archive."""
REGISTRY_SUPERVISOR = ("python3",)
"""What a registry base without python3 gets from its own archive for the supervisor."""

APT_SETUP = (
    "apt-get update && apt-get install -y --no-install-recommends {packages}"
    " && rm -rf /var/lib/apt/lists/*"
)
"""A registry base's setup that installs the test frameworks its Debian packages would hold."""

IMAGES = {
    image.name: image
    for image in (
        Image(
            name="python",
            base_image="python:3.11-alpine",
            debian_packages=(*DEBIAN_SUPERVISOR, "python3-pytest", "python3-pytest-timeout"),
            registry_setup='pip install --no-cache-dir "pytest>=7.2,<9" "pytest-timeout>=2.1,<3"',
        ),
        Image(
            name="gcc",
            base_image="gcc:12-bookworm",
            debian_packages=(*DEBIAN_SUPERVISOR, "gcc", "g++", "libc6-dev", "libgtest-dev"),
            registry_setup=APT_SETUP.format(packages="libgtest-dev"),
        ),
        Image(
            name="java",
            base_image="eclipse-temurin:17-jdk",
            debian_packages=(*DEBIAN_SUPERVISOR, "openjdk-17-jdk-headless", "junit5"),
            registry_setup=APT_SETUP.format(packages="junit5"),
        ),
        Image(
            name="node",
            base_image="node:18-bookworm",
            debian_packages=(*DEBIAN_SUPERVISOR, "nodejs"),
        ),
    )
}

JVM_FLAGS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")
"""One GC thread and the quick JIT only: a JVM starts faster and with fewer threads."""

LANGUAGES = {
    lang.name: lang
    for lang in (
        Language(
            name="python",
            title="Python 3",
            image="python",
            extensions=(".py",),
            filename="main.py",
            command=("python3", "main.py"),
            check=("python3", "-I", "-S", "-c", PYTHON_SYNTAX_CHECK, "main.py"),
            env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"},
            version_command=("python3", "--version"),
            starter=("python3", "/opt/oopsengine/start.py"),
        ),
        Language(
            name="c",
            title="C (GCC, gnu17)",
            image="gcc",
            extensions=(".c",),
            filename="main.c",
            compile=("gcc", "-O2", "-std=gnu17", "-o", f"{BUILD_DIR}/main", "{files}", "-lm"),
            command=("./main",),
            version_command=("gcc", "-dumpfullversion"),
        ),
        Language(
            name="cpp",
            title="C++ (GCC, gnu++17)",
            image="gcc",
            extensions=(".cc", ".cpp", ".cxx", ".c++", ".C"),
            filename="main.cpp",
            compile=("g++", "-O2", "-std=gnu++17", "-o", f"{BUILD_DIR}/main", "{files}"),
            command=("./main",),
            version_command=("g++", "-dumpfullversion"),
        ),
        Language(
            name="java",
            title="Java (OpenJDK 17)",
            image="java",
            extensions=(".java",),
            filename="{main}.java",
            class_named_file=True,
            compile=(
                "javac",
                *(f"-J{flag}" for flag in JVM_FLAGS),
                "-encoding",
                "UTF-8",
                "-d",
                BUILD_DIR,
                "{files}",
            ),
            command=(
                "java",
                "-Dfile.encoding=UTF-8",
                *JVM_FLAGS,
                "-Xss64m",
                "-Xmx{memory_mib}m",
                "-cp",
                ".",
                "{main}",
            ),
            memory_extra_mib=256,
            pids_limit=128,
            memory_errors=(
                "java.lang.OutOfMemoryError: Java heap space",
                "java.lang.OutOfMemoryError: GC overhead limit exceeded",
                "java.lang.OutOfMemoryError: Requested array size exceeds VM limit",
            ),
            version_command=("javac", "-version"),
        ),
        Language(
            name="javascript",
            title="JavaScript (Node.js)",
            image="node",
            extensions=(".js",),
            filename="main.js",
            check=("node", "--check", "main.js"),
            command=("node", "--max-old-space-size={memory_mib}", "main.js"),
            memory_extra_mib=64,
            memory_errors=("JavaScript heap out of memory",),
            version_command=("node", "--version"),
        ),
    )
}

PYTHON = LANGUAGES["python"]

REPORT_FD = 3
"""Where a test runner writes its report: a pipe the supervisor reads (`images/supervise.py`)."""

PYTHON_SOURCES_CHECK = """\
import pathlib, sys, traceback
for path in sorted(pathlib.Path(".").glob("**/*.py")):
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        sys.stderr.write("".join(traceback.format_exception_only(error)))
        sys.exit(1)
"""
"""The syntax check of every Python file a test run holds: a syntax error is a compile error."""

JUNIT_CONSOLE = "/usr/share/java/junit-platform-console-standalone.jar"
"""Debian's `junit5`: the console launcher, with Jupiter's API, params and engine in one jar."""
JUNIT_LAUNCH = (
    f"mkdir -p reports && ln -s /dev/fd/{REPORT_FD} reports/TEST-junit-jupiter.xml && "
    f"exec java -Dfile.encoding=UTF-8 {' '.join(JVM_FLAGS)} -Xss64m -Xmx{{memory_mib}}m "
    f"-jar {JUNIT_CONSOLE} --disable-banner --disable-ansi-colors --details=none "
    '--class-path=. --reports-dir=reports "$@"'
)
"""The console launcher writes Jupiter's legacy XML report as `TEST-junit-jupiter.xml` in a
folder it is given, never to a path of our choosing: that file is a link to the report pipe.
A submission that replaces the link loses its own report (every test then fails)."""
NODE_SOURCES_CHECK = """\
find . -name '*.js' -o -name '*.mjs' -o -name '*.cjs' | while read -r file; do
    node --check "$file" || exit 1
done
"""
"""The syntax check of every JavaScript file a test run holds: a syntax error is a compile error."""

TEST_RUNNERS = {
    runner.name: runner
    for runner in (
        Language(
            name="pytest",
            title="pytest (Python 3)",
            image="python",
            extensions=(".py",),
            filename="pytest.ini",
            check=("python3", "-I", "-S", "-c", PYTHON_SOURCES_CHECK),
            command=(
                "python3",
                "-m",
                "pytest",
                "-p",
                "pytest_points",
                "-p",
                "no:cacheprovider",
                f"--junitxml=/dev/fd/{REPORT_FD}",
                # Short tracebacks: a deep recursion's long one took pytest past a test's
                # time limit while it wrote the report, and shows less of the tests' code.
                "--tb=short",
                "-q",
            ),
            env={
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONIOENCODING": "utf-8",
                "PYTHONPATH": "/opt/oopsengine",
            },
            version_command=("python3", "-m", "pytest", "--version"),
        ),
        Language(
            name="junit5",
            title="JUnit 5 (Java 17)",
            image="java",
            extensions=(".java",),
            filename="junit-platform.properties",
            compile=(
                "javac",
                *(f"-J{flag}" for flag in JVM_FLAGS),
                "-encoding",
                "UTF-8",
                "-cp",
                JUNIT_CONSOLE,
                "-d",
                BUILD_DIR,
                "{files}",
            ),
            command=("sh", "-c", JUNIT_LAUNCH, "junit5"),
            memory_extra_mib=256,
            pids_limit=128,
            memory_errors=LANGUAGES["java"].memory_errors,
            version_command=("java", "-jar", JUNIT_CONSOLE, "--version"),
        ),
        Language(
            name="node-test",
            title="node --test (JavaScript, Node.js)",
            image="node",
            extensions=(".js", ".mjs", ".cjs"),
            filename="package.json",
            check=("sh", "-c", NODE_SOURCES_CHECK),
            command=(
                "node",
                "--max-old-space-size={memory_mib}",
                "--test",
                "--test-reporter=junit",
                f"--test-reporter-destination=/dev/fd/{REPORT_FD}",
            ),
            memory_extra_mib=64,
            memory_errors=LANGUAGES["javascript"].memory_errors,
            version_command=("node", "--version"),
        ),
        Language(
            name="gtest",
            title="GoogleTest (C and C++, GCC)",
            image="gcc",
            extensions=(".c", ".cc", ".cpp", ".cxx"),
            filename="gtest_main.cc",
            # gcc compiles each file as its suffix says (C as gnu17, C++ as gnu++17) and links
            # them with GoogleTest; the main is the runner's (`runners.suites.unit`). Headers
            # are included by their path from the top folder.
            compile=(
                "gcc",
                "-O2",
                "-pthread",
                "-I.",
                "-o",
                f"{BUILD_DIR}/run_tests",
                "{files}",
                "-lgtest",
                "-lstdc++",
                "-lm",
            ),
            command=("./run_tests", f"--gtest_output=xml:/dev/fd/{REPORT_FD}", "--gtest_brief=1"),
            version_command=("g++", "-dumpfullversion"),
        ),
    )
}
"""How each unit-test framework runs in its image, as a language whose program is its
configuration file and whose cases are the tests it selects (`runners.suites.unit`).
They are not languages a submission names, so the catalogue does not list them."""

COMMAND_SCRIPT = "oops-tests.sh"
"""A `command` unit suite's program: the instructor's command, with the report's path filled in."""

TEST_RUNNERS.update(
    {
        f"command-{lang.name}": Language(
            name=f"command-{lang.name}",
            title=f"a command writing JUnit XML ({lang.title})",
            image=lang.image,
            extensions=lang.extensions,
            filename=COMMAND_SCRIPT,
            command=("sh", COMMAND_SCRIPT),
            env=lang.env,
            memory_extra_mib=lang.memory_extra_mib,
            pids_limit=lang.pids_limit,
            memory_errors=lang.memory_errors,
        )
        for lang in LANGUAGES.values()
    }
)
"""An instructor's own command in each language's image (`framework = "command"`): it builds
and runs what it likes, and writes JUnit XML to `{report}`, which is descriptor 3's path."""


def language(name: str) -> Language:
    """The language (or test runner) called `name`, or an error listing the known ones."""
    try:
        return LANGUAGES.get(name) or TEST_RUNNERS[name]
    except KeyError:
        known = ", ".join(sorted(LANGUAGES))
        raise UnknownLanguage("language", f"unknown language {name!r}; known: {known}") from None


def extension_map() -> dict[str, str]:
    """Every source file extension and the language it names (`.cc` -> `cpp`)."""
    return {ext: lang.name for lang in LANGUAGES.values() for ext in lang.extensions}


def by_extension(filename: str) -> Language | None:
    """The language whose source files end as `filename` does (`.cc` is C++), or None."""
    suffix = PurePosixPath(filename).suffix
    for lang in LANGUAGES.values():
        if suffix in lang.extensions:
            return lang
    return None


_PUBLIC_CLASS = re.compile(r"^\s*public\s+(?:(?:final|abstract|strictfp)\s+)*class\s+(\w+)", re.M)
_CLASS = re.compile(r"\bclass\s+(\w+)")
_MAIN_METHOD = re.compile(r"\bstatic\s+void\s+main\s*\(")


def entry_point(lang: Language, code: str) -> str:
    """The program's entry point (`{main}`): `main`, or for Java the class to start.

    Kattis takes the stem of the main file; javac requires a public class to live in a file of
    its own name, so for code without a file name the stem is that public class's name, else
    the class declaring `main`, else `Main`.
    """
    if not lang.class_named_file:
        return "main"
    public = _PUBLIC_CLASS.search(code)
    if public:
        return public[1]
    method = _MAIN_METHOD.search(code)
    before = [found[1] for found in _CLASS.finditer(code[: method.start()] if method else "")]
    return before[-1] if before else "Main"


def expand(argv: tuple[str, ...], main: str, files: list[str], memory_mib: int) -> list[str]:
    """A command with its placeholders filled; `{files}` becomes one argument per file."""
    expanded: list[str] = []
    for word in argv:
        if word == "{files}":
            expanded += files
        else:
            expanded.append(word.replace("{main}", main).replace("{memory_mib}", str(memory_mib)))
    return expanded


def source_name(lang: Language, code: str) -> str:
    """The file the program's source is written to in the sandbox."""
    return lang.filename.replace("{main}", entry_point(lang, code))
