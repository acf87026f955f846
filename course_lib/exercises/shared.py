"""What several chapters' exercises share: the seeded case makers and the names of common mistakes.

A case is plain JSON (lists, numbers, strings), so that the grader's judge can
rebuild it in another process from the seed alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SIGN_ERROR = "sign error (ascending)"
SIGN_EXPLANATION = "your step moves w along +g, uphill; subtract the step: w - ..."
V_WITH_G = "v updated with g instead of g²"

_SHAPES = ((3,), (1,), (2, 3), (5,))


def update_case(
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
    case: dict[str, object] = {
        "dtype": dtype,
        "shape": list(shape),
        "state": {n: v.astype(dtype).tolist() for n, v in state.items()},
        "steps": [{"g": (rng.normal(size=shape) * scale).astype(dtype).tolist()} for _ in range(n_steps)],
        "kwargs": kwargs,
    }
    if counter:
        case["counter"] = 1 if fresh else int(rng.integers(2, 60))
    return case


def regression_case(rng: np.random.Generator, k: int, batches: bool) -> dict:
    """Linear-regression data, a weight vector and a few example indices (or mini-batches) to use."""
    dtype = "float32" if k % 4 == 3 else "float64"
    n, d = int(rng.integers(6, 21)), int(rng.integers(1, 5))
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(scale=0.3, size=n)
    steps: list[dict[str, object]] = []
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
        "kwargs": {} if batches else {"lr": round_3(10 ** rng.uniform(-2, -0.5))},
    }


def round_3(x: float) -> float:
    """``x`` rounded to 3 significant digits (hyperparameters that read well in a message)."""
    return float(f"{x:.3g}")


def race_assess(winner: Callable[[], str], why: str) -> Callable[[str], str | None]:
    """Assess a choice between two runs: right when it names the ``winner()`` ('A' or 'B')."""

    def assess(choice: str) -> str | None:
        if choice == winner():
            return None
        return f"{choice!r} is not the run that ends with the lower loss. {why}"

    return assess
