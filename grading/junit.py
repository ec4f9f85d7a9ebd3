"""JUnit XML test reports: what each test of a unit-test run did, read without trusting the file.

Every framework a unit suite uses writes this report: `pytest --junitxml` (xunit2 and xunit1),
the JUnit 5 console launcher's legacy XML, `node --test --test-reporter=junit`, Criterion
`--xml`, GoogleTest `--gtest_output=xml` and CTest `--output-junit`. A report lists
`<testcase>`s, possibly inside nested `<testsuite>`s; a test failed with a `<failure>`, errored
with an `<error>`, was skipped with a `<skipped>` (or, in GoogleTest and CTest, a `status` such
as `notrun`), and passed otherwise. Only a test's own `<properties>` are read (points, score,
group, visibility or hidden, tag and tags): a suite's properties are the JVM's, not the test's.

A test's id is stable from one run to the next and is what a suite's `points` rules match:

- pytest: the pytest node id, `tests/test_primes.py::TestBig::test_big[7]`, rebuilt from the
  dotted `classname`: its segments up to the last that looks like a test module (`test_*` or
  `*_test`, pytest's default `python_files`; else up to the first capitalised one) are the file,
  the rest are classes. xunit1's `file` attribute, when present, is the file.
- junit5: `classname::name` as the launcher writes them, `PrimesTest::sevenIsPrime()` or
  `PrimesTest::isPrime(int)[2]`. The legacy XML has no properties (it drops tags), so points
  come from the suite's rules.
- node: the names of the enclosing `describe`s and the test, joined by ` > ` as node prints
  them (its `classname` is always `test`).
- criterion: `suite::name`, the enclosing `<testsuite>`'s name and the test's.
- gtest: `Suite::Test` from `classname` (`Instance/Suite::Test/0` when parameterised).
- command (any other writer, CTest among them): `classname::name`, or `name` alone when the
  classname is empty or the same as the name (CTest repeats it).

SAFETY: the report is written by a process that ran untrusted code, so it is hostile until
read. It is parsed by expat with every DOCTYPE refused before its declarations are read, which
rules out entity expansion of any kind (billion laughs, external entities); its size, its depth,
the number of tests and properties, and every text kept are capped. Any problem raises
`ReportError` saying what was wrong, and nothing else escapes.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Literal
from xml.parsers import expat

import msgspec

from grading.errors import ReportError
from grading.suite import Visibility

Framework = Literal["pytest", "junit5", "node", "criterion", "gtest", "command"]

MAX_REPORT_BYTES = 4 * 1024 * 1024
MAX_TESTS = 5000
MAX_TEXT_CHARS = 16_000
"""Default caps: a report's size in bytes, its number of tests, and each text kept, in chars."""
MAX_NAME_CHARS = 1000
MAX_DEPTH = 64
MAX_PROPERTIES = 64
PROPERTY_NAMES = frozenset({"points", "score", "group", "visibility", "hidden", "tag", "tags"})
"""The properties grading reads; others are kept in `ReportedTest.properties` as they are."""


class TestStatus(StrEnum):
    """What a framework said of one test."""

    __test__ = False  # not a pytest test class, despite its name

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class ReportedTest(msgspec.Struct, frozen=True, kw_only=True):
    """One test as a report tells it. `message` is the framework's one-line-ish summary,
    `details` the body of its failure (a traceback, an assertion's text); `timed_out` is set
    when the framework says the test itself ran out of time."""

    id: str
    name: str
    status: TestStatus
    classname: str = ""
    timed_out: bool = False
    message: str = ""
    kind: str = ""
    details: str = ""
    stdout: str = ""
    stderr: str = ""
    time_ms: int = 0
    properties: dict[str, str] = msgspec.field(default_factory=dict)
    points: float | None = None
    score: float | None = None
    group: str | None = None
    visibility: Visibility | None = None
    tags: list[str] = msgspec.field(default_factory=list)


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """Every test of one report, in the order the report lists them."""

    framework: Framework
    tests: list[ReportedTest]


class _Caps(msgspec.Struct, frozen=True, kw_only=True):
    """How much of a report is read: its tests, and the characters kept of each text."""

    tests: int
    text: int


