"""Unit-test suite documents: chosen by `kind`, read from every format, errors naming the field."""

from __future__ import annotations

import string
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.documents import (
    Format,
    decode_document,
    decode_suite,
    encode_suite,
    listed_suite,
    validate_unit_suite,
)
from grading.errors import SuiteError
from grading.suite import Suite
from grading.unit import PointsRule, UnitGroup, UnitSuite

TEST_CODE = "from primes import is_prime\n\ndef test_two():\n    assert is_prime(2)\n"
SOLUTION = "def is_prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n"

JSON_SUITE = b"""{
  "kind": "unit",
  "name": "primes",
  "framework": "pytest",
  "tests": {"tests/test_primes.py":
    "from primes import is_prime\\n\\ndef test_two():\\n    assert is_prime(2)\\n"},
  "submit": ["primes.py"],
  "reference": {"primes.py":
    "def is_prime(n):\\n    return n > 1 and all(n % d for d in range(2, n))\\n"},
  "points": [{"match": "tests/test_primes.py::TestBig::*", "points": 3, "group": "big",
              "visibility": "hidden"}],
  "groups": [{"name": "big", "scoring": "all"}],
  "isolation": "test",
  "test_time_limit": 2,
  "time_limit": 60,
  "memory_limit": 512
}"""

TOML_SUITE = b'''
kind = "unit"
name = "primes"
framework = "pytest"
submit = ["primes.py"]
isolation = "test"
test_time_limit = 2
time_limit = 60
memory_limit = 512

[tests]
"tests/test_primes.py" = """
from primes import is_prime

def test_two():
    assert is_prime(2)
"""

[reference]
"primes.py" = """
def is_prime(n):
    return n > 1 and all(n % d for d in range(2, n))
"""

[[points]]
match = "tests/test_primes.py::TestBig::*"
points = 3
group = "big"
visibility = "hidden"

[[groups]]
name = "big"
scoring = "all"
'''

YAML_SUITE = b"""
kind: unit
name: primes
framework: pytest
tests:
  tests/test_primes.py: |
    from primes import is_prime

    def test_two():
        assert is_prime(2)
submit: [primes.py]
reference:
  primes.py: |
    def is_prime(n):
        return n > 1 and all(n % d for d in range(2, n))
points:
  - {match: "tests/test_primes.py::TestBig::*", points: 3, group: big, visibility: hidden}
groups:
  - {name: big, scoring: all}
isolation: test
test_time_limit: 2
time_limit: 60
memory_limit: 512
"""

EXPECTED = UnitSuite(
    name="primes",
    framework="pytest",
    tests={"tests/test_primes.py": TEST_CODE},
    submit=["primes.py"],
    reference={"primes.py": SOLUTION},
    points=[
        PointsRule(
            match="tests/test_primes.py::TestBig::*", points=3, group="big", visibility="hidden"
        )
    ],
    groups=[UnitGroup(name="big", scoring="all")],
    isolation="test",
    test_time_limit=2,
    time_limit=60,
    memory_limit=512,
)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        pytest.param(JSON_SUITE, "json", id="json"),
        pytest.param(TOML_SUITE, "toml", id="toml"),
        pytest.param(YAML_SUITE, "yaml", id="yaml"),
    ],
)
def test_every_format_reads_the_same_unit_suite(data: bytes, fmt: Format) -> None:
    assert decode_document(data, fmt) == EXPECTED


def test_a_document_without_kind_is_a_suite_of_cases() -> None:
    suite = decode_document(b'{"name": "s", "cases": [{"name": "a"}]}', "json")
    assert isinstance(suite, Suite)


def test_kind_io_names_a_suite_of_cases_explicitly() -> None:
    suite = decode_document(b'kind = "io"\nname = "s"\n[[cases]]\nname = "a"\n', "toml")
    assert isinstance(suite, Suite)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b'{"kind": "gradescope", "name": "s"}',
            'kind: "gradescope" is not a kind of suite; use "io" or "unit"',
            id="unknown-kind",
        ),
        pytest.param(
            b'{"kind": 3, "name": "s"}', 'kind: "3" is not a kind of suite', id="kind-not-a-word"
        ),
        pytest.param(
            b'{"kind": "unit", "name": "s", "framework": "jest", "tests": {}, "submit": [],'
            b' "reference": {}}',
            'framework: invalid enum value \'jest\'; use "pytest" or "junit5"',
            id="unknown-framework",
        ),
        pytest.param(
            b'{"kind": "unit", "name": "s", "framework": "pytest", "submit": [], "reference": {}}',
            'missing required field "tests"',
            id="no-tests-field",
        ),
        pytest.param(
            b'{"kind": "unit", "name": "s", "framework": "pytest", "tests": {}, "submit": [],'
            b' "reference": {}, "cases": []}',
            'unknown field "cases"',
            id="cases-in-a-unit-suite",
        ),
        pytest.param(
            b'{"kind": "unit", "name": "s", "framework": "pytest", "tests": {}, "submit": [],'
            b' "reference": {}, "points": [{"match": "a"}, {"match": "b", "points": "x"}]}',
            "points[1].points: expected a number or nothing, got a string",
            id="rule-points-wrong-type",
        ),
    ],
)
def test_bad_unit_documents_name_the_field(data: bytes, message: str) -> None:
    with pytest.raises(SuiteError) as raised:
        decode_document(data, "json")
    assert message in str(raised.value)


