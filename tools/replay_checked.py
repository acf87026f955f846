"""Re-run notebooks and compare every checked output (cells tagged ``nbval-check-output``) with the stored one.

    OPENBLAS_CORETYPE=Sandybridge OPENBLAS_NUM_THREADS=2 .venv/bin/python tools/replay_checked.py notebooks/03_*.ipynb
    .venv/bin/python tools/replay_checked.py --describe      # which BLAS kernel and numpy SIMD this process uses

A learner's machine has another CPU and another BLAS kernel, and the checked outputs must not depend on
them (CONTRIBUTING.md). ``tests/test_blas_reproducibility.py`` runs this script in subprocesses with other
OpenBLAS kernels and thread counts; this is what makes it cheap enough for every test run:

- the cells run top to bottom in one fresh namespace per notebook, in this process, not in a Jupyter
  kernel (every checked output is printed text, so nothing is lost; a cell that displays a value
  instead of printing it is reported, never silently passed);
- cells tagged ``figure``, ``explorer`` or ``timing`` are skipped: they draw or measure, nbval never
  compares them, and no checked cell may need them (if one does, it fails here with a NameError).

The comparison is exact, as nbval's. The exit status is 1 when any checked output differs or any
cell raises; every difference is printed as a diff.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import importlib
import io
import json
import os
import sys
from pathlib import Path

import nbformat

CHECKED = "nbval-check-output"
SKIPPED = ("figure", "explorer", "timing", "install")  # install: only acts in Colab and JupyterLite, in IPython syntax


def describe() -> dict:
    """The BLAS libraries numpy loaded (kernel, threads) and the numpy SIMD extensions in use."""
    import numpy as np
    from threadpoolctl import threadpool_info

    # No public API says which SIMD extensions numpy dispatches to (nor do numpy's type stubs).
    try:
        umath = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:  # numpy < 2
        umath = importlib.import_module("numpy.core._multiarray_umath")
    cpu_features = umath.__cpu_features__

    blas = [{"api": i.get("internal_api"), "kernel": i.get("architecture"), "threads": i.get("num_threads")}
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return {"numpy": np.__version__, "blas": blas,
            "avx512": bool(cpu_features.get("AVX512_SKX")), "avx2": bool(cpu_features.get("AVX2"))}


def _run_cell(source: str, namespace: dict) -> str:
    """Execute one cell's source; return what it printed. A trailing expression is evaluated, not shown."""
    tree = ast.parse(source)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the course's own notebooks
    return buffer.getvalue()


def _stored_text(cell) -> tuple[str, list[str]]:
    """A checked cell's stored stdout, and the kinds of any other output (which this replay cannot compare)."""
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    other = [o.output_type if o.output_type != "stream" else f"stream {o.name}" for o in cell.outputs
             if not (o.output_type == "stream" and o.name == "stdout")]
    return text, other


def replay(path: Path) -> list[str]:
    """Run ``path``'s cells and return one message per checked cell whose output differs (empty: all agree)."""
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    problems = []
    previous = Path.cwd()
    os.chdir(path.parent)  # as nbval runs it: relative paths in a notebook start at its folder
    try:
        for index, cell in enumerate(nb.cells):
            tags = cell.metadata.get("tags", [])
            if cell.cell_type != "code" or any(tag in SKIPPED for tag in tags):
                continue
            where = f"{path.name} cell {index}"
            try:
                printed = _run_cell(cell.source, namespace)
            except Exception as error:  # report and stop this notebook: later cells depend on this one
                problems.append(f"{where} raised {type(error).__name__}: {error}")
                break
            if CHECKED not in tags:
                continue
            stored, other = _stored_text(cell)
            if other:
                problems.append(f"{where}: a checked cell must only print to stdout; it stored {', '.join(other)}")
            if printed != stored:
                diff = difflib.unified_diff(stored.splitlines(), printed.splitlines(), "stored", "this run",
                                            lineterm="")
                problems.append(f"{where} differs:\n" + "\n".join(diff))
    finally:
        os.chdir(previous)
        if "matplotlib.pyplot" in sys.modules:  # free the figures of this notebook before the next one
            sys.modules["matplotlib.pyplot"].close("all")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="executed notebooks (.ipynb) to replay")
    parser.add_argument("--describe", action="store_true", help="print the BLAS kernel and SIMD in use, as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    if args.describe:
        print(json.dumps(describe()))
        return 0
    if not args.notebooks:
        parser.error("give the notebooks to replay (or --describe)")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # course_lib from this checkout
    failed = False
    for path in args.notebooks:
        problems = replay(path.resolve())
        print(f"{path}: " + ("all checked outputs agree" if not problems else f"{len(problems)} problem(s)"),
              flush=True)
        for message in problems:
            print("  " + message.replace("\n", "\n  "), flush=True)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
