"""The problems and optimizer settings on which course_lib is compared with torch.optim.

Shared by tests/test_parity_torch.py and tests/reference/make_torch_references.py,
so the live comparison and the stored trajectories use exactly the same runs.
"""

from __future__ import annotations

import numpy as np

STEPS = 500
DIM = 4

# Why these settings: RMSprop and AdaDelta take steps of nearly fixed size, about lr * sign(g),
# once their running averages track g^2 closely (small gamma) or once they oscillate around the
# minimum. There the map from one iterate to the next is almost discontinuous, and a 1-ulp
# difference (torch's sqrt is not correctly rounded; its addcmul uses a fused multiply-add)
# flips a sign and grows to 1e-3 within a few hundred steps. Such runs agree with torch step by
# step but not over 500 steps, so the cases below use settings that move far (> 1e-2) without
# entering that regime; tests/test_optimizers.py checks the first steps of every setting by hand.
#
# (case name, course_lib optimizer name, course_lib hyperparameters, torch class name, torch kwargs)
CASES = [
    ("sgd", "gd", {"lr": 0.05}, "SGD", {"lr": 0.05}),
    ("sgd_momentum", "momentum", {"lr": 0.02, "beta": 0.9}, "SGD", {"lr": 0.02, "momentum": 0.9}),
    ("adagrad", "adagrad", {"lr": 0.3}, "Adagrad", {"lr": 0.3}),
    ("adagrad_eps", "adagrad", {"lr": 0.3, "eps": 1e-3}, "Adagrad", {"lr": 0.3, "eps": 1e-3}),
    ("rmsprop", "rmsprop", {"lr": 0.003}, "RMSprop", {"lr": 0.003}),
    ("rmsprop_eps", "rmsprop", {"lr": 0.002, "eps": 1e-6}, "RMSprop", {"lr": 0.002, "eps": 1e-6}),
    ("adadelta", "adadelta", {"lr": 0.5}, "Adadelta", {"lr": 0.5}),
    ("adadelta_gamma", "adadelta", {"lr": 0.5, "gamma": 0.95}, "Adadelta", {"lr": 0.5, "rho": 0.95}),
    ("adam", "adam", {"lr": 0.05}, "Adam", {"lr": 0.05}),
    ("adam_betas", "adam", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, "Adam",
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
]


def make_problem(seed: int):
    """A random convex quadratic J(w) = (w - c)^T A (w - c) / 2 (condition ~ 10..100) and a start w0.

    The minimiser c is away from 0 so that relative tolerances mean something.
    """
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(DIM, DIM)))
    eigenvalues = np.geomspace(0.1, rng.uniform(1.0, 10.0), DIM)
    A = Q @ np.diag(eigenvalues) @ Q.T
    c = rng.normal(size=DIM)
    w0 = c + rng.normal(scale=2.0, size=DIM)

    def grad(w):
        return A @ (w - c)

    return grad, w0


SEEDS = (0, 1, 2)
