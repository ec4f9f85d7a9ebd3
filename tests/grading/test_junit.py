"""JUnit XML reports: every framework's shape read the same way, and hostile files refused."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.errors import GradingError, ReportError
from grading.junit import Framework, Report, TestStatus, parse_report

REPORTS = Path(__file__).parent / "reports"
PASSED, FAILED, ERROR, SKIPPED = (
    TestStatus.PASSED,
    TestStatus.FAILED,
    TestStatus.ERROR,
    TestStatus.SKIPPED,
)


def report(name: str, framework: Framework) -> Report:
    return parse_report((REPORTS / name).read_bytes(), framework)


def outcomes(parsed: Report) -> list[tuple[str, TestStatus]]:
    return [(test.id, test.status) for test in parsed.tests]


@pytest.mark.parametrize(
    ("name", "framework", "expected"),
    [
        pytest.param(
            "pytest.xml",
            "pytest",
            [
                ("tests/test_primes.py::test_two_is_prime", PASSED),
                ("tests/test_primes.py::test_seven_is_prime", FAILED),
                ("tests/test_primes.py::TestBig::test_big[7919]", PASSED),
                ("tests/test_primes.py::TestBig::test_big[104729]", FAILED),
                ("tests/test_primes.py::test_uses_helper", ERROR),
                ("tests/test_primes.py::test_negative", SKIPPED),
            ],
            id="pytest-node-ids-from-dotted-classnames",
        ),
        pytest.param(
            "pytest-xunit1.xml",
            "pytest",
            [
                ("test_primes.py::test_two_is_prime", PASSED),
                ("test_primes.py::TestBig::test_big[7919]", PASSED),
            ],
            id="pytest-xunit1-file-attribute",
        ),
        pytest.param(
            "junit5.xml",
            "junit5",
            [
                ("PrimesTest::twoIsPrime()", PASSED),
                ("PrimesTest::sevenIsPrime()", FAILED),
                ("PrimesTest::isPrime(int)[1]", ERROR),
                ("PrimesTest::slowSieve()", FAILED),
                ("PrimesTest::negatives()", SKIPPED),
            ],
            id="junit5-legacy-xml",
        ),
        pytest.param(
            "node.xml",
            "node",
            [
                ("isPrime > two is prime", PASSED),
                ("isPrime > seven is prime", FAILED),
                ("isPrime > negatives", SKIPPED),
                ("isPrime > big > 7919 is prime", FAILED),
                ("module loads", PASSED),
            ],
            id="node-describe-path",
        ),
        pytest.param(
            "criterion.xml",
            "criterion",
            [
                ("primes::two", PASSED),
                ("primes::seven", FAILED),
                ("primes::crash", ERROR),
                ("primes::negatives", SKIPPED),
            ],
            id="criterion-suite-and-name",
        ),
        pytest.param(
            "gtest.xml",
            "gtest",
            [
                ("Primes::Two", PASSED),
                ("Primes::Seven", FAILED),
                ("Primes::DISABLED_Big", SKIPPED),
                ("Sizes/PrimeCount::UpTo/0", PASSED),
            ],
            id="gtest-disabled-is-skipped",
        ),
        pytest.param(
            "ctest.xml",
            "command",
            [
                ("primes_small", PASSED),
                ("primes_big", FAILED),
                ("primes_negative", SKIPPED),
            ],
            id="ctest-classname-repeats-the-name",
        ),
    ],
)
def test_each_framework_reports_tests_with_stable_ids_and_statuses(
    name: str, framework: Framework, expected: list[tuple[str, TestStatus]]
) -> None:
    assert outcomes(report(name, framework)) == expected


def test_pytest_properties_give_points_score_group_visibility_and_tags() -> None:
    tests = report("pytest.xml", "pytest").tests
    assert (tests[0].points, tests[0].group) == (2, "basics")
    big = tests[2]
    assert (big.points, big.score, big.visibility, big.tags) == (3, 1.5, "hidden", ["big", "slow"])
    assert big.stdout == "checked 7919\n"


def test_failure_keeps_the_frameworks_message_and_details() -> None:
    seven = report("pytest.xml", "pytest").tests[1]
    assert seven.message.startswith("assert False == True")
    assert "tests/test_primes.py:9: AssertionError" in seven.details
    assert seven.time_ms == 2


@pytest.mark.parametrize(
    ("name", "framework", "test_id"),
    [
        pytest.param(
            "pytest.xml", "pytest", "tests/test_primes.py::TestBig::test_big[104729]", id="pytest"
        ),
        pytest.param("junit5.xml", "junit5", "PrimesTest::slowSieve()", id="junit5"),
        pytest.param("node.xml", "node", "isPrime > big > 7919 is prime", id="node"),
    ],
)
def test_a_test_that_ran_out_of_time_is_marked_timed_out(
    name: str, framework: Framework, test_id: str
) -> None:
    timed_out = [test.id for test in report(name, framework).tests if test.timed_out]
    assert timed_out == [test_id]


def test_junit5_display_name_comes_from_the_launchers_output() -> None:
    names = [test.name for test in report("junit5.xml", "junit5").tests]
    assert names[:3] == ["2 is prime", "sevenIsPrime()", "[1] 13"]


def test_suite_properties_are_not_taken_for_a_tests_points() -> None:
    assert all(test.points is None for test in report("junit5.xml", "junit5").tests)


def test_gtest_record_property_counts_as_an_element_or_an_attribute() -> None:
    tests = report("gtest.xml", "gtest").tests
    assert [test.points for test in tests] == [2, None, None, 4]


def test_a_pytest_collection_error_is_one_errored_entry() -> None:
    (entry,) = report("pytest-collection-error.xml", "pytest").tests
    assert (entry.id, entry.status, entry.message) == (
        "tests.test_primes",
        ERROR,
        "collection failure",
    )
    assert "cannot import name 'is_prime'" in entry.details


def test_a_single_testsuite_root_is_read() -> None:
    data = b'<testsuite name="s"><testcase classname="A" name="b"/></testsuite>'
    assert outcomes(parse_report(data, "junit5")) == [("A::b", PASSED)]


def test_the_worst_of_several_outcomes_counts() -> None:
    data = (
        b'<testsuites><testsuite name="pytest"><testcase classname="test_a" name="test_b">'
        b'<failure message="first">x</failure><error message="teardown">y</error>'
        b"<failure>z</failure></testcase></testsuite></testsuites>"
    )
    (test,) = parse_report(data, "pytest").tests
    assert (test.status, test.message, test.details) == (ERROR, "teardown", "xyz")


def test_long_texts_are_cut_to_the_cap() -> None:
    body = "E" * 10_000
    data = f'<testsuite><testcase name="t"><failure message="{body}">{body}</failure></testcase>'
    data += "</testsuite>"
    (test,) = parse_report(data.encode(), "command", max_text=100).tests
    assert len(test.message) == 100
    assert test.details == "E" * 100 + "\n… [cut]"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuite><testcase name="&lol4;"/></testsuite>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<testsuite><testcase name="t"><failure message="&secret;"/></testcase></testsuite>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(BILLION_LAUGHS, "DOCTYPE", id="billion-laughs"),
        pytest.param(EXTERNAL_ENTITY, "DOCTYPE", id="external-entity"),
        pytest.param(
            b'<!DOCTYPE testsuite SYSTEM "http://example.com/x.dtd"><testsuite/>',
            "DOCTYPE",
            id="external-dtd",
        ),
        pytest.param(
            b'<testsuite><testcase name="&undeclared;"/></testsuite>',
            "undefined entity",
            id="undeclared-entity",
        ),
        pytest.param(b"", "the report is empty", id="empty"),
        pytest.param(b'<testsuite><testcase name="t">', "not well-formed XML", id="truncated"),
        pytest.param(b"\x00\xff\xfe garbage", "not well-formed XML", id="binary"),
        pytest.param(b"<html><body>oops</body></html>", "root element is <html>", id="wrong-root"),
        pytest.param(
            b'<?xml version="1.0" encoding="EBCDIC-US"?><testsuite/>',
            "encoding cannot be read",
            id="unknown-encoding",
        ),
        pytest.param(
            b"<testsuite>" + b"<a>" * 100 + b"</a>" * 100 + b"</testsuite>",
            "more than 64 deep",
            id="too-deep",
        ),
        pytest.param(
            b'<testsuite><testcase name="t"><properties><property name="points" value="lots"/>'
            b"</properties></testcase></testsuite>",
            't: property "points" must be a number >= 0, got "lots"',
            id="points-not-a-number",
        ),
        pytest.param(
            b'<testsuite><testcase name="t"><properties><property name="visibility" '
            b'value="after_due_date"/></properties></testcase></testsuite>',
            'property "visibility" must be "visible" or "hidden"',
            id="unknown-visibility",
        ),
    ],
)
def test_hostile_or_broken_reports_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        parse_report(data, "command")


def test_a_report_over_the_size_cap_is_refused_before_parsing() -> None:
    with pytest.raises(ReportError, match="over the limit of 1000"):
        parse_report(b"<testsuite>" + b" " * 1000 + b"</testsuite>", "command", max_bytes=1000)


def test_a_report_with_too_many_tests_is_refused() -> None:
    data = b"<testsuite>" + b'<testcase name="t"/>' * 11 + b"</testsuite>"
    with pytest.raises(ReportError, match="more than 10 tests"):
        parse_report(data, "command", max_tests=10)


def test_a_test_with_too_many_properties_is_refused() -> None:
    properties = b"".join(b'<property name="p%d" value="v"/>' % i for i in range(65))
    data = (
        b'<testsuite><testcase name="t"><properties>'
        + properties
        + b"</properties></testcase></testsuite>"
    )
    with pytest.raises(ReportError, match="more than 64 properties"):
        parse_report(data, "command")


def test_report_errors_are_grading_errors() -> None:
    assert issubclass(ReportError, GradingError)


frameworks = st.sampled_from(["pytest", "junit5", "node", "criterion", "gtest", "command"])


@given(data=st.binary(max_size=2000), framework=frameworks)
def test_any_bytes_give_a_report_or_a_report_error(data: bytes, framework: Framework) -> None:
    with contextlib.suppress(ReportError):
        parse_report(data, framework)


FRAGMENTS = [
    "<testsuites>",
    "</testsuites>",
    '<testsuite name="s">',
    "</testsuite>",
    '<testcase classname="test_a.TestB" name="t[1]" time="0.1">',
    '<testcase name="t" time="nan">',
    "</testcase>",
    '<failure message="assert 1 == 2" type="AssertionError">',
    "</failure>",
    "<error>",
    "</error>",
    "<skipped/>",
    "<system-out>",
    "</system-out>",
    "<properties>",
    "</properties>",
    '<property name="points" value="2"/>',
    '<property name="score" value="x"/>',
    '<property name="hidden" value="true"/>',
    "text &amp; more",
    "<![CDATA[<not xml>]]>",
    "<!-- comment -->",
    "<!DOCTYPE x>",
    "&bogus;",
]


@settings(max_examples=300)
@given(pieces=st.lists(st.sampled_from(FRAGMENTS), max_size=30), framework=frameworks)
def test_any_arrangement_of_report_elements_gives_a_report_or_a_report_error(
    pieces: list[str], framework: Framework
) -> None:
    try:
        parsed = parse_report("".join(pieces).encode(), framework)
    except ReportError:
        return
    assert all(test.status in TestStatus for test in parsed.tests)