def parse_report(
    data: bytes,
    framework: Framework,
    *,
    max_bytes: int = MAX_REPORT_BYTES,
    max_tests: int = MAX_TESTS,
    max_text: int = MAX_TEXT_CHARS,
) -> Report:
    """Read a JUnit XML report written by `framework`; any problem raises `ReportError`."""
    if not data.strip():
        raise ReportError("the report is empty")
    if len(data) > max_bytes:
        raise ReportError(f"the report is {len(data)} bytes, over the limit of {max_bytes}")
    reader = _Reader(framework, _Caps(tests=max_tests, text=max_text))
    parser = _parser(reader)
    try:
        parser.Parse(data, True)
    except _Refused as refusal:
        raise ReportError(str(refusal)) from None
    except expat.ExpatError as error:
        reason = f"{expat.ErrorString(error.code)} at line {error.lineno}, column {error.offset}"
        raise ReportError(f"not well-formed XML: {reason}") from None
    except (LookupError, ValueError) as error:
        # pyexpat hands encodings expat lacks to Python's codecs, which refuse unknown names
        # (LookupError) and multi-byte encodings (ValueError).
        raise ReportError(f"the report's declared encoding cannot be read: {error}") from None
    return Report(framework=framework, tests=reader.tests)


class _Refused(Exception):
    """Raised from inside expat's handlers to stop at something a report must not contain."""


def _parser(reader: _Reader) -> expat.XMLParserType:
    """An expat parser that refuses any DOCTYPE and hands elements and text to `reader`."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    # A DOCTYPE is where entities are declared; refusing it at its start means none is ever
    # expanded. The other two handlers are a second fence should one slip past.
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    return parser


def _refuse_doctype(*_: object) -> None:
    raise _Refused("the report declares a DOCTYPE, which a test report never needs; refused")


def _refuse_entity(*_: object) -> int:
    raise _Refused("the report declares or references an entity; refused")


class _Text:
    """Text gathered in pieces up to a cap, marked when cut."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.cut = False

    def add(self, text: str) -> None:
        room = self.cap - self.size
        if len(text) > room:
            self.cut = True
            text = text[: max(room, 0)]
        self.parts.append(text)
        self.size += len(text)

    def value(self) -> str:
        text = "".join(self.parts)
        return text + "\n… [cut]" if self.cut else text


class _Open:
    """A `<testcase>` being read: its attributes, outcome, texts and properties so far."""

    def __init__(self, attrs: dict[str, str], suites: list[str], depth: int, cap: int) -> None:
        self.attrs = attrs
        self.suites = suites
        self.depth = depth
        self.status = TestStatus.PASSED
        self.message = ""
        self.kind = ""
        self.texts = {"details": _Text(cap), "system-out": _Text(cap), "system-err": _Text(cap)}
        self.properties: dict[str, str] = {}
        self.tags: list[str] = []

    def outcome(self, element: str, attrs: dict[str, str], cap: int) -> None:
        """Record a `<failure>`, `<error>` or `<skipped>`; the worst of several counts."""
        status = _OUTCOMES[element]
        if _RANK[status] > _RANK[self.status]:
            self.status = status
            self.message = attrs.get("message", "")[:cap]
            self.kind = attrs.get("type", "")[:MAX_NAME_CHARS]

    def property(self, attrs: dict[str, str]) -> None:
        """Record one `<property name=... value=...>` of the test."""
        name, value = attrs.get("name", "")[:MAX_NAME_CHARS], attrs.get("value", "")
        if len(self.properties) >= MAX_PROPERTIES:
            raise _Refused(f"a test has more than {MAX_PROPERTIES} properties")
        if name == "tag":
            self.tags.append(value[:MAX_NAME_CHARS])
        self.properties[name] = value[:MAX_NAME_CHARS]


_OUTCOMES = {"failure": TestStatus.FAILED, "error": TestStatus.ERROR, "skipped": TestStatus.SKIPPED}
_RANK = {TestStatus.PASSED: 0, TestStatus.SKIPPED: 1, TestStatus.FAILED: 2, TestStatus.ERROR: 3}
_ROOTS = ("testsuites", "testsuite")


