"""``python -m course_lib grade SUBMISSIONS --out grades.csv [--jobs N] [--timeout SECONDS] [--unsafe-no-sandbox]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import at_scale
from .grade import default_exercises, grade_class
from .report import write_reports
from .run import DEFAULT_LIMITS
from .sandbox import UID_BLOCK, SandboxUnavailable


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib grade",
        description="Grade a class: SUBMISSIONS holds one folder per student with their exercise notebooks.",
    )
    parser.add_argument("submissions", type=Path, help="folder with one sub-folder per student")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the gradebook (default grades.csv); "
                        "feedback/<student>.md is written next to it")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_LIMITS.wall_seconds,
                        help=f"wall-clock seconds per submission (default {DEFAULT_LIMITS.wall_seconds:g})")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_LIMITS.cell_seconds,
                        help=f"seconds per notebook cell (default {DEFAULT_LIMITS.cell_seconds:g}, at most --timeout)")
    parser.add_argument("--exercises", type=Path, default=None,
                        help="the released exercise notebooks (default: exercises/ of the course checkout)")
    parser.add_argument("--seed", type=int, default=None, help="the judge's seed (default: a fresh random one)")
    at_scale.add_arguments(parser)  # --format, --roster, --lms-columns, --assignment, --progress-every
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run student code WITHOUT the bubblewrap sandbox, with your rights (never on real "
                             "submissions: any student can then change the gradebook and read the solutions)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Grade, write the reports, print a one-line summary; 0 on success, 2 on bad input."""
    args = _parser().parse_args(argv)
    problems = []
    if not args.submissions.is_dir():
        problems.append(f"SUBMISSIONS {str(args.submissions)!r} is not a folder")
    if not 1 <= args.jobs <= UID_BLOCK:
        problems.append(f"--jobs must be from 1 to {UID_BLOCK}, got {args.jobs}")
    if not args.timeout > 0:
        problems.append(f"--timeout must be > 0 seconds, got {args.timeout:g}")
    if not args.cell_timeout > 0:
        problems.append(f"--cell-timeout must be > 0 seconds, got {args.cell_timeout:g}")
    if args.exercises is None:
        try:
            args.exercises = default_exercises("--exercises FOLDER")
        except ValueError as exc:
            problems.append(str(exc))
    if args.exercises is not None and not args.exercises.is_dir():
        problems.append(f"--exercises {str(args.exercises)!r} is not a folder")
    if args.out.is_dir():
        problems.append(f"--out {str(args.out)!r} is a folder; give a file name such as grades.csv")
    batch = at_scale.prepare(args)  # the roster is checked against the folders before any grading
    problems += batch.problems
    feedback = args.out.parent / "feedback"
    if feedback.exists() and not feedback.is_dir() or feedback.is_symlink():
        problems.append(f"--out {str(args.out)!r}: {str(feedback)!r} is in the way of the feedback folder "
                        "(a file or a link); move it or choose another --out")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    limits = DEFAULT_LIMITS.with_times(args.timeout, args.cell_timeout)
    if args.unsafe_no_sandbox:
        print("WARNING: --unsafe-no-sandbox: student code runs with your rights, unconfined; any student can "
              "read the solutions, other submissions and change the gradebook", file=sys.stderr)
    try:
        result = grade_class(args.submissions, jobs=args.jobs, exercises_dir=args.exercises, seed=args.seed,
                             limits=limits, unsafe_no_sandbox=args.unsafe_no_sandbox, on_graded=batch.on_graded)
    except SandboxUnavailable as exc:
        print(f"error: no sandbox for student code: {exc}", file=sys.stderr)
        return 3
    feedback_dir = write_reports(result, args.out)
    written = batch.write(result, args.out)  # class-report.md and .png, canvas.csv or moodle.csv
    n = len(result.results)
    rate = 60 * n / result.seconds if result.seconds else 0.0
    print(f"graded {n} submissions in {result.seconds:.1f} s ({rate:.0f} per minute) with seed {result.seed}: "
          f"{args.out} and {feedback_dir}/" + "".join(f", {path}" for path in written) + f"; {result.sandbox}")
    warning = at_scale.unsubmitted_warning(batch)
    if warning:
        print(warning, file=sys.stderr)
    return 0
