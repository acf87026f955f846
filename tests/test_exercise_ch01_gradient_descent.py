"""Chapter 1's exercises (course_lib/exercises/ch01_gradient_descent.py): the step and the learning rate."""

import math
from pathlib import Path

import numpy as np
import pytest

from course_lib.exercises import ch01_gradient_descent as ch01
from course_lib.exercises.check import run_check

TEXT = (Path(__file__).resolve().parents[1] / "solutions" / f"{ch01.NOTEBOOK}.md").read_text(encoding="utf-8")


def test_the_notebook_text_quotes_the_exercise_constants():
    assert f"$10^{{{round(math.log10(ch01.LR_TARGET))}}}$ after at most {ch01.LR_STEPS} steps" in TEXT
    assert f"condition={ch01.LR_CONDITION:g}" in TEXT and f"steps={ch01.LR_STEPS}" in TEXT
    assert f"{ch01.EXERCISES[0].n_cases} seeded cases" in TEXT


@pytest.mark.parametrize(
    "function, mistake",
    [
        (lambda w, g, lr: w + lr * g, "sign error (ascending)"),
        (lambda w, g, lr: w - 1.0 * g, "learning rate missing"),
    ],
    ids=["ascending", "no lr"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("1.1", function)
    assert verdict.message.startswith("Exercise 1.1 failed: wrong w ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report
    assert "expected" in verdict.message and "got" in verdict.message and "difference" in verdict.message


def test_a_right_answer_written_differently_passes():
    verdict = run_check("1.1", lambda w, g, lr: np.subtract(w, g * lr))
    assert verdict.message == "Exercise 1.1 passed: gd_update matches the reference on 50 cases"


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [
        (0.4, True, "gets below 1e-06 within 25 steps"),
        (0.1, False, "try a larger learning rate"),
        (0.45, False, "try a smaller learning rate"),
        (0.6, False, "diverges"),
        (-0.1, False, "must be > 0"),
        (None, False, "answer_lr is None: set it to a number"),
        ("0.4", False, "must be a number, got str"),
        (True, False, "must be a number, got bool"),
        (float("nan"), False, "not a finite number"),
    ],
)
def test_the_learning_rate_exercise(answer, passed, fragment):
    verdict = run_check("1.2", answer)
    assert verdict.passed is passed
    assert fragment in verdict.message
