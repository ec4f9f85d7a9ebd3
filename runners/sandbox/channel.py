"""The attached stream of a started sandbox container: job lines out, report lines back.

Docker multiplexes the container's stdout and stderr on one socket in frames of an 8-byte
header (stream number, three zero bytes, big-endian length) and the payload. The job goes out
on the same socket while reports come back: a case's line is sent while earlier cases run, so
neither side waits on the other however large the cases' inputs are.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import time

CHUNK = 65536


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
        while len(self.frames) >= 8:
            kind, size = struct.unpack(">BxxxL", self.frames[:8])
            if len(self.frames) < 8 + size:
                break
            target = self.stdout if kind == 1 else self.stderr
            target += self.frames[8 : 8 + size]
            del self.frames[: 8 + size]
