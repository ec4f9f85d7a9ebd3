"""Suite documents: the same suite from JSON, TOML or YAML, and errors that name the field."""

from __future__ import annotations

import string

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.documents import Format, decode_suite, encode_suite, suite_format, validate_suite
from grading.errors import GradingError, SuiteError
from grading.suite import Case, Compare, Group, Suite

JSON_SUITE = b"""{
  "name": "sum",
  "time_limit": 2.5,
  "compare": {"mode": "tokens", "float_tolerance": 1e-6},
  "cases": [{"name": "small", "stdin": "1 2\\n", "expected_output": "3\\n"}],
  "groups": [{
    "name": "big",
    "scoring": "all",
    "cases": [{"name": "huge", "stdin": "1e9 1e9\\n", "expected_output": "2e9\\n",
               "points": 2, "visibility": "hidden", "compare": {"mode": "exact"}}]
  }]
}"""

TOML_SUITE = b"""
name = "sum"
time_limit = 2.5
compare = { mode = "tokens", float_tolerance = 1e-6 }

[[cases]]
name = "small"
stdin = "1 2\\n"
expected_output = "3\\n"

[[groups]]
name = "big"
scoring = "all"

[[groups.cases]]
name = "huge"
stdin = "1e9 1e9\\n"
expected_output = "2e9\\n"
points = 2
visibility = "hidden"
compare = { mode = "exact" }
"""

YAML_SUITE = b"""
name: sum
time_limit: 2.5
compare: {mode: tokens, float_tolerance: 1.0e-6}
cases:
  - name: small
    stdin: "1 2\\n"
    expected_output: "3\\n"
groups:
  - name: big
    scoring: all
    cases:
      - name: huge
        stdin: "1e9 1e9\\n"
        expected_output: |
          2e9
        points: 2
        visibility: hidden
        compare: {mode: exact}
"""

EXPECTED = Suite(
    name="sum",
    time_limit=2.5,
    compare=Compare(mode="tokens", float_tolerance=1e-6),
    cases=[Case(name="small", stdin="1 2\n", expected_output="3\n")],
    groups=[
        Group(
            name="big",
            scoring="all",
            cases=[
                Case(
                    name="huge",
                    stdin="1e9 1e9\n",
                    expected_output="2e9\n",
                    points=2,
                    visibility="hidden",
                    compare=Compare(mode="exact"),
                )
            ],
        )
    ],
)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        pytest.param(JSON_SUITE, "json", id="json"),
        pytest.param(TOML_SUITE, "toml", id="toml"),
        pytest.param(YAML_SUITE, "yaml", id="yaml"),
    ],
)
def test_every_format_reads_the_same_suite(data: bytes, fmt: Format) -> None:
    assert decode_suite(data, fmt) == EXPECTED


names = st.text(alphabet=string.ascii_letters + string.digits + " -_", min_size=1).filter(str.strip)
compares = st.one_of(
    st.builds(Compare, mode=st.sampled_from(["exact", "lines"])),
    st.builds(
        Compare,
        mode=st.just("tokens"),
        case_sensitive=st.booleans(),
        space_change_sensitive=st.booleans(),
        float_absolute_tolerance=st.none() | st.floats(0, 1),
        float_relative_tolerance=st.none() | st.floats(0, 1),
    ),
    st.builds(
        Compare,
        mode=st.just("checker"),
        checker=st.just("import sys\nsys.exit(42)\n"),
        checker_flags=st.lists(names, max_size=2),
    ),
)


def cases_named(name: str) -> st.SearchStrategy[Case]:
    """Any valid case called `name`."""
    return st.builds(
        Case,
        name=st.just(name),
        expected_output=st.text(),
        stdin=st.text(),
        args=st.lists(st.text(), max_size=3),
        points=st.floats(0, 100),
        visibility=st.sampled_from(["visible", "hidden"]),
        compare=st.none() | compares,
        time_limit=st.none() | st.floats(0.1, 30),
        memory_limit=st.none() | st.integers(1, 4096),
    )


