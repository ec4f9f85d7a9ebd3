"""The supervisor's JSON, read and written with json's C half alone (json imports re and enum)."""

from __future__ import annotations

import json

import msgspec
import pytest

from runners.sandbox.images.supervise import dumps, loads

DOCUMENTS = [
    {"files": {"main.py": "cHJpbnQoMSk=", "dir/é ü.txt": ""}, "env": {"PATH": "/usr/bin"}},
    {"argv": ["python3", "main.py", "a b", "line\nbreak", '"quoted"'], "time_limit": 2.5},
    {"compile": None, "starter": ["python3", "/opt/oopsengine/start.py"], "executable": []},
    {"exit_code": -1, "signal": None, "timed_out": False, "oom_killed": True, "cpu_ms": 0},
    {"nested": [[], {}, [1, [2, [3]]]], "big": 2**62, "tab\tkey": "\u2603\U0001f600"},
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_reads_what_the_host_writes(document: dict[str, object]) -> None:
    assert loads(msgspec.json.encode(document) + b"\n") == document


@pytest.mark.parametrize("document", DOCUMENTS)
def test_writes_what_json_reads(document: dict[str, object]) -> None:
    written = dumps(document)
    assert written.isascii()
    assert json.loads(written) == document
    assert msgspec.json.decode(written) == document


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b'{"a": 1} {"b": 2}\n', "more than one JSON document"),
        (b"not json\n", "not JSON"),
        (b'{"a": \n', "not JSON"),
    ],
)
def test_refuses_what_is_not_one_document(line: bytes, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        loads(line)


def test_refuses_to_write_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="bytes is not JSON"):
        dumps({"stdout": b"raw"})
