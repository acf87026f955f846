"""Grade a class: nbval's verdict and the judge's, put together, per student.

A check earns its points only when nbval passes its check cell AND the judge
passes the exercise on inputs chosen at grading time; when they disagree the
notes say so. Submissions are graded ``jobs`` at a time; each one runs two
limited processes side by side (nbval with its kernel, and the judge), each in
an OS sandbox of its own (``sandbox.py``), and whatever they do, the result is a
row with a note. Without a sandbox the grader refuses to run, unless told
``unsafe_no_sandbox=True`` (then every row's notes carry the warning).
"""

from __future__ import annotations

import queue
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ..exercises import Verdict, specs_for
from .assemble import CheckCell, ReleasedNotebook, combine, find_submission, load_release, rebuild
from .attempts import skipped_exercises
from .judge import run_judge
from .run import DEFAULT_LIMITS, Confinement, Limits, NbvalRun, run_nbval
from .sandbox import UID_BLOCK, Sandbox, find_sandbox

# The course checkout this package runs from (an editable install); an installed copy has none.
CHECKOUT = Path(__file__).resolve().parents[2]
UNSAFE_WARNING = (
    "UNSAFE: graded without a sandbox (--unsafe-no-sandbox): this student's code ran with the grader's rights "
    "and could read or change other submissions, the solutions and the gradebook"
)


def default_exercises(option: str = "exercises_dir") -> Path:
    """exercises/ of the course checkout this package runs from; an installed copy must be told where.

    ``option`` is what the error tells the caller to pass (the CLIs say ``--exercises FOLDER``).
    """
    folder = CHECKOUT / "exercises"
    if not folder.is_dir():
        raise ValueError(
            f"the released exercise notebooks are in a checkout of the course (its exercises/ folder), and this "
            f"course_lib ({Path(__file__).resolve().parents[1]}) is an installed copy without one: pass {option}"
        )
    return folder


@dataclass
class SubmissionResult:
    """One student's grade: points and feedback per exercise, notes, and where the time went (seconds)."""

    student: str
    points: dict[str, int] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # For the class report: the known mistake the judge named, per failed exercise, and the skipped exercises.
    mistakes: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.points.values())


@dataclass
class ClassResult:
    """A class's grades, the exercises (id -> points) and the seed the judge used."""

    exercises: dict[str, int]
    results: list[SubmissionResult]
    seed: int
    seconds: float
    sandbox: str = ""  # how student code was confined, in words (for the summary line and reports)

    @property
    def max_total(self) -> int:
        return sum(self.exercises.values())


def exercise_points(release: dict[str, ReleasedNotebook]) -> dict[str, int]:
    """Exercise id -> points, in notebook order, from the release's check cells."""
    return {check.exercise: check.points for released in release.values() for check in released.checks}


def _first_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):  # nbval ends with the exception line; prefer the checker's own line
        if line.startswith("Exercise ") or "Error" in line or "Exception" in line:
            return line[:limit]
    return (lines[-1] if lines else "no message")[:limit]


BROKEN_KERNEL = ("kernel dead", "kernel died", "timeout", "timed out", "pytest plugin exception")


def _broken_notebook(run: NbvalRun, owners: list[str]) -> str | None:
    """The first notebook in which the kernel died or a cell timed out (nbval gives up after that)."""
    for index, owner in enumerate(owners):
        outcome, message = run.cells.get(index, ("not run", ""))
        if outcome in ("not run", "xfailed", "xpassed") or any(word in message.lower() for word in BROKEN_KERNEL):
            return owner
    return None


