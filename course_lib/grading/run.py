"""Run a command in a limited process, in the sandbox, and nbval on a rebuilt notebook with it.

Every process that runs student code starts inside the OS sandbox of
``sandbox.py`` (bubblewrap); only with ``--unsafe-no-sandbox`` does it run with the
grader's rights. Either way these limits hold for it and everything it starts:

- memory: ``RLIMIT_AS`` (address space) per process; processes: ``RLIMIT_NPROC``
  (in the sandbox, where the student has a uid of its own);
- file size: ``RLIMIT_FSIZE``, so a flood of output cannot fill the disk;
- wall clock: the sandbox (or, without one, the process tree) is killed when the time is up;
- output: stdout and stderr are read through a cap; the rest is read and dropped.

The limits are set by a small program the command is started through (``prlimit``
in the sandbox, a two-line Python launcher without it), never by ``preexec_fn``:
the grader starts processes from several threads, where ``preexec_fn`` is unsafe
(it runs Python in a forked copy of a multi-threaded process).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .sandbox import WORKDIR, Sandbox

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per process (numpy + a kernel need ~1 GB)
FILE_SIZE_LIMIT = 64 * 1024**2  # bytes per file written
PROCESS_LIMIT = 256  # processes and threads per submission (a kernel and pytest use ~40 threads)
OUTPUT_CAP = 256 * 1024  # bytes of stdout/stderr kept per stream
REPORT_CAP = 4 * 1024**2  # bytes of the nbval outcome report read
# Without a sandbox: set the limits, then become the command (resource is not in -S's way).
LIMITS_LAUNCHER = (
    "import os, resource, sys; m, f = int(sys.argv[1]), int(sys.argv[2]); "
    "resource.setrlimit(resource.RLIMIT_AS, (m, m)); resource.setrlimit(resource.RLIMIT_FSIZE, (f, f)); "
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); os.execv(sys.argv[3], sys.argv[3:])"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's processes.

    The defaults written here are the grader's (``DEFAULT_LIMITS``); ``python -m course_lib grade``,
    ``grade_class`` and the Gradescope autograder read theirs from this table.
    """

    wall_seconds: float = 120.0  # per submission
    cell_seconds: float = 30.0  # per notebook cell, never more than wall_seconds
    memory_bytes: int = MEMORY_LIMIT
    output_bytes: int = OUTPUT_CAP
    processes: int = PROCESS_LIMIT

    def with_times(self, wall_seconds: float | None = None, cell_seconds: float | None = None) -> Limits:
        """These limits with other time limits (None keeps one); the cell limit is cut to the wall limit."""
        wall = self.wall_seconds if wall_seconds is None else float(wall_seconds)
        cell = self.cell_seconds if cell_seconds is None else float(cell_seconds)
        return replace(self, wall_seconds=wall, cell_seconds=min(cell, wall))


DEFAULT_LIMITS = Limits()
# The Gradescope autograder's defaults: a wall-clock limit of its own (Gradescope runs one
# submission per container), the grader's for everything else.
GRADESCOPE_LIMITS = DEFAULT_LIMITS.with_times(wall_seconds=240.0)


@dataclass(frozen=True)
class Confinement:
    """Where a submission's processes run: the sandbox (``None``: unsafe, the grader's rights) and its slot.

    Submissions graded at the same time get different slots, hence different uids.
    """

    sandbox: Sandbox | None
    slot: int = 0


@dataclass
class Finished:
    """How a limited process ended."""

    returncode: int | None  # None when it was killed at the wall-clock limit
    stdout: bytes
    stderr: bytes
    timed_out: bool
    seconds: float
    truncated: bool  # some output was dropped


def read_capped(stream, cap: int, into: list) -> None:
    """Read ``stream`` to its end, keeping at most ``cap`` bytes (``into`` gets [bytes, dropped_any])."""
    kept, dropped = bytearray(), False
    with stream:
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            room = cap - len(kept)
            if room > 0:
                kept += chunk[:room]
            dropped = dropped or len(chunk) > room
    into.extend([bytes(kept), dropped])


class PipeReader:
    """A pipe the child writes to and a thread that reads it with a cap, so the child never blocks on it."""

    def __init__(self, cap: int) -> None:
        read_end, self.write_end = os.pipe()
        self._received: list = []
        self._thread = threading.Thread(
            target=read_capped, args=(os.fdopen(read_end, "rb"), cap, self._received), daemon=True
        )
        self._thread.start()

    def close_write_end(self) -> None:
        os.close(self.write_end)

    def result(self, wait: float = 10.0) -> bytes:
        """What was read, once every writer is gone (or after ``wait`` seconds: what was read so far)."""
        self._thread.join(wait)
        return self._received[0] if self._received else b""


