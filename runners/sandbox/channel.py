"""The attached stream of a sandbox container: job lines out, report lines back.

Docker multiplexes the container's stdout and stderr on one socket in frames of an 8-byte
header (stream number, three zero bytes, big-endian length) and the payload; `frames` is the
one parser of them. A single run sends its whole job and then reads (`read_frames`); a
multi-case run sends while reports come back (`Channel`): a case's line is sent while earlier
cases run, so neither side waits on the other however large the cases' inputs are.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import time
from collections.abc import Iterator

CHUNK = 65536
HEADER = struct.Struct(">BxxxL")
STDOUT = 1


def frames(buffer: bytearray) -> Iterator[tuple[int, bytes]]:
    """Each complete frame at the start of `buffer` as (stream number, payload), taken out of
    it as it is read; a frame not yet complete stays for the next chunk."""
    while len(buffer) >= HEADER.size:
        kind, size = HEADER.unpack_from(buffer)
        end = HEADER.size + size
        if len(buffer) < end:
            return
        payload = bytes(buffer[HEADER.size : end])
        del buffer[:end]
        yield kind, payload


def read_frames(
    raw: socket.socket, deadline: float, cap: int, report_lines: int | None = None
) -> tuple[bytes, bytes, bool]:
    """Read Docker's multiplexed stdout/stderr frames until EOF, the deadline or the cap.

    With `report_lines`, stop as soon as stdout holds that many complete lines. Returns
    stdout, stderr and whether the stream ended by itself (or with the lines asked for).
    """
    streams = {1: bytearray(), 2: bytearray()}
    buffer = bytearray()
    lines = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return bytes(streams[1]), bytes(streams[2]), False
        raw.settimeout(remaining)
        try:
            chunk = raw.recv(CHUNK)
        except TimeoutError:
            continue
        if not chunk:
            return bytes(streams[1]), bytes(streams[2]), True
        buffer += chunk
        for kind, payload in frames(buffer):
            streams.setdefault(kind, bytearray()).extend(payload)
            lines += payload.count(b"\n") if kind == STDOUT else 0
        if report_lines is not None and lines >= report_lines:
            return bytes(streams[1]), bytes(streams[2]), True
        if len(streams[1]) + len(streams[2]) > cap:
            return bytes(streams[1]), bytes(streams[2]), False


class Channel:
    """Sends `outgoing` (then closes the container's stdin) while reading report lines."""

    def __init__(self, raw: socket.socket, outgoing: bytes) -> None:
        raw.setblocking(False)
        self.raw = raw
        self.outgoing = memoryview(outgoing)
        self.frames = bytearray()
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.ended = False

    def line(self, deadline: float, cap: int) -> bytes | None:
        """The next line on stdout; None when the container ended, time ran out, or past `cap`.

        `ended` tells the first case apart from the other two.
        """
        while True:
            end = self.stdout.find(b"\n")
            if end >= 0:
                found = bytes(self.stdout[: end + 1])
                del self.stdout[: end + 1]
                return found
            remaining = deadline - time.monotonic()
            if self.ended or remaining <= 0 or len(self.stdout) > cap:
                return None
            writers = [self.raw] if self.outgoing else []
            readable, writable, _ = select.select([self.raw], writers, [], remaining)
            if writable:
                self._send()
            if readable:
                self._receive()

    def _send(self) -> None:
        try:
            sent = self.raw.send(self.outgoing[:CHUNK])
        except BlockingIOError:
            return
        except OSError:  # the supervisor is gone; what it did not read does not matter
            sent = len(self.outgoing)
        self.outgoing = self.outgoing[sent:]
        if not self.outgoing:
            with contextlib.suppress(OSError):
                self.raw.shutdown(socket.SHUT_WR)

    def _receive(self) -> None:
        try:
            chunk = self.raw.recv(CHUNK)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.ended = True
            return
        self.frames += chunk
        for kind, payload in frames(self.frames):
            target = self.stdout if kind == STDOUT else self.stderr
            target += payload
