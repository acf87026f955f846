"""Chapter 5's exercises: RMSprop's update rule (5.1) and AdaGrad or RMSprop in the ravine (5.2)."""

from __future__ import annotations

import functools

import numpy as np

from .. import rules
from ..descent import descend
from ..landscapes import get_landscape
from ..optimizers import make_optimizer
from .judging import FunctionSpec, Mistake, ValueSpec
from .shared import SIGN_ERROR, SIGN_EXPLANATION, V_WITH_G, race_assess, round_3, update_case

NOTEBOOK = "05_rmsprop"

# Exercise 5.2's two runs, as its text describes them: RACE_STEPS steps in the ravine, both with RACE_LR;
# A is AdaGrad, B is RMSprop.
RACE_LANDSCAPE, RACE_STEPS, RACE_LR = "ravine", 300, 0.1


def _case(rng, k):
    kwargs = {} if k % 7 == 3 else {
        "lr": round_3(10 ** rng.uniform(-3, -1)), "gamma": [0.9, 0.99, 0.5][k % 3], "eps": [1e-8, 1e-6][k % 2]
    }
    return update_case(rng, k, ("v",), kwargs)


# The exercise is plain RMSprop: no bias correction, so the step number t (which only it reads) is any.
def _reference(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    return rules.rmsprop_update(w, g, v, t=1, lr=lr, gamma=gamma, eps=eps)


def _eps_inside(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    return rules.rmsprop_update(w, g, v, t=1, lr=lr, gamma=gamma, eps=eps, eps_inside_sqrt=True)


def _g_not_squared(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g
    return w - lr * g / (np.sqrt(v) + eps), v


def _swapped(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = (1 - gamma) * v + gamma * g * g
    return w - lr * g / (np.sqrt(v) + eps), v


def _accumulate_after(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    w_new = w - lr * g / (np.sqrt(v) + eps)
    return w_new, gamma * v + (1 - gamma) * g * g


def _ascending(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g * g
    return w + lr * g / (np.sqrt(v) + eps), v


@functools.cache
def race_winner() -> str:
    """'A' or 'B': the run of exercise 5.2 that ends with the lower loss (computed once)."""
    ravine = get_landscape(RACE_LANDSCAPE)
    a = descend(make_optimizer("adagrad", lr=RACE_LR), ravine, steps=RACE_STEPS, record_diagnostics=False)
    b = descend(make_optimizer("rmsprop", lr=RACE_LR), ravine, steps=RACE_STEPS, record_diagnostics=False)
    return "A" if a.final_loss < b.final_loss else "B"


EXERCISES = (
    FunctionSpec(
        id="5.1", notebook=NOTEBOOK, points=3, symbol="rmsprop_update",
        title="RMSprop update rule",
        hint="write rmsprop_update: v = gamma * v + (1 - gamma) * g**2, then w - lr * g / (sqrt(v) + eps)",
        args=("w", "g", "v"), returns=("w", "v"), reference=_reference, make_case=_case,
        mistakes=(
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(v + eps); the course (and torch) divide by sqrt(v) + eps, "
                "which differs when |g| is tiny",
                _eps_inside,
            ),
            Mistake(V_WITH_G, "average the squares: (1 - gamma) * g * g", _g_not_squared),
            Mistake(
                "gamma and 1 - gamma swapped", "the old average keeps the weight gamma: gamma * v + (1 - gamma) * g**2",
                _swapped,
            ),
            Mistake(
                "accumulating g² after the step",
                "you divide by the old v; update v with this step's g**2 first, then step",
                _accumulate_after,
            ),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _ascending),
        ),
    ),
    ValueSpec(
        id="5.2", notebook=NOTEBOOK, points=1, symbol="answer_race",
        title="AdaGrad or RMSprop in the ravine",
        hint="set answer_race to 'A' or 'B'",
        choices=("A", "B"),
        assess=race_assess(
            race_winner, "Think about what happens to each one's effective learning rate over 300 steps."
        ),
        pass_text="that run gets further in 300 steps",
    ),
)
