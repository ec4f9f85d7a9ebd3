"""What the pages make of uploads and diffs: students found in a zip or folder, and the
characters that changed between expected and actual output."""

from __future__ import annotations

import pytest
from litestar.plugins.problem_details import ProblemDetailsException

from gateway.web.highlight import highlighted
from gateway.web.uploads import entries_from_files


@pytest.mark.parametrize(
    ("files", "students"),
    [
        pytest.param(
            {"ada.py": b"1", "bob.py": b"2"}, {"ada": "1", "bob": "2"}, id="one-file-each"
        ),
        pytest.param(
            {"class/ada/main.py": b"1", "class/ada/util.py": b"x", "class/bob/main.py": b"2"},
            {"ada": "1", "bob": "2"},
            id="one-folder-each-inside-a-top-folder",
        ),
        pytest.param(
            {"sub/ada.py": b"1", "sub/.hidden.py": b"x", "__MACOSX/sub/._ada.py": b"x"},
            {"ada": "1"},
            id="hidden-and-zip-tool-files-ignored",
        ),
        pytest.param(
            {"a/b/ada.py": b"1", "a/b/notes.txt": b"x"}, {"ada": "1"}, id="nested-top-folders"
        ),
    ],
)
def test_each_student_is_found_in_an_upload(
    files: dict[str, bytes], students: dict[str, str]
) -> None:
    entries = entries_from_files(files, "python")
    assert {e.student: e.code for e in entries} == students


def test_an_upload_without_submissions_says_how_to_lay_them_out() -> None:
    with pytest.raises(ProblemDetailsException) as refused:
        entries_from_files({"notes.txt": b"x", "ada/readme.md": b"y"}, "python")
    assert refused.value.status_code == 422
    assert "ada/main.py" in str(refused.value.detail)


def test_code_that_is_not_utf8_is_named() -> None:
    with pytest.raises(ProblemDetailsException) as refused:
        entries_from_files({"ada.py": b"\xff\xfe"}, "python")
    assert "ada.py is not UTF-8" in str(refused.value.detail)


def test_only_the_changed_characters_of_a_replaced_line_are_marked() -> None:
    lines = highlighted("--- expected\n+++ actual\n@@ -1 +1 @@\n-total 2000\n+total 2001\n same")
    kinds = [line.kind for line in lines]
    assert kinds == ["file", "file", "hunk", "removed", "added", "same"]
    removed, added = lines[3], lines[4]
    assert [(s.text, s.changed) for s in removed.segments] == [("total 200", False), ("0", True)]
    assert [(s.text, s.changed) for s in added.segments] == [("total 200", False), ("1", True)]


def test_unpaired_lines_are_wholly_changed() -> None:
    lines = highlighted("-a\n-b\n+a")
    assert [line.kind for line in lines] == ["removed", "removed", "added"]
    assert [(s.text, s.changed) for s in lines[1].segments] == [("b", True)]
    assert [(s.text, s.changed) for s in lines[2].segments] == [("a", False)]
