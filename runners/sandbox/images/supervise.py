"""Runs one program inside a sandbox container and reports what it did as one JSON line.

This file is baked into every sandbox image and is the container's PID 1. The host sends a job
as one JSON document on stdin and closes it; the supervisor writes the job's files into the
sandbox's tmpfs, runs the program with the job's stdin, enforces the wall clock and the output
caps, and prints the result on stdout. Only the standard library is available here.

A job may carry a `compile` step (argv and a time limit of its own) that runs first, in the
same way; if it fails, the program is not run and the report is the step's, marked
`"stage": "compile"`. Files named in `executable` (a compiled program sent back in) are made
executable; `collect` names a directory whose files the report carries back, each up to
`collect_bytes` (a compiler's output, a checker's feedback).

Why the program cannot forge this report although it runs under the same uid:
- the supervisor makes itself non-dumpable, so the program can neither ptrace it nor open
  /proc/1/fd/* or /proc/1/mem (both need ptrace access);
- it is the namespace's init, so the kernel drops SIGKILL and SIGSTOP sent from inside the
  container, and every other signal is left at its default action, which init ignores;
- the program's stdout and stderr are pipes to the supervisor, and no other descriptor is
  inherited.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import select
import signal
import sys
import time
from typing import Any

PR_SET_DUMPABLE = 4
WORKDIR = "/sandbox"
CHUNK = 65536
FEEDBACK_CAP = 65536
OOM_COUNTERS = (
    "/sys/fs/cgroup/memory/memory.oom_control",  # cgroup v1
    "/sys/fs/cgroup/memory.events",  # cgroup v2
)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    set_dumpable(False)
    job = json.loads(sys.stdin.buffer.read())
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    write_files(job["files"])
    mark_executable(job.get("executable", []))
    if job.get("collect"):
        os.makedirs(os.path.join(WORKDIR, job["collect"]), exist_ok=True)
    report = build(job["compile"]) if job.get("compile") else None
    if report is None:
        report = run(job)
    if job.get("collect"):
        cap = job.get("collect_bytes", FEEDBACK_CAP)
        report["files"] = collect(os.path.join(WORKDIR, job["collect"]), cap)
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()


def set_dumpable(dumpable: bool) -> None:
    """Non-dumpable processes' /proc entries belong to root and refuse ptrace."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


def write_files(files: dict[str, str]) -> None:
    """Write the job's files (base64) below the working directory, refusing escapes."""
    for name, content in files.items():
        path = os.path.normpath(os.path.join(WORKDIR, name))
        if not path.startswith(WORKDIR + "/"):
            raise ValueError(f"file name escapes the sandbox: {name!r}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(content))


def mark_executable(names: list[str]) -> None:
    """Let the sandbox user run the named files (written by `write_files`, so inside WORKDIR)."""
    for name in names:
        os.chmod(os.path.join(WORKDIR, os.path.normpath(name)), 0o755)


def collect(directory: str, cap: int) -> dict[str, str]:
    """The regular files the program left in `directory`, each cut at one byte over `cap`.

    The extra byte lets the host tell a file that fits from one that was cut.
    """
    found = {}
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False):
            with open(entry.path, "rb") as handle:
                found[entry.name] = base64.b64encode(handle.read(cap + 1)).decode()
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


def spawn(job: dict[str, Any], stdin_fd: int) -> tuple[int, int, int]:
    """Fork the program with stdin from memory and stdout/stderr to pipes."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            child(job, stdin_fd, out_w, err_w)
        except BaseException as error:
            os.write(2, f"cannot start {job['argv'][0]}: {error}\n".encode())
        finally:
            os._exit(127)
    for fd in (stdin_fd, out_w, err_w):
        os.close(fd)
    return pid, out_r, err_r


def child(job: dict[str, Any], stdin_fd: int, out_w: int, err_w: int) -> None:
    """In the forked child: wire descriptors, make itself the OOM killer's first pick, exec."""
    os.setsid()
    os.dup2(stdin_fd, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    set_dumpable(True)
    with open("/proc/self/oom_score_adj", "w") as handle:
        handle.write("1000")
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(WORKDIR)
    os.execvpe(job["argv"][0], job["argv"], job["env"])


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
    """Read output until the program exits, overflows or runs out of time."""
    open_fds = {c.fd: c for c in captures}
    while True:
        finished = os.wait4(pid, os.WNOHANG)
        if finished[0] == pid:
            drain(open_fds)
            return finished[1], finished[2], False
        remaining = deadline - time.monotonic()
        if remaining <= 0 or any(c.truncated for c in captures):
            return None, None, remaining <= 0
        ready, _, _ = select.select(list(open_fds), [], [], min(remaining, 0.05))
        for fd in ready:
            if not open_fds[fd].pull():
                del open_fds[fd]


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
    failed = report["timed_out"] or report["signal"] is not None or report["exit_code"] != 0
    return {**report, "stage": "compile"} if failed else None


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Run the program once and describe how it ended."""
    captures_cap = job["output_limit"]
    started = time.monotonic()
    pid, out_r, err_r = spawn(job, stdin_file(base64.b64decode(job["stdin"])))
    captures = [Capture(out_r, captures_cap), Capture(err_r, captures_cap)]
    status, usage, timed_out = pump(pid, captures, started + job["time_limit"])
    if status is None:
        os.killpg(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    return {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "timed_out": timed_out,
        "oom_killed": oom_kills() > 0,
        "stdout": base64.b64encode(captures[0].data).decode(),
        "stderr": base64.b64encode(captures[1].data).decode(),
        "stdout_truncated": captures[0].truncated,
        "stderr_truncated": captures[1].truncated,
        "wall_ms": round(wall * 1000),
        "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000),
        "memory_kib": usage.ru_maxrss,
    }


if __name__ == "__main__":
    main()
