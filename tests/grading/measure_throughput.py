"""Grading throughput: submissions per minute with --jobs 1 and --jobs 2, and where the time goes.

    .venv/bin/python tests/grading/measure_throughput.py [--students 20] [--jobs 1 2]

The class is the corpus's full solutions and known-mistake submissions (all seven
notebooks each), repeated up to --students. Not a test: timings depend on the machine
and its load (printed alongside).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_class  # noqa: E402

from course_lib.grading import grade_class  # noqa: E402

PARTS = ("total", "nbval", "kernel_start", "cells", "judge")


def make_class(root: Path, students: int) -> Path:
    corpus = root / "corpus"
    build_class(corpus)
    sources = sorted(p for p in corpus.iterdir() if p.name == "full" or p.name.startswith("mistake_"))
    klass = root / "class"
    klass.mkdir()
    for k in range(students):
        shutil.copytree(sources[k % len(sources)], klass / f"student_{k:03d}")
    return klass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        klass = make_class(Path(temp), args.students)
        for jobs in args.jobs:
            load = os.getloadavg()[0]
            result = grade_class(klass, jobs=jobs, seed=1)
            n = len(result.results)
            rate = 60 * n / result.seconds
            print(f"--jobs {jobs}: {n} submissions in {result.seconds:.1f} s = {rate:.0f} per minute "
                  f"({result.seconds / n:.2f} s each; load average before: {load:.1f})")
            for part in PARTS:
                values = [r.timings.get(part, 0.0) for r in result.results]
                print(f"    {part:13s} median {statistics.median(values):5.2f} s per submission")


if __name__ == "__main__":
    main()