class _Reader:
    """expat's handlers: a stack of open elements, the open testcase, and the tests read."""

    def __init__(self, framework: Framework, caps: _Caps) -> None:
        self.framework = framework
        self.caps = caps
        self.stack: list[str] = []
        self.suites: list[str] = []
        self.current: _Open | None = None
        self.collecting: tuple[str, int] | None = None
        self.tests: list[ReportedTest] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if not self.stack and name not in _ROOTS:
            raise _Refused(f"the root element is <{name[:40]}>, not <testsuites> or <testsuite>")
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(f"the report nests elements more than {MAX_DEPTH} deep")
        self.stack.append(name)
        if self.current is None:
            self._outside_test(name, attrs)
        else:
            self._inside_test(self.current, name, attrs)

    def _outside_test(self, name: str, attrs: dict[str, str]) -> None:
        if name == "testsuite":
            self.suites.append(attrs.get("name", "")[:MAX_NAME_CHARS])
        elif name == "testcase":
            if len(self.tests) >= self.caps.tests:
                raise _Refused(f"the report has more than {self.caps.tests} tests")
            depth = len(self.stack)
            self.current = _Open(attrs, list(self.suites), depth, self.caps.text)

    def _inside_test(self, test: _Open, name: str, attrs: dict[str, str]) -> None:
        parent = self.stack[-2]
        if parent == "testcase" and len(self.stack) == test.depth + 1:
            if name in _OUTCOMES:
                test.outcome(name, attrs, self.caps.text)
                self._collect("details")
            elif name in ("system-out", "system-err"):
                self._collect(name)
        elif name == "property" and parent == "properties" and len(self.stack) == test.depth + 2:
            test.property(attrs)

    def _collect(self, text: str) -> None:
        if self.collecting is None:
            self.collecting = (text, len(self.stack))

    def end(self, name: str) -> None:
        depth = len(self.stack)
        self.stack.pop()
        if self.collecting is not None and self.collecting[1] == depth:
            self.collecting = None
        if self.current is not None and depth == self.current.depth:
            self.tests.append(_finished(self.framework, self.current))
            self.current = None
        elif self.current is None and name == "testsuite":
            self.suites.pop()

    def text(self, data: str) -> None:
        if self.current is not None and self.collecting is not None:
            self.current.texts[self.collecting[0]].add(data)


def _finished(framework: Framework, test: _Open) -> ReportedTest:
    """The test read, with its id, display name and typed properties."""
    attrs = test.attrs
    name = attrs.get("name", "")[:MAX_NAME_CHARS]
    classname = attrs.get("classname", "")[:MAX_NAME_CHARS]
    file = attrs.get("file", "")[:MAX_NAME_CHARS]
    test_id = id_of(framework, test.suites, classname, name, file)
    if framework == "gtest":
        # GoogleTest before 1.10 wrote RecordProperty() values as the testcase's attributes.
        for key in PROPERTY_NAMES & attrs.keys():
            test.properties.setdefault(key, attrs[key][:MAX_NAME_CHARS])
    stdout = test.texts["system-out"].value()
    status = _status(test.status, attrs)
    return ReportedTest(
        id=test_id,
        name=_display_name(framework, name, stdout) or test_id,
        status=status,
        classname=classname,
        timed_out=status != TestStatus.PASSED and _timed_out(test.kind, test.message),
        message=test.message,
        kind=test.kind,
        details=test.texts["details"].value(),
        stdout=stdout,
        stderr=test.texts["system-err"].value(),
        time_ms=_milliseconds(attrs.get("time", "")),
        properties=test.properties,
        points=_number(test_id, test.properties, "points", minimum=0.0),
        score=_number(test_id, test.properties, "score", minimum=None),
        group=test.properties.get("group", "").strip() or None,
        visibility=_visibility(test_id, test.properties),
        tags=test.tags + _split_tags(test.properties.get("tags", "")),
    )


def id_of(framework: Framework, suites: list[str], classname: str, name: str, file: str) -> str:
    """A test's stable id under `framework`'s rule (see the module's docstring)."""
    if framework == "pytest":
        return _pytest_id(classname, name, file)
    if framework == "node":
        return " > ".join([*[suite for suite in suites if suite], name])
    owner = classname
    if framework == "criterion" or (framework == "gtest" and not classname):
        owner = suites[-1] if suites else ""
    return f"{owner}::{name}" if owner and owner != name else name


