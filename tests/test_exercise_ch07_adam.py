"""Chapter 7's exercises (course_lib/exercises/ch07_adam.py): Adam's rule with bias correction, and its factor."""

from pathlib import Path

import numpy as np
import pytest

from course_lib.exercises import SPECS
from course_lib.exercises import ch07_adam as ch07
from course_lib.exercises.check import run_check

TEXT = (Path(__file__).resolve().parents[1] / "solutions" / f"{ch07.NOTEBOOK}.md").read_text(encoding="utf-8")


def test_the_notebook_text_quotes_the_exercise_constants():
    assert f"With $\\beta_1 = {ch07.BIAS_BETA1:g}$" in TEXT
    assert "at the **third** step" in TEXT and ch07.BIAS_STEP == 3


def _adam(correct_m=True, correct_v=True, t_offset=0, squared=True, eps_inside=False, sign=-1):
    def adam_update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g**2 if squared else g)
        step = t + t_offset
        m_hat = m / (1 - beta1**step) if correct_m else m
        v_hat = v / (1 - beta2**step) if correct_v else v
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return w + sign * lr * m_hat / denominator, m, v

    return adam_update


@pytest.mark.parametrize(
    "function, mistake",
    [
        (_adam(correct_m=False, correct_v=False), "missing bias correction"),
        (_adam(correct_v=False), "partial bias correction (m only)"),
        (_adam(correct_m=False), "partial bias correction (v only)"),
        (_adam(t_offset=-1), "step counter starting at 0"),
        (_adam(squared=False), "v updated with g instead of g²"),
        (_adam(eps_inside=True), "eps on the wrong side of the square root"),
        (_adam(sign=+1), "sign error (ascending)"),
    ],
    ids=["no correction", "m only", "v only", "t from 0", "v with g", "eps inside", "ascending"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("7.1", function)
    assert verdict.message.startswith("Exercise 7.1 failed: wrong ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report
    assert "expected" in verdict.message and "got" in verdict.message and "difference" in verdict.message


def test_a_right_answer_in_the_papers_efficient_order_passes():
    def adam_right_efficient_order(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = m + (1 - beta1) * (g - m)
        v = v + (1 - beta2) * (g * g - v)
        step_size = lr / (1 - beta1**t)
        denominator = np.sqrt(v) / np.sqrt(1 - beta2**t) + eps
        return w - step_size * m / denominator, m, v

    verdict = run_check("7.1", adam_right_efficient_order)
    assert verdict.message == "Exercise 7.1 passed: adam_update matches the reference on 50 cases"


def test_the_cases_start_at_t_1_and_later():
    counters = [c["counter"] for c in SPECS["7.1"].cases()]
    assert counters.count(1) >= 10 and max(counters) > 10


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [
        (1 / (1 - 0.9**3), True, "1 / (1 - beta1^t)"),
        (1 / (1 - 0.9**2), False, "factor for t = 2"),
        (1 - 0.9**3, False, "the number m is divided by"),
        (10.0, False, "is not the factor"),
    ],
)
def test_the_bias_factor_exercise(answer, passed, fragment):
    verdict = run_check("7.2", answer)
    assert verdict.passed is passed
    assert fragment in verdict.message
