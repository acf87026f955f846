"""Experiments for the adaptive chapters (04 AdaGrad, 05 RMSprop, 06 AdaDelta, 07 Adam).

Plain, seeded functions that run ``course_lib.descend`` and return numbers
and trajectories; the chapters print and plot what they return.

- ``cliff_and_plain``: a landscape where AdaGrad's shrinking learning rate stalls (chapters 04, 05;
  defined in ``course_lib.landscapes``, like ``scaled_loss`` and ``scaled_bowl``).
- ``sweep``: one optimizer replayed over several values of one hyperparameter.
- ``feature_errors``: how far rare and common weights are from the true ones (chapter 04).
- ``start_grid`` and ``basin_fractions``: which hollow each start ends in (chapter 05).
- ``scaled_loss``: the same landscape with its loss (and gradients) multiplied (chapter 05).
- ``update_scaling`` and ``scaled_bowl``: the units argument for AdaDelta (chapter 06).
- ``steps_to_reach``, ``step_lengths`` and ``losses_at``: reading progress off a trajectory (all).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .. import _validate as check
from .. import rules
from ..descent import Trajectory, descend
from ..landscapes import Landscape, bowl

# The chapters' landscapes are defined in course_lib.landscapes; the chapters call them from here.
from ..landscapes import cliff_and_plain as cliff_and_plain
from ..landscapes import scaled_bowl as scaled_bowl
from ..landscapes import scaled_loss as scaled_loss
from ..optimizers import AdaDelta, Optimizer
from ..params import unravel

# ---- sweeps ---------------------------------------------------------------------


def sweep(
    optimizer: Optimizer,
    problem: Any,
    name: str,
    values: Iterable[float],
    steps: int = 200,
    **descend_options: Any,
) -> list[Trajectory]:
    """Replay ``optimizer`` on ``problem`` once for each value of hyperparameter ``name``.

    Parameters
    ----------
    optimizer : the optimizer whose other hyperparameters stay fixed.
    problem : a landscape or data problem, passed to ``descend``.
    name : the hyperparameter to vary, e.g. "lr" or "gamma"; it must be one of the optimizer's.
    values : the values to try.
    steps : steps per run.
    descend_options : passed on to ``descend`` (start, batch_size, seed, ...).

    Returns
    -------
    One Trajectory per value, in order, each labelled "name=value".
    """
    if name not in optimizer.hyperparams:
        raise ValueError(
            f"name must be a hyperparameter of {type(optimizer).__name__}, got {name!r}; "
            f"allowed: {', '.join(optimizer.hyperparams)}"
        )
    runs = []
    for value in values:
        label = f"{name}={value:g}"
        runs.append(descend(optimizer.clone(**{name: value}), problem, steps=steps, label=label, **descend_options))
    if not runs:
        raise ValueError("values must hold at least one value, got an empty sequence")
    return runs


# ---- reading progress off a trajectory --------------------------------------------


def steps_to_reach(trajectory: Trajectory, loss_below: float) -> int | None:
    """The first step whose recorded loss is at or below ``loss_below``; None if it never gets there."""
    loss_below = check.check_number("loss_below", loss_below)
    hits = np.flatnonzero(trajectory.losses <= loss_below)
    return int(hits[0]) if hits.size else None


def step_lengths(trajectory: Trajectory) -> np.ndarray:
    """Length |w_k - w_(k-1)| of every step taken (one entry per step)."""
    return np.linalg.norm(np.diff(trajectory.params, axis=0), axis=1)


def losses_at(trajectory: Trajectory, problem: Any, steps: Sequence[int]) -> np.ndarray:
    """The full-batch loss of ``problem`` at the parameters a run had after each of ``steps``.

    Runs recorded with ``batch_loss=True`` (cheap on big data sets) store only
    the noisy mini-batch loss; this recomputes the full loss where it is needed.
    The flattened rows of ``trajectory.params`` are put back into the
    structure of ``trajectory.final`` (an array, or a network's dict of arrays).
    """
    if trajectory.final is None:
        raise ValueError("trajectory.final is None; losses_at needs a run made by descend")
    out = []
    for step in steps:
        if not 0 <= step <= trajectory.steps:
            raise ValueError(f"steps must lie between 0 and {trajectory.steps} (the run's length), got {step!r}")
        out.append(problem.loss(unravel(trajectory.params[step], trajectory.final)))
    return np.array(out)


def feature_errors(trajectory: Trajectory, w_true: np.ndarray, is_rare: np.ndarray) -> dict[str, np.ndarray]:
    """Mean absolute error of the rare and of the common weights after every step.

    Parameters
    ----------
    trajectory : a run on a problem with one weight per feature (e.g. SparseLogisticRegression).
    w_true : the weights that generated the data.
    is_rare : boolean mask, True for the rare features.

    Returns
    -------
    {"rare": array (steps + 1,), "common": array (steps + 1,)}
    """
    w_true = np.asarray(w_true, dtype=float)
    is_rare = np.asarray(is_rare, dtype=bool)
    if trajectory.params.shape[1] != w_true.shape[0] or is_rare.shape != w_true.shape:
        raise ValueError(
            f"w_true has shape {w_true.shape} and is_rare {is_rare.shape}, but the trajectory has "
            f"{trajectory.params.shape[1]} parameters; all three must match"
        )
    if is_rare.all() or not is_rare.any():
        raise ValueError("is_rare must mark some features rare and some common, got all the same")
    error = np.abs(trajectory.params - w_true)
    return {"rare": error[:, is_rare].mean(axis=1), "common": error[:, ~is_rare].mean(axis=1)}


# ---- where does each start end? ---------------------------------------------------------


def start_grid(landscape: Landscape, n: int = 7, margin: float = 0.1) -> np.ndarray:
    """An n-by-n grid of start points inside the landscape's view box, as an (n*n, 2) array.

    ``margin`` is the fraction of each side left out at both ends.
    """
    n = check.check_positive_int("n", n)
    margin = check.check_number("margin", margin)
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin must be in [0, 0.5), got {margin!r}")
    axes = []
    for low, high in (landscape.xlim, landscape.ylim):
        pad = margin * (high - low)
        axes.append(np.linspace(low + pad, high - pad, n))
    X, Y = np.meshgrid(*axes)
    return np.column_stack([X.ravel(), Y.ravel()])


def basin_fractions(
    optimizer: Optimizer, landscape: Landscape, starts: np.ndarray, steps: int = 300, radius: float = 0.25
) -> dict[str, Any]:
    """Run from every start and record which listed minimum each run ends near.

    Parameters
    ----------
    optimizer : replayed from each start.
    landscape : a landscape with listed ``minima`` (the global one first).
    starts : (k, 2) array of start points.
    steps : steps per run.
    radius : a run "ends in" a minimum when its last point is within this distance of it.

    Returns
    -------
    {"ends": int array (k,), index into landscape.minima or -1 for none,
     "fractions": {minimum label: fraction of starts}, plus "none" for runs that ended elsewhere
     (minima sharing a label get their coordinates appended),
     "global": fraction of starts that reached the global minimum}
    """
    starts = np.asarray(starts, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != 2 or len(starts) == 0:
        raise ValueError(f"starts must be a (k, 2) array of points with k >= 1, got shape {starts.shape}")
    radius = check.check_positive("radius", radius)
    minima = np.array([p.w for p in landscape.minima])
    ends = np.empty(len(starts), dtype=int)
    for i, start in enumerate(starts):
        run = descend(optimizer, landscape, start=start, steps=steps, record_diagnostics=False)
        distances = np.linalg.norm(minima - run.params[-1], axis=1)
        ends[i] = int(np.argmin(distances)) if distances.min() <= radius and not run.diverged else -1
    labels = [p.label for p in landscape.minima]
    # Two minima may share a label ("minimum"); then their coordinates tell them apart.
    keys = [
        p.label if labels.count(p.label) == 1 else f"{p.label} at ({p.x:.2g}, {p.y:.2g})" for p in landscape.minima
    ]
    fractions = {key: float(np.mean(ends == k)) for k, key in enumerate(keys)}
    fractions["none"] = float(np.mean(ends == -1))
    return {"ends": ends, "fractions": fractions, "global": float(np.mean(ends == 0))}


# ---- units: AdaDelta's ratio RMS[dw] / RMS[g] ------------------------------------------------


def update_scaling(scale: float, steps: int = 50, lr: float = 0.1) -> dict[str, float]:
    """How much each rule's step grows when the parameters are measured in units ``scale`` times smaller.

    A step is a change of w, so it should carry w's units: measure w in
    centimetres instead of metres (scale = 100) and a sensible step is 100
    times larger in numbers. To test this, AdaDelta is run for ``steps`` steps
    on the bowl to get realistic states (g, v = E[g^2], u = E[dw^2], m), then one
    more step is computed by each rule twice: in the original units, and with
    every quantity converted (w and dw times scale, g and m divided by scale,
    v divided by scale^2, u times scale^2).

    Returns
    -------
    {rule: |step in new units| / |step in old units|}: the right answer is
    ``scale``. Gradient descent gives 1/scale, RMSprop and Adam give 1 (their
    steps are measured in lr's units), AdaDelta gives ``scale`` as long as
    eps is small next to u * scale^2.
    """
    scale = check.check_positive("scale", scale)
    run = descend(AdaDelta(), bowl(), steps=check.check_positive_int("steps", steps))
    w = run.params[-1]
    g = bowl().grad(w)
    v, u = run.diagnostics["v"][-1], run.diagnostics["u"][-1]
    m = g.copy()  # a first moment equal to the gradient: a steady walk downhill
    t = steps + 1

    def step_sizes(c: float) -> dict[str, float]:
        gc, vc, uc, mc, wc = g / c, v / c**2, u * c**2, m / c, w * c
        new = {
            "gradient descent": rules.gd_update(wc, gc, lr),
            "RMSprop": rules.rmsprop_update(wc, gc, vc, lr)[0],
            "Adam": rules.adam_update(wc, gc, mc, vc, t, lr)[0],
            "AdaDelta": rules.adadelta_update(wc, gc, vc, uc)[0],
        }
        return {name: float(np.linalg.norm(w_new - wc)) for name, w_new in new.items()}

    before, after = step_sizes(1.0), step_sizes(scale)
    return {name: after[name] / before[name] for name in before}
