"""Judge0 and Piston translation, as pure logic: requests into runs, runs into their answers.

The served routes, the `judge0` SDK and the callbacks are tested end to end in
`tests/gateway/test_compat_e2e.py`.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from judge0 import LanguageAlias
from judge0.data import LANGUAGE_TO_LANGUAGE_ID

from grading.outcome import Verdict
from runners.compat import catalog, judge0, judge0_info, piston
from runners.errors import TooMuchWork
from runners.runs import RunSpec, RunView, StoredRun
from runners.sandbox import languages
from runners.sandbox.languages import PYTHON
from runners.settings import Settings

CONFIG = Settings()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def submission(**fields: object) -> judge0.SubmissionRequest:
    return msgspec.convert(
        {"source_code": "print(1)", "language_id": 71, **fields}, judge0.SubmissionRequest
    )


def stored(view: RunView, spec: RunSpec | None = None, done: bool = True) -> StoredRun:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    return StoredRun(
        spec=spec or RunSpec(code="print(1)"),
        view=view,
        api="judge0",
        owner=None,
        callback_url=None,
        created_at=moment,
        completed_at=moment if done else None,
    )


def ended(status: str, **fields: Any) -> RunView:
    return RunView(id=uuid.uuid4(), status=status, **fields)


@pytest.mark.parametrize(
    ("view", "status_id", "message_part"),
    [
        pytest.param(ended("queued"), 1, None, id="queued-in-queue"),
        pytest.param(ended("running"), 2, None, id="running-processing"),
        pytest.param(ended("ok", exit_code=0), 3, None, id="ok-accepted"),
        pytest.param(
            ended("ok", exit_code=0, verdict=Verdict.WRONG_ANSWER), 4, None, id="wrong-answer"
        ),
        pytest.param(ended("timeout", signal=9), 5, "Time limit", id="timeout"),
        pytest.param(
            ended("compile_error", exit_code=1, stderr="SyntaxError"), 6, None, id="compile-error"
        ),
        pytest.param(ended("runtime_error", signal=11), 7, "signal 11", id="sigsegv"),
        pytest.param(ended("runtime_error", signal=25), 8, "signal 25", id="sigxfsz"),
        pytest.param(ended("runtime_error", signal=8), 9, "signal 8", id="sigfpe"),
        pytest.param(ended("runtime_error", signal=6), 10, "signal 6", id="sigabrt"),
        pytest.param(ended("runtime_error", exit_code=3), 11, "status 3", id="nzec"),
        pytest.param(ended("runtime_error", signal=15), 12, "signal 15", id="other-signal"),
        pytest.param(
            ended("memory_limit", signal=9), 12, "Memory limit exceeded", id="memory-killed"
        ),
        pytest.param(
            ended("memory_limit", exit_code=1), 11, "Memory limit exceeded", id="memory-exited"
        ),
        pytest.param(
            ended("output_limit", stdout_truncated=True), 8, "stdout was cut", id="output-limit"
        ),
        pytest.param(
            ended("internal_error", message="sandbox failed"), 13, "sandbox", id="internal"
        ),
    ],
)
def test_each_run_status_maps_to_the_nearest_judge0_status(
    view: RunView, status_id: int, message_part: str | None
) -> None:
    found, message = judge0.judge(view)
    assert found == status_id
    if message_part is None:
        assert message is None or view.status == "compile_error"
    else:
        assert message is not None
        assert message_part in message


def test_a_base64_submission_becomes_the_run_it_describes() -> None:
    request = submission(
        source_code=b64("print(input())"),
        stdin=b64("héllo\n"),
        expected_output=b64("héllo"),
        cpu_time_limit=2,
        wall_time_limit=5,
        memory_limit=65536,
        command_line_arguments="a 'b c'",
        redirect_stderr_to_stdout=True,
    )
    spec = judge0.spec_of(CONFIG, request, encoded=True)
    assert spec == RunSpec(
        code="print(input())",
        language="python",
        stdin="héllo\n",
        expected_output="héllo",
        time_limit=2,
        memory_limit=64,
        args=["a", "b c"],
        stderr_to_stdout=True,
    )


@pytest.mark.parametrize(
    ("fields", "encoded", "field"),
    [
        pytest.param({"enable_network": True}, False, "enable_network", id="network"),
        pytest.param({"language_id": 9999}, False, "language_id", id="unknown-language"),
        pytest.param({"source_code": "%%%"}, True, "source_code", id="not-base64"),
        pytest.param(
            {"source_code": b64("print(1)"), "stdin": "é"}, True, "stdin", id="stdin-not-base64"
        ),
        pytest.param({"cpu_time_limit": 0}, False, "cpu_time_limit", id="zero-time"),
        pytest.param({"wall_time_limit": 1000}, False, "wall_time_limit", id="time-above-max"),
        pytest.param({"memory_limit": 10**9}, False, "memory_limit", id="memory-above-max"),
        pytest.param(
            {"command_line_arguments": "'open"}, False, "command_line_arguments", id="args"
        ),
        pytest.param({"compiler_options": "-O2"}, False, "compiler_options", id="compiler-options"),
    ],
)
def test_a_submission_that_cannot_run_as_asked_is_refused_naming_the_field(
    fields: dict[str, object], encoded: bool, field: str
) -> None:
    with pytest.raises(judge0.Judge0Error) as refused:
        judge0.spec_of(CONFIG, submission(**fields), encoded)
    assert refused.value.field == field


def test_a_rendered_submission_has_only_the_fields_asked_for_with_text_in_base64() -> None:
    view = ended("runtime_error", exit_code=1, stdout="ünï\n", stderr="boom\n", cpu_ms=12)
    shown = judge0.render(stored(view), judge0.parse_fields("stdout,stderr,message,time"), True)
    assert shown == {
        "stdout": b64("ünï\n"),
        "stderr": b64("boom\n"),
        "message": b64("Exited with error status 1"),
        "time": "0.012",
    }


def test_the_default_fields_are_judge0s_and_star_gives_every_field() -> None:
    view = ended("ok", exit_code=0, stdout="1\n")
    default = judge0.render(stored(view), judge0.parse_fields(None), False)
    assert set(default) == {
        "token",
        "time",
        "memory",
        "stdout",
        "stderr",
        "compile_output",
        "message",
        "status",
    }
    assert default["status"] == {"id": 3, "description": "Accepted"}
    assert default["stderr"] is None
    everything = judge0.render(stored(view), judge0.parse_fields("*"), False)
    assert everything["created_at"] == "2026-01-02T03:04:05.678000Z"
    assert everything["language_id"] == 71
    assert everything["source_code"] == "print(1)"


def test_asking_for_an_unknown_field_is_refused_naming_fields() -> None:
    with pytest.raises(judge0.Judge0Error) as refused:
        judge0.parse_fields("stdout,colour")
    assert refused.value.field == "fields"
    assert "colour" in str(refused.value)


def test_a_compile_error_shows_the_compiler_in_compile_output_not_in_stderr() -> None:
    view = ended("compile_error", exit_code=1, stderr="SyntaxError: invalid syntax\n")
    shown = judge0.render(stored(view), judge0.parse_fields("*"), False)
    assert shown["compile_output"] == "SyntaxError: invalid syntax\n"
    assert shown["stderr"] is None
    assert shown["stdout"] is None


def test_a_queued_submission_has_no_time_memory_or_finish_yet() -> None:
    shown = judge0.render(stored(ended("queued"), done=False), judge0.parse_fields("*"), False)
    assert (shown["time"], shown["memory"], shown["finished_at"]) == (None, None, None)
    assert shown["status"] == {"id": 1, "description": "In Queue"}


def test_a_language_added_to_the_table_appears_under_its_judge0_and_piston_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = languages.LANGUAGES["c"]
    monkeypatch.setattr(languages, "LANGUAGES", {"python": PYTHON, "c": c})
    assert [(entry.id, entry.name) for entry in judge0_info.languages()] == [
        (50, "C (12)"),
        (71, "Python (3.11)"),
    ]
    assert judge0.spec_of(CONFIG, submission(language_id=50), False).language == "c"
    assert [runtime.language for runtime in piston.runtimes()] == ["python", "c"]


def test_the_languages_listed_are_the_ids_the_sdk_resolves_for_the_reported_version() -> None:
    ids = LANGUAGE_TO_LANGUAGE_ID[judge0_info.about().version]
    assert ids[LanguageAlias.PYTHON] in {language.id for language in judge0_info.languages()}
    for name, alias in [("c", "C"), ("cpp", "CPP"), ("java", "JAVA"), ("javascript", "JAVASCRIPT")]:
        assert ids[LanguageAlias[alias]] in catalog.KNOWN[name].judge0_ids


def test_the_piston_documentation_body_becomes_a_run_and_its_answer_has_pistons_shape() -> None:
    body = {
        "language": "py",
        "version": "3.10.0",
        "files": [{"name": "my_cool_code.py", "content": "import sys; print(sys.argv[1:])"}],
        "stdin": "",
        "args": ["1", "2", "3"],
        "compile_timeout": 10000,
        "run_timeout": 3000,
        "compile_memory_limit": -1,
        "run_memory_limit": -1,
    }
    spec = piston.spec_of(CONFIG, msgspec.convert(body, piston.ExecuteRequest))
    assert (spec.language, spec.args, spec.time_limit, spec.memory_limit) == (
        "python",
        ["1", "2", "3"],
        3.0,
        None,
    )
    view = ended("timeout", signal=9, stdout="partial", stderr="", time_ms=3001)
    answer = msgspec.to_builtins(piston.answer("python", view))
    assert answer["language"] == "python"
    assert answer["version"] == "3.11"
    assert "compile" not in answer
    assert answer["run"]["signal"] == "SIGKILL"
    assert answer["run"]["output"] == "partial"
    assert (answer["run"]["code"], answer["run"]["status"]) == (None, "TO")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("language", "brainfuck", id="unknown-language"),
        pytest.param("run_timeout", 0, id="zero-timeout"),
        pytest.param("run_memory_limit", 10**12, id="memory-above-max"),
    ],
)
def test_a_piston_request_that_cannot_run_is_refused_naming_the_field(
    field: str, value: object
) -> None:
    body = {"language": "python", "files": [{"content": "print(1)"}], field: value}
    with pytest.raises(piston.PistonError) as refused:
        piston.spec_of(CONFIG, msgspec.convert(body, piston.ExecuteRequest))
    assert refused.value.field == field


def test_the_runners_own_refusals_name_judge0s_fields() -> None:
    small = Settings(max_code_bytes=8)
    with pytest.raises(judge0.Judge0Error) as refused:
        judge0.spec_of(small, submission(source_code="print('too long')"), encoded=False)
    assert refused.value.field == "source_code"


def test_a_bad_submission_in_a_batch_is_named_by_its_position_and_too_many_are_refused() -> None:
    good, bad = submission(), submission(enable_network=True)
    with pytest.raises(judge0.Judge0Error) as refused:
        judge0.accept(CONFIG, [good, good, bad], encoded=False)
    assert refused.value.field == "submissions[2].enable_network"
    with pytest.raises(TooMuchWork):
        judge0.accept(CONFIG, [good] * (judge0.MAX_BATCH + 1), encoded=False)


def test_a_compiled_language_answers_a_compile_stage_and_no_run_when_compiling_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = languages.LANGUAGES["c"]
    monkeypatch.setattr(languages, "LANGUAGES", {"python": PYTHON, "c": c})
    failed = msgspec.to_builtins(
        piston.answer("c", ended("compile_error", exit_code=1, stderr="main.c:1: error"))
    )
    assert failed["compile"]["stderr"] == "main.c:1: error"
    assert failed["compile"]["code"] == 1
    assert "run" not in failed
    ran = msgspec.to_builtins(piston.answer("c", ended("ok", exit_code=0, stdout="hi\n")))
    assert ran["compile"]["code"] == 0
    assert ran["run"]["stdout"] == "hi\n"
    assert (ran["language"], ran["version"]) == ("c", "12")
