"""Data-driven problems, where stochastic and mini-batch gradients are real.

Each problem is a training set of ``n_samples`` examples and a loss that is
the mean of per-example losses. ``loss(w, batch)`` and ``grad(w, batch)``
take the indices of the examples to use: ``None`` for the full batch, one
index for SGD, an index array for a mini-batch. All gradients are computed
with vectorised numpy over the batch (no Python loop over examples).

- ``LinearRegression``: least squares on synthetic data with known weights.
- ``SparseLogisticRegression``: binary features, some active in only a few
  per cent of the examples (AdaGrad's home ground).
- ``DigitsMLP``: a one-hidden-layer network with hand-written backpropagation
  on the handwritten digits shipped in ``course_lib/data``.

Each also has a held-out test set (``test_loss``) and ``init_params(seed)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import _validate as check

DATA_DIR = Path(__file__).parent / "data"


def _rows(X: np.ndarray, batch) -> np.ndarray:
    return X if batch is None else X[np.atleast_1d(batch)]


class DataProblem:
    """Shared parts: the batch convention, loss_and_grad and the start (``course_lib.protocol.Problem``)."""

    name = "problem"
    title = "Problem"
    n_samples: int

    def init_params(self, seed: int = 0):
        """Parameters to start from; ``seed`` matters where they are random (a network's weights)."""
        raise NotImplementedError

    @property
    def start(self):
        """The start of ``descend`` when it is given no seed: ``init_params(0)``."""
        return self.init_params(0)

    def loss(self, w, batch=None) -> float:
        return self.loss_and_grad(w, batch)[0]

    def grad(self, w, batch=None):
        return self.loss_and_grad(w, batch)[1]

    def loss_and_grad(self, w, batch=None):
        raise NotImplementedError

    def test_loss(self, w) -> float:
        """Loss on the held-out examples, which training never sees."""
        raise NotImplementedError


class LinearRegression(DataProblem):
    """Least squares: J(w) = mean_i (x_i . w - y_i)^2 / 2, on synthetic data.

    ``scales`` stretches the features (a badly scaled problem when they differ).
    The first feature is a constant 1, so w[0] is the intercept.
    """

    name = "linear_regression"
    title = "Linear regression"

    def __init__(
        self,
        n_samples: int = 1000,
        n_features: int = 5,
        noise: float = 0.5,
        scales: tuple[float, ...] | None = None,
        n_test: int = 500,
        seed: int = 0,
    ) -> None:
        self.n_samples = check.check_positive_int("n_samples", n_samples)
        n_features = check.check_positive_int("n_features", n_features)
        rng = np.random.default_rng(seed)
        n_total = self.n_samples + n_test
        X = rng.normal(size=(n_total, n_features))
        X[:, 0] = 1.0
        if scales is not None:
            if len(scales) != n_features:
                raise ValueError(f"scales has {len(scales)} entries, but n_features is {n_features}; they must match")
            X = X * np.asarray(scales, dtype=float)
        self.w_true = rng.normal(size=n_features)
        y = X @ self.w_true + rng.normal(scale=noise, size=n_total)
        self.X, self.y = X[: self.n_samples], y[: self.n_samples]
        self.X_test, self.y_test = X[self.n_samples :], y[self.n_samples :]
        self.w_best = np.linalg.lstsq(self.X, self.y, rcond=None)[0]

    def init_params(self, seed: int = 0) -> np.ndarray:
        return np.zeros(self.X.shape[1])

    def loss(self, w, batch=None) -> float:
        residual = _rows(self.X, batch) @ w - _rows(self.y, batch)
        return 0.5 * float(residual @ residual) / len(residual)

    def loss_and_grad(self, w, batch=None):
        X, y = _rows(self.X, batch), _rows(self.y, batch)
        residual = X @ w - y
        return 0.5 * float(residual @ residual) / len(y), (X.T @ residual / len(y)).astype(w.dtype)

    def test_loss(self, w) -> float:
        residual = self.X_test @ w - self.y_test
        return 0.5 * float(residual @ residual) / len(residual)


def _log_loss(X, y, w) -> float:
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _log_loss_and_grad(X, y, w):
    """Mean logistic loss and its gradient, computed stably."""
    z = X @ w
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function without overflow
    return loss, X.T @ (p - y) / len(y)


class SparseLogisticRegression(DataProblem):
    """Logistic regression on binary features, some common and some rare.

    Features 0 .. n_common-1 are active in about half the examples; the
    remaining n_rare features in only ``rare_rate`` of them, but they carry
    large true weights. Labels are drawn from the true model. Plain SGD
    updates a rare feature's weight only when the feature is active, so it
    learns it slowly; AdaGrad gives rare features a larger step.
    """

    name = "sparse_logistic"
    title = "Sparse logistic regression"

    def __init__(
        self,
        n_samples: int = 2000,
        n_common: int = 5,
        n_rare: int = 15,
        rare_rate: float = 0.03,
        n_test: int = 1000,
        seed: int = 0,
    ) -> None:
        self.n_samples = check.check_positive_int("n_samples", n_samples)
        rate = check.check_number("rare_rate", rare_rate)
        if not 0 < rate <= 1:
            raise ValueError(f"rare_rate must be in (0, 1], got {rare_rate!r}")
        rng = np.random.default_rng(seed)
        n_total = self.n_samples + n_test
        rates = np.r_[np.full(n_common, 0.5), np.full(n_rare, rate)]
        X = (rng.random((n_total, len(rates))) < rates).astype(float)
        self.is_rare = np.r_[np.zeros(n_common, bool), np.ones(n_rare, bool)]
        self.w_true = np.r_[rng.normal(0, 0.5, n_common), rng.choice([-1, 1], n_rare) * rng.uniform(2, 4, n_rare)]
        p = 1 / (1 + np.exp(-(X @ self.w_true)))
        y = (rng.random(n_total) < p).astype(float)
        self.X, self.y = X[: self.n_samples], y[: self.n_samples]
        self.X_test, self.y_test = X[self.n_samples :], y[self.n_samples :]

    def init_params(self, seed: int = 0) -> np.ndarray:
        return np.zeros(self.X.shape[1])

    def loss(self, w, batch=None) -> float:
        # The loss alone, without the gradient: the descent loop records it every step.
        return _log_loss(_rows(self.X, batch), _rows(self.y, batch), w)

    def loss_and_grad(self, w, batch=None):
        loss, g = _log_loss_and_grad(_rows(self.X, batch), _rows(self.y, batch), w)
        return loss, g.astype(w.dtype, copy=False)

    def test_loss(self, w) -> float:
        return _log_loss(self.X_test, self.y_test, w)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The shipped 8x8 handwritten digits: (images scaled to [0, 1], shape (1797, 64); labels 0..9)."""
    with np.load(DATA_DIR / "digits.npz") as data:
        return data["images"].reshape(-1, 64) / 16.0, data["labels"].astype(int)


class DigitsMLP(DataProblem):
    """A 64-hidden-10 network with tanh and softmax, trained on the digits.

    Parameters are a dict of arrays {"W1", "b1", "W2", "b2"}. The loss is the
    mean cross-entropy; the gradient is hand-written backpropagation.
    """

    name = "digits_mlp"
    title = "Small neural network on handwritten digits"

    def __init__(self, hidden: int = 32, n_train: int = 1200, seed: int = 0) -> None:
        self.hidden = check.check_positive_int("hidden", hidden)
        images, labels = load_digits()
        if not 1 <= n_train < len(labels):
            raise ValueError(f"n_train must be between 1 and {len(labels) - 1}, got {n_train!r}")
        order = np.random.default_rng(seed).permutation(len(labels))
        train, test = order[:n_train], order[n_train:]
        self.n_samples = n_train
        self.X, self.y = images[train], labels[train]
        self.X_test, self.y_test = images[test], labels[test]

    def init_params(self, seed: int = 0) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        return {
            "W1": rng.normal(0, 1 / np.sqrt(64), (64, self.hidden)),
            "b1": np.zeros(self.hidden),
            "W2": rng.normal(0, 1 / np.sqrt(self.hidden), (self.hidden, 10)),
            "b2": np.zeros(10),
        }

    @staticmethod
    def _forward(params, X):
        h = np.tanh(X @ params["W1"] + params["b1"])
        logits = h @ params["W2"] + params["b2"]
        logits = logits - logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return h, log_p

    def loss(self, params, batch=None) -> float:
        X, y = _rows(self.X, batch), _rows(self.y, batch)
        _, log_p = self._forward(params, X)
        return -float(log_p[np.arange(len(y)), y].mean())

    def loss_and_grad(self, params, batch=None):
        X, y = _rows(self.X, batch), _rows(self.y, batch)
        n = len(y)
        h, log_p = self._forward(params, X)
        loss = -float(log_p[np.arange(n), y].mean())
        d_logits = np.exp(log_p)  # softmax probabilities
        d_logits[np.arange(n), y] -= 1.0
        d_logits /= n
        d_h = (d_logits @ params["W2"].T) * (1 - h * h)
        dtype = params["W1"].dtype
        grads = {"W1": X.T @ d_h, "b1": d_h.sum(axis=0), "W2": h.T @ d_logits, "b2": d_logits.sum(axis=0)}
        # copy=False: the arrays are fresh, and only float32 parameters need a cast.
        return loss, {k: v.astype(dtype, copy=False) for k, v in grads.items()}

    def test_loss(self, params) -> float:
        X, y = self.X_test, self.y_test
        _, log_p = self._forward(params, X)
        return -float(log_p[np.arange(len(y)), y].mean())

    def accuracy(self, params, test: bool = True) -> float:
        X, y = (self.X_test, self.y_test) if test else (self.X, self.y)
        return float((self._forward(params, X)[1].argmax(axis=1) == y).mean())


PROBLEMS = {cls.name: cls for cls in (LinearRegression, SparseLogisticRegression, DigitsMLP)}


def get_problem(name: str, **options) -> DataProblem:
    """Build a data problem by name: 'linear_regression', 'sparse_logistic' or 'digits_mlp'."""
    check.check_choice("problem", name, tuple(PROBLEMS))
    return PROBLEMS[name](**options)
