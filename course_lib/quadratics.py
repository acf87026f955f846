"""Quadratic landscapes and what their eigenvalues predict (the theory behind chapters 4 and 7).

On a quadratic J(w) = w^T A w / 2 everything about gradient descent and momentum is known in closed
form, and the reader can check it against a run:

- ``quadratic(eigenvalues, angle)``: the bowl with Hessian A = R diag(eigenvalues) R^T, its axes
  turned by ``angle`` degrees; ``rotated_ravine()`` is chapter 4's ravine turned by 45 degrees.
- ``hessian(landscape)`` and ``conditioning(landscape)``: A, its eigen-decomposition and the
  condition number kappa = lambda_max / lambda_min.
- ``gd_theory``, ``momentum_theory`` and ``nesterov_theory``: the best rates and the predicted contraction per step,
  (kappa - 1) / (kappa + 1) for gradient descent and (sqrt(kappa) - 1) / (sqrt(kappa) + 1) for
  momentum at its best (lr, beta) (Polyak 1964; distill.pub's "Why Momentum Really Works", 2017).
- ``measured_rate``: the contraction per step a run actually achieved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import _validate as check
from .landscapes import Landscape, Point

if TYPE_CHECKING:  # only for the annotations: quadratics sits below the descent loop
    from .descent import Trajectory


def _rotation(angle_degrees: float) -> np.ndarray:
    theta = np.deg2rad(angle_degrees)
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def quadratic(
    eigenvalues: Sequence[float] = (0.1, 10.0),
    angle: float = 0.0,
    start: Sequence[float] = (-9.0, 1.0),
    name: str = "quadratic",
) -> Landscape:
    """J(w) = w^T A w / 2 with A = R diag(eigenvalues) R^T, R a rotation by ``angle`` degrees.

    With the default eigenvalues (0.1, 10) and angle 0 this is the ravine x^2/20 + 5 y^2. The
    start is ``start`` turned by the same angle, so that every run sees the same problem, only
    in turned coordinates.
    """
    values = [check.check_positive("eigenvalues[...]", v) for v in eigenvalues]
    if len(values) != 2:
        raise ValueError(f"eigenvalues must hold two positive numbers (a 2-D landscape), got {eigenvalues!r}")
    angle = check.check_number("angle", angle)
    R = _rotation(angle)
    A = R @ np.diag(values) @ R.T
    a, b, c = A[0, 0], A[0, 1], A[1, 1]
    x0, y0 = R @ np.asarray(start, dtype=float)
    reach = float(np.hypot(x0, y0)) * 1.1
    return Landscape(
        name=name,
        title=f"Quadratic, eigenvalues {values[0]:g} and {values[1]:g}, axes turned {angle:g} degrees",
        f=lambda x, y: 0.5 * (a * x * x + 2 * b * x * y + c * y * y),
        grad_xy=lambda x, y: (a * x + b * y, b * x + c * y),
        minima=(Point(0.0, 0.0, 0.0, "minimum"),),
        starts={"start": (float(x0), float(y0))},
        xlim=(-reach, reach),
        ylim=(-reach, reach) if angle % 180 else (-2.0, 2.0),
        description="A quadratic: its eigenvalues decide how gradient descent and momentum converge.",
    )


def rotated_ravine(angle: float = 45.0) -> Landscape:
    """Chapter 4's ravine, x^2/20 + 5 y^2, turned by ``angle`` degrees (start (-9, 1) turned with it).

    Its badly scaled directions are no longer the coordinate axes, so a per-coordinate learning
    rate (AdaGrad, RMSprop, Adam) cannot give them different steps.
    """
    return quadratic((0.1, 10.0), angle=angle, name="rotated_ravine")


def hessian(landscape: Landscape) -> np.ndarray:
    """The Hessian of a quadratic landscape, read off its gradient: column j is grad(e_j) - grad(0)."""
    origin = landscape.grad(np.zeros(2))
    return np.column_stack([landscape.grad(e) - origin for e in np.eye(2)])


def conditioning(landscape: Landscape) -> dict[str, np.ndarray | float]:
    """Eigen-decomposition of the landscape's Hessian A = Q diag(lambda) Q^T.

    Returns {"hessian": A, "eigenvalues": ascending, "eigenvectors": columns of Q,
    "kappa": lambda_max / lambda_min, "diagonal": the diagonal of A, which is all a
    per-coordinate method can see}
    """
    A = hessian(landscape)
    if not np.allclose(A, A.T, atol=1e-12):
        raise ValueError(f"landscape {landscape.name!r} is not a quadratic with a symmetric Hessian: got {A.tolist()}")
    eigenvalues, eigenvectors = np.linalg.eigh(A)
    if eigenvalues[0] <= 0:
        raise ValueError(f"landscape {landscape.name!r} has eigenvalues {eigenvalues.tolist()}; all must be > 0")
    return {"hessian": A, "eigenvalues": eigenvalues, "eigenvectors": eigenvectors,
            "kappa": float(eigenvalues[-1] / eigenvalues[0]), "diagonal": np.diag(A).copy()}


def gd_theory(lambda_min: float, lambda_max: float) -> dict[str, float]:
    """Gradient descent on a quadratic: the step limit 2/lambda_max, the best rate and its contraction.

    Each step multiplies the error along eigenvector i by (1 - lr lambda_i). The largest factor in size
    is smallest at lr = 2 / (lambda_min + lambda_max), where it is (kappa - 1) / (kappa + 1).
    """
    lo, hi = check.check_positive("lambda_min", lambda_min), check.check_positive("lambda_max", lambda_max)
    kappa = hi / lo
    return {"step_limit": 2.0 / hi, "best_lr": 2.0 / (lo + hi), "rate": (kappa - 1) / (kappa + 1)}


def momentum_theory(lambda_min: float, lambda_max: float) -> dict[str, float]:
    """Heavy-ball momentum (``rules.momentum_update``) at its best (lr, beta) on a quadratic.

    lr = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2 and beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2
    give a contraction of sqrt(beta) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1) per step: the square root of
    kappa takes the place of kappa.
    """
    lo, hi = check.check_positive("lambda_min", lambda_min), check.check_positive("lambda_max", lambda_max)
    root = np.sqrt(hi / lo)
    rate = (root - 1) / (root + 1)
    return {"best_lr": 4.0 / (np.sqrt(hi) + np.sqrt(lo)) ** 2, "best_beta": float(rate**2), "rate": float(rate)}


def nesterov_theory(lambda_min: float, lambda_max: float) -> dict[str, float]:
    """Nesterov momentum (``rules.momentum_update(nesterov=True)``) at its best (lr, beta) on a quadratic.

    lr = 4 / (3 lambda_max + lambda_min) and beta = (sqrt(3 kappa + 1) - 2) / (sqrt(3 kappa + 1) + 2) give
    a contraction of 1 - 2 / sqrt(3 kappa + 1) per step (Lessard, Recht & Packard 2016, table 1): also a
    square root of kappa, but with a larger constant than heavy ball's.
    """
    lo, hi = check.check_positive("lambda_min", lambda_min), check.check_positive("lambda_max", lambda_max)
    root = np.sqrt(3 * hi / lo + 1)
    return {"best_lr": 4.0 / (3 * hi + lo), "best_beta": float((root - 2) / (root + 2)), "rate": float(1 - 2 / root)}


def measured_rate(trajectory: Trajectory, last: int = 100, floor: float = 1e-150) -> float:
    """The contraction of the distance to the minimum (0, 0) per step, averaged over ``last`` steps.

    A geometric mean, (|w_T| / |w_(T - last)|)^(1 / last), over the run's last ``last`` steps, or over
    the ``last`` steps before the distance first fell below ``floor`` (a fast run reaches the end of
    float64's range long before its last step). Momentum's distance does not fall monotonically, so
    a single step's ratio would say little.
    """
    last = check.check_positive_int("last", last)
    distance = np.linalg.norm(trajectory.params, axis=1)
    below = np.flatnonzero(distance < check.check_positive("floor", floor))
    end = int(below[0]) - 1 if below.size else len(distance) - 1
    if end < last:
        raise ValueError(f"last must be at most the {end} steps the run took before its distance fell below "
                         f"{floor:g}, got {last}")
    return float((distance[end] / distance[end - last]) ** (1.0 / last))


def steps_to_shrink(trajectory: Trajectory, factor: float) -> int | None:
    """First step at which the distance to (0, 0) is at most 1/``factor`` of the start's; None if never."""
    factor = check.check_positive("factor", factor)
    distance = np.linalg.norm(trajectory.params, axis=1)
    hits = np.flatnonzero(distance <= distance[0] / factor)
    return int(hits[0]) if hits.size else None