def test_decode_suite_takes_only_suites_of_cases() -> None:
    with pytest.raises(SuiteError, match='kind: a suite of cases is needed here, not a "unit"'):
        decode_suite(JSON_SUITE, "json")


def unit(**fields: object) -> UnitSuite:
    """A valid pytest suite, changed by `fields`."""
    document: dict[str, object] = {
        "name": "primes",
        "framework": "pytest",
        "tests": {"tests/test_primes.py": TEST_CODE},
        "submit": ["primes.py"],
        "reference": {"primes.py": SOLUTION},
    }
    return msgspec.convert({**document, **fields}, UnitSuite)


@pytest.mark.parametrize(
    ("suite", "message"),
    [
        pytest.param(unit(tests={}), "tests: at least one test file", id="no-tests"),
        pytest.param(unit(submit=[], reference={}), "submit: at least one file", id="no-submit"),
        pytest.param(unit(name=" "), "name: must not be empty", id="empty-name"),
        pytest.param(
            unit(submit=["src/primes.py"], reference={"src/primes.py": ""}),
            'submit[0]: "src/primes.py" must be a plain file name, without folders',
            id="submit-in-a-folder",
        ),
        pytest.param(
            unit(submit=[".."], reference={"..": ""}),
            "submit[0]: must not contain '..'",
            id="submit-dot-dot",
        ),
        pytest.param(
            unit(submit=["primes.py", "primes.py"]),
            'submit[1]: "primes.py" is already named earlier in submit',
            id="submit-twice",
        ),
        pytest.param(
            unit(submit=["primes.java"], reference={"primes.java": ""}),
            'submit[0]: a python file ends in .py, not "primes.java"',
            id="submit-wrong-extension",
        ),
        pytest.param(
            unit(tests={"/etc/cron.d/x": ""}),
            'tests["/etc/cron.d/x"]: must be a relative path, not an absolute one',
            id="absolute-test-path",
        ),
        pytest.param(
            unit(support={"tests/../../x": ""}),
            "support[\"tests/../../x\"]: must not contain '..'",
            id="support-escapes",
        ),
        pytest.param(
            unit(support={"primes.py": ""}),
            'support["primes.py"]: is also a file submissions hand in',
            id="support-replaced-by-submission",
        ),
        pytest.param(
            unit(tests={"primes.py": ""}),
            'tests["primes.py"]: is also a file submissions hand in',
            id="test-replaced-by-submission",
        ),
        pytest.param(
            unit(reference={}),
            "reference: the instructor's solution is needed",
            id="no-reference",
        ),
        pytest.param(
            unit(reference={"prime.py": SOLUTION}),
            'reference: missing "primes.py", which submissions hand in',
            id="reference-misses-a-file",
        ),
        pytest.param(
            unit(reference={"primes.py": SOLUTION, "helper.py": ""}),
            'reference["helper.py"]: not a file submissions hand in',
            id="reference-has-an-extra-file",
        ),
        pytest.param(
            unit(language="java", submit=["Primes.java"], reference={"Primes.java": ""}),
            'language: pytest tests "python", not "java"',
            id="framework-of-another-language",
        ),
        pytest.param(
            unit(framework="gtest", language="python"),
            'language: gtest tests "c" or "cpp", not "python"',
            id="gtest-is-for-c-and-cpp",
        ),
        pytest.param(
            unit(command="pytest --junitxml={report}"),
            'command: only framework "command" runs a command; pytest runs its own',
            id="command-with-a-framework",
        ),
        pytest.param(
            unit(framework="command", command="make test"),
            'command: framework "command" needs a command line that writes {report}',
            id="command-without-report",
        ),
        pytest.param(
            unit(points=[{"match": "a"}, {"match": "b"}, {"match": " ", "points": -1}]),
            "points[2].match: must not be empty; give a test id or a glob such as *::test_*; "
            "points[2].points: must be a number >= 0, got -1",
            id="bad-rule",
        ),
        pytest.param(
            unit(points=[{"match": "*", "group": "basci"}], groups=[{"name": "basic"}]),
            'points[0].group: no group "basci" under groups; declare it',
            id="rule-names-an-undeclared-group",
        ),
        pytest.param(
            unit(groups=[{"name": "g"}, {"name": "g", "points": -1}]),
            "groups[1].points: must be a number >= 0, got -1; "
            'groups[1].name: group name "g" is already used at groups[0]',
            id="bad-groups",
        ),
        pytest.param(
            unit(test_time_limit=0, memory_limit=-1),
            "test_time_limit: must be a number > 0, got 0; memory_limit: must be a number > 0",
            id="limits",
        ),
    ],
)
def test_invalid_unit_suites_name_what_to_fix(suite: UnitSuite, message: str) -> None:
    with pytest.raises(SuiteError) as raised:
        validate_unit_suite(suite)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("framework", "language", "submitted"),
    [
        pytest.param("junit5", "java", "Primes.java", id="junit5-java"),
        pytest.param("node", "javascript", "primes.mjs", id="node-javascript"),
        pytest.param("criterion", "c", "primes.c", id="criterion-c"),
        pytest.param("gtest", "cpp", "primes.cpp", id="gtest-cpp"),
        pytest.param("gtest", "c", "primes.c", id="gtest-c"),
    ],
)
def test_each_framework_accepts_its_languages(
    framework: str, language: str, submitted: str
) -> None:
    suite = unit(
        framework=framework, language=language, submit=[submitted], reference={submitted: ""}
    )
    assert validate_unit_suite(suite) == suite


