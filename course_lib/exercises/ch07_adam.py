"""Chapter 7's exercises: Adam's update rule with bias correction (7.1) and a bias-correction factor (7.2)."""

from __future__ import annotations

import math

import numpy as np

from .. import rules
from .judging import FunctionSpec, Mistake, ValueSpec
from .shared import SIGN_ERROR, SIGN_EXPLANATION, V_WITH_G, round_3, update_case

NOTEBOOK = "07_adam"

# Exercise 7.2, as its text states it: the factor that multiplies m at step BIAS_STEP with beta1 = BIAS_BETA1.
BIAS_BETA1, BIAS_STEP = 0.9, 3


def _case(rng, k):
    kwargs = {} if k % 7 == 3 else {
        "lr": round_3(10 ** rng.uniform(-3, -1)), "beta1": [0.9, 0.8][k % 2], "beta2": [0.999, 0.99][k % 3 // 2],
        "eps": 1e-8,
    }
    return update_case(rng, k, ("m", "v"), kwargs, counter=True)


def _reference(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return rules.adam_update(w, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def _variant(correct_m=True, correct_v=True, exponent_shift=0, square=True, eps_inside=False,
             write_back=False, sign=1.0, eps_hat=False):
    """A buggy Adam: which parts of the bias correction it does, and how."""

    def update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g * g if square else g)
        m_hat = m / (1 - beta1 ** (t + exponent_shift)) if correct_m else m
        v_hat = v / (1 - beta2 ** (t + exponent_shift)) if correct_v else v
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        if eps_hat:  # the paper's "efficient" form, with eps added to the uncorrected sqrt(v)
            denominator = (np.sqrt(v) + eps) / math.sqrt(1 - beta2**t)
        w = w - sign * lr * m_hat / denominator
        return (w, m_hat, v_hat) if write_back else (w, m, v)

    return update


def _bias_factor_assess(value: float) -> str | None:
    beta1, t = BIAS_BETA1, BIAS_STEP
    expected = 1 / (1 - beta1**t)
    if abs(value - expected) <= 1e-6 * expected:
        return None
    if abs(value - 1 / (1 - beta1 ** (t - 1))) <= 1e-6 * expected:
        return f"{value:g} is the factor for t = 2; t is 1 at the first step, so the third step has t = 3"
    if abs(value - (1 - beta1**t)) <= 1e-6:
        return f"{value:g} is 1 - beta1^t, the number m is divided by; the factor that multiplies m is its inverse"
    return f"{value:g} is not the factor 1 / (1 - beta1^t) that turns m into m_hat at t = 3"


EXERCISES = (
    FunctionSpec(
        id="7.1", notebook=NOTEBOOK, points=3, symbol="adam_update",
        title="Adam update rule",
        hint="write adam_update: update m and v, bias-correct them with t, step w; return (w, m, v)",
        args=("w", "g", "m", "v", "t"), returns=("w", "m", "v"), reference=_reference, make_case=_case,
        counter="t",
        mistakes=(
            Mistake(
                "missing bias correction", "divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step",
                _variant(correct_m=False, correct_v=False),
            ),
            Mistake(
                "partial bias correction (m only)", "v needs its correction too: v_hat = v / (1 - beta2**t)",
                _variant(correct_v=False),
            ),
            Mistake(
                "partial bias correction (v only)", "m needs its correction too: m_hat = m / (1 - beta1**t)",
                _variant(correct_m=False),
            ),
            Mistake(
                "step counter starting at 0",
                "your correction uses t - 1 (1 - beta**0 = 0 at the first step); t is 1 at the first step",
                _variant(exponent_shift=-1),
            ),
            Mistake(V_WITH_G, "v averages the squares: (1 - beta2) * g * g", _variant(square=False)),
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(v_hat + eps); Adam divides by sqrt(v_hat) + eps",
                _variant(eps_inside=True),
            ),
            Mistake(
                "eps added to the uncorrected square root",
                "you divide by (sqrt(v) + eps) / sqrt(1 - beta2**t) (Keras' epsilon-hat form); "
                "add eps after the correction: sqrt(v_hat) + eps",
                _variant(eps_hat=True),
            ),
            Mistake(
                "bias correction written back into the state",
                "return the raw m and v; m_hat and v_hat are used for the step only",
                _variant(write_back=True),
            ),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _variant(sign=-1.0)),
        ),
    ),
    ValueSpec(
        id="7.2", notebook=NOTEBOOK, points=1, symbol="answer_bias_factor",
        title="the bias-correction factor",
        hint="set answer_bias_factor to the factor that multiplies m at t = 3 (a number)",
        assess=_bias_factor_assess,
        pass_text="that is the factor 1 / (1 - beta1^t) at t = 3",
    ),
)