_PYTEST_MODULE = re.compile(r"test_.*|.*_test")


def _pytest_id(classname: str, name: str, file: str) -> str:
    """pytest's node id from its junitxml `classname` (`tests.test_primes.TestBig`)."""
    parts = classname.split(".") if classname else []
    modules = [i for i, part in enumerate(parts) if _PYTEST_MODULE.fullmatch(part)]
    if modules:
        cut = modules[-1] + 1
    else:
        cut = next((i for i, part in enumerate(parts) if part[:1].isupper()), len(parts))
    path = "/".join(parts[:cut]) + ".py" if cut else ""
    if file.endswith(".py"):
        path = file
    return "::".join(part for part in [path, *parts[cut:], name] if part)


def _status(status: TestStatus, attrs: dict[str, str]) -> TestStatus:
    """The outcome, counting GoogleTest's and CTest's not-run tests as skipped."""
    if status != TestStatus.PASSED:
        return status
    said = (attrs.get("status", "") + " " + attrs.get("result", "")).lower().split()
    if set(said) & {"notrun", "disabled", "skipped", "suppressed"}:
        return TestStatus.SKIPPED
    if "errored" in said:
        return TestStatus.ERROR
    if set(said) & {"failed", "fail"}:
        return TestStatus.FAILED
    return status


def _display_name(framework: Framework, name: str, stdout: str) -> str:
    """What a person calls the test: JUnit 5's `display-name`, else the report's name."""
    if framework == "junit5" and stdout.lstrip().startswith("unique-id:"):
        for line in stdout.splitlines()[:4]:
            if line.startswith("display-name: "):
                return line.removeprefix("display-name: ").strip()
    return name


# How each framework says a test ran out of time: pytest-timeout ("Failed: Timeout >1.0s"),
# JUnit 5 (`@Timeout`: "... timed out after 1 second"; `assertTimeout`: "execution exceeded
# timeout of 10 ms by 5 ms"), node ("test timed out after 100ms", type testTimeoutFailure) and
# Criterion ("The test timed out.").
_TIMEOUT = re.compile(
    r"Failed: Timeout\b|\btimed out after\b|execution exceeded timeout|The test timed out"
)


def _timed_out(kind: str, message: str) -> bool:
    """Whether the framework reports that the test itself ran out of time."""
    if kind in ("testTimeoutFailure", "java.util.concurrent.TimeoutException"):
        return True
    return _TIMEOUT.search(message[:500]) is not None


def _milliseconds(seconds: str) -> int:
    """A `time` attribute in seconds as whole milliseconds; anything unreadable is 0."""
    try:
        value = float(seconds.replace(",", ""))
    except ValueError:
        return 0
    return round(value * 1000) if math.isfinite(value) and 0 <= value < 1e9 else 0


def _split_tags(tags: str) -> list[str]:
    return [tag.strip() for tag in tags.split(",") if tag.strip()]


def _number(
    test_id: str, properties: dict[str, str], key: str, minimum: float | None
) -> float | None:
    """A numeric property, or None when absent; a wrong one is the report's error, named."""
    if key not in properties:
        return None
    text = properties[key].strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        floor = f" >= {minimum:g}" if minimum is not None else ""
        raise ReportError(
            f'{_clip(test_id)}: property "{key}" must be a number{floor}, got "{_clip(text)}"'
        )
    return value


def _visibility(test_id: str, properties: dict[str, str]) -> Visibility | None:
    """`visibility` (visible or hidden) or `hidden` (true or false), when the test says."""
    if "visibility" in properties:
        value = properties["visibility"].strip().lower()
        if value in ("visible", "hidden"):
            return "hidden" if value == "hidden" else "visible"
        raise ReportError(
            f'{_clip(test_id)}: property "visibility" must be "visible" or "hidden", '
            f'got "{_clip(value)}"'
        )
    if "hidden" in properties:
        return (
            "hidden" if properties["hidden"].strip().lower() in ("true", "1", "yes") else "visible"
        )
    return None


def _clip(text: str) -> str:
    return text if len(text) <= 80 else text[:80] + "…"
