"""Judge0's and Piston's clients against a served OopsEngine: gateway, worker, Redis, Postgres.

The official `judge0` SDK runs unmodified, pointed at the gateway through
`JUDGE0_CE_ENDPOINT` and `JUDGE0_CE_AUTH_HEADERS`; raw HTTP checks what the SDK does not show
(base64, fields, every status we produce, callbacks, and that a run is one run for both APIs).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.gateway.stack import Stack, free_port, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.services]

DEFAULT_FIELDS = {"token", "time", "memory", "stdout", "stderr", "compile_output", "message"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def unb64(text: str | None) -> str | None:
    return None if text is None else base64.b64decode(text).decode()


class PutReceiver:
    """A callback receiver on 127.0.0.1: records every request, answers the scripted codes."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.replies: deque[int] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append((self.command, headers, body))
                self.send_response(receiver.replies.popleft() if receiver.replies else 204)
                self.send_header("content-length", "0")
                self.end_headers()

            do_POST = do_PUT

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/judge0"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The served stack with one worker; the SDK polls often, so the rate limit is lifted."""
    served = Stack(tmp_path_factory.mktemp("compat"), workers=1)
    served.env["OOPS_RATE_LIMIT"] = "100000"
    try:
        served.start()
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def instructor(stack: Stack) -> dict[str, str]:
    return stack.key("instructor")


@pytest.fixture(scope="module")
def judge0_api(stack: Stack, instructor: dict[str, str]) -> Iterator[httpx.Client]:
    """Raw HTTP as Judge0's clients send it: the key in `X-Auth-Token`."""
    headers = {"X-Auth-Token": instructor["key"]}
    with httpx.Client(base_url=stack.url, headers=headers, timeout=60) as api:
        yield api


