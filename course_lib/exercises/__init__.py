"""The course's exercises, in one package: what each asks, how it is checked, and how it is released.

- ``judging``: the spec classes (``FunctionSpec``, ``ValueSpec``, ``BatchingSpec``)
  that run an answer on seeded cases and judge the results, naming known mistakes;
- ``sandbox``: time limits, silencing, and the JSON codec that carries results
  between processes (the grader judges in another process than the one that ran
  the student's code);
- ``ch01_gradient_descent`` ... ``ch07_adam``: one file per chapter with its
  exercises' cases, reference, known mistakes and the constants its notebook text
  quotes (``shared`` holds what several chapters use);
- ``check``: ``check("4.1", adagrad_update)``, the checker a notebook calls
  (students import it as ``from course_lib.checks import check``);
- ``release``: ``python -m course_lib release``, which writes exercises/ from solutions/.

The grader (``course_lib.grading``) uses ``SPECS``, ``specs_for`` and
``collect_outputs`` from here.

``SPECS`` maps an exercise id ("4.1") to its spec; ``specs_for("04_adagrad")``
lists a notebook's exercises.
"""

from __future__ import annotations

from . import (
    ch01_gradient_descent,
    ch02_stochastic_gradient_descent,
    ch03_mini_batch_gradient_descent,
    ch04_adagrad,
    ch05_rmsprop,
    ch06_adadelta,
    ch07_adam,
)
from .judging import (
    DEFAULT_SEED,
    BatchingSpec,
    ExerciseSpec,
    FunctionSpec,
    Mistake,
    ValueSpec,
    Verdict,
    collect_outputs,
)

__all__ = [
    "CHAPTERS", "DEFAULT_SEED", "SPECS", "SPEC_LIST", "BatchingSpec", "ExerciseSpec", "FunctionSpec", "Mistake",
    "ValueSpec", "Verdict", "collect_outputs", "specs_for",
]

CHAPTERS = (
    ch01_gradient_descent,
    ch02_stochastic_gradient_descent,
    ch03_mini_batch_gradient_descent,
    ch04_adagrad,
    ch05_rmsprop,
    ch06_adadelta,
    ch07_adam,
)

SPEC_LIST: list[ExerciseSpec] = [spec for chapter in CHAPTERS for spec in chapter.EXERCISES]
SPECS: dict[str, ExerciseSpec] = {spec.id: spec for spec in SPEC_LIST}


def specs_for(notebook: str) -> list[ExerciseSpec]:
    """The exercises of one exercise notebook ("04_adagrad"), in order; [] for an unknown notebook."""
    return [spec for spec in SPEC_LIST if spec.notebook == notebook]
