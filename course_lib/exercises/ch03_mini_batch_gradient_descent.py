"""Chapter 3's exercises: the mini-batch gradient (3.1) and the shuffled mini-batches of an epoch (3.2)."""

from __future__ import annotations

from .judging import BatchingSpec, FunctionSpec, Mistake
from .shared import SIGN_ERROR, regression_case

NOTEBOOK = "03_mini_batch_gradient_descent"


def _case(rng, k):
    return regression_case(rng, k, batches=True)


def _reference(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(idx)


def _sum(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb)


def _over_n(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(y)


def _full(X, y, w, idx):
    return X.T @ (X @ w - y) / len(y)


def _sign(X, y, w, idx):
    return -_reference(X, y, w, idx)


EXERCISES = (
    FunctionSpec(
        id="3.1", notebook=NOTEBOOK, points=2, symbol="minibatch_gradient",
        title="the mini-batch gradient",
        hint="write minibatch_gradient: the mean of the gradients of the examples idx, without a Python loop",
        args=("X", "y", "w", "idx"), returns=("g",), reference=_reference, make_case=_case, int_args=("idx",),
        mistakes=(
            Mistake("sum instead of mean", "divide the summed gradient by the batch size len(idx)", _sum),
            Mistake("divided by the data set size", "divide by the batch size len(idx), not by len(y)", _over_n),
            Mistake("full-batch gradient", "use only the rows idx: X[idx] and y[idx]", _full),
            Mistake(
                SIGN_ERROR, "your gradient points downhill; the gradient of the loss is X^T (X w - y) / batch size",
                _sign,
            ),
        ),
    ),
    BatchingSpec(
        id="3.2", notebook=NOTEBOOK, points=2, symbol="minibatch_indices",
        title="the mini-batches of one epoch",
        hint="write minibatch_indices: shuffle range(n) with rng, cut it into n // batch_size batches",
        pass_text="minibatch_indices gives shuffled, disjoint batches of batch_size examples on 20 cases",
    ),
)
