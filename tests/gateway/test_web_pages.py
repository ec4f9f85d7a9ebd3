"""The instructor's desk in a real browser, against a real gateway, workers and database, in
the served mode (two gateway processes, workers, Postgres, Redis) and the embedded mode.

An instructor signs in, creates an assignment from a Kattis package zip, uploads a class and
watches the batch complete, opens a failing case's diff, downloads every gradebook, edits the
limits and regrades; a student signs in and sees their own work with no hidden data; code runs
from the run page; the API docs work. No page may load anything from another host.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest
from playwright.sync_api import Page, expect

from tests.gateway.browser import Browser, chromium
from tests.gateway.stack import Stack, free_port, wait_until
from tests.helpers import OOPS

pytestmark = [pytest.mark.docker, pytest.mark.services]

PACKAGE = Path(__file__).parents[1] / "grading" / "packages" / "addition"
CLASS = {
    "ada": "accepted/add.py",
    "bob": "wrong_answer/off_by_one.py",
    "cy": "run_time_error/crash.py",
}
DORA = "a, b = map(int, input().split())\nprint(a + b if abs(a) < 10 else 0)\n"
"""Right on the samples, wrong on the first hidden case (the package stops at a failure)."""
SECRET_DATA = ("1000000000 1000000000", "2000000000")
"""The failed hidden case's input and expected output: never on dora's own page."""
FINISHED = 120_000
"""Milliseconds a batch may take to be graded on this shared machine."""


class Desk(msgspec.Struct, kw_only=True):
    """A running OopsEngine and what the tests learn about it as they go."""

    mode: str
    url: str
    instructor: str
    student: str
    spare: str
    """A student key of its own, for the instructor to revoke."""
    assignment: str = ""
    submissions: dict[str, str] = msgspec.field(default_factory=dict)


def _zip_of(root: Path, files: dict[str, Path]) -> Path:
    target = root.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as archive:
        for name, path in files.items():
            archive.write(path, name)
    return target


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Kattis package as a zip, and the class as a zip and as a folder (one file each)."""
    root = tmp_path_factory.mktemp("uploads")
    package = {
        f"addition/{p.relative_to(PACKAGE)}": p for p in sorted(PACKAGE.rglob("*")) if p.is_file()
    }
    folder = root / "class"
    folder.mkdir()
    for student, source in CLASS.items():
        (folder / f"{student}.py").write_bytes((PACKAGE / "submissions" / source).read_bytes())
    (folder / "dora.py").write_text(DORA)
    class_files = {f"class/{p.name}": p for p in sorted(folder.iterdir())}
    return {
        "package": _zip_of(root / "addition", package),
        "class-zip": _zip_of(root / "class-upload", class_files),
        "class-folder": folder,
    }


def _served(workdir: Path) -> Iterator[Desk]:
    stack = Stack(workdir, workers=1)
    stack.env["OOPS_RATE_LIMIT"] = "100000"
    try:
        stack.start()
        yield Desk(
            mode="served",
            url=stack.url,
            instructor=stack.key("instructor")["key"],
            student=stack.key("student", "dora")["key"],
            spare=stack.key("student", "eve")["key"],
        )
    finally:
        stack.stop()


