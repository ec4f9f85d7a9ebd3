"""Gradescope autograder zips: found where Gradescope finds them, refused with what to add."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.autograder import package_digest, read_package
from grading.errors import PackageError

RUN = b"#!/usr/bin/env bash\ncd /autograder/source\npython3 run_tests.py\n"
SETUP = b"#!/usr/bin/env bash\npip3 install -r /autograder/source/requirements.txt\n"
SAMPLE = {
    "setup.sh": SETUP,
    "run_autograder": RUN,
    "run_tests.py": b"import unittest\n",
    "requirements.txt": b"gradescope-utils>=0.3.1\n",
    "tests/test_simple.py": b"import unittest\n",
}


def in_folder(folder: str, files: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{folder}/{path}": content for path, content in files.items()}


def test_the_python_samples_zip_is_read_from_its_root() -> None:
    package = read_package(SAMPLE)
    assert package.files == SAMPLE
    assert package.has_setup


@pytest.mark.parametrize(
    "listing",
    [
        pytest.param(in_folder("hw1", SAMPLE), id="one-top-folder"),
        pytest.param({"hw1/": b"", **in_folder("hw1", SAMPLE)}, id="with-directory-entries"),
        pytest.param(
            {
                **in_folder("hw1", SAMPLE),
                "__MACOSX/hw1/._run_autograder": b"\0",
                "hw1/.DS_Store": b"",
            },
            id="zipped-on-macos",
        ),
        pytest.param({f"./{path}": content for path, content in SAMPLE.items()}, id="dot-slash"),
    ],
)
def test_a_zipped_folder_is_read_from_inside_it_with_the_same_digest(
    listing: dict[str, bytes],
) -> None:
    package = read_package(listing)
    assert package.files == SAMPLE
    assert package.digest == read_package(SAMPLE).digest


def test_a_zip_without_setup_has_nothing_to_install() -> None:
    assert not read_package({"run_autograder": RUN}).has_setup


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        pytest.param(
            {"setup.sh": SETUP, "tests/test_a.py": b""},
            "the autograder zip has no run_autograder: add an executable run_autograder",
            id="no-run-autograder",
        ),
        pytest.param(
            in_folder("a/b", SAMPLE),
            "the autograder zip has a/b/run_autograder but no run_autograder at its root",
            id="two-folders-deep",
        ),
        pytest.param(
            {**in_folder("hw1", SAMPLE), "notes.txt": b""},
            "the autograder zip has hw1/run_autograder but no run_autograder at its root",
            id="folder-beside-a-file",
        ),
        pytest.param(
            {**SAMPLE, "../escape": b""}, "'../escape': not a relative path", id="dot-dot"
        ),
        pytest.param({**SAMPLE, "/etc/passwd": b""}, "'/etc/passwd': not a relative", id="abs"),
        pytest.param({**SAMPLE, "a\\b": b""}, "'a\\\\b': not a relative path", id="backslash"),
        pytest.param(
            {**SAMPLE, "./setup.sh": b""}, "./setup.sh: the zip holds this file twice", id="twice"
        ),
    ],
)
def test_a_zip_that_cannot_be_an_autograder_is_refused_saying_what_to_do(
    listing: dict[str, bytes], message: str
) -> None:
    with pytest.raises(PackageError) as raised:
        read_package(listing)
    assert str(raised.value).startswith(message)


def test_the_digest_changes_with_any_path_or_content() -> None:
    digest = read_package(SAMPLE).digest
    assert read_package({**SAMPLE, "run_tests.py": b"import unittest \n"}).digest != digest
    moved = {path.replace("tests/", "test/"): content for path, content in SAMPLE.items()}
    assert read_package(moved).digest != digest


def test_bytes_moved_between_a_name_and_its_content_change_the_digest() -> None:
    assert package_digest({"ab": b"c"}) != package_digest({"a": b"bc"})


@given(st.dictionaries(st.text("ab/.", min_size=1, max_size=6), st.binary(max_size=4)))
def test_the_digest_does_not_depend_on_the_listings_order(files: dict[str, bytes]) -> None:
    assert package_digest(files) == package_digest(dict(reversed(list(files.items()))))