def _nbval_notes(run: NbvalRun, limits: Limits) -> list[str]:
    notes = []
    finished = run.finished
    messages = " ".join(message for _, message in run.cells.values()).lower()
    if finished.timed_out:
        notes.append(f"timeout: nbval stopped after the {limits.wall_seconds:g} s limit for a submission")
    kernel_dead = "kernel dead" in messages or "kernel died" in messages
    timed_out = "timeout of" in messages or "timed out" in messages
    if timed_out and not (kernel_dead and "failed to interrupt" in messages):  # a dead kernel looks like a hang
        notes.append(f"timeout: a cell ran longer than {limits.cell_seconds:g} s")
    if kernel_dead:
        notes.append("crash: the kernel died (os._exit, a crash or the memory limit)")
    if "memoryerror" in messages:
        notes.append(f"memory limit: a cell asked for more than {limits.memory_bytes / 1024**3:g} GB")
    if "output flood" in messages:
        notes.append("output flood: a cell printed more than the grader allows")
    if any(message.strip() == "pytest plugin exception:" for _, message in run.cells.values()):
        notes.append("crash: nbval failed while running a cell (out of memory? an output flood?)")
    if finished.truncated:
        notes.append("output flood: nbval's output was cut at the cap")
    if not run.cells and not finished.timed_out:
        tail = finished.stderr.decode("utf-8", "replace")[-200:] or finished.stdout.decode("utf-8", "replace")[-200:]
        notes.append(f"crash: nbval reported no cells (exit code {finished.returncode}): {' '.join(tail.split())}")
    return notes


def run_notebooks(
    rebuilt: list[tuple[ReleasedNotebook, dict]], workdir: Path, limits: Limits, confinement: Confinement
) -> tuple[dict[str, tuple[str, str]], list[str], dict[str, float]]:
    """nbval on a submission's notebooks: one kernel for all of them, a fresh one after a crash.

    All notebooks run as one combined notebook (one kernel start per submission).
    If the kernel dies or a cell times out, nbval fails every later cell, so the
    notebooks after the broken one run again in a fresh kernel, within the
    submission's wall-clock limit. Returns (outcome, message) per exercise id,
    notes, and timings.
    """
    deadline = time.perf_counter() + limits.wall_seconds
    outcomes: dict[str, tuple[str, str]] = {}
    notes: list[str] = []
    timings = {"nbval": 0.0, "kernel_start": 0.0, "cells": 0.0}
    remaining = list(rebuilt)
    attempt = 0
    while remaining:
        attempt += 1
        combined, checks, owners = combine(remaining)
        run_dir = workdir / f"nbval-{attempt}"
        run_dir.mkdir()
        wall = max(1.0, deadline - time.perf_counter())
        run = run_nbval(combined, run_dir, replace(limits, wall_seconds=wall), confinement)
        timings["nbval"] += run.finished.seconds
        timings["kernel_start"] += run.kernel_seconds
        timings["cells"] += run.cells_seconds
        notes += [note for note in _nbval_notes(run, limits) if note not in notes]
        for index, check in checks.items():
            outcomes[check.exercise] = run.cells.get(index, ("not run", "the check cell was not run"))
        broken = _broken_notebook(run, owners)
        if broken is None or run.finished.timed_out:
            break
        ids = [released.id for released, _ in remaining]
        remaining = remaining[ids.index(broken) + 1 :]
        if remaining:
            notes.append(f"{broken} broke the kernel; the notebooks after it ran in a fresh kernel")
    return outcomes, notes, timings


