"""Which exercises a student skipped: the answer left as released, or still raising NotImplementedError.

A released answer cell raises ``NotImplementedError("Exercise 4.1: ...")``. An
exercise counts as skipped when its answer cell is missing, unchanged from the
release, or still contains ``raise NotImplementedError``; an exercise of a
notebook that was not handed in is skipped too. The class report counts these
("the exercises most often skipped"), apart from the wrong answers.
"""

from __future__ import annotations

import re

from .assemble import ReleasedNotebook, Submission, cell_source

STILL_RAISING = re.compile(r"\braise\s+NotImplementedError\b")


def skipped_exercises(submission: Submission, release: dict[str, ReleasedNotebook]) -> list[str]:
    """The exercise ids of ``release`` that ``submission`` did not attempt, in release order."""
    skipped = []
    for notebook_id, released in release.items():
        student_nb = submission.notebooks.get(notebook_id)
        released_sources = {cell.get("id"): cell_source(cell) or "" for cell in released.nb["cells"]}
        attempted: dict[str, bool] = {}
        for cell_id in released.answer_ids:
            exercise = released.answer_exercise[cell_id]
            source = student_nb.answers.get(cell_id) if student_nb is not None else None
            written = (source is not None and source.strip() != released_sources.get(cell_id, "").strip()
                       and not STILL_RAISING.search(source))
            attempted[exercise] = attempted.get(exercise, False) or written
        for check in released.checks:  # one entry per exercise, in the release's order
            if not attempted.get(check.exercise, False) and check.exercise not in skipped:
                skipped.append(check.exercise)
    return skipped
