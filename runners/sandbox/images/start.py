"""Starts each case of a Python submission as a fork of one started interpreter.

A fresh `python3 main.py` spends most of a small case's CPU starting the interpreter. In a
container that serves a whole submission, the supervisor (supervise.py) starts this file once,
as `python3 start.py`, after the program's syntax check and before its first case, so that the
interpreter is set up exactly as `python3 main.py` would set it up. Each case is then a fork of
it that runs main.py as `__main__`.

It runs as root inside the container, like the supervisor, so no case can signal it, lower its
limits or trace it, and it holds nothing of any case: for each case it reads one byte on fd 3
and forks, and only the child reads the case's line (its argv) that follows. Descriptors, as
the supervisor sets them up:

    0      the case's stdin, an in-memory file the supervisor refills and rewinds per case
    1, 2   the output pipes, shared by every case; the supervisor drains them between cases
    3      from the supervisor: b"g", then the case's JSON line {"argv", "stderr_to_stdout"}
    4      to the supervisor: the program's pid, then, once the program and every process it
           left behind are gone, "exit status, user and system CPU seconds, peak RSS in KiB"

A child gives up its privileges with the supervisor's own `become_sandbox_user`, imported from
supervise.py beside this file; what that import and this file's own imports add to the module
table is taken out again before the program runs.

It is the subreaper of everything a case starts, so daemonised processes come back to it; after
each case a child under the sandbox user's uid sends SIGKILL to every process of that uid, and
it reaps until none is left.
"""

import sys

STARTUP_MODULES = set(sys.modules)

import json  # noqa: E402 -- the modules a fresh interpreter has are taken first
import os  # noqa: E402
import signal  # noqa: E402

# In the image both files lie in /opt/oopsengine, this file's folder and so sys.path[0].
from supervise import (  # type: ignore[import-not-found]  # noqa: E402
    LIBC,
    SANDBOX_UID,
    WORKDIR,
    become_sandbox_user,
)

TYPE_CHECKING = False  # typing for type checkers only: every container pays for its imports
if TYPE_CHECKING:
    from typing import Any

PR_SET_CHILD_SUBREAPER = 36


def serve() -> "dict[str, Any]":
    """Fork one child per case; returns only in a child, with that case's job."""
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    LIBC.setfsuid(SANDBOX_UID)
    while os.read(3, 1):
        pid = os.fork()
        if pid == 0:
            return become_the_program()
        os.write(4, b"%d\n" % pid)
        _, code, usage = os.wait4(pid, 0)
        end_leftovers()
        ended = (code, usage.ru_utime, usage.ru_stime, usage.ru_maxrss)
        os.write(4, " ".join(map(str, ended)).encode() + b"\n")
    os._exit(0)


def end_leftovers() -> None:
    """SIGKILL every process of the sandbox user, and reap them all (they are ours to reap)."""
    killer = os.fork()
    if killer == 0:
        try:
            os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def become_the_program() -> "dict[str, Any]":
    """In the child: the case's descriptors, the sandbox user with nothing to regain, /sandbox."""
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(3, 65536)
        if not chunk:
            os._exit(127)
        line += chunk
    job: dict[str, Any] = json.loads(line)
    os.setsid()
    if job["stderr_to_stdout"]:
        os.dup2(1, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    become_sandbox_user()
    os.chdir(WORKDIR)
    for name in set(sys.modules) - STARTUP_MODULES:
        del sys.modules[name]
    return job


job = serve()
# From here on this is the case's process, and what follows is what `python3 main.py` does.
sys.argv = job["argv"][1:]
sys.orig_argv = ["python3", *sys.argv]
_path = os.path.abspath(sys.argv[0])
sys.path[0] = os.path.dirname(_path)
_main = type(sys)("__main__")
_main.__dict__.update(
    __file__=_path,
    __cached__=None,
    __builtins__=sys.modules["builtins"],
    __loader__=sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", _path),
)
sys.modules["__main__"] = _main
# This frame and the call into the program count against the recursion limit, which
# `python3 main.py` does not have below the program's own.
sys.setrecursionlimit(sys.getrecursionlimit() + 2)
with open(_path, "rb") as _source:
    _code = compile(_source.read(), _path, "exec")
try:
    exec(_code, _main.__dict__)  # noqa: S102 -- running the submitted program is the purpose
except SystemExit:
    raise
except BaseException as _error:  # what the interpreter does with an uncaught exception
    if _error.__traceback__ is not None:  # without this file's frame
        _error.__traceback__ = _error.__traceback__.tb_next
    sys.last_type, sys.last_value, sys.last_traceback = type(_error), _error, _error.__traceback__
    sys.excepthook(sys.last_type, _error, sys.last_traceback)
    raise SystemExit(1) from None