@pytest.fixture(scope="module")
def sdk(stack: Stack, instructor: dict[str, str]) -> Iterator[ModuleType]:
    """The official `judge0` SDK, configured only through its environment variables."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUDGE0_CE_ENDPOINT", stack.url)
        patch.setenv("JUDGE0_CE_AUTH_HEADERS", json.dumps({"X-Auth-Token": instructor["key"]}))
        import judge0

        yield judge0


def submit(api: httpx.Client, body: dict[str, Any], **params: str) -> dict[str, Any]:
    """POST a submission with `?wait=true` and the given parameters; its answer."""
    answer = api.post("/submissions", json=body, params={"wait": "true", **params})
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_the_sdk_runs_a_program_with_stdin(sdk: ModuleType) -> None:
    result = sdk.run(source_code="print(input()[::-1])", stdin="olleh", language=sdk.PYTHON)
    assert result.status == sdk.Status.ACCEPTED
    assert result.stdout == "hello\n"
    assert result.time is not None
    assert result.memory is not None


def test_the_sdk_runs_test_cases_and_judges_them_as_judge0_does(sdk: ModuleType) -> None:
    results = sdk.run(
        source_code="n = int(input())\nprint(n * n, end='  \\n\\n')",
        language=sdk.PYTHON,
        test_cases=[("3", "9"), ("4", "16\n"), ("5", "24")],
    )
    statuses = [result.status for result in results]
    assert statuses == [sdk.Status.ACCEPTED, sdk.Status.ACCEPTED, sdk.Status.WRONG_ANSWER]


def test_the_sdk_sees_a_time_limit_exceeded(sdk: ModuleType) -> None:
    result = sdk.run(source_code="while True: pass", language=sdk.PYTHON, cpu_time_limit=1)
    assert result.status == sdk.Status.TIME_LIMIT_EXCEEDED


def test_the_sdk_sees_a_runtime_error_with_its_exit_code(sdk: ModuleType) -> None:
    result = sdk.run(source_code="import sys\nsys.exit(3)", language=sdk.PYTHON)
    assert result.status == sdk.Status.RUNTIME_ERROR_NZEC
    assert result.exit_code == 3


def test_the_sdk_round_trips_non_ascii_input_and_output(sdk: ModuleType) -> None:
    text = "héllo wörld ✓ 日本"
    result = sdk.run(source_code="print(input().upper())", stdin=text, language=sdk.PYTHON)
    assert result.status == sdk.Status.ACCEPTED
    assert result.stdout == text.upper() + "\n"


def test_the_sdk_submits_without_waiting_then_waits(sdk: ModuleType) -> None:
    submission = sdk.async_run(source_code="print('later')", language=sdk.PYTHON)
    assert submission.token is not None
    assert not submission.is_done()
    sdk.wait(submissions=submission)
    assert submission.status == sdk.Status.ACCEPTED
    assert submission.stdout == "later\n"


def test_the_sdk_sends_several_submissions_as_a_batch(sdk: ModuleType) -> None:
    submissions = [
        sdk.Submission(source_code=f"print({n} * 2)", language=sdk.PYTHON) for n in range(3)
    ]
    results = sdk.run(submissions=submissions)
    assert [result.stdout for result in results] == ["0\n", "2\n", "4\n"]
    assert {result.status for result in results} == {sdk.Status.ACCEPTED}


def test_base64_fields_round_trip(judge0_api: httpx.Client) -> None:
    code, stdin = "import sys\nprint(sys.stdin.read()[::-1], end='')", "ab\u00e7\u2713\n"
    body = {"source_code": b64(code), "language_id": 71, "stdin": b64(stdin)}
    done = submit(judge0_api, body, base64_encoded="true")
    assert unb64(done["stdout"]) == stdin[::-1]
    shown = judge0_api.get(
        f"/submissions/{done['token']}", params={"base64_encoded": "true", "fields": "*"}
    ).json()
    assert (shown["source_code"], shown["stdin"]) == (b64(code), b64(stdin))
    plain = judge0_api.get(f"/submissions/{done['token']}", params={"fields": "source_code"})
    assert plain.json() == {"source_code": code}


def test_fields_choose_the_answer_and_an_unknown_field_is_refused(
    judge0_api: httpx.Client,
) -> None:
    done = submit(judge0_api, {"source_code": "print(1)", "language_id": 71})
    assert set(done) == {*DEFAULT_FIELDS, "status"}
    token = done["token"]
    chosen = judge0_api.get(f"/submissions/{token}", params={"fields": "stdout,exit_code"})
    assert chosen.json() == {"stdout": "1\n", "exit_code": 0}
    everything = judge0_api.get(f"/submissions/{token}", params={"fields": "*"}).json()
    assert everything["language_id"] == 71
    assert everything["finished_at"] is not None
    refused = judge0_api.get(f"/submissions/{token}", params={"fields": "stdout,colour"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "fields"


def test_wait_answers_the_finished_submission_at_once(judge0_api: httpx.Client) -> None:
    done = submit(judge0_api, {"source_code": "print(6 * 7)", "language_id": 71})
    assert done["status"] == {"id": 3, "description": "Accepted"}
    assert done["stdout"] == "42\n"


@pytest.mark.parametrize(
    ("body", "status_id", "message_part"),
    [
        pytest.param({"source_code": "print(1)"}, 3, None, id="3-accepted"),
        pytest.param(
            {"source_code": "print(1)", "expected_output": "2"}, 4, None, id="4-wrong-answer"
        ),
        pytest.param(
            {"source_code": "while True: pass", "wall_time_limit": 1},
            5,
            "Time limit",
            id="5-time-limit",
        ),
        pytest.param({"source_code": "print(("}, 6, None, id="6-compilation-error"),
        pytest.param(
            {"source_code": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"},
            7,
            "signal 11",
            id="7-sigsegv",
        ),
        pytest.param(
            {"source_code": "print('x' * (2 * 1024 * 1024))"},
            8,
            "Output limit exceeded",
            id="8-output-limit",
        ),
        pytest.param(
            {"source_code": "import os, signal\nos.kill(os.getpid(), signal.SIGFPE)"},
            9,
            "signal 8",
            id="9-sigfpe",
        ),
        pytest.param({"source_code": "import os\nos.abort()"}, 10, "signal 6", id="10-sigabrt"),
        pytest.param({"source_code": "raise SystemExit(4)"}, 11, "status 4", id="11-nzec"),
        pytest.param(
            {"source_code": "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)"},
            12,
            "signal 15",
            id="12-other-signal",
        ),
        pytest.param(
            {"source_code": "x = bytearray(400 * 1024 * 1024)", "memory_limit": 65536},
            12,
            "Memory limit exceeded",
            id="12-memory-limit",
        ),
    ],
)
def test_every_status_we_produce_has_judge0s_id_and_description(
    judge0_api: httpx.Client, body: dict[str, Any], status_id: int, message_part: str | None
) -> None:
    done = submit(judge0_api, {"language_id": 71, **body})
    assert done["status"]["id"] == status_id, done
    descriptions = {s["id"]: s["description"] for s in judge0_api.get("/statuses").json()}
    assert done["status"]["description"] == descriptions[status_id]
    if message_part is not None:
        assert message_part in done["message"]


def test_a_compilation_error_is_in_compile_output(judge0_api: httpx.Client) -> None:
    done = submit(judge0_api, {"source_code": "print((", "language_id": 71})
    assert "SyntaxError" in done["compile_output"]
    assert done["stdout"] is None
    assert done["stderr"] is None


def test_arguments_and_stderr_redirected_to_stdout(judge0_api: httpx.Client) -> None:
    code = "import sys\nprint(sys.argv[1:], flush=True)\nprint('to stderr', file=sys.stderr)"
    body = {
        "source_code": code,
        "language_id": 71,
        "command_line_arguments": "one 'two words'",
        "redirect_stderr_to_stdout": True,
    }
    done = submit(judge0_api, body)
    assert done["stdout"] == "['one', 'two words']\nto stderr\n"
    assert done["stderr"] is None


def test_a_batch_is_created_and_read_by_tokens(judge0_api: httpx.Client) -> None:
    bodies = [{"source_code": f"print({n})", "language_id": 71} for n in range(2)]
    created = judge0_api.post("/submissions/batch", json={"submissions": bodies})
    assert created.status_code == 201, created.text
    tokens = ",".join(item["token"] for item in created.json())

    def finished() -> list[dict[str, Any]] | None:
        params = {"tokens": tokens, "fields": "stdout,status"}
        found = judge0_api.get("/submissions/batch", params=params).json()["submissions"]
        return found if all(s["status"]["id"] > 2 for s in found) else None

    found = wait_until(finished, 60, "the batch finishing")
    assert [s["stdout"] for s in found] == ["0\n", "1\n"]


def test_a_batch_over_twenty_is_refused_and_nothing_is_run(judge0_api: httpx.Client) -> None:
    bodies = [{"source_code": "print(1)", "language_id": 71}] * 21
    refused = judge0_api.post("/submissions/batch", json={"submissions": bodies})
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["field"] == "submissions"


def test_a_bad_submission_in_a_batch_is_named_by_its_position(judge0_api: httpx.Client) -> None:
    bodies = [
        {"source_code": "print(1)", "language_id": 71},
        {"source_code": "print(1)", "language_id": 71, "enable_network": True},
    ]
    refused = judge0_api.post("/submissions/batch", json={"submissions": bodies})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "submissions[1].enable_network"


def test_turning_the_network_on_is_refused_with_a_problem_naming_the_field(
    judge0_api: httpx.Client,
) -> None:
    body = {"source_code": "print(1)", "language_id": 71, "enable_network": True}
    refused = judge0_api.post("/submissions", json=body)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    (error,) = refused.json()["errors"]
    assert error["field"] == "enable_network"
    assert "network" in error["message"]


def test_the_callback_is_a_signed_put_of_the_submission_retried_after_a_500(
    judge0_api: httpx.Client, instructor: dict[str, str]
) -> None:
    receiver = PutReceiver()
    receiver.replies.append(500)
    try:
        body = {"source_code": "print('called back')", "language_id": 71}
        token = judge0_api.post("/submissions", json={**body, "callback_url": receiver.url})
        assert token.status_code == 201, token.text
        wait_until(lambda: len(receiver.requests) >= 2, 60, "the callback's retry")
    finally:
        receiver.server.shutdown()
    first, second = receiver.requests[:2]
    assert first[0] == second[0] == "PUT"
    assert first[1]["webhook-id"] == second[1]["webhook-id"]
    sent = Webhook(instructor["webhook_secret"]).verify(second[2], second[1])
    assert set(sent) == {*DEFAULT_FIELDS, "status"}
    assert sent["token"] == token.json()["token"]
    assert unb64(sent["stdout"]) == "called back\n"
    assert sent["status"] == {"id": 3, "description": "Accepted"}


def test_a_judge0_submission_is_a_v1_run_and_a_v1_run_is_a_judge0_submission(
    judge0_api: httpx.Client, instructor: dict[str, str]
) -> None:
    bearer = {"Authorization": f"Bearer {instructor['key']}"}
    body = {
        "source_code": "print(input())",
        "language_id": 71,
        "stdin": "x",
        "expected_output": "y",
    }
    done = submit(judge0_api, body)
    run = judge0_api.get(f"/v1/runs/{done['token']}", headers=bearer).json()
    assert (run["status"], run["stdout"], run["verdict"]) == ("ok", "x\n", "wrong_answer")

    created = judge0_api.post("/v1/runs?wait=true", json={"code": "print(5)"}, headers=bearer)
    assert created.status_code == 201, created.text
    shown = judge0_api.get(f"/submissions/{created.json()['id']}").json()
    assert (shown["stdout"], shown["status"]["id"]) == ("5\n", 3)


def test_only_the_key_that_submitted_may_read_a_submission(
    stack: Stack, judge0_api: httpx.Client
) -> None:
    done = submit(judge0_api, {"source_code": "print(1)", "language_id": 71})
    student = stack.key("student", "ada")
    other = judge0_api.get(
        f"/submissions/{done['token']}", headers={"X-Auth-Token": student["key"]}
    )
    assert other.status_code == 404
    anonymous = httpx.get(f"{stack.url}/submissions/{done['token']}")
    assert anonymous.status_code == 401


def test_languages_list_ours_under_judge0_ids(judge0_api: httpx.Client) -> None:
    assert {"id": 71, "name": "Python (3.11)"} in judge0_api.get("/languages").json()
    detail = judge0_api.get("/languages/71").json()
    assert (detail["source_file"], detail["run_cmd"]) == ("main.py", "python3 main.py")
    assert judge0_api.get("/languages/9999").status_code == 404
    assert judge0_api.get("/about").json()["version"] == "1.13.1"


PISTON_DOCUMENTED = {
    "language": "python",
    "version": "3.10.0",
    "files": [{"name": "my_cool_code.py", "content": "import sys\nprint(sys.argv[1:])"}],
    "stdin": "",
    "args": ["1", "2", "3"],
    "compile_timeout": 10000,
    "run_timeout": 3000,
    "compile_memory_limit": -1,
    "run_memory_limit": -1,
}
"""Piston's documented example body, with Python where it has JavaScript."""