def grade_submission(
    folder: Path, release: dict[str, ReleasedNotebook], seed: int, limits: Limits,
    sandbox: Sandbox | None | Literal["find"] = "find", slot: int = 0,
) -> SubmissionResult:
    """Grade one student's folder (read only); never raises for anything in the folder.

    ``sandbox``: "find" (the default) uses this machine's sandbox and raises SandboxUnavailable
    if there is none; None runs the student's code unconfined (a warning goes into the notes).
    ``slot`` tells apart submissions graded at the same time (each slot has its own uid).
    """
    if isinstance(sandbox, str):
        if sandbox != "find":
            raise ValueError(f"sandbox must be a Sandbox, None or 'find', got {sandbox!r}")
        sandbox = find_sandbox()
    confinement = Confinement(sandbox, slot)
    start = time.perf_counter()
    submission = find_submission(folder, release)
    result = SubmissionResult(submission.student, notes=list(submission.notes))
    if sandbox is None:
        result.notes.insert(0, UNSAFE_WARNING)
    points = exercise_points(release)
    result.points = dict.fromkeys(points, 0)
    result.feedback = {exercise: "not graded: notebook missing or unreadable" for exercise in points}
    result.skipped = skipped_exercises(submission, release)
    rebuilt = [
        (release[notebook_id], rebuild(release[notebook_id], student_nb.answers))
        for notebook_id, student_nb in submission.notebooks.items()
    ]
    result.timings["assemble"] = time.perf_counter() - start
    if not rebuilt:
        result.timings["total"] = time.perf_counter() - start
        return result
    workdir = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        (workdir / "judge").mkdir()
        with ThreadPoolExecutor(2) as pool:  # the kernel and the judge run side by side
            nbval_future = pool.submit(run_notebooks, rebuilt, workdir, limits, confinement)
            judge_future = pool.submit(run_judge, rebuilt, seed, workdir / "judge", limits, confinement)
            (outcomes, nbval_notes, nbval_timings), judged = nbval_future.result(), judge_future.result()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result.timings.update(nbval_timings, judge=judged.finished.seconds if judged.finished else 0.0)
    result.notes += nbval_notes
    if judged.problem:
        result.notes.append(f"judge: {judged.problem}")
    result.notes += [f"judge: {problem}" for problem in judged.problems]
    for released, _ in rebuilt:
        for check in released.checks:
            _award(result, check, outcomes.get(check.exercise, ("not run", "")), judged.verdicts.get(check.exercise))
    claimed = set().union(*(student_nb.claimed for student_nb in submission.notebooks.values()))
    for exercise in sorted(claimed):
        if result.points.get(exercise, 0) == 0:
            result.notes.append(f"the notebook's stored output says exercise {exercise} passed; it did not when graded")
    for notebook_id in release:
        if notebook_id not in submission.notebooks:
            for spec in specs_for(notebook_id):
                result.feedback[spec.id] = f"Exercise {spec.id}: not graded, notebook {notebook_id} is missing"
    result.timings["total"] = time.perf_counter() - start
    return result


def _award(result: SubmissionResult, check: CheckCell, nbval: tuple[str, str], verdict: Verdict | None) -> None:
    """Points only when nbval and the judge both pass; a note when they disagree."""
    outcome, message = nbval
    nbval_ok = outcome == "passed"
    judge_ok = verdict is not None and verdict.passed
    if nbval_ok and verdict is not None and judge_ok:  # (verdict is not None, said again for the type checker)
        result.points[check.exercise] = check.points
        result.feedback[check.exercise] = verdict.message
        return
    if nbval_ok != judge_ok:
        # nbval marks the cells after a time-out or a dead kernel as xfailed/xpassed: they did not run.
        shown = "not run after the kernel broke" if outcome in ("xfailed", "xpassed") else outcome
        failed_by = "the judge" if nbval_ok else f"nbval ({shown})"
        result.notes.append(f"disagreement on {check.exercise}: only {failed_by} failed it")
    if verdict is not None and not judge_ok and verdict.mistake:
        result.mistakes[check.exercise] = verdict.mistake
    if verdict is None:
        result.feedback[check.exercise] = f"Exercise {check.exercise} failed: not judged"
    elif not judge_ok:
        result.feedback[check.exercise] = verdict.message
    else:
        result.feedback[check.exercise] = (
            f"Exercise {check.exercise} failed in the notebook run ({outcome}): {_first_line(message)}"
        )


