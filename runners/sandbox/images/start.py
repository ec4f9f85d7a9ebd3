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
each case it sends SIGKILL to every process but the supervisor and itself, and reaps until none
is left. It freezes its own objects (`gc.freeze`) before each fork, so the case's garbage
collections neither walk them nor copy the pages they lie on.
"""

import sys

STARTUP_MODULES = set(sys.modules)

import _io  # noqa: E402 -- the modules a fresh interpreter has are taken first
import gc  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402

# In the image both files lie in /opt/oopsengine, this file's folder and so sys.path[0].
from supervise import (  # type: ignore[import-not-found]  # noqa: E402
    LIBC,
    SANDBOX_UID,
    WORKDIR,
    become_sandbox_user,
    loads,
)

TYPE_CHECKING = False  # typing for type checkers only: every container pays for its imports
if TYPE_CHECKING:
    from typing import Any

PR_SET_CHILD_SUBREAPER = 36
GENERATOR = type(_ for _ in ())
LOOKED_THROUGH = 5000
"""At most this many of the program's objects are searched for finalisers at its end."""


def serve() -> "dict[str, Any]":
    """Fork one child per case; returns only in a child, with that case's job."""
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    LIBC.setfsuid(SANDBOX_UID)
    while os.read(3, 1):
        gc.freeze()  # the case's collections leave this process's objects, and pages, alone
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
    """SIGKILL every process but PID 1 and this one, and reap them all (they are ours to reap).

    With CAP_KILL, `kill(-1)` reaches every process of the container but those two; what a
    case started descends from this process, so each becomes its child to reap as its parent dies.
    """
    try:  # noqa: SIM105 -- contextlib costs every container its import
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:  # the case left nothing
        pass
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
    job: dict[str, Any] = loads(line)
    os.setsid()
    if job["stderr_to_stdout"]:
        os.dup2(1, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    become_sandbox_user()
    os.chdir(WORKDIR)
    for name in set(sys.modules) - STARTUP_MODULES:
        del sys.modules[name]
    return job


def shut_down(ending: "BaseException | None") -> None:
    """End the case's process as the interpreter's shutdown would, without its teardown.

    `Py_FinalizeEx` waits for the program's threads, runs its `atexit` functions and flushes
    the standard streams; then it tears down every module, which in a fork writes to nearly
    every page it shares with this process and costs a small case more than all the rest. So
    the process ends here, with the exit status the interpreter would give, unless the
    teardown could do something the program would notice, or `atexit` has functions to run
    (the interpreter runs them with no frame of this file in their tracebacks); then this
    returns and the interpreter ends it. An uncaught KeyboardInterrupt ends it with SIGINT,
    as it ends `python3 main.py`, in every case.
    """
    code = ending.code if isinstance(ending, SystemExit) else 1 if ending else 0
    if code is None:
        code = 0
    elif not isinstance(code, int) or not -(2**31) <= code < 2**31:
        return  # the interpreter prints it, before what follows
    if "threading" in sys.modules:
        sys.modules["threading"]._shutdown()
    import atexit

    if isinstance(ending, KeyboardInterrupt):
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105 -- contextlib costs every case its import
                stream.flush()
            except Exception:  # noqa: S110 -- the interpreter ignores it too
                pass
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    try:
        if atexit._ncallbacks() or tearing_down_shows():
            return
    except Exception:  # whatever the program made of its objects, the interpreter copes
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return  # the interpreter reports it, and ends with status 120
    os._exit(code)


def tearing_down_shows() -> bool:
    """Whether ending the interpreter properly could do something the program would notice:
    run a finaliser (`__del__`, an open file's flush, a suspended generator's `finally`), or
    flush standard streams the program replaced or closed.

    The starter froze its own objects before the fork, so `gc.get_objects` lists only what
    the program made (and garbage it left); a class with a finaliser of its own stands for
    instances the collector does not track. Weak references' callbacks are not looked for:
    `python3 main.py` frees the program's namespace as garbage, and a weak reference in it
    is cleared without calling back (a test holds both ways to that).
    """
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        return True
    if sys.stdout is None or sys.stdout.closed or sys.stderr is None or sys.stderr.closed:
        return True
    objects = gc.get_objects()
    if len(objects) > LOOKED_THROUGH:
        return True
    owners: dict[int, type | None] = {}  # by id: a class may not hash, nor compare

    def owner(kind: type) -> "type | None":
        if id(kind) not in owners:
            mro = type.__dict__["__mro__"].__get__(kind)
            owners[id(kind)] = next((cls for cls in mro if "__del__" in vars(cls)), None)
        return owners[id(kind)]

    for thing in objects:
        kind = type(thing)
        finaliser = owner(kind)
        if finaliser is None:
            if issubclass(kind, type):  # a class (not a stand-in): instances may go untracked
                own = owner(thing)  # files' and generators' are tracked, so they are seen
                if own is not None and own is not _io._IOBase and own is not GENERATOR:
                    return True
            continue
        if finaliser is _io._IOBase:  # closing a file flushes it: only an open one counts
            try:
                if thing.closed:
                    continue
            except Exception:  # noqa: S110 -- then it counts
                pass
        elif finaliser is GENERATOR and not thing.gi_suspended:  # not started, or finished
            continue
        return True
    return False


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
_ending: BaseException | None = None
try:
    exec(_code, _main.__dict__)  # noqa: S102 -- running the submitted program is the purpose
except SystemExit as _exit:
    _ending = _exit
except BaseException as _error:  # what the interpreter does with an uncaught exception
    if _error.__traceback__ is not None:  # without this file's frame
        _error.__traceback__ = _error.__traceback__.tb_next
    sys.last_type, sys.last_value, sys.last_traceback = type(_error), _error, _error.__traceback__
    sys.excepthook(sys.last_type, _error, sys.last_traceback)
    _ending = _error if isinstance(_error, KeyboardInterrupt) else SystemExit(1)
    del _error
shut_down(_ending)
raise _ending if _ending is not None else SystemExit