@pytest.mark.parametrize("header", ["Authorization", "X-Auth-Token"])
def test_a_piston_documented_body_gets_a_piston_shaped_answer(
    stack: Stack, instructor: dict[str, str], header: str
) -> None:
    value = f"Bearer {instructor['key']}" if header == "Authorization" else instructor["key"]
    answer = httpx.post(
        f"{stack.url}/api/v2/execute", json=PISTON_DOCUMENTED, headers={header: value}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["language"], shown["version"]) == ("python", "3.11")
    run = shown["run"]
    assert (run["stdout"], run["stderr"], run["code"], run["signal"]) == (
        "['1', '2', '3']\n",
        "",
        0,
        None,
    )
    assert run["output"] == run["stdout"]
    assert "compile" not in shown
    run_id = answer.headers["content-location"].removeprefix("/v1/runs/")
    keyed = {"X-Auth-Token": instructor["key"]}
    assert httpx.get(f"{stack.url}/v1/runs/{run_id}", headers=keyed).json()["status"] == "ok"


def test_piston_runtimes_list_ours_and_need_a_key(stack: Stack, instructor: dict[str, str]) -> None:
    keyed = {"X-Auth-Token": instructor["key"]}
    runtimes = httpx.get(f"{stack.url}/api/v2/runtimes", headers=keyed).json()
    assert {
        "language": "python",
        "version": "3.11",
        "aliases": ["py", "py3", "python3"],
    } in runtimes
    assert httpx.get(f"{stack.url}/api/v2/runtimes").status_code == 401
    refused = httpx.post(f"{stack.url}/api/v2/execute", json=PISTON_DOCUMENTED)
    assert refused.status_code == 401
