"""Chapter 6's exercises: AdaDelta's update rule (6.1) and the size of its first step (6.2)."""

from __future__ import annotations

import math

import numpy as np

from .. import rules
from .judging import FunctionSpec, Mistake, ValueSpec
from .shared import SIGN_ERROR, SIGN_EXPLANATION, V_WITH_G, update_case

NOTEBOOK = "06_adadelta"

# Exercise 6.2, as its text states it: v = u = 0, the first gradient g = 2, gamma 0.9, eps 1e-6, lr 1.
FIRST_STEP_G, FIRST_STEP_GAMMA, FIRST_STEP_EPS = 2.0, 0.9, 1e-6


def _case(rng, k):
    # lr != 1 in most cases, so accumulating the lr-scaled step shows.
    kwargs = {} if k % 7 == 3 else {"lr": [1.0, 0.5, 2.0, 10.0][k % 4], "gamma": [0.9, 0.95][k % 2], "eps": 1e-6}
    return update_case(rng, k, ("v", "u"), kwargs)


def _reference(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    return rules.adadelta_update(w, g, v, u, lr=lr, gamma=gamma, eps=eps)


def _previous_v(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = gamma * v + (1 - gamma) * g * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _scaled_accumulation(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - dw, v, u


def _no_eps_numerator(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = np.sqrt(u) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _g_not_squared(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _ascending(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    w_new, v, u = rules.adadelta_update(w, g, v, u, lr=lr, gamma=gamma, eps=eps)
    return w + (w - w_new), v, u


def _first_step_assess(value: float) -> str | None:
    g, gamma, eps = FIRST_STEP_G, FIRST_STEP_GAMMA, FIRST_STEP_EPS
    expected = math.sqrt(eps) / math.sqrt((1 - gamma) * g * g + eps) * g
    if abs(abs(value) - expected) <= 1e-4 * expected:
        return None
    if value == 0:
        return "0 would mean sqrt(u) with u = 0 in the numerator; AdaDelta uses sqrt(u + eps), so the first step moves"
    if abs(abs(value) - g) <= 1e-4 * g:
        return f"{value:g} is the step of the old E[g^2] = 0; v is updated with this step's gradient first"
    return f"{value:g} is not |dw| = sqrt(u + eps) / sqrt(v + eps) * |g| with v already updated and u = 0"


EXERCISES = (
    FunctionSpec(
        id="6.1", notebook=NOTEBOOK, points=3, symbol="adadelta_update",
        title="AdaDelta update rule",
        hint="write adadelta_update: update v with g**2, dw = sqrt(u + eps) / sqrt(v + eps) * g, "
        "update u with dw**2, return (w - lr * dw, v, u)",
        args=("w", "g", "v", "u"), returns=("w", "v", "u"), reference=_reference, make_case=_case,
        mistakes=(
            Mistake(
                "AdaDelta using the previous E[g²]",
                "you compute dw before updating v; update v = E[g^2] with this step's gradient first",
                _previous_v,
            ),
            Mistake(
                "accumulating the lr-scaled step",
                "u accumulates the unscaled dw**2; lr only scales the step applied to w",
                _scaled_accumulation,
            ),
            Mistake(
                "eps missing in the numerator", "use sqrt(u + eps); with sqrt(u) and u = 0 AdaDelta never moves",
                _no_eps_numerator,
            ),
            Mistake(V_WITH_G, "average the squares: (1 - gamma) * g * g", _g_not_squared),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _ascending),
        ),
    ),
    ValueSpec(
        id="6.2", notebook=NOTEBOOK, points=1, symbol="answer_first_step",
        title="the size of AdaDelta's first step",
        hint="set answer_first_step to |dw| of the first step (a number)",
        assess=_first_step_assess,
        pass_text="that is the size of AdaDelta's first step",
    ),
)
