"""Chapter 6's exercises (course_lib/exercises/ch06_adadelta.py): AdaDelta's rule and the size of its first step."""

import math
from pathlib import Path

import numpy as np
import pytest

from course_lib.exercises import SPECS
from course_lib.exercises import ch06_adadelta as ch06
from course_lib.exercises.check import run_check

TEXT = (Path(__file__).resolve().parents[1] / "solutions" / f"{ch06.NOTEBOOK}.md").read_text(encoding="utf-8")


def test_the_notebook_text_quotes_the_exercise_constants():
    assert f"The first gradient is $g = {ch06.FIRST_STEP_G:g}$, with $\\gamma = {ch06.FIRST_STEP_GAMMA:g}$" in TEXT
    assert f"$\\epsilon = 10^{{{round(math.log10(ch06.FIRST_STEP_EPS))}}}$" in TEXT


def adadelta_right(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v_new = gamma * v + (1 - gamma) * g**2
    delta = np.sqrt((u + eps) / (v_new + eps)) * g  # one root of the ratio: the same algorithm
    u_new = gamma * u + (1 - gamma) * delta**2
    return w - lr * delta, v_new, u_new


def adadelta_previous_v(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = gamma * v + (1 - gamma) * g**2
    u = gamma * u + (1 - gamma) * delta**2
    return w - lr * delta, v, u


def adadelta_scaled_step(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g**2
    step = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * step**2
    return w - step, v, u


def adadelta_ascending(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    w_new, v, u = adadelta_right(w, g, v, u, lr, gamma, eps)
    return w + (w - w_new), v, u


@pytest.mark.parametrize(
    "function, mistake",
    [
        (adadelta_previous_v, "AdaDelta using the previous E[g²]"),
        (adadelta_scaled_step, "accumulating the lr-scaled step"),
        (adadelta_ascending, "sign error (ascending)"),
    ],
    ids=["previous v", "lr-scaled step", "ascending"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("6.1", function)
    assert verdict.message.startswith("Exercise 6.1 failed: wrong ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report


def test_a_right_answer_written_differently_passes():
    verdict = run_check("6.1", adadelta_right)
    assert verdict.message == "Exercise 6.1 passed: adadelta_update matches the reference on 50 cases"


def test_the_cases_use_learning_rates_other_than_1():
    assert {c["kwargs"].get("lr") for c in SPECS["6.1"].cases()} >= {0.5, 2.0, 10.0}


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [
        (0.0031623, True, "first step"),
        (-0.0031623, True, "first step"),
        (0.0, False, "sqrt(u + eps)"),
        (2.0, False, "old E[g^2]"),
        (0.1, False, "is not |dw|"),
    ],
)
def test_the_first_step_exercise(answer, passed, fragment):
    verdict = run_check("6.2", answer)
    assert verdict.passed is passed
    assert fragment in verdict.message
