"""Runs a program's cases inside a sandbox container and reports each as one JSON line.

This file is baked into every sandbox image and is the container's PID 1. Only the standard
library is available here. The host writes the job on stdin as JSON lines and then closes it:

    line 1     the program: its files (base64), its environment, an optional `compile` step
               and the files to make `executable` (a compiled program sent back in)
    line 2...  one case each: argv, stdin (base64), time and output limits, extra files, and a
               `collect` directory whose files come back in the report, each cut at
               `collect_bytes` (checker feedback, or what a compiler built), and for a test
               runner `report_bytes`: its report comes back through descriptor 3 (`REPORT_FD`)

A case with `"stderr_to_stdout": true` gives the program one pipe for both streams, so what it
writes to each lands in stdout in the order it wrote it (Judge0's `redirect_stderr_to_stdout`).

The supervisor writes the program's files into the sandbox's tmpfs and runs the compile step
once; if it fails, the one report is the step's, marked `"stage": "compile"`, and no case runs.
Otherwise it keeps the files as they stand after compiling (sources and artefacts) and gives
every case a fresh start, reading the case's line only then:

1. every other process in the container is killed (`kill(-1, SIGKILL)` from PID 1 reaches
   daemonised and orphaned ones too) and reaped, so nothing of an earlier case runs on;
2. the tmpfs is emptied (directories a case made unreadable are opened up first) and System V
   IPC objects and POSIX message queues are removed, so nothing an earlier case wrote can be
   read;
3. the program's files are written again from memory, so a case that changed or deleted them
   (or the compiled artefact) changes nothing for the next;
4. the case runs as a fresh process with its own wall clock, output caps and stdin, and its
   report says whether the OOM killer struck during this case (the counter's growth).

When the program line names a `starter` (Python, for a container that serves more than one
case), step 4 forks the case from that interpreter, started once after the check, instead of
starting a new one (start.py says how); it ends every process of a case itself, so step 1
leaves it running.

A single run is the same job with one case. One case per line keeps the supervisor's memory
small whatever the cases' inputs add up to: it never holds more than one case's stdin.

Why a case can neither forge a report nor change the process every later case starts from:
- the supervisor runs as root inside the container with four capabilities (KILL, SETUID,
  SETGID, SETPCAP) and the program as the sandbox user with none: the kernel refuses the
  program's signals, `prlimit`, `setpriority`, `sched_setaffinity` and `sched_setscheduler`
  on the supervisor, because they need the same uid;
- every file the supervisor opens, writes, removes or changes the mode of, it does as the
  sandbox user (its filesystem uid is 65534, and it holds no capability that bypasses file
  permissions), so a path a case planted gets it no further than the case itself;
- it is non-dumpable, so the program can neither ptrace it nor open /proc/1/fd/* or
  /proc/1/mem, and it is the namespace's init, so the kernel drops SIGKILL and SIGSTOP;
- the program's stdout and stderr are pipes to the supervisor, and no other descriptor is
  inherited but a test runner's report pipe (descriptor 3), whose write end only it holds;
  before it runs, the program's process empties its capability bounding set and takes the
  sandbox user's uid, which clears its capabilities.
"""

from __future__ import annotations

import _json
import binascii
import ctypes
import itertools
import os
import select
import signal
import sys
import time
from collections.abc import Iterator

# Every job pays for the supervisor's start, so it imports no more than it runs: binascii, not
# base64, and json's C half, not json (both pull in re and enum, which cost more than all the
# rest), try/except, not contextlib, and typing for type checkers only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
SUPERVISOR_CAPABILITIES = (5, 6, 7, 8)  # CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP
SANDBOX_UID = SANDBOX_GID = 65534
IPC_RMID = 0
WORKDIR = "/sandbox"
CHUNK = 65536
FEEDBACK_CAP = 65536
REPORT_FD = 3
"""Where a test runner's report goes when a case asks for one (`report_bytes`): a pipe to the
supervisor, so what the runner wrote is read as it is written, and no file the program can
find, replace or rewrite after the runner is done is ever read as a result."""
OOM_COUNTERS = (
    "/sys/fs/cgroup/memory/memory.oom_control",  # cgroup v1
    "/sys/fs/cgroup/memory.events",  # cgroup v2
)
LIBC = ctypes.CDLL(None, use_errno=True)
SYSV_IPC = ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem")
POSIX_QUEUES = "/dev/mqueue"

