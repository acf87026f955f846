"""Chapter 2's exercises (course_lib/exercises/ch02_stochastic_gradient_descent.py): one SGD step, a race."""

from pathlib import Path

import numpy as np
import pytest

from course_lib.exercises import ch02_stochastic_gradient_descent as ch02
from course_lib.exercises.check import run_check

TEXT = (Path(__file__).resolve().parents[1] / "solutions" / f"{ch02.NOTEBOOK}.md").read_text(encoding="utf-8")


def test_the_notebook_text_quotes_the_race_it_checks():
    assert f"LinearRegression(n_samples={ch02.RACE_SAMPLES})" in TEXT
    assert f"`lr={ch02.GD_LR}`, {ch02.GD_STEPS} steps" in TEXT
    assert f"`lr={ch02.SGD_LR}`, {ch02.SGD_STEPS} steps of one example" in TEXT
    assert f"{ch02.SGD_STEPS} example-gradients of work" in TEXT
    assert ch02.GD_STEPS * ch02.RACE_SAMPLES == ch02.SGD_STEPS  # the same work, as the text says


@pytest.mark.parametrize(
    "function, mistake",
    [
        (lambda w, X, y, i, lr: w - lr * (X[i] @ w - y[i]) * X[i] * -1, "sign error (ascending)"),
        (lambda w, X, y, i, lr: w - lr * np.mean((X @ w - y)[:, None] * X, axis=0), "full-batch gradient"),
        (lambda w, X, y, i, lr: w - lr * (np.dot(X[i], w) - y[i]), "input factor missing"),
    ],
    ids=["ascending", "full batch", "no input factor"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("2.1", function)
    assert verdict.message.startswith("Exercise 2.1 failed: wrong w ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report


def test_a_right_answer_written_differently_passes():
    verdict = run_check("2.1", lambda w, X, y, i, lr: w - lr * X[i] * (np.dot(X[i], w) - y[i]))
    assert verdict.message == "Exercise 2.1 passed: sgd_step matches the reference on 50 cases"


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [
        ("B", True, "same number of gradient evaluations"),
        (" b ", True, "same number"),
        ("A", False, "'A' is not the run"),
        ("C", False, "must be 'A' or 'B'"),
        (None, False, "must be 'A' or 'B', got None"),
    ],
)
def test_the_race_exercise(answer, passed, fragment):
    verdict = run_check("2.2", answer)
    assert verdict.passed is passed
    assert fragment in verdict.message


def test_the_race_winner_is_the_run_with_the_lower_loss():
    assert ch02.race_winner() == "B"
