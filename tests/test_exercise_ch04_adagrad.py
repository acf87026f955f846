"""Chapter 4's exercises (course_lib/exercises/ch04_adagrad.py): AdaGrad's rule and its effective learning rate."""

from pathlib import Path

import numpy as np
import pytest

from course_lib.exercises import ch04_adagrad as ch04
from course_lib.exercises.check import run_check

TEXT = (Path(__file__).resolve().parents[1] / "solutions" / f"{ch04.NOTEBOOK}.md").read_text(encoding="utf-8")


def test_the_notebook_text_quotes_the_exercise_constants():
    first, second = (f"{g:g}" for g in ch04.EFFECTIVE_LR_GRADIENTS)
    assert f"$g_1 = {first}$ and then $g_2 = {second}$" in TEXT
    assert f"$\\alpha = {ch04.EFFECTIVE_LR_LR:g}$" in TEXT and "$\\epsilon = 10^{-10}$" in TEXT
    assert ch04.EFFECTIVE_LR_EPS == 1e-10
    assert f"{ch04.EXERCISES[0].n_cases} seeded cases" in TEXT


def adagrad_eps_inside(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g**2
    return w - lr * g / np.sqrt(G + eps), G


def adagrad_accumulate_after(w, g, G, lr=1e-2, eps=1e-10):
    step = lr * g / (np.sqrt(G) + eps)
    G = G + g**2
    return w - step, G


def adagrad_ascending(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g**2
    return w + lr * g / (np.sqrt(G) + eps), G


def adagrad_g_not_squared(w, g, G, lr=1e-2, eps=1e-10):
    G = G + np.abs(g) * np.sign(g)
    return w - lr * g / (np.sqrt(G) + eps), G


@pytest.mark.parametrize(
    "function, mistake",
    [
        (adagrad_eps_inside, "eps on the wrong side of the square root"),
        (adagrad_accumulate_after, "accumulating g² after the step"),
        (adagrad_ascending, "sign error (ascending)"),
        (adagrad_g_not_squared, "G accumulates g instead of g²"),
    ],
    ids=["eps inside", "accumulate after", "ascending", "g not squared"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("4.1", function)
    assert verdict.message.startswith("Exercise 4.1 failed: wrong ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report


def test_a_right_answer_written_differently_passes():
    def adagrad_right(w, g, G, lr=1e-2, eps=1e-10):
        G_new = G + g**2
        return w - (lr / (np.sqrt(G_new) + eps)) * g, G_new

    verdict = run_check("4.1", adagrad_right)
    assert verdict.message == "Exercise 4.1 passed: adagrad_update matches the reference on 50 cases"


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [
        (0.1, True, "effective learning rate"),
        (0.5 / (5 + 1e-10), True, "after the gradients 3 and 4"),
        (0.02, False, "lr / G"),
        (0.125, False, "uses only the last gradient"),
        (0.2, False, "is not lr / (sqrt(G) + eps)"),
    ],
)
def test_the_effective_learning_rate_exercise(answer, passed, fragment):
    verdict = run_check("4.2", answer)
    assert verdict.passed is passed
    assert fragment in verdict.message