def test_a_command_suite_takes_any_language_and_says_where_the_report_goes() -> None:
    suite = unit(
        framework="command",
        language="rust",
        submit=["lib.rs"],
        reference={"lib.rs": ""},
        command="cargo test -- -Z unstable-options --format junit > {report}",
    )
    assert validate_unit_suite(suite) == suite


names = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=12)
paths = st.lists(names, min_size=1, max_size=3).map("/".join)


@st.composite
def unit_suites(draw: st.DrawFn) -> UnitSuite:
    """Any valid pytest suite."""
    submitted = draw(st.lists(names.map(lambda n: n + ".py"), min_size=1, max_size=3, unique=True))
    tests = draw(st.dictionaries(paths.map(lambda p: "tests/" + p), st.text(), min_size=1))
    groups = draw(st.lists(names, max_size=3, unique=True))
    rules = st.builds(
        PointsRule,
        match=names,
        points=st.none() | st.floats(0, 100),
        group=st.none() | st.sampled_from(groups) if groups else st.none(),
        visibility=st.sampled_from([None, "visible", "hidden"]),
    )
    return UnitSuite(
        name=draw(names),
        framework="pytest",
        tests=tests,
        submit=submitted,
        reference={name: draw(st.text()) for name in submitted},
        support=draw(st.dictionaries(paths.map(lambda p: "data/" + p), st.text(), max_size=2)),
        points=draw(st.lists(rules, max_size=4)),
        groups=[
            UnitGroup(name=name, scoring=draw(st.sampled_from(["sum", "min", "all"])))
            for name in groups
        ],
        isolation=draw(st.sampled_from(["suite", "test"])),
        test_time_limit=draw(st.none() | st.floats(0.1, 30)),
    )


@given(suite=unit_suites())
def test_json_round_trips_any_unit_suite(suite: UnitSuite) -> None:
    assert decode_document(encode_suite(suite), "json") == suite


@given(suite=unit_suites())
def test_yaml_round_trips_any_unit_suite(suite: UnitSuite) -> None:
    assert decode_document(msgspec.yaml.encode(suite), "yaml") == suite


def test_an_encoded_unit_suite_says_its_kind() -> None:
    assert msgspec.json.decode(encode_suite(EXPECTED))["kind"] == "unit"


PRIMES = Path(__file__).parents[2] / "examples" / "primes"
PRIMES_FILES = ("suite.toml", "tests/test_primes.py", "reference/primes.py")


def test_a_package_with_a_suite_document_is_that_suite_with_the_files_it_lists() -> None:
    files = {name: (PRIMES / name).read_bytes() for name in PRIMES_FILES}
    suite = listed_suite(files)
    assert isinstance(suite, UnitSuite)
    assert list(suite.tests) == ["tests/test_primes.py"]
    assert list(suite.reference) == ["primes.py"]


def test_a_package_whose_suite_lists_a_file_it_lacks_is_refused_naming_it() -> None:
    files = {name: (PRIMES / name).read_bytes() for name in PRIMES_FILES[:2]}
    with pytest.raises(SuiteError, match=r"lists \"reference/primes.py\""):
        listed_suite(files)


def test_a_package_without_a_suite_document_is_left_to_other_readers() -> None:
    assert listed_suite({"problem.yaml": b"name: x\n"}) is None
