"""Gradebooks for learning-management systems: Canvas and Moodle CSV imports, from a roster.

``grade SUBMISSIONS --roster roster.csv --format canvas`` writes, next to the
plain grades.csv, ``canvas.csv`` (or ``moodle.csv``). The roster maps each
submission folder to the student's LMS identity::

    folder,id,name,email,sis_user_id,sis_login_id,section
    alice,1001,"Lovelace, Ada",ada@example.edu,S1001,ada,Section A

Only ``folder`` and ``id`` are required; other columns are ignored. ``id`` is
the LMS's user id (Canvas "ID", Moodle "ID number"); ids must be unique.

- Canvas (Grades > Import): the columns Student, ID, SIS User ID, SIS Login ID,
  Section, then one column per assignment, and a "Points Possible" row, as in
  Canvas's own export. A header ``Name (123)`` updates the existing assignment
  123; any other name creates an assignment.
- Moodle (Grades > Import > CSV file): the identifier columns ID number and
  Email address (choose either as "Map from"), the name, then one column per
  grade item (map each to a grade item or to a new one).

Columns: one for the total (``columns="total"``) or one per chapter
(``columns="chapter"``). A student on the roster without a submission folder
gets empty cells (the LMS leaves their grade alone) and a warning. Every text
cell is neutralised against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..exercises import SPECS
from .grade import ClassResult

FORMATS = ("plain", "canvas", "moodle")
COLUMNS = ("total", "chapter")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula
ROSTER_FIELDS = ("folder", "id", "name", "email", "sis_user_id", "sis_login_id", "section")
ALIASES = {"student": "name", "email_address": "email", "canvas_id": "id"}
MAX_ROSTER_BYTES = 20_000_000


class RosterError(ValueError):
    """The roster cannot be used as given; the message lists every problem found."""


@dataclass(frozen=True)
class Student:
    """One roster row: the submission folder and the student's identity in the LMS."""

    folder: str
    id: str
    name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


