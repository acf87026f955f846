"""The checker's stable, student-facing name: ``from course_lib.checks import check``.

The exercise notebooks import ``check`` from here; it lives in
``course_lib.exercises.check`` with the rest of the exercises.
"""

from .exercises.check import ExerciseFailed, check, run_check

__all__ = ["ExerciseFailed", "check", "run_check"]