@st.composite
def suites(draw: st.DrawFn) -> Suite:
    """Any valid suite: uniquely named cases, some at the top level and some in groups."""
    case_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    cases = [draw(cases_named(name)) for name in case_names]
    cut = draw(st.integers(0, len(cases)))
    grouped = cases[cut:]
    groups = [Group(name=f"group {i}", cases=[case]) for i, case in enumerate(grouped)]
    return Suite(
        name=draw(names),
        time_limit=draw(st.none() | st.floats(0.1, 30)),
        isolation=draw(st.sampled_from(["case", "submission"])),
        compare=draw(compares),
        cases=cases[:cut],
        groups=groups,
    )


@given(suite=suites())
def test_json_round_trips_any_suite(suite: Suite) -> None:
    assert decode_suite(encode_suite(suite), "json") == suite


@given(suite=suites())
def test_yaml_round_trips_any_suite(suite: Suite) -> None:
    assert decode_suite(msgspec.yaml.encode(suite), "yaml") == suite


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        pytest.param(
            b'{"name": "s", "cases": [{"name": "a"}, {"name": "b"}, {"name": "c", "points": "x"}]}',
            "json",
            "cases[2].points: expected a number, got a string",
            id="wrong-type",
        ),
        pytest.param(b'{"cases": []}', "json", 'missing required field "name"', id="no-name"),
        pytest.param(
            b'{"name": "s", "cases": [{"name": "a", "poinst": 1}]}',
            "json",
            'cases[0]: unknown field "poinst"',
            id="misspelled-field",
        ),
        pytest.param(
            b'name = "s"\n[[cases]]\nname = "a"\ncompare = { mode = "fuzzy" }\n',
            "toml",
            "cases[0].compare.mode: invalid enum value 'fuzzy'",
            id="unknown-mode",
        ),
        pytest.param(
            b'name = "s"\nisolation = "container"\n[[cases]]\nname = "a"\n',
            "toml",
            'isolation: invalid enum value \'container\'; use "case" or "submission"',
            id="unknown-isolation",
        ),
        pytest.param(
            b"name: s\ngroups: [{name: g, cases: [{name: a, time_limit: soon}]}]\n",
            "yaml",
            "groups[0].cases[0].time_limit: expected a number or nothing, got a string",
            id="nested-path",
        ),
        pytest.param(b'{"name": ', "json", "not a valid JSON document", id="truncated-json"),
        pytest.param(b"name = ", "toml", "not a valid TOML document", id="broken-toml"),
        pytest.param(b"name: [", "yaml", "not a valid YAML document", id="broken-yaml"),
        pytest.param(b'name = "\xff"', "toml", "not a valid TOML document", id="not-utf8"),
    ],
)
def test_bad_documents_name_the_field(data: bytes, fmt: Format, message: str) -> None:
    with pytest.raises(SuiteError) as raised:
        decode_suite(data, fmt)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("document", "isolation"),
    [
        pytest.param(b'name = "s"\n[[cases]]\nname = "a"\n', "case", id="default-case"),
        pytest.param(
            b'name = "s"\nisolation = "submission"\n[[cases]]\nname = "a"\n',
            "submission",
            id="submission",
        ),
    ],
)
def test_isolation_is_read_from_the_suite_and_defaults_to_case(
    document: bytes, isolation: str
) -> None:
    assert decode_suite(document, "toml").isolation == isolation


def one_case(**fields: object) -> Suite:
    """A suite with one case `a`, with the given fields."""
    return Suite(name="s", cases=[msgspec.convert({"name": "a", **fields}, Case)])


