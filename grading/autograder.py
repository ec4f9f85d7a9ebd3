"""A Gradescope autograder package: the zip an instructor uploads, read from its listing.

Gradescope (gradescope/autograder_samples, docs/specs.md) wants `setup.sh` (run once, as
root, when the image is built) and `run_autograder` (run for each submission) at the root of
the zip, and the rest of the zip becomes `/autograder/source`. Zipping the folder instead of
its files is the common mistake, so a package whose files all sit in one top folder is read
from inside it, as is a folder zipped on macOS with its `__MACOSX/` metadata (always dropped).
A package without `setup.sh` is taken as having nothing to install.

The digest names the package's content for caching its image: SHA-256 over its files in path
order, each path and content length-prefixed so no two packages share a digest by moving
bytes between a name and a content. It is the same whether the folder or its files were zipped.

Extracting the zip (its size, its number of files, links) is the caller's; this module gets
the files as a mapping of path to bytes and refuses paths that would leave `/autograder/source`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import msgspec

from grading.errors import PackageError

SETUP = "setup.sh"
RUN = "run_autograder"
_METADATA = ("__MACOSX/", ".DS_Store")


class AutograderPackage(msgspec.Struct, frozen=True, kw_only=True):
    """An autograder's files relative to its root, whether it has `setup.sh`, and its digest."""

    files: dict[str, bytes]
    has_setup: bool
    digest: str


def read_package(listing: Mapping[str, bytes]) -> AutograderPackage:
    """The package in a zip's listing; a zip without `run_autograder` raises `PackageError`."""
    listed = _normalised(listing)
    files = _rooted(listed)
    if RUN not in files:
        raise PackageError(_missing_run(listed))
    return AutograderPackage(files=files, has_setup=SETUP in files, digest=package_digest(files))


def package_digest(files: Mapping[str, bytes]) -> str:
    """SHA-256 over the files in path order, each path and content length-prefixed."""
    digest = hashlib.sha256()
    for path in sorted(files):
        name = path.encode()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(files[path]).to_bytes(8, "big") + files[path])
    return digest.hexdigest()


def _missing_run(files: Mapping[str, bytes]) -> str:
    """What to do about a package without `run_autograder` at its root."""
    deeper = sorted(path for path in files if path.endswith("/" + RUN))
    if deeper:
        return (
            f"the autograder zip has {deeper[0]} but no {RUN} at its root: zip the files"
            f" ({RUN}, {SETUP} and the rest) rather than the folders holding them"
        )
    return (
        f"the autograder zip has no {RUN}: add an executable {RUN} script (and a {SETUP}"
        " that installs what it needs) at the root of the zip, beside your other files"
    )


def _normalised(listing: Mapping[str, bytes]) -> dict[str, bytes]:
    """The listing's files by safe relative path, without directories or macOS metadata."""
    files: dict[str, bytes] = {}
    for raw, content in listing.items():
        if raw.endswith("/") or _is_metadata(raw):
            continue
        path = _safe_path(raw)
        if path in files:
            raise PackageError(f"{raw}: the zip holds this file twice; keep one")
        files[path] = content
    return files


def _safe_path(raw: str) -> str:
    """`raw` without `./` parts, refused if it could point outside the package."""
    parts = [part for part in raw.split("/") if part not in ("", ".")]
    unsafe = raw.startswith("/") or "\\" in raw or "\0" in raw or ".." in parts or not parts
    if unsafe:
        raise PackageError(f"{raw!r}: not a relative path inside the zip; rename or remove it")
    return "/".join(parts)


def _is_metadata(path: str) -> bool:
    return path.startswith(_METADATA[0]) or path.rsplit("/", 1)[-1] == _METADATA[1]


def _rooted(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files relative to the package's root: the zip's, or its one top folder's."""
    if RUN in files:
        return files
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) != 1 or all("/" not in path for path in files):
        return files
    prefix = tops.pop() + "/"
    return {path.removeprefix(prefix): content for path, content in files.items()}
