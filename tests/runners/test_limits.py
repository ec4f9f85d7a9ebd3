"""Per-run limits and settings: defaults, maxima and the errors a user sees."""

from __future__ import annotations

import os

import pytest

from runners.errors import LimitError, RequestError
from runners.sandbox.limits import check_program, check_stdin, resolve_limits
from runners.settings import Settings, SettingsError, from_environment


def test_unset_limits_take_the_defaults() -> None:
    limits = resolve_limits(Settings())
    assert (limits.time_limit, limits.memory_limit) == (3.0, 512)


def test_limits_within_the_maxima_are_kept() -> None:
    limits = resolve_limits(Settings(), time_limit=10, memory_limit=1024)
    assert (limits.time_limit, limits.memory_limit) == (10, 1024)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        pytest.param({"time_limit": 31}, "time_limit", "maximum of 30", id="time-above-max"),
        pytest.param({"memory_limit": 4096}, "memory_limit", "maximum", id="memory-above-max"),
        pytest.param({"time_limit": 0}, "time_limit", "greater than 0", id="time-zero"),
        pytest.param({"memory_limit": -1}, "memory_limit", "greater than 0", id="memory-negative"),
    ],
)
def test_limits_outside_the_range_name_the_field(
    kwargs: dict[str, float], field: str, words: str
) -> None:
    with pytest.raises(LimitError, match=words) as caught:
        resolve_limits(Settings(), **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_operator_raises_maxima_through_the_environment() -> None:
    config = from_environment({"OOPS_MAX_TIME_LIMIT": "60", "OOPS_MEMORY_LIMIT": "256"})
    assert resolve_limits(config, time_limit=45).time_limit == 45
    assert resolve_limits(config).memory_limit == 256


def test_concurrency_follows_the_cores_unless_the_operator_sets_it() -> None:
    cores = len(os.sched_getaffinity(0))
    assert from_environment({"OOPS_CPUS": "0.5"}).concurrency == 2 * cores
    assert from_environment({"OOPS_CPUS": "1"}).concurrency == cores
    assert from_environment({"OOPS_CPUS": "0.5", "OOPS_CONCURRENCY": "3"}).concurrency == 3


def test_concurrency_stays_within_memory_when_runs_may_use_much() -> None:
    total_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    config = from_environment({"OOPS_CPUS": "0.01", "OOPS_MEMORY_LIMIT": str(total_mib // 4)})
    assert 1 <= config.concurrency <= 3


def test_a_malformed_setting_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="max_time_limit"):
        from_environment({"OOPS_MAX_TIME_LIMIT": "soon"})


@pytest.mark.parametrize(
    ("code", "language", "field"),
    [
        pytest.param("x" * (Settings().max_code_bytes + 1), "python", "code", id="code-too-big"),
        pytest.param("print(1)", "cobol", "language", id="unknown-language"),
    ],
)
def test_programs_the_server_cannot_take_name_the_field(
    code: str, language: str, field: str
) -> None:
    with pytest.raises(RequestError) as caught:
        check_program(Settings(), code, language, prefix="submissions[2].")
    assert caught.value.field == f"submissions[2].{field}"


def test_stdin_over_the_limit_is_refused() -> None:
    with pytest.raises(RequestError, match="stdin"):
        check_stdin(Settings(max_stdin_bytes=4), b"12345")