@pytest.mark.parametrize(
    ("suite", "message"),
    [
        pytest.param(Suite(name=" ", cases=[Case(name="a")]), "name: must not be empty", id="name"),
        pytest.param(Suite(name="s"), "cases: the suite has no cases", id="no-cases"),
        pytest.param(
            Suite(name="s", groups=[Group(name="g", cases=[])]),
            "groups[0].cases: a group needs at least one case",
            id="empty-group",
        ),
        pytest.param(
            Suite(
                name="s",
                cases=[Case(name="a")],
                groups=[Group(name="g", cases=[Case(name="b"), Case(name="a")])],
            ),
            'groups[0].cases[1].name: case name "a" is already used at cases[0]',
            id="duplicate-case",
        ),
        pytest.param(
            Suite(
                name="s",
                groups=[Group(name="g", cases=[Case(name="a")]), Group(name="g", cases=[])],
            ),
            'groups[1].name: group name "g" is already used at groups[0]',
            id="duplicate-group",
        ),
        pytest.param(one_case(points=-1), "cases[0].points: must be a number >= 0", id="points"),
        pytest.param(
            Suite(name="s", groups=[Group(name="g", points=-2, cases=[Case(name="a")])]),
            "groups[0].points: must be a number >= 0",
            id="group-points",
        ),
        pytest.param(
            one_case(time_limit=0), "cases[0].time_limit: must be a number > 0, got 0", id="time"
        ),
        pytest.param(
            one_case(memory_limit=-5), "cases[0].memory_limit: must be a number > 0", id="memory"
        ),
        pytest.param(
            Suite(name="s", time_limit=float("inf"), cases=[Case(name="a")]),
            "time_limit: must be a number > 0, got inf",
            id="infinite-limit",
        ),
        pytest.param(
            one_case(compare={"mode": "tokens", "float_relative_tolerance": -1e-6}),
            "cases[0].compare.float_relative_tolerance: must be a number >= 0",
            id="negative-tolerance",
        ),
        pytest.param(
            one_case(compare={"mode": "lines", "float_tolerance": 1e-6}),
            'cases[0].compare.float_tolerance: float tolerances apply only in mode "tokens"',
            id="tolerance-outside-tokens",
        ),
        pytest.param(
            one_case(compare={"mode": "checker"}),
            'cases[0].compare.checker: mode "checker" needs the checker\'s Python source',
            id="checker-missing",
        ),
        pytest.param(
            Suite(name="s", compare=Compare(checker="print()"), cases=[Case(name="a")]),
            'compare.checker: a checker runs only in mode "checker", not "lines"',
            id="checker-in-lines-mode",
        ),
        pytest.param(
            one_case(compare={"mode": "tokens", "checker_flags": ["x"]}),
            'cases[0].compare.checker_flags: checker flags apply only in mode "checker"',
            id="checker-flags-without-checker",
        ),
    ],
)
def test_invalid_suites_name_what_to_fix(suite: Suite, message: str) -> None:
    with pytest.raises(SuiteError) as raised:
        validate_suite(suite)
    assert message in str(raised.value)


def test_every_problem_is_reported_at_once() -> None:
    suite = Suite(name="", cases=[Case(name="a", points=-1)])
    with pytest.raises(SuiteError) as raised:
        validate_suite(suite)
    assert str(raised.value) == (
        "name: must not be empty; cases[0].points: must be a number >= 0, got -1"
    )


def test_suite_errors_are_grading_errors() -> None:
    with pytest.raises(GradingError):
        decode_suite(b"{}", "json")


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        pytest.param("suite.json", "json", id="json"),
        pytest.param("suite.toml", "toml", id="toml"),
        pytest.param("suite.yaml", "yaml", id="yaml"),
        pytest.param("dir.d/Suite.YML", "yaml", id="yml-any-case"),
    ],
)
def test_suite_format_by_extension(filename: str, fmt: Format) -> None:
    assert suite_format(filename) == fmt


@pytest.mark.parametrize(
    "filename",
    [
        pytest.param("suite.txt", id="other-extension"),
        pytest.param("suite", id="no-extension"),
        pytest.param("suite.json/tests", id="extension-on-the-directory"),
    ],
)
def test_suite_format_rejects_other_files(filename: str) -> None:
    with pytest.raises(SuiteError, match=r"must end in one of \.json, \.toml, \.yaml, \.yml"):
        suite_format(filename)
