"""A class's submissions from an uploaded zip or folder, laid out as `oops grade` reads them.

One file per student (`ada.py`: student `ada`) or one folder per student whose program is the
language's file name (`ada/main.py`). A folder uploaded from a browser arrives as files named
by their path inside it, and a zip often wraps everything in one top folder: both are looked
through. Hidden files and the `__MACOSX` folder zip tools add are ignored.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from gateway.api.problems import invalid
from gateway.api.routes.assignments import unpack
from runners.pipeline import Entry
from runners.sandbox.languages import language

FIELD = "submissions"


def entries_from_upload(files: list[tuple[str, bytes]], language_name: str) -> list[Entry]:
    """One entry per student from the uploaded files (one `.zip`, or a folder's files)."""
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        return entries_from_files(unpack(files[0][1], field=FIELD), language_name)
    return entries_from_files(dict(files), language_name)


def entries_from_files(files: dict[str, bytes], language_name: str) -> list[Entry]:
    """One entry per student, sorted by student; a 422 naming what to fix otherwise."""
    program = language(language_name).filename
    named = {name: parts for name in files if (parts := _parts(name))}
    chosen: dict[str, str] = {}
    for name, parts in _without_top_folder(named).items():
        student = _student(parts, program)
        if student is not None:
            chosen.setdefault(student, name)
    if not chosen:
        suffix = PurePosixPath(program).suffix
        message = (
            f"no submissions found: upload one `{suffix}` file per student (ada{suffix}) or "
            f"one folder per student with its {program} (ada/{program}), as a zip or a folder"
        )
        raise invalid(FIELD, message)
    return [
        Entry(student=student, code=_text(name, files[name]), language=language_name)
        for student, name in sorted(chosen.items())
    ]


def _parts(name: str) -> tuple[str, ...]:
    parts = tuple(p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "."))
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return ()
    return parts


def _without_top_folder(named: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Drop a folder that every path starts with, again while one does."""
    while (
        named
        and all(len(p) > 1 for p in named.values())
        and len({p[0] for p in named.values()}) == 1
    ):
        named = {name: parts[1:] for name, parts in named.items()}
    return named


def _student(parts: tuple[str, ...], program: str) -> str | None:
    suffix = PurePosixPath(program).suffix
    if len(parts) == 1 and parts[0].endswith(suffix):
        return PurePosixPath(parts[0]).stem
    if len(parts) == 2 and parts[1] == program:
        return parts[0]
    return None


def _text(name: str, content: bytes) -> str:
    try:
        return content.decode()
    except UnicodeDecodeError:
        raise invalid(FIELD, f"{name} is not UTF-8 text: save it as UTF-8") from None
