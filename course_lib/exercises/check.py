"""The in-notebook checker: ``check("4.1", adagrad_update)`` in an exercise notebook.

It runs the answer on the exercise's seeded cases, compares with the reference
(the chapter's file in this package) and prints one line. A right answer prints
``Exercise 4.1 passed: ...``; a wrong one raises ``ExerciseFailed`` whose
message is the ``Exercise 4.1 failed: ...`` line (the first failing case,
expected vs got, the largest difference and, when recognised, the known
mistake), so the cell fails and ``pytest --nbval-lax`` reports it.

Students import it as ``from course_lib.checks import check`` (a stable name).
"""

from __future__ import annotations

from typing import Any

from . import SPECS
from .judging import DEFAULT_SEED, Verdict, collect_outputs


class ExerciseFailed(AssertionError):
    """A check that did not pass; the message is the checker's one-line verdict."""


def run_check(exercise_id: str, answer: Any, seed: int = DEFAULT_SEED) -> Verdict:
    """The verdict on ``answer`` for exercise ``exercise_id``, without printing or raising."""
    if exercise_id not in SPECS:
        known = ", ".join(sorted(SPECS, key=lambda i: tuple(map(int, i.split(".")))))
        raise ValueError(f"unknown exercise_id {exercise_id!r}; known exercises: {known}")
    spec = SPECS[exercise_id]
    return spec.judge(collect_outputs(spec, answer, seed), seed)


def check(exercise_id: str, answer: Any) -> None:
    """Check a student's answer and print the verdict; raise ExerciseFailed if it is wrong.

    Parameters
    ----------
    exercise_id : the exercise, e.g. "4.1".
    answer : the function or value the exercise asks for, e.g. ``adagrad_update``.
    """
    __tracebackhide__ = True  # IPython and pytest show the message, not this frame
    verdict = run_check(exercise_id, answer)
    if not verdict.passed:
        raise ExerciseFailed(verdict.message)
    print(verdict.message)
