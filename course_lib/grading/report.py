"""Write a class's grades: grades.csv (atomically) and one feedback file per student."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from .grade import ClassResult, SubmissionResult


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temp file next to ``path``, then rename it over ``path`` (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def grades_csv(result: ClassResult) -> str:
    """The gradebook: student, one column per exercise id, total, max_total, notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    exercises = list(result.exercises)
    writer.writerow(["student", *exercises, "total", "max_total", "notes"])
    for student in result.results:
        row = [student.student, *(student.points.get(e, 0) for e in exercises), student.total, result.max_total]
        writer.writerow([*row, "; ".join(student.notes)])
    return buffer.getvalue()


def feedback_text(student: SubmissionResult, result: ClassResult) -> str:
    """A student's feedback in Markdown: per exercise, passed or the checker's message."""
    lines = [f"# Feedback for {student.student}", "", f"Total: {student.total} / {result.max_total} points", ""]
    for exercise, points in result.exercises.items():
        earned = student.points.get(exercise, 0)
        message = student.feedback.get(exercise, "not graded")
        lines.append(f"- **Exercise {exercise}** ({earned}/{points}): {message}")
    if student.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in student.notes]
    lines += ["", f"Checked on cases drawn with seed {result.seed}.", ""]
    return "\n".join(lines)


def safe_name(student: str) -> str:
    """A file name for a student's folder name (no path separators, no leading dot)."""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", student).lstrip(".") or "_"


def write_reports(result: ClassResult, out: Path) -> Path:
    """Write ``out`` (grades.csv) and ``feedback/<student>.md`` next to it; return the feedback folder."""
    out = Path(out)
    feedback_dir = out.parent / "feedback"
    for student in result.results:
        _write_atomically(feedback_dir / f"{safe_name(student.student)}.md", feedback_text(student, result))
    _write_atomically(out, grades_csv(result))
    return feedback_dir
