"""Write a class's grades: grades.csv (atomically) and one feedback file per student.

Student names come from folder names, which students may choose: every cell is
neutralised for spreadsheets (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with ``'``), notes are capped, and feedback file names are
made safe and unique (Unicode-normalised, so "Zoë" and "Zoé" get two files, and
never written over an existing file).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from .grade import ClassResult, SubmissionResult

NOTES_CHARS = 4000  # per student in grades.csv (csv readers refuse fields over 128 kB); the feedback has them all
NOTE_CHARS = 1000  # per note
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temp file next to ``path``, then rename it over ``path`` (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def spreadsheet_safe(value) -> str:
    """``value`` as a CSV cell that no spreadsheet evaluates (formula injection: "=HYPERLINK(...)")."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def notes_cell(notes: list[str]) -> str:
    """The notes joined, each note and the whole capped (the feedback file keeps them all)."""
    cut = [note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 3] + "..." for note in notes]
    text = "; ".join(cut)
    if len(text) > NOTES_CHARS:
        text = text[: NOTES_CHARS - 60] + f"... ({len(notes)} notes in all: see the feedback file)"
    return text


def grades_csv(result: ClassResult) -> str:
    """The gradebook: student, one column per exercise id, total, max_total, notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    exercises = list(result.exercises)
    writer.writerow(["student", *exercises, "total", "max_total", "notes"])
    for student in result.results:
        row = [student.student, *(student.points.get(e, 0) for e in exercises), student.total, result.max_total]
        writer.writerow([spreadsheet_safe(cell) for cell in [*row, notes_cell(student.notes)]])
    return buffer.getvalue()


def feedback_text(student: SubmissionResult, result: ClassResult) -> str:
    """A student's feedback in Markdown: per exercise, passed or the checker's message."""
    lines = [f"# Feedback for {student.student}", "", f"Total: {student.total} / {result.max_total} points", ""]
    for exercise, points in result.exercises.items():
        earned = student.points.get(exercise, 0)
        message = student.feedback.get(exercise, "not graded")
        lines.append(f"- **Exercise {exercise}** ({earned}/{points}): {message}")
    if student.notes:
        lines += ["", "## Notes", ""] + [f"- {note[:NOTE_CHARS]}" for note in student.notes[:200]]
        if len(student.notes) > 200:
            lines.append(f"- ... and {len(student.notes) - 200} more notes")
    lines += ["", f"Checked on cases drawn with seed {result.seed}.", ""]
    return "\n".join(lines)


def safe_name(student: str) -> str:
    """A file name for a student's folder name: NFKD-folded to ASCII, no separators, no leading dot or dash."""
    folded = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", folded).lstrip(".-=+@")[:80] or "_"


def feedback_names(students: list[str]) -> dict[str, str]:
    """A distinct, safe file name (without .md) per student; names that fold alike get a short hash of the original.

    "Zoë" and "Zoé" both fold to "Zoe": each becomes "Zoe-<hash>". The hash is of the folder
    name's bytes (two folders always differ in them), so a student keeps their file name from run to run.
    """
    by_safe: dict[str, list[str]] = {}
    for student in students:
        by_safe.setdefault(safe_name(student).lower(), []).append(student)  # case-insensitive file systems too
    names = {}
    for group in by_safe.values():
        for student in group:
            name = safe_name(student)
            if len(group) > 1:
                name += "-" + hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:8]
            names[student] = name
    return names


def _feedback_folder(out: Path) -> Path:
    """``feedback/`` next to ``out``, or, when something that is not a folder is in the way, a free ``feedback-N/``."""
    candidate, n = out.parent / "feedback", 1
    while candidate.is_symlink() or (candidate.exists() and not candidate.is_dir()):
        n += 1
        candidate = out.parent / f"feedback-{n}"
    return candidate


def write_reports(result: ClassResult, out: Path) -> Path:
    """Write ``out`` (grades.csv) and ``feedback/<student>.md`` next to it; return the feedback folder.

    grades.csv first, so a problem with a feedback file never costs the gradebook.
    """
    out = Path(out)
    _write_atomically(out, grades_csv(result))
    feedback_dir = _feedback_folder(out)
    names = feedback_names([student.student for student in result.results])
    for student in result.results:
        _write_atomically(feedback_dir / f"{names[student.student]}.md", feedback_text(student, result))
    return feedback_dir
