"""What Judge0's informational routes say: `/about`, `/config_info`, `/languages`.

`/about` reports the Judge0 CE release whose language ids `/languages` uses (see
`runners.compat.catalog`), so the `judge0` SDK resolves `judge0.PYTHON` to ours.
"""

from __future__ import annotations

import shlex

import msgspec

from runners.compat import catalog
from runners.compat.judge0 import MAX_BATCH, VERSION
from runners.settings import Settings
from runners.webhooks import BACKOFF, TIMEOUT


class Language(msgspec.Struct, frozen=True):
    """An entry of `GET /languages`."""

    id: int
    name: str


class LanguageDetail(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /languages/{id}`: how the language is compiled and run."""

    id: int
    name: str
    is_archived: bool
    source_file: str
    compile_cmd: str | None
    run_cmd: str


def languages() -> list[Language]:
    """Every language we run, under each Judge0 id it has, by id."""
    listed = [
        Language(judge0_id, entry.judge0_name)
        for entry in catalog.entries()
        for judge0_id in entry.known.judge0_ids
    ]
    return sorted(listed, key=lambda language: language.id)


def language_detail(language_id: int) -> LanguageDetail | None:
    """The language under Judge0 id `language_id`; None if we run none there."""
    entry = catalog.by_judge0_id(language_id)
    if entry is None:
        return None
    language = entry.language
    return LanguageDetail(
        id=language_id,
        name=entry.judge0_name,
        is_archived=False,
        source_file=language.filename,
        compile_cmd=shlex.join(language.compile) if language.compile else None,
        run_cmd=shlex.join(language.command),
    )


class About(msgspec.Struct, frozen=True):
    """`GET /about`: the Judge0 release this API behaves as, and who serves it."""

    version: str
    homepage: str
    source_code: str
    maintainer: str


def about() -> About:
    """What `GET /about` says; clients pick language ids by `version`."""
    return About(
        version=VERSION,
        homepage="OopsEngine, answering Judge0 CE's API",
        source_code="see docs/compat.md of OopsEngine",
        maintainer="the operator of this OopsEngine server",
    )


class ConfigInfo(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /config_info`: Judge0's configuration fields, filled from OopsEngine's settings.

    The `judge0` SDK refuses an answer that lacks any of these. Limits that the sandbox sets
    for every run (stack, processes, file size) are reported as what Judge0 would default to.
    """

    allow_enable_network: bool = False
    allow_enable_per_process_and_thread_memory_limit: bool = False
    allow_enable_per_process_and_thread_time_limit: bool = False
    allowed_languages_for_compile_options: list[str] = msgspec.field(default_factory=list)
    callbacks_max_tries: int
    callbacks_timeout: float
    cpu_extra_time: float = 0.0
    cpu_time_limit: float
    enable_additional_files: bool = False
    enable_batched_submissions: bool = True
    enable_callbacks: bool = True
    enable_command_line_arguments: bool = True
    enable_compiler_options: bool = False
    enable_network: bool = False
    enable_per_process_and_thread_memory_limit: bool = False
    enable_per_process_and_thread_time_limit: bool = False
    enable_submission_delete: bool = False
    enable_wait_result: bool = True
    maintenance_mode: bool = False
    max_cpu_extra_time: float = 0.0
    max_cpu_time_limit: float
    max_extract_size: int = 0
    max_file_size: int
    max_max_file_size: int
    max_max_processes_and_or_threads: int
    max_memory_limit: int
    max_number_of_runs: int = 1
    max_processes_and_or_threads: int
    max_queue_size: int = 0
    max_stack_limit: int = 0
    max_submission_batch_size: int = MAX_BATCH
    max_wall_time_limit: float
    memory_limit: int
    number_of_runs: int = 1
    redirect_stderr_to_stdout: bool = False
    stack_limit: int = 0
    submission_cache_duration: float = 0.0
    use_docs_as_homepage: bool = False
    wall_time_limit: float


def config_info(config: Settings) -> ConfigInfo:
    """Judge0's view of this server's limits (times in seconds, sizes in KB)."""
    return ConfigInfo(
        callbacks_max_tries=len(BACKOFF) + 1,
        callbacks_timeout=TIMEOUT,
        cpu_time_limit=config.time_limit,
        max_cpu_time_limit=config.max_time_limit,
        max_file_size=config.output_limit // 1024,
        max_max_file_size=config.max_output_limit // 1024,
        max_max_processes_and_or_threads=config.pids_limit,
        max_processes_and_or_threads=config.pids_limit,
        max_memory_limit=config.max_memory_limit * 1024,
        memory_limit=config.memory_limit * 1024,
        max_wall_time_limit=config.max_time_limit,
        wall_time_limit=config.time_limit,
    )
