"""Chapter 4's exercises: AdaGrad's update rule (4.1) and its effective learning rate by hand (4.2)."""

from __future__ import annotations

import math

import numpy as np

from .. import rules
from .judging import FunctionSpec, Mistake, ValueSpec
from .shared import SIGN_ERROR, SIGN_EXPLANATION, round_3, update_case

NOTEBOOK = "04_adagrad"

# Exercise 4.2, as its text states it: one coordinate, G = 0, then the gradients 3 and 4, lr 0.5, eps 1e-10.
EFFECTIVE_LR_GRADIENTS = (3.0, 4.0)
EFFECTIVE_LR_LR, EFFECTIVE_LR_EPS = 0.5, 1e-10


def _case(rng, k):
    kwargs = {} if k % 7 == 3 else {"lr": round_3(10 ** rng.uniform(-2, 0)), "eps": [1e-10, 1e-8][k % 2]}
    return update_case(rng, k, ("G",), kwargs)


def _reference(w, g, G, lr=1e-2, eps=1e-10):
    return rules.adagrad_update(w, g, G, lr=lr, eps=eps)


def _eps_inside(w, g, G, lr=1e-2, eps=1e-10):
    return rules.adagrad_update(w, g, G, lr=lr, eps=eps, eps_inside_sqrt=True)


def _accumulate_after(w, g, G, lr=1e-2, eps=1e-10):
    w_new = w - lr * g / (np.sqrt(G) + eps)
    return w_new, G + g * g


def _g_not_squared(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g
    return w - lr * g / (np.sqrt(G) + eps), G


def _ascending(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w + lr * g / (np.sqrt(G) + eps), G


def _no_sqrt(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w - lr * g / (G + eps), G


def _effective_lr_assess(value: float) -> str | None:
    G = sum(g * g for g in EFFECTIVE_LR_GRADIENTS)
    lr, last = EFFECTIVE_LR_LR, EFFECTIVE_LR_GRADIENTS[-1]
    expected = lr / (math.sqrt(G) + EFFECTIVE_LR_EPS)
    if abs(value - expected) <= 1e-6 * expected:
        return None
    if abs(value - lr / G) <= 1e-6 * expected:
        return f"{value:g} is lr / G; the effective learning rate divides by the square root of G"
    if abs(value - lr / last) <= 1e-6 * expected:
        return f"{value:g} uses only the last gradient; G sums the squares of both gradients"
    return f"{value:g} is not lr / (sqrt(G) + eps) after the two gradients 3 and 4"


EXERCISES = (
    FunctionSpec(
        id="4.1", notebook=NOTEBOOK, points=3, symbol="adagrad_update",
        title="AdaGrad update rule",
        hint="write adagrad_update: add g**2 to G, then step w against g / (sqrt(G) + eps); return (w, G)",
        args=("w", "g", "G"), returns=("w", "G"), reference=_reference, make_case=_case,
        mistakes=(
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(G + eps); the course (and torch) divide by sqrt(G) + eps, "
                "which differs when |g| is tiny",
                _eps_inside,
            ),
            Mistake(
                "accumulating g² after the step",
                "you divide by the old G (G_{t-1}); add g**2 to G first, then step",
                _accumulate_after,
            ),
            Mistake("G accumulates g instead of g²", "add g * g (the square) to G", _g_not_squared),
            Mistake("no square root of G", "divide by sqrt(G) + eps, not by G + eps", _no_sqrt),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _ascending),
        ),
    ),
    ValueSpec(
        id="4.2", notebook=NOTEBOOK, points=1, symbol="answer_effective_lr",
        title="AdaGrad's effective learning rate",
        hint="set answer_effective_lr to lr / (sqrt(G) + eps) after the gradients 3 and 4 (a number)",
        assess=_effective_lr_assess,
        pass_text="that is AdaGrad's effective learning rate after the gradients 3 and 4",
    ),
)