Snapshot = dict[str, tuple[int, bytes]]
"""The program's files after compiling: relative path to (permission bits, content)."""


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    separate_privileges()
    set_dumpable(False)
    jobs = os.fdopen(os.dup(0), "rb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    root_mode = os.stat(WORKDIR).st_mode & 0o7777
    program = loads(jobs.readline())
    write_files(program["files"])
    mark_executable(program.get("executable", []))
    step = program.get("compile")
    failed = build({**step, "env": program["env"]}) if step else None
    if failed is not None:
        emit(failed)
        return
    snapshot = take_snapshot(WORKDIR)
    starter = Starter(program["starter"], program["env"]) if program.get("starter") else None
    for line in cases(jobs):
        fresh_start(snapshot, root_mode, starter)
        emit(run_case({**loads(line), "env": program["env"]}, starter))
    end_processes()


def cases(jobs: BinaryIO) -> Iterator[bytes]:
    """The case lines the host sends, one at a time, until it closes stdin."""
    for line in jobs:
        if line.strip():
            yield line


def emit(report: dict[str, Any]) -> None:
    """Send one report line to the host."""
    sys.stdout.write(dumps(report) + "\n")
    sys.stdout.flush()


class _Decoding:
    """The settings `_json.make_scanner` reads off a decoder: those of `json.JSONDecoder()`."""

    strict = True
    object_hook = object_pairs_hook = None
    parse_float = parse_constant = float
    parse_int = int


def _unencodable(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON")


# typeshed gives the scanner's context the scanner's own type; any object with the fields will do.
_SCAN = _json.make_scanner(_Decoding())  # type: ignore[arg-type]
_ENCODE = _json.make_encoder(
    None, _unencodable, _json.encode_basestring_ascii, None, ":", ",", False, False, True
)


def loads(line: bytes) -> Any:
    """One JSON document on one line, as `json.loads` reads it."""
    text = line.decode()
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        raise ValueError(f"not JSON: {text[:80]!r}") from None
    if text[end:].strip():
        raise ValueError(f"more than one JSON document on a line: {text[:80]!r}")
    return value


def dumps(value: Any) -> str:
    """`value` as compact JSON, all ASCII."""
    return "".join(_ENCODE(value, 0))


def run_case(case: dict[str, Any], starter: Starter | None = None) -> dict[str, Any]:
    """Run one case in the prepared working directory; collect its feedback once all is over."""
    write_files(case.get("files", {}))
    collect_dir = case.get("collect")
    if collect_dir:
        os.makedirs(os.path.join(WORKDIR, collect_dir), exist_ok=True)
    if starter is None:
        report = run(case)
        end_processes()
    else:
        report = starter.run(case)
    if collect_dir:
        cap = case.get("collect_bytes", FEEDBACK_CAP)
        report["files"] = collect(os.path.join(WORKDIR, collect_dir), cap)
    return report


def fresh_start(snapshot: Snapshot, root_mode: int, starter: Starter | None = None) -> None:
    """No process, file or IPC object of an earlier case left; the program's files as built.

    With a starter, it has already ended every process of the earlier case.
    """
    if starter is None:
        end_processes()
    wipe(WORKDIR, root_mode)
    clear_ipc()
    for name, (mode, content) in snapshot.items():
        path = os.path.join(WORKDIR, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content)
        os.chmod(path, mode)


def end_processes() -> None:
    """Kill every process in the container but this one, and reap them all.

    From PID 1, `kill(-1, SIGKILL)` reaches every other process of the namespace, and every
    orphan is re-parented to PID 1, so once `waitpid` finds no child, none is left.
    """
    while True:
        try:  # noqa: SIM105 -- contextlib costs every job its import
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def take_snapshot(root: str) -> Snapshot:
    """Every regular file below `root`, with its permission bits."""
    found: Snapshot = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    content = handle.read()
                found[os.path.relpath(path, root)] = (os.stat(path).st_mode & 0o777, content)
    return found


def wipe(root: str, root_mode: int) -> None:
    """Empty `root` whatever a case did to it: modes taken away, deep trees, odd names.

    Directories are opened up (`chmod`, as the sandbox user who owns them) and their
    contents moved up to `root` before removal, so paths stay short and no recursion is needed
    however deep the tree.
    """
    os.chmod(root, root_mode)
    spare = itertools.count()
    while True:
        entries = list(os.scandir(root))
        if not entries:
            return
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
                continue
            os.chmod(entry.path, 0o700)
            for child in os.scandir(entry.path):
                if child.is_dir(follow_symlinks=False):
                    os.chmod(child.path, 0o700)
                os.rename(child.path, _unused(root, spare))
            os.rmdir(entry.path)


def _unused(root: str, spare: Iterator[int]) -> str:
    """A name in `root` that nothing has."""
    while True:
        path = os.path.join(root, f".wipe-{next(spare)}")
        if not os.path.lexists(path):
            return path


def clear_ipc() -> None:
    """Remove the IPC objects a case left behind: they outlive their creator.

    The container's IPC namespace is shared by its cases: System V shared memory, message
    queues and semaphores, and POSIX message queues (Docker mounts them at /dev/mqueue).
    """
    for path, call in zip(SYSV_IPC, ("shmctl", "msgctl", "semctl"), strict=True):
        try:
            with open(path) as table:
                rows = table.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            ident = int(row.split()[1])
            if call == "semctl":
                LIBC.semctl(ident, 0, IPC_RMID)
            else:
                getattr(LIBC, call)(ident, IPC_RMID, None)
    try:
        for name in os.listdir(POSIX_QUEUES):
            os.unlink(os.path.join(POSIX_QUEUES, name))
    except OSError:
        pass


def separate_privileges() -> None:
    """Keep root's uid, which the program does not have, but touch files as the sandbox user.

    Refuses to go on without the uid and capabilities it needs: under the program's own uid a
    case could lower the limits every later case inherits.
    """
    if os.geteuid() != 0:
        raise SystemExit("the supervisor must start as root inside the container")
    os.setgroups([])
    os.setresgid(SANDBOX_GID, SANDBOX_GID, SANDBOX_GID)
    LIBC.setfsuid(SANDBOX_UID)
    if LIBC.setfsuid(SANDBOX_UID) != SANDBOX_UID:  # it answers with the uid it had
        raise SystemExit("the supervisor cannot take the sandbox user's filesystem uid")


def become_sandbox_user() -> None:
    """In the program's process: no capability left to regain, the sandbox user's uid, its own
    /proc entries and the OOM killer's first pick (start.py's forks call this too)."""
    for capability in SUPERVISOR_CAPABILITIES:
        if LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot empty the capability bounding set")
    os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
    set_dumpable(True)  # else its /proc entries are root's and it cannot raise its own score
    adjust = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
    os.write(adjust, b"1000")
    os.close(adjust)


def set_dumpable(dumpable: bool) -> None:
    """Non-dumpable processes' /proc entries belong to root and refuse ptrace."""
    LIBC.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


def write_files(files: dict[str, str]) -> None:
    """Write the job's files (base64) below the working directory, refusing escapes."""
    for name, content in files.items():
        path = os.path.normpath(os.path.join(WORKDIR, name))
        if not path.startswith(WORKDIR + "/"):
            raise ValueError(f"file name escapes the sandbox: {name!r}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(binascii.a2b_base64(content))


def mark_executable(names: list[str]) -> None:
    """Let the sandbox user run the named files (written by `write_files`, so inside WORKDIR)."""
    for name in names:
        os.chmod(os.path.join(WORKDIR, os.path.normpath(name)), 0o700)


def collect(directory: str, cap: int) -> dict[str, str]:
    """The regular files the program left in `directory`, each cut at one byte over `cap`.

    The extra byte lets the host tell a file that fits from one that was cut.
    """
    found = {}
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False):
            with open(entry.path, "rb") as handle:
                found[entry.name] = binascii.b2a_base64(
                    handle.read(cap + 1), newline=False
                ).decode()
    return found


def stdin_file(data: bytes) -> int:
    """An anonymous in-memory file holding the program's stdin, rewound."""
    fd = os.memfd_create("stdin")
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def oom_kills() -> int:
    """How many processes the kernel's OOM killer has ended in this container so far."""
    for path in OOM_COUNTERS:
        try:
            with open(path) as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return 0


def spawn(job: dict[str, Any], stdin_fd: int) -> tuple[int, list[int]]:
    """Fork the program with stdin from memory and stdout/stderr (and a report) to pipes."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    report_r, report_w = os.pipe() if job.get("report_bytes") else (-1, -1)
    pid = os.fork()
    if pid == 0:
        try:
            child(job, stdin_fd, out_w, err_w, report_w)
        except BaseException as error:
            os.write(2, f"cannot start {job['argv'][0]}: {error}\n".encode())
        finally:
            os._exit(127)
    for fd in (stdin_fd, out_w, err_w, report_w):
        if fd >= 0:
            os.close(fd)
    return pid, [fd for fd in (out_r, err_r, report_r) if fd >= 0]


def child(job: dict[str, Any], stdin_fd: int, out_w: int, err_w: int, report_w: int) -> None:
    """In the forked child: wire descriptors, make itself the OOM killer's first pick, exec.

    Every case pays for what runs here, in a copy of the supervisor's memory that each write
    makes the kernel copy further, so it does the least it can: bare system calls, no file
    objects, and the C library loaded once.
    """
    os.setsid()
    os.dup2(stdin_fd, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w if job.get("stderr_to_stdout") else err_w, 2)
    if report_w == REPORT_FD:  # dup2 onto itself would leave it to be closed on exec
        os.set_inheritable(REPORT_FD, True)
    elif report_w >= 0:
        os.dup2(report_w, REPORT_FD)
    os.closerange(REPORT_FD + 1 if report_w >= 0 else REPORT_FD, os.sysconf("SC_OPEN_MAX"))
    become_sandbox_user()
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(WORKDIR)
    # Running the submitted program is this process's purpose; the sandbox is what contains it.
    os.execvpe(job["argv"][0], job["argv"], job["env"])  # noqa: S606


class Capture:
    """Output read from one pipe, up to a cap."""

    def __init__(self, fd: int, cap: int) -> None:
        self.fd, self.cap = fd, cap
        self.data = bytearray()
        self.truncated = False

    def pull(self) -> bool:
        """Read what is there; False once the pipe is closed."""
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            return False
        room = self.cap - len(self.data)
        self.data += chunk[:room]
        self.truncated = self.truncated or len(chunk) > room
        return True


def pump(pid: int, captures: list[Capture], deadline: float) -> tuple[int | None, Any, bool]:
    """Read output until the program exits, overflows or runs out of time.

    A pidfd turns readable when the program exits, so its end wakes the loop at once even if
    its pipes are already closed (or held open by a child it left behind).
    """
    open_fds = {c.fd: c for c in captures}
    exited = os.pidfd_open(pid)
    try:
        while True:
            finished = os.wait4(pid, os.WNOHANG)
            if finished[0] == pid:
                drain(open_fds)
                return finished[1], finished[2], False
            remaining = deadline - time.monotonic()
            if remaining <= 0 or any(c.truncated for c in captures):
                return None, None, remaining <= 0
            ready, _, _ = select.select([exited, *open_fds], [], [], remaining)
            for fd in ready:
                if fd != exited and not open_fds[fd].pull():
                    del open_fds[fd]
    finally:
        os.close(exited)


def drain(open_fds: dict[int, Capture]) -> None:
    """Collect what the exited program left in its pipes without waiting on its children."""
    for capture in open_fds.values():
        os.set_blocking(capture.fd, False)
        try:
            while not capture.truncated and capture.pull():
                pass
        except BlockingIOError:
            pass


def build(step: dict[str, Any]) -> dict[str, Any] | None:
    """Run the compile step; its report if it failed, None if the program may run."""
    report = run({**step, "stdin": "", "output_limit": FEEDBACK_CAP})
    end_processes()
    failed = report["timed_out"] or report["signal"] is not None or report["exit_code"] != 0
    return {**report, "stage": "compile"} if failed else None


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Run the program once and describe how it ended."""
    oom_before = oom_kills()
    started = time.monotonic()
    pid, pipes = spawn(job, stdin_file(binascii.a2b_base64(job["stdin"])))
    caps = (job["output_limit"], job["output_limit"], job.get("report_bytes", 0))
    captures = [Capture(fd, cap) for fd, cap in zip(pipes, caps, strict=False)]  # no report: 2
    status, usage, timed_out = pump(pid, captures, started + job["time_limit"])
    if status is None:
        os.killpg(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    for fd in pipes:
        os.close(fd)
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    return describe(status, captures, timed_out, oom_kills() > oom_before, wall, cpu, peak)


def describe(
    status: int,
    captures: list[Capture],
    timed_out: bool,
    oom_killed: bool,
    wall: float,
    cpu: float,
    peak_kib: int,
) -> dict[str, Any]:
    """How a case ended, as the host reads it; a test runner's report too, when it had one."""
    described = {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "timed_out": timed_out,
        "oom_killed": oom_killed,
        "stdout": binascii.b2a_base64(captures[0].data, newline=False).decode(),
        "stderr": binascii.b2a_base64(captures[1].data, newline=False).decode(),
        "stdout_truncated": captures[0].truncated,
        "stderr_truncated": captures[1].truncated,
        "wall_ms": round(wall * 1000),
        "cpu_ms": round(cpu * 1000),
        "memory_kib": peak_kib,
    }
    if len(captures) > 2:
        described["report"] = binascii.b2a_base64(captures[2].data, newline=False).decode()
        described["report_truncated"] = captures[2].truncated
    return described


class Starter:
    """The interpreter each case is forked from (start.py), with the pipes it shares with them."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.stdin = os.memfd_create("stdin")
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        control_r, control_w = os.pipe()
        status_r, status_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                # Copies first: a source may have the number of an earlier target.
                sources = [os.dup(fd) for fd in (self.stdin, out_w, err_w, control_r, status_w)]
                for target, fd in enumerate(sources):
                    os.dup2(fd, target)
                os.closerange(5, os.sysconf("SC_OPEN_MAX"))
                os.chdir("/")
                os.execvpe(argv[0], argv, env)  # noqa: S606
            finally:
                os._exit(127)
        for fd in (out_w, err_w, control_r, status_w):
            os.close(fd)
        self.out, self.err, self.control = out_r, err_r, control_w
        self.status = os.fdopen(status_r, "rb", buffering=0)  # select() must see every line

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Run one case as a fork of the starter; the same report as `run` gives."""
        os.ftruncate(self.stdin, 0)
        os.pwrite(self.stdin, binascii.a2b_base64(job["stdin"]), 0)
        os.lseek(self.stdin, 0, os.SEEK_SET)
        order = {"argv": job["argv"], "stderr_to_stdout": bool(job.get("stderr_to_stdout"))}
        oom_before = oom_kills()
        started = time.monotonic()
        os.write(self.control, b"g" + dumps(order).encode() + b"\n")
        pid = int(self._answer())
        captures = [Capture(self.out, job["output_limit"]), Capture(self.err, job["output_limit"])]
        timed_out = self._pump(captures, started + job["time_limit"])
        if timed_out or any(c.truncated for c in captures):
            for end in (os.kill, os.killpg):  # the program, then its group once it has its own
                try:  # noqa: SIM105 -- contextlib costs every job its import
                    end(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        status, utime, stime, peak = self._answer().split()
        wall = time.monotonic() - started
        drain({c.fd: c for c in captures})
        for fd in (self.out, self.err):  # what is left belongs to no case
            try:
                while os.read(fd, CHUNK):
                    pass
            except BlockingIOError:
                pass
        oom_killed, cpu = oom_kills() > oom_before, float(utime) + float(stime)
        return describe(int(status), captures, timed_out, oom_killed, wall, cpu, int(peak))

    def _answer(self) -> bytes:
        line = self.status.readline()
        if not line:
            raise RuntimeError("the starter ended")
        return line

    def _pump(self, captures: list[Capture], deadline: float) -> bool:
        """Read output until the starter says the case is over; True if time ran out first."""
        over = self.status.fileno()
        watched = [over, *(c.fd for c in captures)]
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or any(c.truncated for c in captures):
                return remaining <= 0
            ready, _, _ = select.select(watched, [], [], remaining)
            if over in ready:
                return False
            for capture in captures:
                if capture.fd in ready:
                    capture.pull()


if __name__ == "__main__":
    main()
