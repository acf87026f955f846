"""Grading throughput: a generated class of students, graded with --jobs 1 and --jobs 2.

The class: each student hands in a copy of every notebook of solutions/ that
has a released exercise notebook in exercises/. Most answer correctly; every
fifth student's answers are made wrong (each answer function's result and each
numeric answer scaled by 1.01), and every seventh hands in the unanswered release. The grader
(``course_lib.grading.grade_class``) then grades the class; we report
submissions per minute, wall seconds per submission, and the mean time each
submission spent assembling, starting the kernel, running cells (nbval) and
in the judge. The floor is one nbclient run of the same notebooks joined into
one (one fresh kernel, as the grader uses), with no grading at all.

Each --jobs figure is measured in the OS sandbox (bubblewrap, as ``grade``
runs by default), and the most jobs also without it (``unsafe_no_sandbox``), so
the sandbox's cost is the ratio of the two. Target: < 1.2 s of wall time per
submission with --jobs 2 in the sandbox (the class took 0.88 s without one).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS_PER_SUBMISSION = 1.2  # sandboxed, --jobs 2

_WRONG_FUNCTION = """

_right_{name} = {name}


def {name}(*args, **kwargs):  # benchmark: a wrong answer, off by 1 %
    result = _right_{name}(*args, **kwargs)
    return tuple(1.01 * r for r in result) if isinstance(result, tuple) else 1.01 * result
"""


def _make_wrong(source: str) -> str:
    """The same answer, but every function's result and every numeric answer off by 1 %."""
    extra = [_WRONG_FUNCTION.format(name=name) for name in re.findall(r"^def (\w+)\(", source, re.M)]
    extra += [f"\n{name} = {name} * 1.01 if isinstance({name}, (int, float)) else {name}\n"
              for name in sorted(set(re.findall(r"^(answer_\w+)\s*=", source, re.M)))]
    return source + "".join(extra)


def _answer_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "solution" in c["metadata"].get("tags", [])]


def make_class(folder: Path, students: int, solutions_dir: Path, exercises_dir: Path) -> dict[str, str]:
    """Write ``students`` student folders into ``folder``; return student -> kind (right, wrong, unanswered)."""
    notebooks = [p for p in sorted(solutions_dir.glob("*.ipynb")) if (exercises_dir / p.name).exists()]
    if not notebooks:
        raise FileNotFoundError(f"no notebook of {solutions_dir} has a released copy in {exercises_dir}")
    kinds = {}
    for i in range(students):
        student = f"student_{i:02d}"
        kind = "wrong" if i % 5 == 1 else "unanswered" if i % 7 == 3 else "right"
        kinds[student] = kind
        (folder / student).mkdir(parents=True)
        for path in notebooks:
            source_path = exercises_dir / path.name if kind == "unanswered" else path
            nb = json.loads(source_path.read_text(encoding="utf-8"))
            if kind == "wrong":
                for cell in _answer_cells(nb):
                    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    cell["source"] = _make_wrong(text)
            (folder / student / path.name).write_text(json.dumps(nb), encoding="utf-8")
    return kinds


def _floor(notebooks: list[Path], workdir: Path) -> dict[str, float]:
    """One plain nbclient run of a student's notebooks, joined into one notebook (one kernel, as the
    grader does): kernel start plus execution, with no assembling, no limits and no judge."""
    from .notebooks import time_notebook

    joined = json.loads(notebooks[0].read_text(encoding="utf-8"))
    for path in notebooks[1:]:
        joined["cells"] += json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(joined["cells"]):
        cell["id"] = f"cell-{i}"  # ids must stay unique in the joined notebook
    path = workdir / "floor.ipynb"
    path.write_text(json.dumps(joined), encoding="utf-8")
    run = time_notebook(path)
    return {"seconds": run["seconds"], "kernel_start_seconds": run["kernel_start_seconds"],
            "notebooks": len(notebooks), "error": run["error"]}


def _grade(folder: Path, jobs: int, exercises_dir: Path, kinds: dict[str, str], sandboxed: bool) -> dict[str, Any]:
    from course_lib.grading import grade_class

    start = time.perf_counter()
    with warnings.catch_warnings():
        # The judge evaluates wrong answers on purpose; their overflow warnings would bury the table.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = grade_class(folder, jobs=jobs, exercises_dir=exercises_dir, seed=0, unsafe_no_sandbox=not sandboxed)
    wall = time.perf_counter() - start
    n = len(result.results)
    phases = sorted({k for r in result.results for k in r.timings})
    mean = {k: float(np.mean([r.timings.get(k, 0.0) for r in result.results])) for k in phases}
    points = {kind: float(np.mean([r.total for r in result.results if kinds.get(r.student) == kind]))
              for kind in sorted(set(kinds.values()))}
    return {"jobs": jobs, "sandboxed": sandboxed, "submissions": n, "wall_seconds": wall,
            "seconds_per_submission": wall / n,
            "submissions_per_minute": 60 * n / wall, "mean_phase_seconds": mean,
            "mean_points_by_kind": points, "max_points": result.max_total,
            "notes": sorted({note.split(":")[0] for r in result.results for note in r.notes if "UNSAFE" not in note})}


def run(quick: bool = False, students: int | None = None, jobs: tuple[int, ...] = (1, 2),
        solutions_dir: Path = ROOT / "solutions", exercises_dir: Path = ROOT / "exercises") -> dict[str, Any]:
    """Generate a class, grade it with each ``jobs`` in the sandbox, and with the most jobs without it too."""
    students = students or (4 if quick else 20)
    workdir = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        kinds = make_class(workdir / "class", students, solutions_dir, exercises_dir)
        notebooks = sorted((workdir / "class" / "student_00").glob("*.ipynb"))
        floor = _floor(notebooks, workdir)
        runs = [_grade(workdir / "class", j, exercises_dir, kinds, sandboxed=True) for j in jobs]
        runs.append(_grade(workdir / "class", max(jobs), exercises_dir, kinds, sandboxed=False))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows = []
    unconfined = runs[-1]["seconds_per_submission"]
    for r in runs:
        target_run = r["jobs"] == 2 and r["sandboxed"]
        phases = r["mean_phase_seconds"]
        breakdown = ", ".join(f"{k} {phases[k]:.2f} s" for k in ("assemble", "kernel_start", "cells", "nbval", "judge")
                              if k in phases)
        rows.append({
            "figure": f"grading {r['submissions']} submissions ({floor['notebooks']} notebooks each), "
                      f"--jobs {r['jobs']}, " + ("sandboxed" if r["sandboxed"] else "no sandbox"),
            "value": f"{r['seconds_per_submission']:.2f} s/submission, {r['submissions_per_minute']:.0f}/min, "
                     f"{r['seconds_per_submission'] / unconfined:.2f} x the unsandboxed time "
                     f"(mean per submission: {breakdown}; floor: one nbclient run {floor['seconds']:.2f} s)",
            "target": f"< {TARGET_SECONDS_PER_SUBMISSION:g} s/submission, sandboxed, --jobs 2" if target_run else "-",
            "met": r["seconds_per_submission"] < TARGET_SECONDS_PER_SUBMISSION if target_run else None,
        })
    return {"students": students, "kinds": kinds, "floor": floor, "runs": runs, "rows": rows}
