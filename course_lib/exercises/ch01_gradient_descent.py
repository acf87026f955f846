"""Chapter 1's exercises: the gradient descent step (1.1) and a learning rate that reaches a target (1.2)."""

from __future__ import annotations

from .. import rules
from ..descent import descend
from ..landscapes import bowl
from ..optimizers import GradientDescent
from .judging import FunctionSpec, Mistake, ValueSpec
from .shared import SIGN_ERROR, SIGN_EXPLANATION, round_3, update_case

NOTEBOOK = "01_gradient_descent"

# Exercise 1.2, as its text states it: the loss must get below LR_TARGET within LR_STEPS steps on the
# bowl whose y direction is LR_CONDITION times steeper than x.
LR_TARGET, LR_STEPS, LR_CONDITION = 1e-6, 25, 4.0


def _case(rng, k):
    return update_case(rng, k, (), {"lr": round_3(10 ** rng.uniform(-3, 0))})


def _reference(w, g, lr):
    return rules.gd_update(w, g, lr)


def _ascending(w, g, lr):
    return w + lr * g


def _no_lr(w, g, lr):
    return w - g


def _lr_assess(lr: float) -> str | None:
    if lr <= 0:
        return f"answer_lr = {lr:g}: a learning rate must be > 0 (the step goes against the gradient)"
    run = descend(GradientDescent(lr=lr), bowl(LR_CONDITION), steps=LR_STEPS, record_diagnostics=False)
    if run.diverged:
        return (
            f"with lr = {lr:g} gradient descent diverges on the bowl (the loss blew up at step {run.diverged_at}); "
            "the steep direction overshoots: try a smaller learning rate"
        )
    if run.final_loss >= LR_TARGET:
        direction = "larger" if lr < 0.35 else "smaller"
        return (
            f"with lr = {lr:g} the loss after {LR_STEPS} steps is {run.final_loss:.3g}, not below {LR_TARGET:g}; "
            f"try a {direction} learning rate"
        )
    return None


EXERCISES = (
    FunctionSpec(
        id="1.1", notebook=NOTEBOOK, points=2, symbol="gd_update",
        title="gradient descent update rule",
        hint="write gd_update: one step of gradient descent from w against g, as a new array",
        args=("w", "g"), returns=("w",), reference=_reference, make_case=_case,
        mistakes=(
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _ascending),
            Mistake("learning rate missing", "the step is lr * g, not g", _no_lr),
        ),
    ),
    ValueSpec(
        id="1.2", notebook=NOTEBOOK, points=2, symbol="answer_lr",
        title="a learning rate that reaches the target",
        hint=f"set answer_lr to a learning rate that reaches loss < {LR_TARGET:g} within {LR_STEPS} steps",
        assess=_lr_assess,
        pass_text=f"with this learning rate gradient descent gets below {LR_TARGET:g} within {LR_STEPS} steps",
    ),
)
