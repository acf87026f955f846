"""Headless run time of every notebook in notebooks/ and solutions/ (fresh kernel each).

Targets: each chapter (notebooks/01_* ... 09_*) under 10 s, the ten course
notebooks in notebooks/ under 60 s together. Each notebook is timed as kernel
start + execution, with the slowest cells listed so that a slow notebook says
what dominates. Notebooks that do not exist yet are simply not timed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_TARGET_SECONDS = 10.0
COURSE_TARGET_SECONDS = 60.0
COURSE_NOTEBOOKS = 10


def _is_chapter(path: Path) -> bool:
    return path.parent.name == "notebooks"  # every course notebook, 00 and 08 included, has the 10 s target


def kernel_environment() -> dict[str, str]:
    """The environment each timed kernel gets: this one, with one OpenBLAS thread unless another number is set.

    ``make lab``, ``make notebooks`` and ``make bench`` export OPENBLAS_NUM_THREADS=1 (see the Makefile), so a
    chapter is timed the way the course runs it also when this module is started without make. Left to several
    threads, OpenBLAS made chapter 08 1.5x and chapter 03 1.7x slower at load 2 on 2 cores.
    """
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def time_notebook(path: Path, timeout: int = 300) -> dict[str, Any]:
    """Run one notebook in a fresh kernel (nothing is written back); return timings and any error."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    cell_seconds: list[tuple[float, int, str]] = []
    error = None
    start = time.perf_counter()
    with client.setup_kernel(env=kernel_environment()):
        kernel_ready = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell_start = time.perf_counter()
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as exc:
                error = f"cell {index}: {str(exc).strip().splitlines()[-1][:200]}"
                break
            first_line = (cell.source.strip().splitlines() or [""])[0][:60]
            cell_seconds.append((time.perf_counter() - cell_start, index, first_line))
        executed = time.perf_counter()
    end = time.perf_counter()
    slowest = sorted(cell_seconds, reverse=True)[:3]
    return {
        "notebook": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "seconds": end - start,
        "kernel_start_seconds": kernel_ready - start,
        "execution_seconds": executed - kernel_ready,
        "slowest_cells": [{"cell": i, "seconds": s, "first_line": line} for s, i, line in slowest],
        "error": error,
    }


def find_notebooks(quick: bool, root: Path = ROOT) -> list[Path]:
    course = sorted((root / "notebooks").glob("*.ipynb"))
    if quick:
        return course[:2]
    return course + sorted((root / "solutions").glob("*.ipynb"))


def run(quick: bool = False, paths: list[Path] | None = None) -> dict[str, Any]:
    """Time each notebook (quick: the first two of notebooks/); return timings and table rows."""
    paths = find_notebooks(quick) if paths is None else paths
    timings = [time_notebook(p) for p in paths]
    rows = []
    for t, path in zip(timings, paths):
        chapter = _is_chapter(path)
        slow = "; slowest cell {cell} ({seconds:.1f} s)".format(**t["slowest_cells"][0]) if t["slowest_cells"] else ""
        rows.append({
            "figure": f"run {t['notebook']}",
            "value": f"{t['seconds']:.1f} s (kernel {t['kernel_start_seconds']:.1f} s{slow})"
                     + (f" ERROR {t['error']}" if t["error"] else ""),
            "target": f"< {CHAPTER_TARGET_SECONDS:.0f} s" if chapter else "-",
            "met": (t["seconds"] < CHAPTER_TARGET_SECONDS and not t["error"]) if chapter else None,
        })
    course = [t for t, p in zip(timings, paths) if p.parent.name == "notebooks"]
    course_total = sum(t["seconds"] for t in course)
    if course:
        complete = len(course) >= COURSE_NOTEBOOKS and not quick
        rows.append({
            "figure": f"run all course notebooks ({len(course)} of {COURSE_NOTEBOOKS} found)",
            "value": f"{course_total:.1f} s",
            "target": f"< {COURSE_TARGET_SECONDS:.0f} s for all {COURSE_NOTEBOOKS}",
            "met": (course_total < COURSE_TARGET_SECONDS) if complete else None,
        })
    else:
        rows.append({"figure": "run all course notebooks", "value": "no notebook in notebooks/ yet",
                     "target": f"< {COURSE_TARGET_SECONDS:.0f} s", "met": None})
    return {"timings": timings, "course_total_seconds": course_total,
            "total_seconds": sum(t["seconds"] for t in timings), "rows": rows}
