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

# The variants of chapter 9 (stored in tests/reference/torch_practice.npz, beside the schedules and clipping).
PRACTICE_CASES = [
    ("sgd_nesterov", "momentum", {"lr": 0.02, "beta": 0.9, "nesterov": True}, "SGD",
     {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    ("adam_l2", "adam", {"lr": 0.05, "weight_decay": 0.1}, "Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("adamw", "adamw", {"lr": 0.05}, "AdamW", {"lr": 0.05}),
    ("adamw_decay", "adamw", {"lr": 0.05, "weight_decay": 0.3}, "AdamW", {"lr": 0.05, "weight_decay": 0.3}),
]

# Learning-rate schedules: (case name, course_lib schedule class and arguments, torch scheduler), compared
# over SCHEDULE_STEPS updates from the rate SCHEDULE_LR. A torch scheduler is (class name, kwargs), or for
# SequentialLR ("SequentialLR", [its schedulers], milestones).
SCHEDULE_STEPS, SCHEDULE_LR = 150, 0.3
SCHEDULE_CASES = [
    ("step", ("StepDecay", {"step_size": 30, "gamma": 0.1}), ("StepLR", {"step_size": 30, "gamma": 0.1})),
    ("step_half", ("StepDecay", {"step_size": 7, "gamma": 0.5}), ("StepLR", {"step_size": 7, "gamma": 0.5})),
    ("cosine", ("CosineAnnealing", {"total_steps": 100}), ("CosineAnnealingLR", {"T_max": 100})),
    ("cosine_min", ("CosineAnnealing", {"total_steps": 40, "min_lr": 1e-3}),
     ("CosineAnnealingLR", {"T_max": 40, "eta_min": 1e-3})),  # 150 steps: past the trough and up again
    ("warmup", ("LinearWarmup", {"warmup_steps": 10, "start_factor": 0.01}),
     ("LinearLR", {"start_factor": 0.01, "total_iters": 10})),
    ("warmup_default", ("LinearWarmup", {"warmup_steps": 5}), ("LinearLR", {"total_iters": 5})),
    ("warmup_cosine", ("WarmupCosine", {"warmup_steps": 10, "total_steps": 100, "start_factor": 0.01}),
     ("SequentialLR", [("LinearLR", {"start_factor": 0.01, "total_iters": 10}), ("CosineAnnealingLR", {"T_max": 90})],
      [10])),
    ("warmup_cosine_min", ("WarmupCosine", {"warmup_steps": 20, "total_steps": 120, "start_factor": 0.1,
                                            "min_lr": 1e-3}),
     ("SequentialLR", [("LinearLR", {"start_factor": 0.1, "total_iters": 20}),
                       ("CosineAnnealingLR", {"T_max": 100, "eta_min": 1e-3})], [20])),
]

# Gradient clipping: (case name, max_norm, seed of the gradients); the gradients are three arrays.
CLIP_CASES = [("clipped", 1.0, 0), ("clipped_hard", 0.05, 1), ("unclipped", 100.0, 2)]


def clip_gradients(seed: int) -> list[np.ndarray]:
    """Three arrays of different shapes (one 'network'), with a global norm of about 5."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for shape in ((3, 4), (4,), (2, 2))]


# The descent loop with a schedule and clipping against torch's SGD, scheduler and clip_grad_norm_.
LOOP_CASE = {"lr": 0.3, "beta": 0.9, "max_norm": 0.5, "warmup_steps": 10, "total_steps": 100}


def make_problem(seed: int):
    """A random convex quadratic J(w) = (w - c)^T A (w - c) / 2 (condition ~ 10..100) and a start w0.

    The minimiser c is away from 0 so that relative tolerances mean something.
    """
    A, c, w0 = _quadratic(seed)

    def grad(w):
        return A @ (w - c)

    return grad, w0


def _quadratic(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(DIM, DIM)))
    eigenvalues = np.geomspace(0.1, rng.uniform(1.0, 10.0), DIM)
    A = Q @ np.diag(eigenvalues) @ Q.T
    c = rng.normal(size=DIM)
    w0 = c + rng.normal(scale=2.0, size=DIM)
    return A, c, w0


class ParityProblem:
    """make_problem's quadratic as a problem for course_lib.descend (the loop with schedule and clipping)."""

    n_samples = None

    def __init__(self, seed: int) -> None:
        self.A, self.c, self.start = _quadratic(seed)

    def grad(self, w, batch=None):
        return self.A @ (w - self.c)

    def loss(self, w, batch=None) -> float:
        return 0.5 * float((w - self.c) @ self.grad(w))

    def loss_and_grad(self, w, batch=None):
        return self.loss(w), self.grad(w)


SEEDS = (0, 1, 2)
