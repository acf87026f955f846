"""Chapter 5's exercises (course_lib/exercises/ch05_rmsprop.py): RMSprop's rule and the ravine race."""

from pathlib import Path

import numpy as np
import pytest

from course_lib.exercises import ch05_rmsprop as ch05
from course_lib.exercises.check import run_check

TEXT = (Path(__file__).resolve().parents[1] / "solutions" / f"{ch05.NOTEBOOK}.md").read_text(encoding="utf-8")


def test_the_notebook_text_quotes_the_race_it_checks():
    assert f"Two runs of {ch05.RACE_STEPS} steps" in TEXT
    assert f'get_landscape("{ch05.RACE_LANDSCAPE}")' in TEXT
    assert f'make_optimizer("adagrad", lr={ch05.RACE_LR})' in TEXT
    assert f'make_optimizer("rmsprop", lr={ch05.RACE_LR})' in TEXT


def rmsprop_right(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1.0 - gamma) * np.square(g)
    return w - lr * g / (np.sqrt(v) + eps), v


def rmsprop_eps_inside(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g**2
    return w - lr * g / np.sqrt(v + eps), v


def rmsprop_v_with_g(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g
    return w - lr * g / (np.sqrt(v) + eps), v


def rmsprop_ascending(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    w_new, v = rmsprop_right(w, g, v, lr, gamma, eps)
    return 2 * w - w_new, v


def rmsprop_swapped(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * g**2 + (1 - gamma) * v
    return w - lr * g / (np.sqrt(v) + eps), v


@pytest.mark.parametrize(
    "function, mistake",
    [
        (rmsprop_eps_inside, "eps on the wrong side of the square root"),
        (rmsprop_v_with_g, "v updated with g instead of g²"),
        (rmsprop_ascending, "sign error (ascending)"),
        (rmsprop_swapped, "gamma and 1 - gamma swapped"),
    ],
    ids=["eps inside", "v with g", "ascending", "swapped"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("5.1", function)
    assert verdict.message.startswith("Exercise 5.1 failed: wrong ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report


def test_a_right_answer_written_differently_passes():
    verdict = run_check("5.1", rmsprop_right)
    assert verdict.message == "Exercise 5.1 passed: rmsprop_update matches the reference on 50 cases"


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [("B", True, "300 steps"), ("A", False, "effective learning rate"), ("RMSprop", False, "must be 'A' or 'B'")],
)
def test_the_ravine_race_exercise(answer, passed, fragment):
    verdict = run_check("5.2", answer)
    assert verdict.passed is passed
    assert fragment in verdict.message