def neutralise(cell):
    """A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR), quoted with ``'``.

    Numbers pass through unchanged; so does any other text.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _field_name(header: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return ALIASES.get(name, name)


def read_roster(path: Path) -> list[Student]:
    """The roster's students, in file order.

    Raises
    ------
    RosterError
        If the file cannot be read, lacks the ``folder`` or ``id`` column, or has a
        row without a folder or an id, a folder twice or an id twice (all listed, by line).
    """
    path = Path(path)
    shown = f"--roster {str(path)!r}"
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise RosterError(f"{shown}: larger than {MAX_ROSTER_BYTES // 1_000_000} MB; is it a roster?")
        text = path.read_bytes().decode("utf-8-sig")  # Excel writes a byte-order mark
    except OSError as exc:
        raise RosterError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise RosterError(f"{shown}: not UTF-8 text; save the roster as CSV UTF-8") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise RosterError(f"{shown}: empty; the first line must name the columns (folder,id,...)")
    fields = [_field_name(header) for header in rows[0]]
    missing = [name for name in ("folder", "id") if name not in fields]
    if missing:
        raise RosterError(
            f"{shown}: no column {' or '.join(missing)} in the first line {rows[0]!r}; "
            f"the columns are {', '.join(ROSTER_FIELDS)} (folder and id required)"
        )
    problems: list[str] = []
    students: list[Student] = []
    line_of_folder: dict[str, int] = {}
    line_of_id: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines, as spreadsheets leave at the end
        values = {name: (row[k].strip() if k < len(row) else "") for k, name in enumerate(fields)
                  if name in ROSTER_FIELDS}
        folder, student_id = values["folder"], values["id"]
        if not folder or not student_id:
            problems.append(f"line {line}: no {'folder' if not folder else 'id'} ({','.join(row)[:80]!r})")
            continue
        if folder in line_of_folder:
            problems.append(f"line {line}: folder {folder!r} again (first on line {line_of_folder[folder]})")
            continue
        if student_id in line_of_id:
            problems.append(f"line {line}: duplicate id {student_id!r} (also on line {line_of_id[student_id]})")
            continue
        line_of_folder[folder], line_of_id[student_id] = line, line
        students.append(Student(**values))
    if problems:
        raise RosterError(f"{shown}: " + "; ".join(problems))
    if not students:
        raise RosterError(f"{shown}: no students (only the header line)")
    return students


def check_roster(students: list[Student], folders: list[str]) -> list[Student]:
    """Every submission folder must be on the roster; returns the roster students with no folder.

    Raises
    ------
    RosterError
        Naming every folder that has no roster row.
    """
    known = {student.folder for student in students}
    unknown = [folder for folder in folders if folder not in known]
    if unknown:
        shown = ", ".join(repr(folder) for folder in unknown[:20]) + (" ..." if len(unknown) > 20 else "")
        raise RosterError(
            f"{len(unknown)} submission folder(s) with no roster row: {shown}; add a row (folder,id) for each"
        )
    present = set(folders)
    return [student for student in students if student.folder not in present]


def grade_columns(result: ClassResult, columns: str, assignment: str) -> list[tuple[str, list[str], int]]:
    """(column name, exercise ids, points possible) per gradebook column: the total, or one per chapter."""
    if columns not in COLUMNS:
        raise ValueError(f"columns must be one of {', '.join(COLUMNS)}, got {columns!r}")
    if columns == "total":
        return [(assignment, list(result.exercises), result.max_total)]
    chapters: dict[str, list[str]] = {}
    for exercise in result.exercises:
        notebook = SPECS[exercise].notebook if exercise in SPECS else exercise.split(".")[0]
        chapters.setdefault(notebook, []).append(exercise)
    return [(f"{assignment}: {notebook}", ids, sum(result.exercises[e] for e in ids))
            for notebook, ids in chapters.items()]


def _scores(result: ClassResult, students: list[Student], columns) -> list[tuple[Student, list]]:
    by_folder = {graded.student: graded for graded in result.results}
    rows = []
    for student in students:
        graded = by_folder.get(student.folder)
        cells = ["" if graded is None else sum(graded.points.get(e, 0) for e in ids) for _, ids, _ in columns]
        rows.append((student, cells))
    return rows


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def canvas_csv(result: ClassResult, students: list[Student], columns: str = "total",
               assignment: str = "Exercises") -> str:
    """The Canvas gradebook import: identity columns, a Points Possible row, one row per roster student."""
    spec = grade_columns(result, columns, assignment)
    rows: list[list[object]] = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                                 *(name for name, _, _ in spec)]]
    rows.append(["Points Possible", "", "", "", "", *(points for _, _, points in spec)])
    for student, cells in _scores(result, students, spec):
        rows.append([student.name or student.folder, student.id, student.sis_user_id, student.sis_login_id,
                     student.section, *cells])
    return _csv(rows)


def moodle_csv(result: ClassResult, students: list[Student], columns: str = "total",
               assignment: str = "Exercises") -> str:
    """The Moodle grade import: ID number and Email address (either can identify), name, one column per item."""
    spec = grade_columns(result, columns, assignment)
    rows = [["ID number", "Email address", "Full name", *(name for name, _, _ in spec)]]
    for student, cells in _scores(result, students, spec):
        rows.append([student.id, student.email, student.name or student.folder, *cells])
    return _csv(rows)


def export(result: ClassResult, students: list[Student], fmt: str, columns: str = "total",
           assignment: str = "Exercises") -> str:
    """The gradebook in LMS format ``fmt`` ("canvas" or "moodle")."""
    if fmt == "canvas":
        return canvas_csv(result, students, columns, assignment)
    if fmt == "moodle":
        return moodle_csv(result, students, columns, assignment)
    raise ValueError(f"fmt must be canvas or moodle, got {fmt!r}")