def grade_class(
    submissions: Path,
    jobs: int = 1,
    timeout: float = DEFAULT_LIMITS.wall_seconds,
    exercises_dir: Path | None = None,
    seed: int | None = None,
    limits: Limits | None = None,
    on_graded: Callable[[SubmissionResult], None] | None = None,
    unsafe_no_sandbox: bool = False,
) -> ClassResult:
    """Grade every student folder of ``submissions``, ``jobs`` at a time.

    Parameters
    ----------
    submissions : folder with one sub-folder per student.
    jobs : submissions graded at once (each uses two processes while it runs).
    timeout : wall-clock limit per submission, in seconds (the per-cell limit is at most this; the
        defaults are ``run.DEFAULT_LIMITS``).
    exercises_dir : the pristine released exercise notebooks (default: exercises/ of the course checkout;
        an installed course_lib needs it).
    seed : the judge's seed; by default a fresh random one, so printed expected values gain nothing.
    limits : all limits at once (overrides ``timeout``).
    on_graded : called with each SubmissionResult as soon as it is graded (from a worker thread), e.g.
        ``progress.Progress.update``.
    unsafe_no_sandbox : run student code without the OS sandbox (never on real submissions).

    Raises
    ------
    ValueError for bad arguments; SandboxUnavailable (before grading anything) when this
    machine has no sandbox and ``unsafe_no_sandbox`` is not set.

    Returns
    -------
    ClassResult with one SubmissionResult per student, sorted by name; each has
    ``timings`` (assemble, nbval, kernel_start, cells, judge, total, in seconds).
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise ValueError(f"submissions {str(submissions)!r} is not a folder")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    if not timeout > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    limits = limits or DEFAULT_LIMITS.with_times(wall_seconds=timeout)
    if jobs > UID_BLOCK:
        raise ValueError(f"jobs must be at most {UID_BLOCK} (one sandbox uid per job), got {jobs}")
    sandbox = None if unsafe_no_sandbox else find_sandbox()
    seed = secrets.randbelow(2**31) if seed is None else seed
    release = load_release(default_exercises() if exercises_dir is None else exercises_dir)
    folders = student_folders(submissions)
    slots: queue.Queue = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(
            lambda folder: _graded(_grade_safely(folder, release, seed, limits, sandbox, slots), on_graded), folders
        ))
    return ClassResult(exercise_points(release), results, seed, time.perf_counter() - start, describe(sandbox))


def student_folders(submissions: Path) -> list[Path]:
    """The student folders of ``submissions`` that ``grade_class`` grades, sorted (hidden folders are skipped)."""
    return sorted(p for p in Path(submissions).iterdir() if p.is_dir() and not p.name.startswith("."))


def _graded(result: SubmissionResult, on_graded: Callable[[SubmissionResult], None] | None) -> SubmissionResult:
    if on_graded is not None:
        on_graded(result)
    return result


def describe(sandbox: Sandbox | None) -> str:
    """How student code is confined, in a few words."""
    if sandbox is None:
        return "NO SANDBOX (--unsafe-no-sandbox): student code ran with the grader's rights"
    who = f"uid {sandbox.first_uid}+slot" if sandbox.as_root else "uid nobody in a user namespace"
    return f"bubblewrap sandbox ({who}; no network; limits by rlimits, no delegated cgroup v2)"


def _grade_safely(
    folder: Path, release: dict[str, ReleasedNotebook], seed: int, limits: Limits, sandbox: Sandbox | None,
    slots: queue.Queue,
) -> SubmissionResult:
    """grade_submission on a free slot, with a grader bug turned into a note so the class is still graded."""
    slot = slots.get()
    try:
        return grade_submission(folder, release, seed, limits, sandbox=sandbox, slot=slot)
    except Exception as exc:  # noqa: BLE001 - one bad folder must not stop the class
        result = SubmissionResult(folder.name, points=dict.fromkeys(exercise_points(release), 0))
        result.notes.append(f"grader error: {type(exc).__name__}: {str(exc)[:200]}")
        return result
    finally:
        slots.put(slot)
