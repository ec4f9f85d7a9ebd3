"""The host and the supervisor agree on every value both sides of the sandbox's protocol use.

The supervisor runs inside the image with the standard library alone, so it cannot import
`runners.sandbox.protocol` and keeps copies of its own; these tests fail when a copy differs.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from runners.sandbox import protocol
from runners.sandbox.images import supervise
from runners.sandbox.languages import LANGUAGES, REPORT_FD, language
from runners.sandbox.limits import Limits

SUPERVISOR_SOURCE = Path(supervise.__file__).read_text()

LINUX_CAPABILITIES = {"KILL": 5, "SETGID": 6, "SETUID": 7, "SETPCAP": 8}
"""Capability numbers from linux/capability.h: Docker takes names, the supervisor numbers."""


def test_the_supervisor_drops_the_program_to_the_uid_the_host_gives_the_sandbox() -> None:
    assert supervise.SANDBOX_UID == protocol.SANDBOX_UID
    assert supervise.SANDBOX_GID == protocol.SANDBOX_UID


def test_the_supervisor_drops_every_capability_the_host_grants_it() -> None:
    unknown = set(protocol.SUPERVISOR_CAPABILITIES) - set(LINUX_CAPABILITIES)
    assert not unknown, f"add the number of {unknown} from linux/capability.h to this test"
    granted = sorted(LINUX_CAPABILITIES[name] for name in protocol.SUPERVISOR_CAPABILITIES)
    assert sorted(supervise.SUPERVISOR_CAPABILITIES) == granted


def test_the_supervisor_works_in_the_tmpfs_the_host_mounts() -> None:
    assert supervise.WORKDIR == protocol.WORKDIR


def test_a_compile_keeps_as_much_of_the_compilers_messages_on_both_sides() -> None:
    assert supervise.FEEDBACK_CAP == protocol.FEEDBACK_CAP


def test_a_test_runner_writes_its_report_where_the_supervisor_reads_it() -> None:
    assert supervise.REPORT_FD == REPORT_FD


def largest_report(output_limit: int) -> dict[str, object]:
    """The report the supervisor writes for a case that filled both streams and a test
    runner's report, with no files."""
    captures = [supervise.Capture(-1, output_limit) for _ in range(3)]
    for capture in captures:
        capture.data = bytearray(b"\xff" * output_limit)
        capture.truncated = True
    killed = 9  # a wait status: ended by SIGKILL
    day = 24 * 3600.0
    return supervise.describe(killed, captures, True, True, day, day, 2**40)


def test_the_host_reads_every_field_the_supervisor_reports() -> None:
    written = {**largest_report(1), "files": {}, "stage": "compile"}
    assert set(written) == set(protocol.Report.__struct_fields__)
    report = msgspec.json.decode(supervise.dumps(written), type=protocol.Report)
    assert report.stdout == b"\xff"
    assert report.signal == 9


@pytest.mark.parametrize(
    "output_limit",
    [
        pytest.param(1, id="one-byte"),
        pytest.param(1000, id="not-a-multiple-of-three"),
        pytest.param(64 * 1024 * 1024, id="64-MiB"),
    ],
)
def test_the_largest_report_of_a_case_fits_under_the_hosts_report_cap(output_limit: int) -> None:
    line = supervise.dumps(largest_report(output_limit)) + "\n"
    assert len(line) <= protocol.report_cap(output_limit, report_bytes=output_limit)


LIMITS = Limits(time_limit=1.0, memory_limit=64, output_limit=1024)
PROGRAM = protocol.Program(code="print(1)", files={"data.txt": b"1"})
CASE = protocol.CaseInput(limits=LIMITS, stdin=b"1", args=["-v"], collect="feedback")


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(protocol.program_line(PROGRAM, forked=True), id="program-line"),
        pytest.param(protocol.case_line(PROGRAM, CASE), id="case-line"),
        *(
            pytest.param(line, id=f"compile-job-{name}")
            for name, line in zip(
                ("program-line", "case-line"),
                protocol.compile_job(language("c"), "main", {"main.c": b""}, 1024).splitlines(),
                strict=True,
            )
        ),
    ],
)
def test_the_supervisor_reads_every_key_the_host_sends(line: bytes) -> None:
    sent = msgspec.json.decode(line)
    unread = [key for key in sent if f'"{key}"' not in SUPERVISOR_SOURCE]
    assert unread == [], f"the supervisor never reads {unread}"


RECIPE = (Path(supervise.__file__).parent / "Dockerfile").read_text().splitlines()


def instruction(name: str) -> str:
    """The arguments of the recipe's one `name` instruction."""
    found = [line.split(maxsplit=1)[1] for line in RECIPE if line.startswith(f"{name} ")]
    assert len(found) == 1, f"the recipe has {len(found)} {name} instructions"
    return found[0]


def test_the_recipe_copies_the_supervisor_and_the_starter_where_they_are_run() -> None:
    *files, folder = instruction("COPY").split()
    entrypoint = msgspec.json.decode(instruction("ENTRYPOINT"))
    starters = {lang.starter[-1] for lang in LANGUAGES.values() if lang.starter}
    copied = {f"{folder}{name}" for name in files}
    supervisor = entrypoint[-1].removesuffix("c")  # it runs the bytecode compiled from the source
    assert supervisor in copied
    assert starters <= copied
