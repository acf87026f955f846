"""Run a command in a separate, limited process, and nbval on a rebuilt notebook with it.

Limits, all applied in the child before it starts (``preexec_fn``), so they hold
for everything it starts too (nbval's kernel):

- memory: ``RLIMIT_AS`` (address space) per process;
- file size: ``RLIMIT_FSIZE``, so a flood of output cannot fill the disk;
- wall clock: the whole process group is killed when the time is up;
- output: stdout and stderr are read through a cap; the rest is read and dropped.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per process (numpy + a kernel need ~1 GB)
FILE_SIZE_LIMIT = 64 * 1024**2  # bytes per file written
OUTPUT_CAP = 256 * 1024  # bytes of stdout/stderr kept per stream
REPORT_CAP = 4 * 1024**2  # bytes of the nbval outcome report read


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's processes."""

    wall_seconds: float = 120.0
    cell_seconds: float = 30.0
    memory_bytes: int = MEMORY_LIMIT
    output_bytes: int = OUTPUT_CAP


@dataclass
class Finished:
    """How a limited process ended."""

    returncode: int | None  # None when it was killed at the wall-clock limit
    stdout: bytes
    stderr: bytes
    timed_out: bool
    seconds: float
    truncated: bool  # some output was dropped


def _limit_child(memory_bytes: int) -> None:
    """Runs in the child between fork and exec: limits that its children inherit."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def read_capped(stream, cap: int, into: list) -> None:
    """Read ``stream`` to its end, keeping at most ``cap`` bytes (``into`` gets [bytes, dropped_any])."""
    kept, dropped = bytearray(), False
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        room = cap - len(kept)
        if room > 0:
            kept += chunk[:room]
        dropped = dropped or len(chunk) > room
    into.extend([bytes(kept), dropped])


def child_environment(**extra: str) -> dict:
    """A small environment for grading processes: one BLAS thread, no user site, Agg plots."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    env.update(
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg",
        PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.update(extra)
    return env


def run_limited(
    command: list[str],
    cwd: Path,
    limits: Limits,
    stdin: bytes = b"",
    env: dict | None = None,
    pass_fds: tuple[int, ...] = (),
) -> Finished:
    """Run ``command`` in a new session with ``limits``; never raises for what the child does."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env if env is not None else child_environment(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: _limit_child(limits.memory_bytes), start_new_session=True, pass_fds=pass_fds,
    )
    out: list = []
    err: list = []
    readers = [
        threading.Thread(target=read_capped, args=(process.stdout, limits.output_bytes, out), daemon=True),
        threading.Thread(target=read_capped, args=(process.stderr, limits.output_bytes, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        process.stdin.write(stdin)
        process.stdin.close()
    except BrokenPipeError:
        pass
    timed_out = False
    try:
        process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
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


def run_nbval(notebook: dict, workdir: Path, limits: Limits) -> NbvalRun:
    """Write ``notebook`` into ``workdir`` and run ``pytest --nbval-lax`` on it in a limited process.

    Each cell's outcome comes from a small pytest plugin that writes one JSON line
    per cell (outcome and a short message) to a file only the grader reads.
    """
    path = workdir / "submission.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    report = workdir / "outcomes.jsonl"
    arguments = [
        "-p", "nbval.plugin", "-p", OUTCOMES_PLUGIN, "-p", "no:cacheprovider", "--nbval-lax",
        f"--nbval-cell-timeout={limits.cell_seconds:g}", "-q", "--no-header", "-o", "addopts=",
        "--rootdir", str(workdir), "--color=no", path.name,
    ]
    command = [sys.executable, "-c", PYTEST_LAUNCHER, *arguments]
    env = child_environment(COURSE_GRADER_OUTCOMES=str(report), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    finished = run_limited(command, workdir, limits, env=env)
    return read_outcomes(report, finished)


def read_outcomes(report: Path, finished: Finished) -> NbvalRun:
    """The per-cell outcomes written by the plugin (read with a size cap; bad lines are skipped)."""
    run = NbvalRun({}, finished)
    if not report.exists():
        return run
    with open(report, "rb") as stream:
        data = stream.read(REPORT_CAP)
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            item = json.loads(line)
            index = int(item["nodeid"].rsplit("::Cell ", 1)[1])
            when, outcome, message = str(item["when"]), str(item["outcome"]), str(item["message"])
            duration = float(item["duration"])
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        if when == "setup":
            run.kernel_seconds += duration
        elif when == "call":
            run.cells_seconds += duration
        if run.cells.get(index, ("passed", ""))[0] == "passed":  # the first failure of setup/call/teardown
            run.cells[index] = (outcome, message)
    return run
