"""Chapter 2's exercises: one SGD step (2.1) and which run gets further for the same work (2.2)."""

from __future__ import annotations

import functools

from .. import rules
from ..descent import descend
from ..optimizers import GradientDescent
from ..problems import LinearRegression
from .judging import FunctionSpec, Mistake, ValueSpec
from .shared import SIGN_ERROR, SIGN_EXPLANATION, race_assess, regression_case

NOTEBOOK = "02_stochastic_gradient_descent"

# Exercise 2.2's two runs, as its text describes them: on a regression with RACE_SAMPLES examples, A is
# full-batch gradient descent (GD_LR, GD_STEPS steps), B is SGD (SGD_LR, SGD_STEPS steps of one example):
# the same number of example-gradients.
RACE_SAMPLES = 1000
GD_LR, GD_STEPS = 0.1, 5
SGD_LR, SGD_STEPS = 0.05, 5000


def _case(rng, k):
    return regression_case(rng, k, batches=False)


def _reference(w, X, y, i, lr):
    g = (X[i] @ w - y[i]) * X[i]
    return rules.gd_update(w, g, lr)


def _ascending(w, X, y, i, lr):
    return w + lr * (X[i] @ w - y[i]) * X[i]


def _full_batch(w, X, y, i, lr):
    return w - lr * X.T @ (X @ w - y) / len(y)


def _no_input_factor(w, X, y, i, lr):
    return w - lr * (X[i] @ w - y[i])


@functools.cache
def race_winner() -> str:
    """'A' or 'B': the run of exercise 2.2 that ends with the lower loss (computed once)."""
    problem = LinearRegression(n_samples=RACE_SAMPLES)
    a = descend(GradientDescent(lr=GD_LR), problem, steps=GD_STEPS, record_diagnostics=False)
    b = descend(GradientDescent(lr=SGD_LR), problem, steps=SGD_STEPS, batch_size=1, record_diagnostics=False)
    return "A" if a.final_loss < b.final_loss else "B"


EXERCISES = (
    FunctionSpec(
        id="2.1", notebook=NOTEBOOK, points=2, symbol="sgd_step",
        title="one SGD step on one example",
        hint="write sgd_step: the gradient of example i alone, then one gradient descent step with it",
        args=("w", "X", "y", "i"), returns=("w",), reference=_reference, make_case=_case,
        mistakes=(
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _ascending),
            Mistake(
                "full-batch gradient", "you use every example; SGD uses example i only: X[i] and y[i]",
                _full_batch,
            ),
            Mistake(
                "input factor missing", "the gradient of (x.w - y)^2 / 2 is (x.w - y) * x: multiply by X[i]",
                _no_input_factor,
            ),
        ),
    ),
    ValueSpec(
        id="2.2", notebook=NOTEBOOK, points=1, symbol="answer_race",
        title="SGD or gradient descent, for the same work",
        hint="set answer_race to 'A' or 'B'",
        choices=("A", "B"),
        assess=race_assess(
            race_winner, "Count how many examples each run looks at, and how many steps each makes with them."
        ),
        pass_text="that run gets further for the same number of gradient evaluations",
    ),
)