def _embedded(workdir: Path) -> Iterator[Desk]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("OOPS_DATABASE_URL", "OOPS_REDIS_URL")},
        "OOPS_DATA_DIR": str(workdir),
        "OOPS_RATE_LIMIT": "100000",
    }

    def key(*args: str) -> str:
        done = subprocess.run(
            [OOPS, "keys", "create", *args, "--json"], env=env, capture_output=True, check=True
        )
        return str(json.loads(done.stdout)["key"])

    instructor, student = key("--role", "instructor"), key("--role", "student", "--student", "dora")
    spare = key("--role", "student", "--student", "eve")
    port = free_port()
    with (workdir / "gateway.log").open("wb") as log:
        server = subprocess.Popen(
            [OOPS, "serve", "--embedded", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/readyz").status_code == 200, 60, "readiness")
        yield Desk(mode="embedded", url=url, instructor=instructor, student=student, spare=spare)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module", params=["served", "embedded"])
def desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Desk]:
    """OopsEngine running in one mode, with an instructor key and a key for student dora."""
    start = _served if request.param == "served" else _embedded
    yield from start(tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def browser(desk: Desk, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium with a fresh profile, pointed at the running OopsEngine."""
    with chromium(tmp_path_factory.mktemp("profile"), desk.url, desk.mode) as opened:
        yield opened


def sign_in(browser: Browser, key: str) -> Page:
    page = browser.open("/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_wrong_key_is_refused_with_what_to_do(browser: Browser) -> None:
    page = sign_in(browser, "oops_not-a-key")
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked")
    browser.shot("sign-in-refused")


def test_an_instructor_creates_an_assignment_from_a_kattis_zip(
    browser: Browser, desk: Desk, uploads: dict[str, Path]
) -> None:
    page = sign_in(browser, desk.instructor)
    assert desk.instructor not in page.url
    expect(page.get_by_role("heading", name="Assignments")).to_be_visible()
    browser.shot("home-empty")
    page.get_by_label("Suite file or Kattis package").set_input_files(uploads["package"])
    page.get_by_role("button", name="Create assignment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Addition")
    desk.assignment = page.url.rsplit("/", 1)[1]
    cases = page.locator("section", has=page.get_by_role("heading", name="Cases")).locator(
        "tbody tr"
    )
    expect(cases).to_have_count(5)
    expect(cases.filter(has_text="Hidden")).to_have_count(3)
    browser.shot("assignment-new")


def test_a_batch_upload_fills_the_table_live_until_complete(
    browser: Browser, desk: Desk, uploads: dict[str, Path]
) -> None:
    page = browser.open(f"/assignments/{desk.assignment}")
    if desk.mode == "served":
        page.get_by_label("or a folder of submissions").set_input_files(uploads["class-folder"])
    else:
        page.get_by_label("A zip of submissions").set_input_files(uploads["class-zip"])
    page.get_by_role("button", name="Upload and grade").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Batch")
    browser.shot("batch-running")
    expect(page.locator("#batch-count")).to_have_text("4 of 4 graded", timeout=FINISHED)
    expect(page.locator("#batch-status")).to_contain_text("Completed")
    expect(page.locator("progress")).to_have_attribute("value", "4")
    rows = page.locator("#batch-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="ada")).to_contain_text("Passed")
    expect(rows.filter(has_text="bob")).to_contain_text("Wrong answer")
    expect(rows.filter(has_text="cy")).to_contain_text("Runtime error")
    expect(rows.filter(has_text="dora")).to_contain_text("Wrong answer")
    for student in [*CLASS, "dora"]:
        link = rows.filter(has_text=student).get_by_role("link")
        desk.submissions[student] = str(link.get_attribute("href")).rsplit("/", 1)[1]
    browser.shot("batch-completed")


def test_a_failing_case_shows_its_diff_with_changed_characters_marked(
    browser: Browser, desk: Desk
) -> None:
    page = browser.open(f"/results/{desk.submissions['bob']}")
    first = page.locator("details.case").first
    expect(first).to_contain_text("Wrong answer")
    expect(first.locator(".message")).to_contain_text("line 1")
    expect(first.locator("pre.diff .removed mark")).to_have_text("3")
    expect(first.locator("pre.diff .added mark")).to_have_text("4")
    expect(page.locator("table.cases tbody tr")).to_have_count(2)
    expect(page.locator("pre.code li")).to_have_count(2)
    expect(page.locator("pre.code")).to_contain_text("print(a + b + 1)")
    browser.shot("submission-instructor")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.shot("submission-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def _download(page: Page, button: str) -> list[list[str]]:
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_each_gradebook_downloads_with_every_students_score(browser: Browser, desk: Desk) -> None:
    page = browser.open(f"/assignments/{desk.assignment}")
    students = page.locator("section", has=page.get_by_role("heading", name="Students"))
    expect(students.locator("tbody tr")).to_have_count(4)
    browser.shot("assignment-graded")
    scores = {"ada": 5.0, "bob": 0.0, "cy": 0.0, "dora": 2.0}
    plain = _download(page, "Download CSV")
    assert plain[0][:4] == ["student", "score", "max_score", "percent"]
    assert {row[0]: float(row[1]) for row in plain[1:]} == scores
    canvas = _download(page, "Download Canvas CSV")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Addition"]
    assert canvas[1][0] == "Points Possible"
    assert {row[3]: float(row[5]) for row in canvas[2:]} == scores
    moodle = _download(page, "Download Moodle CSV")
    assert moodle[0][0] == "username"
    assert {row[0] for row in moodle[1:]} == set(scores)


def test_edited_limits_are_saved_and_a_regrade_grades_everyone_again(
    browser: Browser, desk: Desk
) -> None:
    page = browser.open(f"/assignments/{desk.assignment}")
    page.get_by_label("Time limit (seconds)").fill("2")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_role("status")).to_contain_text("Limits saved as version 2")
    expect(page.get_by_label("Time limit (seconds)")).to_have_value("2")
    page.get_by_role("button", name="Regrade all").click()
    expect(page.locator("#batch-count")).to_have_text("4 of 4 graded", timeout=FINISHED)
    page.get_by_role("link", name="Addition").click()
    students = page.locator("section", has=page.get_by_role("heading", name="Students"))
    ada = students.locator("tbody tr").filter(has_text="ada")
    expect(ada.locator("td").nth(4)).to_have_text("2")


def test_a_limit_out_of_range_says_which_field_and_what_to_do(browser: Browser, desk: Desk) -> None:
    page = browser.open(f"/assignments/{desk.assignment}")
    page.get_by_label("Memory limit (MiB)").fill("lots")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_role("alert")).to_contain_text("memory_limit")
    expect(page.get_by_role("alert")).to_contain_text("whole number")
    browser.shot("error-limits")


def test_code_pasted_on_the_run_page_runs(browser: Browser) -> None:
    page = browser.open("/run")
    page.get_by_label("Program").fill("print(sum(map(int, input().split())))")
    page.get_by_label("Input (stdin)").fill("20 22")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#result")).to_contain_text("OK", timeout=60_000)
    expect(page.locator("#stdout")).to_have_text("42\n")
    browser.shot("run")


def test_the_api_docs_page_lists_the_routes(browser: Browser) -> None:
    page = browser.open("/schema")
    expect(page.locator(".swagger-ui .info")).to_contain_text("OopsEngine")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/v1/runs", exact=True).first).to_be_visible()
    browser.shot("api-docs")


def test_an_instructor_revokes_a_students_key_on_the_keys_page(
    browser: Browser, desk: Desk
) -> None:
    bearer = {"Authorization": f"Bearer {desk.spare}"}
    assert httpx.get(f"{desk.url}/v1/courses", headers=bearer).status_code == 200
    page = browser.open("/")
    page.get_by_role("link", name="Keys").click()
    eve = page.locator("tbody tr").filter(has_text="eve")
    expect(eve).to_contain_text("student")
    browser.shot("keys")
    eve.get_by_text("Revoke…").click()
    eve.get_by_role("button", name=f"Revoke {desk.spare[:12]}…").click()
    eve = page.locator("tbody tr").filter(has_text="eve")
    expect(eve.get_by_role("button")).to_have_count(0)
    expect(eve.locator("time")).to_have_count(2)
    assert httpx.get(f"{desk.url}/v1/courses", headers=bearer).status_code == 401


def test_a_student_sees_their_own_submission_without_hidden_data(
    browser: Browser, desk: Desk
) -> None:
    page = browser.open("/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(browser, desk.student)
    expect(page.get_by_role("heading", name="My submissions")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("Addition")
    browser.shot("student-home")
    page = browser.open(f"/results/{desk.submissions['dora']}")
    cases = page.locator("table.cases tbody tr")
    expect(cases).to_have_count(3)
    expect(cases.filter(has_text="Hidden")).to_have_count(1)
    expect(cases.filter(has_text="Hidden")).to_contain_text("Wrong answer")
    expect(page.locator(".summary")).to_contain_text("withheld")
    expect(page.locator("pre.diff")).to_have_count(0)
    html = page.content()
    assert not [secret for secret in SECRET_DATA if secret in html]
    browser.shot("submission-student")


def test_a_student_cannot_open_others_work_or_instructor_pages(
    browser: Browser, desk: Desk
) -> None:
    page = browser.open(f"/results/{desk.submissions['ada']}")
    expect(page.get_by_role("alert")).to_contain_text("no submission with id")
    page = browser.open(f"/assignments/{desk.assignment}")
    expect(page.get_by_role("alert")).to_contain_text("a student key may not open this page")
    browser.shot("error-student-forbidden")


def test_no_page_requested_anything_from_another_host(browser: Browser) -> None:
    assert browser.requested
    assert browser.other_hosts() == set()
