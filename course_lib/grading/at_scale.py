"""The ``grade`` command's options for large classes: LMS gradebooks, the progress bar, the class report.

``cli.py`` calls three things, so that these options stay apart from the grading ones:
``add_arguments(parser)``, ``prepare(args)`` before grading (checks the roster
against the submission folders, so a bad roster fails in a second, not after
grading the class) and ``Batch.write(result, out)`` after it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .class_report import write_class_report
from .grade import ClassResult, student_folders
from .gradebook import COLUMNS, FORMATS, RosterError, Student, check_roster, export, read_roster
from .progress import Progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="plain",
                        help="also write an LMS gradebook next to --out: canvas.csv or moodle.csv (needs --roster); "
                             "the plain grades.csv is always written")
    parser.add_argument("--roster", type=Path, default=None,
                        help="CSV mapping submission folders to LMS ids: columns folder,id and optionally name, "
                             "email, sis_user_id, sis_login_id, section")
    parser.add_argument("--lms-columns", choices=COLUMNS, default="total",
                        help="LMS gradebook columns: one for the total (default) or one per chapter")
    parser.add_argument("--assignment", default="Exercises",
                        help="the LMS assignment (column) name (default Exercises); in Canvas, 'Name (123)' "
                             "updates the existing assignment 123")
    parser.add_argument("--progress-every", type=int, default=10,
                        help="without a terminal, print a progress line every N submissions (default 10)")


@dataclass
class Batch:
    """What ``prepare`` found: the roster (if any), the progress display, and problems with the options."""

    problems: list[str] = field(default_factory=list)
    students: list[Student] | None = None
    unsubmitted: list[Student] = field(default_factory=list)
    progress: Progress | None = None
    fmt: str = "plain"
    columns: str = "total"
    assignment: str = "Exercises"

    def on_graded(self, result) -> None:
        if self.progress is not None:
            self.progress.update(result)

    def write(self, result: ClassResult, out: Path) -> list[Path]:
        """The class report and, if asked for, the LMS gradebook, next to ``out``; the paths written.

        Called after grades.csv is written: a failure here (a folder where a file should go)
        is a warning on stderr, never a lost gradebook.
        """
        out = Path(out)
        written: list[Path] = []
        try:
            written += write_class_report(result, out.parent)
        except (OSError, ValueError) as exc:
            print(f"warning: the class report was not written: {exc}", file=sys.stderr)
        if self.fmt != "plain" and self.students is not None:
            path = out.parent / f"{self.fmt}.csv"
            try:
                _write_atomically(path, export(result, self.students, self.fmt, self.columns, self.assignment))
                written.append(path)
            except OSError as exc:
                print(f"warning: {path} was not written: {exc}", file=sys.stderr)
        return written


def _write_atomically(path: Path, text: str) -> None:
    """A temp file next to ``path``, renamed over it: never half a gradebook."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def prepare(args: argparse.Namespace) -> Batch:
    """Check the at-scale options (the roster against the folders) and set up the progress display."""
    batch = Batch(fmt=args.format, columns=args.lms_columns, assignment=args.assignment)
    if args.progress_every < 1:
        batch.problems.append(f"--progress-every must be >= 1, got {args.progress_every}")
    if not args.assignment.strip():
        batch.problems.append("--assignment must not be empty")
    if args.format != "plain" and args.roster is None:
        batch.problems.append(f"--format {args.format} needs --roster (a CSV mapping folders to LMS ids)")
    if args.format != "plain" and args.out.name == f"{args.format}.csv":
        batch.problems.append(f"--out {str(args.out)!r}: {args.format}.csv is the LMS gradebook's name; "
                              "give the plain gradebook another name, such as grades.csv")
    folders = [p.name for p in student_folders(args.submissions)] if args.submissions.is_dir() else None
    if args.roster is not None:
        try:
            batch.students = read_roster(args.roster)
            if folders is not None:
                batch.unsubmitted = check_roster(batch.students, folders)
        except RosterError as exc:
            batch.problems.append(str(exc))
    if folders is not None and not batch.problems:
        batch.progress = Progress(len(folders), every=args.progress_every)
    return batch


def unsubmitted_warning(batch: Batch) -> str | None:
    """A line naming the roster students without a submission folder (their LMS cells are left empty)."""
    if not batch.unsubmitted or batch.fmt == "plain":
        return None
    names = ", ".join(repr(s.folder) for s in batch.unsubmitted[:20]) + (" ..." if len(batch.unsubmitted) > 20
                                                                          else "")
    return (f"warning: {len(batch.unsubmitted)} roster student(s) without a submission folder, left empty in "
            f"{batch.fmt}.csv: {names}")
