"""Chapter 3's exercises (course_lib/exercises/ch03_mini_batch_gradient_descent.py): gradient and batches."""

import numpy as np
import pytest

from course_lib.exercises.check import run_check


@pytest.mark.parametrize(
    "function, mistake",
    [
        (lambda X, y, w, idx: X[idx].T @ (X[idx] @ w - y[idx]), "sum instead of mean"),
        (lambda X, y, w, idx: X[idx].T @ (X[idx] @ w - y[idx]) / y.size, "divided by the data set size"),
        (lambda X, y, w, idx: (X @ w - y) @ X / len(y), "full-batch gradient"),
        (lambda X, y, w, idx: X[idx].T @ (y[idx] - X[idx] @ w) / len(idx), "sign error (ascending)"),
    ],
    ids=["sum", "over n", "full batch", "sign"],
)
def test_each_known_mistake_is_named(function, mistake):
    verdict = run_check("3.1", function)
    assert verdict.message.startswith("Exercise 3.1 failed: wrong g ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report


def test_a_right_answer_written_differently_passes():
    verdict = run_check("3.1", lambda X, y, w, idx: np.mean((X[idx] @ w - y[idx])[:, None] * X[idx], axis=0))
    assert verdict.message == "Exercise 3.1 passed: minibatch_gradient matches the reference on 50 cases"


def batches_right(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[k * batch_size : (k + 1) * batch_size] for k in range(n // batch_size)]


@pytest.mark.parametrize(
    "function, fragment",
    [
        (batches_right, "passed"),
        (lambda n, b, rng: [np.arange(n)[k : k + b] for k in range(0, n - b + 1, b)], "Known mistake: not shuffled"),
        (lambda n, b, rng: [rng.integers(0, n, b) for _ in range(n // b)], "Known mistake: sampling with replacement"),
        (
            lambda n, b, rng: [o[k : k + b] for o in [rng.permutation(n)] for k in range(0, n, b)],
            "Known mistake: keeping the last, incomplete batch",
        ),
        (
            lambda n, b, rng: batches_right(n, b, np.random.default_rng(1)),
            "Known mistake: ignoring rng",
        ),
        (
            lambda n, b, rng: [o[k : k + b] for o in [np.random.permutation(n)] for k in range(0, n - b + 1, b)],
            "Known mistake: ignoring rng",
        ),
        (lambda n, b, rng: np.arange(n), "must return a list of index arrays"),
        (lambda n, b, rng: [np.zeros(b)], "integer index arrays"),
    ],
    ids=["right", "in order", "replacement", "last batch", "fixed seed", "np.random", "array", "floats"],
)
def test_the_batching_exercise(function, fragment):
    assert fragment in run_check("3.2", function).message