def child_environment(**extra: str) -> dict:
    """A small environment for grading processes: one BLAS thread, no user site, Agg plots."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    env.update(
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg",
        PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.update(extra)
    return env


def _memory_file(name: str, data: bytes) -> int:
    """An anonymous in-memory file holding ``data``, read from the start (bwrap copies it into the sandbox)."""
    fd = os.memfd_create(name, 0)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def run_limited(
    command: list[str],
    limits: Limits,
    confinement: Confinement,
    *,
    host_dir: Path,
    files: dict[str, bytes] | None = None,
    stdin: bytes = b"",
    env: dict | None = None,
    pass_fds: tuple[int, ...] = (),
    hidden: tuple[Path, ...] = (),
) -> Finished:
    """Run ``command`` in its sandbox with ``limits``; never raises for what the child does.

    ``files`` (name -> content) are put in the working folder: inside the sandbox its
    private tmpfs, without one ``host_dir``. ``hidden`` are paths the sandbox shows as empty.
    """
    files = files or {}
    env = env if env is not None else child_environment()
    memory_fds = []
    if confinement.sandbox is not None:
        memory_fds = [_memory_file(name, data) for name, data in files.items()]
        command = confinement.sandbox.command(
            command, slot=confinement.slot, files={f"{WORKDIR}/{n}": fd for n, fd in zip(files, memory_fds)},
            memory_bytes=limits.memory_bytes, file_bytes=FILE_SIZE_LIMIT, processes=limits.processes, hidden=hidden,
        )
        env = dict(env, HOME="/home/student", TMPDIR="/tmp")
        cwd: str | Path = "/"
    else:
        for name, data in files.items():
            (host_dir / name).write_bytes(data)
        command = [sys.executable, "-I", "-S", "-c", LIMITS_LAUNCHER, str(limits.memory_bytes), str(FILE_SIZE_LIMIT),
                   *command]
        cwd = host_dir
    start = time.perf_counter()
    try:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, pass_fds=(*pass_fds, *memory_fds),
        )
    finally:
        for fd in memory_fds:
            os.close(fd)
    out: list = []
    err: list = []
    readers = [
        threading.Thread(target=read_capped, args=(process.stdout, limits.output_bytes, out), daemon=True),
        threading.Thread(target=read_capped, args=(process.stderr, limits.output_bytes, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    feeder = threading.Thread(target=_feed, args=(process.stdin, stdin), daemon=True)
    feeder.start()
    timed_out = False
    try:
        process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    if confinement.sandbox is not None:
        # Killing bwrap kills the sandbox's init (--die-with-parent), and with it every process of its
        # PID namespace; they are all bwrap's descendants too, killed here first so none runs on while the
        # kernel tears the namespace down. A bwrap that ended by itself took the namespace with it already.
        if timed_out:
            kill_tree(process.pid, group=False)
            process.kill()
    else:
        kill_tree(process.pid)  # the kernel too: jupyter_client starts it in a session of its own
    process.wait()
    for reader in readers:
        reader.join(5)
    out = out or [b"", False]
    err = err or [b"", False]
    return Finished(
        None if timed_out else process.returncode, out[0], err[0], timed_out,
        time.perf_counter() - start, out[1] or err[1],
    )


def _feed(stream, data: bytes) -> None:
    """Write the child's stdin in a thread of its own: a child that never reads it cannot block the grader."""
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, OSError, ValueError):
        pass


def descendants(pid: int) -> list[int]:
    """The living descendants of ``pid`` (children, grandchildren, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])  # after "pid (comm) state"
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int, group: bool = True) -> None:
    """SIGKILL every descendant of ``pid``, whatever session it moved to, and (``group``) pid's process group."""
    for victim in descendants(pid):
        try:
            os.kill(victim, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if group:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# ---- nbval --------------------------------------------------------------------

OUTCOMES_PLUGIN = "course_lib.grading.outcomes"
NOTEBOOK_NAME = "submission.ipynb"
# pytest with only the plugins we name (no entry-point autoload), and without rfc3987_syntax, which
# jsonschema (under nbformat) imports only to check IRIs and which takes 0.75 s to build its grammar.
PYTEST_LAUNCHER = (
    "import sys; sys.modules['rfc3987_syntax'] = None; import pytest; sys.exit(pytest.main(sys.argv[1:]))"
)


@dataclass
class NbvalRun:
    """nbval's verdict per cell index ("Cell 5" -> 5): (outcome, message), and how the run ended."""

    cells: dict[int, tuple[str, str]]
    finished: Finished
    kernel_seconds: float = 0.0  # setup phases: nbval starts the kernel in the first cell's setup
    cells_seconds: float = 0.0  # call phases: running the cells


def run_nbval(notebook: dict, workdir: Path, limits: Limits, confinement: Confinement) -> NbvalRun:
    """Run ``pytest --nbval-lax`` on ``notebook`` in a sandboxed, limited process.

    Each cell's outcome comes from a small pytest plugin that writes one JSON line
    per cell (outcome and a short message) into a pipe that only the grader reads:
    no file, so nothing the student can replace with a FIFO or a link.
    """
    rootdir = WORKDIR if confinement.sandbox is not None else str(workdir)
    arguments = [
        "-p", "nbval.plugin", "-p", OUTCOMES_PLUGIN, "-p", "no:cacheprovider", "--nbval-lax",
        f"--nbval-cell-timeout={limits.cell_seconds:g}", "-q", "--no-header", "-o", "addopts=",
        "--rootdir", rootdir, "--color=no", NOTEBOOK_NAME,
    ]
    command = [sys.executable, "-c", PYTEST_LAUNCHER, *arguments]
    report = PipeReader(REPORT_CAP)
    env = child_environment(COURSE_GRADER_OUTCOMES_FD=str(report.write_end), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    try:
        finished = run_limited(
            command, limits, confinement, host_dir=workdir, files={NOTEBOOK_NAME: json.dumps(notebook).encode()},
            env=env, pass_fds=(report.write_end,),
        )
    finally:
        report.close_write_end()
    return read_outcomes(report.result(), finished)


def read_outcomes(data: bytes, finished: Finished) -> NbvalRun:
    """The per-cell outcomes written by the plugin (already capped; bad lines are skipped)."""
    run = NbvalRun({}, finished)
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            item = json.loads(line)
            index = int(item["nodeid"].rsplit("::Cell ", 1)[1])
            when, outcome, message = str(item["when"]), str(item["outcome"]), str(item["message"])
            duration = float(item["duration"])
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
            continue
        if when == "setup":
            run.kernel_seconds += duration
        elif when == "call":
            run.cells_seconds += duration
        if run.cells.get(index, ("passed", ""))[0] == "passed":  # the first failure of setup/call/teardown
            run.cells[index] = (outcome, message)
    return run
