"""The exercises: what each one asks, the cases it is checked on, and the known mistakes it names.

``SPECS`` maps an exercise id ("4.1") to its spec; ``specs_for("04_adagrad")``
lists a notebook's exercises. Checking an answer has two halves (see
``course_lib.exercise_judging``): ``collect_outputs(spec, answer, seed)`` runs
the student's answer and returns plain JSON-able data, never an exception;
``spec.judge(outputs, seed)`` compares it with the reference and returns a
``Verdict`` with a one-line message, naming the known mistake it recognises
(section 5 of the optimizer reference: eps on the wrong side of the square
root, missing bias correction, ...).

Each update-rule exercise lists its known mistakes as buggy variants of the
reference, written here (never in the notebooks).

In a notebook, ``course_lib.checks.check("4.1", adagrad_update)`` does both halves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import rules
from .descent import descend
from .exercise_judging import (
    DEFAULT_SEED,
    BatchingSpec,
    ExerciseSpec,
    FunctionSpec,
    Mistake,
    ValueSpec,
    Verdict,
    one_line,
)
from .landscapes import bowl, get_landscape
from .optimizers import GradientDescent, make_optimizer
from .problems import LinearRegression

__all__ = ["DEFAULT_SEED", "SPECS", "SPEC_LIST", "ExerciseSpec", "Verdict", "collect_outputs", "specs_for"]

# ---- case makers ---------------------------------------------------------------

_SHAPES = ((3,), (1,), (2, 3), (5,))


def _update_case(
    rng: np.random.Generator, k: int, state_names: tuple[str, ...], kwargs: dict, counter: bool = False
) -> dict:
    """A case for an update rule: a few chained steps from a fresh or mid-run state.

    Every fifth case has tiny gradients (|g| ~ 1e-8), where the placement of eps
    matters; every fourth is float32; even cases start from a zero state (t = 1).
    """
    dtype = "float32" if k % 4 == 3 else "float64"
    shape = _SHAPES[k % len(_SHAPES)]
    scale = 1e-8 if k % 5 == 1 else 10 ** rng.uniform(-2, 1)
    fresh = k % 2 == 0
    n_steps = 1 + k % 4
    state = {"w": rng.normal(size=shape)}
    for name in state_names:
        if fresh:
            state[name] = np.zeros(shape)
        elif name == "m":
            state[name] = rng.normal(size=shape) * scale
        else:  # G, v, u: sums and averages of squares are positive
            state[name] = rng.uniform(0.1, 2.0, size=shape) * scale**2
    case = {
        "dtype": dtype,
        "shape": list(shape),
        "state": {n: v.astype(dtype).tolist() for n, v in state.items()},
        "steps": [{"g": (rng.normal(size=shape) * scale).astype(dtype).tolist()} for _ in range(n_steps)],
        "kwargs": kwargs,
    }
    if counter:
        case["counter"] = 1 if fresh else int(rng.integers(2, 60))
    return case


def _round(x: float) -> float:
    return float(f"{x:.3g}")


def _gd_case(rng, k):
    return _update_case(rng, k, (), {"lr": _round(10 ** rng.uniform(-3, 0))})


def _adagrad_case(rng, k):
    kwargs = {} if k % 7 == 3 else {"lr": _round(10 ** rng.uniform(-2, 0)), "eps": [1e-10, 1e-8][k % 2]}
    return _update_case(rng, k, ("G",), kwargs)


def _rmsprop_case(rng, k):
    kwargs = {} if k % 7 == 3 else {
        "lr": _round(10 ** rng.uniform(-3, -1)), "gamma": [0.9, 0.99, 0.5][k % 3], "eps": [1e-8, 1e-6][k % 2]
    }
    return _update_case(rng, k, ("v",), kwargs)


def _adadelta_case(rng, k):
    # lr != 1 in most cases, so accumulating the lr-scaled step shows.
    kwargs = {} if k % 7 == 3 else {"lr": [1.0, 0.5, 2.0, 10.0][k % 4], "gamma": [0.9, 0.95][k % 2], "eps": 1e-6}
    return _update_case(rng, k, ("v", "u"), kwargs)


def _adam_case(rng, k):
    kwargs = {} if k % 7 == 3 else {
        "lr": _round(10 ** rng.uniform(-3, -1)), "beta1": [0.9, 0.8][k % 2], "beta2": [0.999, 0.99][k % 3 // 2],
        "eps": 1e-8,
    }
    return _update_case(rng, k, ("m", "v"), kwargs, counter=True)


# ---- chapter 1: gradient descent ----------------------------------------------------

SIGN_ERROR = "sign error (ascending)"
SIGN_EXPLANATION = "your step moves w along +g, uphill; subtract the step: w - ..."


def _gd_reference(w, g, lr):
    return rules.gd_update(w, g, lr)


def _gd_ascending(w, g, lr):
    return w + lr * g


def _gd_no_lr(w, g, lr):
    return w - g


LR_TARGET, LR_STEPS, LR_CONDITION = 1e-6, 25, 4.0


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


# ---- chapter 2: stochastic gradient descent -------------------------------------------


def _regression_case(rng: np.random.Generator, k: int, batches: bool) -> dict:
    """Linear-regression data, a weight vector and a few example indices (or mini-batches) to use."""
    dtype = "float32" if k % 4 == 3 else "float64"
    n, d = int(rng.integers(6, 21)), int(rng.integers(1, 5))
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(scale=0.3, size=n)
    steps = []
    for _ in range(1 + k % 3):
        if batches:
            size = int(rng.integers(1, n + 1)) if k % 5 else n
            steps.append({"idx": [int(i) for i in rng.permutation(n)[:size]]})
        else:
            steps.append({"i": int(rng.integers(n))})
    return {
        "dtype": dtype,
        "shape": [d],
        "state": {"w": rng.normal(size=d).astype(dtype).tolist()},
        "fixed": {"X": X.astype(dtype).tolist(), "y": y.astype(dtype).tolist()},
        "steps": steps,
        "kwargs": {} if batches else {"lr": _round(10 ** rng.uniform(-2, -0.5))},
    }


def _sgd_reference(w, X, y, i, lr):
    g = (X[i] @ w - y[i]) * X[i]
    return rules.gd_update(w, g, lr)


def _sgd_ascending(w, X, y, i, lr):
    return w + lr * (X[i] @ w - y[i]) * X[i]


def _sgd_full_batch(w, X, y, i, lr):
    return w - lr * X.T @ (X @ w - y) / len(y)


def _sgd_no_input_factor(w, X, y, i, lr):
    return w - lr * (X[i] @ w - y[i])


SGD_STEPS, GD_STEPS = 5000, 5


def _race_winner(key: str) -> str:
    """'A' or 'B': which of the two runs of a race ends with the lower loss (computed once)."""
    if key not in _RACES:
        if key == "sgd":
            problem = LinearRegression(n_samples=1000)
            a = descend(GradientDescent(lr=0.1), problem, steps=GD_STEPS, record_diagnostics=False)
            b = descend(
                GradientDescent(lr=0.05), problem, steps=SGD_STEPS, batch_size=1, record_diagnostics=False
            )
        else:
            ravine = get_landscape("ravine")
            a = descend(make_optimizer("adagrad", lr=0.1), ravine, steps=300, record_diagnostics=False)
            b = descend(make_optimizer("rmsprop", lr=0.1), ravine, steps=300, record_diagnostics=False)
        _RACES[key] = "A" if a.final_loss < b.final_loss else "B"
    return _RACES[key]


_RACES: dict[str, str] = {}


def _race_assess(key: str, why: str) -> Callable[[str], str | None]:
    def assess(choice: str) -> str | None:
        if choice == _race_winner(key):
            return None
        return f"{choice!r} is not the run that ends with the lower loss. {why}"

    return assess


# ---- chapter 3: mini-batch gradient descent -----------------------------------------------


def _minibatch_reference(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(idx)


def _minibatch_sum(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb)


def _minibatch_over_n(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(y)


def _minibatch_full(X, y, w, idx):
    return X.T @ (X @ w - y) / len(y)


def _minibatch_sign(X, y, w, idx):
    return -_minibatch_reference(X, y, w, idx)


# ---- chapter 4: AdaGrad ---------------------------------------------------------


def _adagrad_reference(w, g, G, lr=1e-2, eps=1e-10):
    return rules.adagrad_update(w, g, G, lr=lr, eps=eps)


def _adagrad_eps_inside(w, g, G, lr=1e-2, eps=1e-10):
    return rules.adagrad_update(w, g, G, lr=lr, eps=eps, eps_inside_sqrt=True)


def _adagrad_accumulate_after(w, g, G, lr=1e-2, eps=1e-10):
    w_new = w - lr * g / (np.sqrt(G) + eps)
    return w_new, G + g * g


def _adagrad_g_not_squared(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g
    return w - lr * g / (np.sqrt(G) + eps), G


def _adagrad_ascending(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w + lr * g / (np.sqrt(G) + eps), G


def _adagrad_no_sqrt(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w - lr * g / (G + eps), G


def _effective_lr_assess(value: float) -> str | None:
    G = 3.0**2 + 4.0**2
    expected = 0.5 / (math.sqrt(G) + 1e-10)
    if abs(value - expected) <= 1e-6 * expected:
        return None
    if abs(value - 0.5 / G) <= 1e-6 * expected:
        return f"{value:g} is lr / G; the effective learning rate divides by the square root of G"
    if abs(value - 0.5 / 4.0) <= 1e-6 * expected:
        return f"{value:g} uses only the last gradient; G sums the squares of both gradients"
    return f"{value:g} is not lr / (sqrt(G) + eps) after the two gradients 3 and 4"


# ---- chapter 5: RMSprop ------------------------------------------------------------


def _rmsprop_reference(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    return rules.rmsprop_update(w, g, v, lr=lr, gamma=gamma, eps=eps)


def _rmsprop_eps_inside(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    return rules.rmsprop_update(w, g, v, lr=lr, gamma=gamma, eps=eps, eps_inside_sqrt=True)


def _rmsprop_g_not_squared(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g
    return w - lr * g / (np.sqrt(v) + eps), v


def _rmsprop_swapped(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = (1 - gamma) * v + gamma * g * g
    return w - lr * g / (np.sqrt(v) + eps), v


def _rmsprop_accumulate_after(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    w_new = w - lr * g / (np.sqrt(v) + eps)
    return w_new, gamma * v + (1 - gamma) * g * g


def _rmsprop_ascending(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g * g
    return w + lr * g / (np.sqrt(v) + eps), v


# ---- chapter 6: AdaDelta -----------------------------------------------------------


def _adadelta_reference(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    return rules.adadelta_update(w, g, v, u, lr=lr, gamma=gamma, eps=eps)


def _adadelta_previous_v(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = gamma * v + (1 - gamma) * g * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _adadelta_scaled_accumulation(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - dw, v, u


def _adadelta_no_eps_numerator(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = np.sqrt(u) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _adadelta_g_not_squared(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _adadelta_ascending(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    w_new, v, u = rules.adadelta_update(w, g, v, u, lr=lr, gamma=gamma, eps=eps)
    return w + (w - w_new), v, u


def _first_step_assess(value: float) -> str | None:
    g, gamma, eps = 2.0, 0.9, 1e-6
    expected = math.sqrt(eps) / math.sqrt((1 - gamma) * g * g + eps) * g
    if abs(abs(value) - expected) <= 1e-4 * expected:
        return None
    if value == 0:
        return "0 would mean sqrt(u) with u = 0 in the numerator; AdaDelta uses sqrt(u + eps), so the first step moves"
    if abs(abs(value) - g) <= 1e-4 * g:
        return f"{value:g} is the step of the old E[g^2] = 0; v is updated with this step's gradient first"
    return f"{value:g} is not |dw| = sqrt(u + eps) / sqrt(v + eps) * |g| with v already updated and u = 0"


# ---- chapter 7: Adam ------------------------------------------------------------


def _adam_reference(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return rules.adam_update(w, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def _adam_variant(correct_m=True, correct_v=True, exponent_shift=0, square=True, eps_inside=False,
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
    expected = 1 / (1 - 0.9**3)
    if abs(value - expected) <= 1e-6 * expected:
        return None
    if abs(value - 1 / (1 - 0.9**2)) <= 1e-6 * expected:
        return f"{value:g} is the factor for t = 2; t is 1 at the first step, so the third step has t = 3"
    if abs(value - (1 - 0.9**3)) <= 1e-6:
        return f"{value:g} is 1 - beta1^t, the number m is divided by; the factor that multiplies m is its inverse"
    return f"{value:g} is not the factor 1 / (1 - beta1^t) that turns m into m_hat at t = 3"


# ---- the exercise list --------------------------------------------------------

V_WITH_G = "v updated with g instead of g²"

SPEC_LIST: list[ExerciseSpec] = [
    FunctionSpec(
        id="1.1", notebook="01_gradient_descent", points=2, symbol="gd_update", kind="function",
        title="gradient descent update rule",
        hint="write gd_update: one step of gradient descent from w against g, as a new array",
        args=("w", "g"), returns=("w",), reference=_gd_reference, make_case=_gd_case,
        mistakes=(
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _gd_ascending),
            Mistake("learning rate missing", "the step is lr * g, not g", _gd_no_lr),
        ),
    ),
    ValueSpec(
        id="1.2", notebook="01_gradient_descent", points=2, symbol="answer_lr", kind="value",
        title="a learning rate that reaches the target",
        hint=f"set answer_lr to a learning rate that reaches loss < {LR_TARGET:g} within {LR_STEPS} steps",
        assess=_lr_assess,
        pass_text=f"with this learning rate gradient descent gets below {LR_TARGET:g} within {LR_STEPS} steps",
    ),
    FunctionSpec(
        id="2.1", notebook="02_stochastic_gradient_descent", points=2, symbol="sgd_step", kind="function",
        title="one SGD step on one example",
        hint="write sgd_step: the gradient of example i alone, then one gradient descent step with it",
        args=("w", "X", "y", "i"), returns=("w",), reference=_sgd_reference,
        make_case=lambda rng, k: _regression_case(rng, k, batches=False),
        mistakes=(
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _sgd_ascending),
            Mistake(
                "full-batch gradient", "you use every example; SGD uses example i only: X[i] and y[i]",
                _sgd_full_batch,
            ),
            Mistake(
                "input factor missing", "the gradient of (x.w - y)^2 / 2 is (x.w - y) * x: multiply by X[i]",
                _sgd_no_input_factor,
            ),
        ),
    ),
    ValueSpec(
        id="2.2", notebook="02_stochastic_gradient_descent", points=1, symbol="answer_race", kind="value",
        title="SGD or gradient descent, for the same work",
        hint="set answer_race to 'A' or 'B'",
        choices=("A", "B"),
        assess=_race_assess(
            "sgd", "Count how many examples each run looks at, and how many steps each makes with them."
        ),
        pass_text="that run gets further for the same number of gradient evaluations",
    ),
    FunctionSpec(
        id="3.1", notebook="03_mini_batch_gradient_descent", points=2, symbol="minibatch_gradient", kind="function",
        title="the mini-batch gradient",
        hint="write minibatch_gradient: the mean of the gradients of the examples idx, without a Python loop",
        args=("X", "y", "w", "idx"), returns=("g",), reference=_minibatch_reference,
        make_case=lambda rng, k: _regression_case(rng, k, batches=True), int_args=("idx",),
        mistakes=(
            Mistake("sum instead of mean", "divide the summed gradient by the batch size len(idx)", _minibatch_sum),
            Mistake(
                "divided by the data set size", "divide by the batch size len(idx), not by len(y)", _minibatch_over_n
            ),
            Mistake("full-batch gradient", "use only the rows idx: X[idx] and y[idx]", _minibatch_full),
            Mistake(
                SIGN_ERROR, "your gradient points downhill; the gradient of the loss is X^T (X w - y) / batch size",
                _minibatch_sign,
            ),
        ),
    ),
    BatchingSpec(
        id="3.2", notebook="03_mini_batch_gradient_descent", points=2, symbol="minibatch_indices", kind="function",
        title="the mini-batches of one epoch",
        hint="write minibatch_indices: shuffle range(n) with rng, cut it into n // batch_size batches",
        pass_text="minibatch_indices gives shuffled, disjoint batches of batch_size examples on 20 cases",
    ),
    FunctionSpec(
        id="4.1", notebook="04_adagrad", points=3, symbol="adagrad_update", kind="function",
        title="AdaGrad update rule",
        hint="write adagrad_update: add g**2 to G, then step w against g / (sqrt(G) + eps); return (w, G)",
        args=("w", "g", "G"), returns=("w", "G"), reference=_adagrad_reference, make_case=_adagrad_case,
        mistakes=(
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(G + eps); the course (and torch) divide by sqrt(G) + eps, "
                "which differs when |g| is tiny",
                _adagrad_eps_inside,
            ),
            Mistake(
                "accumulating g² after the step",
                "you divide by the old G (G_{t-1}); add g**2 to G first, then step",
                _adagrad_accumulate_after,
            ),
            Mistake("G accumulates g instead of g²", "add g * g (the square) to G", _adagrad_g_not_squared),
            Mistake("no square root of G", "divide by sqrt(G) + eps, not by G + eps", _adagrad_no_sqrt),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _adagrad_ascending),
        ),
    ),
    ValueSpec(
        id="4.2", notebook="04_adagrad", points=1, symbol="answer_effective_lr", kind="value",
        title="AdaGrad's effective learning rate",
        hint="set answer_effective_lr to lr / (sqrt(G) + eps) after the gradients 3 and 4 (a number)",
        assess=_effective_lr_assess,
        pass_text="that is AdaGrad's effective learning rate after the gradients 3 and 4",
    ),
    FunctionSpec(
        id="5.1", notebook="05_rmsprop", points=3, symbol="rmsprop_update", kind="function",
        title="RMSprop update rule",
        hint="write rmsprop_update: v = gamma * v + (1 - gamma) * g**2, then w - lr * g / (sqrt(v) + eps)",
        args=("w", "g", "v"), returns=("w", "v"), reference=_rmsprop_reference, make_case=_rmsprop_case,
        mistakes=(
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(v + eps); the course (and torch) divide by sqrt(v) + eps, "
                "which differs when |g| is tiny",
                _rmsprop_eps_inside,
            ),
            Mistake(V_WITH_G, "average the squares: (1 - gamma) * g * g", _rmsprop_g_not_squared),
            Mistake(
                "gamma and 1 - gamma swapped", "the old average keeps the weight gamma: gamma * v + (1 - gamma) * g**2",
                _rmsprop_swapped,
            ),
            Mistake(
                "accumulating g² after the step",
                "you divide by the old v; update v with this step's g**2 first, then step",
                _rmsprop_accumulate_after,
            ),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _rmsprop_ascending),
        ),
    ),
    ValueSpec(
        id="5.2", notebook="05_rmsprop", points=1, symbol="answer_race", kind="value",
        title="AdaGrad or RMSprop in the ravine",
        hint="set answer_race to 'A' or 'B'",
        choices=("A", "B"),
        assess=_race_assess("ravine", "Think about what happens to each one's effective learning rate over 300 steps."),
        pass_text="that run gets further in 300 steps",
    ),
    FunctionSpec(
        id="6.1", notebook="06_adadelta", points=3, symbol="adadelta_update", kind="function",
        title="AdaDelta update rule",
        hint="write adadelta_update: update v with g**2, dw = sqrt(u + eps) / sqrt(v + eps) * g, "
        "update u with dw**2, return (w - lr * dw, v, u)",
        args=("w", "g", "v", "u"), returns=("w", "v", "u"), reference=_adadelta_reference, make_case=_adadelta_case,
        mistakes=(
            Mistake(
                "AdaDelta using the previous E[g²]",
                "you compute dw before updating v; update v = E[g^2] with this step's gradient first",
                _adadelta_previous_v,
            ),
            Mistake(
                "accumulating the lr-scaled step",
                "u accumulates the unscaled dw**2; lr only scales the step applied to w",
                _adadelta_scaled_accumulation,
            ),
            Mistake(
                "eps missing in the numerator", "use sqrt(u + eps); with sqrt(u) and u = 0 AdaDelta never moves",
                _adadelta_no_eps_numerator,
            ),
            Mistake(V_WITH_G, "average the squares: (1 - gamma) * g * g", _adadelta_g_not_squared),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _adadelta_ascending),
        ),
    ),
    ValueSpec(
        id="6.2", notebook="06_adadelta", points=1, symbol="answer_first_step", kind="value",
        title="the size of AdaDelta's first step",
        hint="set answer_first_step to |dw| of the first step (a number)",
        assess=_first_step_assess,
        pass_text="that is the size of AdaDelta's first step",
    ),
    FunctionSpec(
        id="7.1", notebook="07_adam", points=3, symbol="adam_update", kind="function",
        title="Adam update rule",
        hint="write adam_update: update m and v, bias-correct them with t, step w; return (w, m, v)",
        args=("w", "g", "m", "v", "t"), returns=("w", "m", "v"), reference=_adam_reference, make_case=_adam_case,
        counter="t",
        mistakes=(
            Mistake(
                "missing bias correction", "divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step",
                _adam_variant(correct_m=False, correct_v=False),
            ),
            Mistake(
                "partial bias correction (m only)", "v needs its correction too: v_hat = v / (1 - beta2**t)",
                _adam_variant(correct_v=False),
            ),
            Mistake(
                "partial bias correction (v only)", "m needs its correction too: m_hat = m / (1 - beta1**t)",
                _adam_variant(correct_m=False),
            ),
            Mistake(
                "step counter starting at 0",
                "your correction uses t - 1 (1 - beta**0 = 0 at the first step); t is 1 at the first step",
                _adam_variant(exponent_shift=-1),
            ),
            Mistake(V_WITH_G, "v averages the squares: (1 - beta2) * g * g", _adam_variant(square=False)),
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(v_hat + eps); Adam divides by sqrt(v_hat) + eps",
                _adam_variant(eps_inside=True),
            ),
            Mistake(
                "eps added to the uncorrected square root",
                "you divide by (sqrt(v) + eps) / sqrt(1 - beta2**t) (Keras' epsilon-hat form); "
                "add eps after the correction: sqrt(v_hat) + eps",
                _adam_variant(eps_hat=True),
            ),
            Mistake(
                "bias correction written back into the state",
                "return the raw m and v; m_hat and v_hat are used for the step only",
                _adam_variant(write_back=True),
            ),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _adam_variant(sign=-1.0)),
        ),
    ),
    ValueSpec(
        id="7.2", notebook="07_adam", points=1, symbol="answer_bias_factor", kind="value",
        title="the bias-correction factor",
        hint="set answer_bias_factor to the factor that multiplies m at t = 3 (a number)",
        assess=_bias_factor_assess,
        pass_text="that is the factor 1 / (1 - beta1^t) at t = 3",
    ),
]

SPECS: dict[str, ExerciseSpec] = {spec.id: spec for spec in SPEC_LIST}


def specs_for(notebook: str) -> list[ExerciseSpec]:
    """The exercises of one exercise notebook ("04_adagrad"), in order; [] for an unknown notebook."""
    return [spec for spec in SPEC_LIST if spec.notebook == notebook]


def collect_outputs(spec: ExerciseSpec, answer: Any, seed: int = DEFAULT_SEED) -> dict:
    """Run (or read) the student's ``answer`` for ``spec``: JSON-able outputs, never an exception.

    Errors in the student's code, wrong types or shapes, and time-outs become an
    ``"error"`` entry with a message for the student.
    """
    try:
        return spec.collect(answer, seed)
    except Exception as exc:  # noqa: BLE001 - e.g. an answer whose __eq__ or __float__ raises
        return {"exercise": spec.id, "seed": seed, "error": f"{spec.symbol} could not be checked: {one_line(exc, 160)}"}
