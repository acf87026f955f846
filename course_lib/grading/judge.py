"""The judge: student code runs in a sandboxed child process, the comparison in the grader.

The grader draws the cases (``spec.cases(seed)``, with a seed chosen at grading
time) and sends the child (``python -I -m course_lib.grading.judge_child FD``), on
its stdin, only what running the answers needs: each notebook's setup and answer
cells (never the checks), and per exercise the cases and what the collector must
know (the symbol, the argument names). The child's sandbox shows the module that
holds the references as an empty file, so the references never reach it. The
child sends back plain JSON (never pickle) through the pipe FD, a channel of its
own (what the student prints goes to stdout, which the grader drops).

The grader (``run_judge``) reads that JSON with a size cap and calls
``spec.judge(outputs, seed)``, which works on decoded data only. The grader
never runs student code.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import course_lib

from ..exercises import SPEC_LIST, ExerciseSpec, Verdict, specs_for
from .assemble import ReleasedNotebook, cell_source, cell_tags
from .run import Confinement, Finished, Limits, PipeReader, child_environment, run_limited

JSON_CAP = 8 * 1024**2  # bytes of judge output read
# spec.judge runs the reference and the known mistakes through spec.collect, which silences
# them with contextlib.redirect_stdout: that swaps the process-wide sys.stdout, and two
# threads doing it at once leave it pointing at a stream that drops everything (the grader's
# summary line vanished with --jobs 2). One judge comparison at a time keeps it balanced.
_JUDGE_LOCK = threading.Lock()


@dataclass
class JudgeRun:
    """The judge's verdict per exercise id, and how the child ended."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    problem: str | None = None  # a note when the child did not deliver (timeout, crash, bad JSON)
    problems: list[str] = field(default_factory=list)  # notebooks whose answers crashed their fork
    finished: Finished | None = None


def collector_fields(spec: ExerciseSpec) -> dict:
    """The spec's plain fields (names, symbol, argument names), without its functions (the references)."""
    plain = {}
    for item in dataclasses.fields(spec):
        value = getattr(spec, item.name)
        if isinstance(value, (str, int, float, type(None))) or (
            isinstance(value, tuple) and all(isinstance(v, str) for v in value)
        ):
            plain[item.name] = list(value) if isinstance(value, tuple) else value
    return plain


def judge_request(notebooks: list[tuple[ReleasedNotebook, dict]], seed: int, cell_seconds: float) -> dict:
    """What the child needs: per notebook, its setup and answer cells in order, and each exercise's cases."""
    described: list[dict] = []
    request = {"seed": seed, "cell_seconds": cell_seconds, "notebooks": described}
    for released, nb in notebooks:
        cells = []
        for cell in nb["cells"]:
            if cell.get("cell_type") != "code" or "check" in cell_tags(cell):
                continue
            exercise = released.answer_exercise.get(cell.get("id"))
            cells.append({"exercise": exercise, "source": cell_source(cell) or ""})
        exercises = [
            {"kind": type(spec).__name__, "fields": collector_fields(spec), "cases": spec.cases(seed)}
            for spec in specs_for(released.id)
        ]
        described.append({"notebook": released.id, "cells": cells, "exercises": exercises})
    return request


def _imported_by_package() -> set[str]:
    """The course_lib modules that ``import course_lib`` loads (the judge child needs them)."""
    init = Path(course_lib.__file__)
    names = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            names.add(f"course_lib.{node.module}")
    return names


@functools.lru_cache(maxsize=1)
def reference_files() -> tuple[Path, ...]:
    """The files that define the references and known mistakes: shown empty in the judge's sandbox.

    Found from the specs themselves (the module of every function they hold), so they stay hidden
    wherever the specs move; modules that ``import course_lib`` loads are left (their public
    rules are the course's own implementations, which a student may call anyway).
    """
    modules = {type(spec).__module__ for spec in SPEC_LIST}
    for spec in SPEC_LIST:
        for item in dataclasses.fields(spec):
            value = getattr(spec, item.name)
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                function = getattr(v, "function", v)  # a Mistake holds its variant in .function
                if callable(function) and getattr(function, "__module__", None):
                    modules.add(function.__module__)
    modules.add(specs_for.__module__)  # the module that holds SPECS
    needed = _imported_by_package() | {"course_lib.exercises.judging", "course_lib.exercises.sandbox"}
    files = []
    for name in sorted(modules - needed):
        file = getattr(sys.modules.get(name), "__file__", None)
        if not file or not name.startswith("course_lib"):
            continue
        source = Path(file)
        files.append(source)
        files += sorted(source.parent.glob(f"__pycache__/{source.stem}.*.pyc"))
    return tuple(files)


def run_judge(
    notebooks: list[tuple[ReleasedNotebook, dict]], seed: int, workdir: Path, limits: Limits,
    confinement: Confinement,
) -> JudgeRun:
    """Run the answers in a sandboxed child process and judge its JSON in this process."""
    request = judge_request(notebooks, seed, limits.cell_seconds)
    expected = [spec for released, _ in notebooks for spec in specs_for(released.id)]
    channel = PipeReader(JSON_CAP + 1)
    try:
        finished = run_limited(
            [sys.executable, "-I", "-m", "course_lib.grading.judge_child", str(channel.write_end)],
            limits, confinement, host_dir=workdir, stdin=json.dumps(request).encode(),
            env=child_environment(), pass_fds=(channel.write_end,), hidden=reference_files(),
        )
    finally:
        channel.close_write_end()
    data = channel.result()
    run = JudgeRun(finished=finished)
    outputs, problem = _parse(data, finished, limits)
    run.problem = problem
    if outputs is not None:
        problems = outputs.get("problems")
        run.problems = [str(p)[:300] for p in problems] if isinstance(problems, list) else []
        outputs = outputs.get("outputs") if isinstance(outputs.get("outputs"), dict) else {}
    run.verdicts = verdicts(expected, outputs, seed, problem)
    return run


def verdicts(expected: list[ExerciseSpec], outputs: dict | None, seed: int, problem: str | None) -> dict:
    """spec.judge on each exercise's outputs (None: the child delivered nothing, for ``problem``); thread-safe."""
    found = {}
    with _JUDGE_LOCK:
        for spec in expected:
            if outputs is None:
                found[spec.id] = Verdict(False, f"Exercise {spec.id} failed: not judged ({problem})")
            else:
                # Known-mistake variants overflow or take square roots of negatives on purpose: no warnings.
                with np.errstate(all="ignore"):
                    found[spec.id] = spec.judge(outputs.get(spec.id), seed)
    return found


def _parse(data: bytes, finished: Finished, limits: Limits) -> tuple[dict | None, str | None]:
    """The child's JSON as a dict by exercise id, or None and why not."""
    if finished.timed_out:
        return None, f"timeout: the answers ran longer than {limits.wall_seconds:g} s"
    if len(data) > JSON_CAP:
        return None, f"the answers' outputs are over {JSON_CAP // 1024**2} MB"
    if not data:
        code = finished.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return None, f"crash: the process running the answers ended without a result ({how})"
    try:
        outputs = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, f"malformed JSON from the process running the answers ({type(exc).__name__})"
    if not isinstance(outputs, dict):
        return None, "malformed JSON from the process running the answers (not an object)"
    return outputs, None
