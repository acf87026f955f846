"""Experiments for chapter 08, "choosing an optimizer": races and learning-rate sweeps.

- ``race``: several optimizers from the same start on one problem, one Trajectory each.
- ``final_gap``: how far a run ended above the best loss known for its problem.
- ``lr_sensitivity``: final gap of each optimizer over a sweep of learning rates.
- ``setting_sweep``: final gap and steps to a target gap over a sweep of any one hyperparameter.
- ``fastest_setting``: the value of a sweep that reaches a target gap in the fewest steps.
- ``lr_window``: how many of the swept learning rates worked, and which was best.
- ``format_gap``: a gap as the chapters print it ("diverged", "< 1e-09", "3.2e-02").

Everything is seeded; only the recorded wall times vary from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _validate as check
from ..descent import Trajectory, descend
from ..optimizers import Optimizer

# Below this a gap is "solved": its exact digits depend on round-off (and can differ between CPUs).
SOLVED_GAP = 1e-9


def race(
    optimizers: Sequence[Optimizer],
    problem: Any,
    steps: int = 200,
    labels: Sequence[str] | None = None,
    batch_sizes: Sequence[int | None] | None = None,
    **descend_options: Any,
) -> list[Trajectory]:
    """Run each optimizer on ``problem`` from the same start with the same seed.

    Parameters
    ----------
    optimizers : the contestants; each is reset before its run.
    problem : a landscape or data problem.
    steps : steps per run.
    labels : one label per run (default: each optimizer's label).
    batch_sizes : one batch size per run (None = full batch), e.g. to race GD, SGD and
        mini-batch GD, which share one update rule; default: ``descend_options["batch_size"]``.
    descend_options : passed on to ``descend`` (start, batch_size, seed, ...).

    Returns
    -------
    One Trajectory per optimizer, in order.
    """
    n = len(optimizers)
    if n == 0:
        raise ValueError("optimizers must hold at least one optimizer, got an empty sequence")
    for name, values in (("labels", labels), ("batch_sizes", batch_sizes)):
        if values is not None and len(values) != n:
            raise ValueError(f"{name} has {len(values)} entries, but there are {n} optimizers; they must match")
    if "label" in descend_options:
        raise TypeError("label is not an option of race; pass labels=[...] with one label per optimizer")
    runs = []
    for i, optimizer in enumerate(optimizers):
        options = dict(descend_options)
        if batch_sizes is not None:
            options["batch_size"] = batch_sizes[i]
        runs.append(descend(optimizer, problem, steps=steps, label=labels[i] if labels else None, **options))
    return runs


def best_known_loss(problem: Any) -> float:
    """The lowest loss the problem can reach: its global minimum, or 0 for a data problem without one.

    Landscapes list their global minimum first; linear regression knows its
    least-squares solution; for the other data problems 0 is a lower bound.
    """
    minima = getattr(problem, "minima", None)
    if minima:
        return float(minima[0].value)
    w_best = getattr(problem, "w_best", None)
    if w_best is not None:
        return float(problem.loss(w_best))
    return 0.0


def final_gap(trajectory: Trajectory, problem: Any) -> float:
    """Final full-batch loss minus ``best_known_loss(problem)``; inf if the run diverged."""
    if trajectory.diverged:
        return float("inf")
    return max(float(problem.loss(trajectory.final)) - best_known_loss(problem), 0.0)


def lr_sensitivity(
    optimizers: Sequence[Optimizer], problem: Any, lrs: Sequence[float], steps: int = 200, **descend_options: Any
) -> dict[str, np.ndarray]:
    """Final gap of every optimizer for every learning rate in ``lrs``.

    Runs skip the per-step diagnostics and full-batch losses (``batch_loss=True``)
    to stay quick; the final loss is computed once on the full batch.

    Returns
    -------
    {optimizer label: array (len(lrs),) of final gaps, inf where the run diverged}
    """
    steps = check.check_positive_int("steps", steps)
    if len(lrs) == 0:
        raise ValueError("lrs must hold at least one learning rate, got an empty sequence")
    for lr in lrs:
        check.check_positive("lrs[...]", lr)
    options = {"record_diagnostics": False, "batch_loss": True, **descend_options}
    out = {}
    for optimizer in optimizers:
        gaps = [final_gap(descend(optimizer.clone(lr=lr), problem, steps=steps, **options), problem) for lr in lrs]
        out[optimizer.label] = np.array(gaps)
    return out


def setting_sweep(
    optimizer: Optimizer,
    problem: Any,
    name: str,
    values: Sequence[float],
    steps: int = 200,
    target_gap: float | None = None,
    keep_runs: bool = False,
    **descend_options: Any,
) -> dict[str, Any]:
    """Run ``optimizer`` once per value of its hyperparameter ``name`` ("lr", or AdaDelta's "eps").

    Parameters
    ----------
    optimizer : the optimizer whose other hyperparameters stay fixed.
    problem : a landscape or data problem.
    name : the hyperparameter to vary; it must be one of the optimizer's.
    values : the values to try (positive).
    steps : steps per run.
    target_gap : if given, also record the step from which on the gap J(w) - J* stays at or below this
        (a run that dips below it and climbs out again has not reached it)
        (read off the full-batch losses the runs record, so do not pass ``batch_loss=True`` with it).
    keep_runs : also return the Trajectories (to plot a chosen run without running it again).
    descend_options : passed on to ``descend``.

    Returns
    -------
    {"values": the values, "gaps": final gaps (inf where a run diverged),
     "steps_to_target": step from which the gap stays <= target_gap, -1 where never (only with target_gap),
     "runs": the Trajectories (only with keep_runs)}
    """
    steps = check.check_positive_int("steps", steps)
    if name not in optimizer.hyperparams:
        raise ValueError(
            f"name must be a hyperparameter of {type(optimizer).__name__}, got {name!r}; "
            f"allowed: {', '.join(optimizer.hyperparams)}"
        )
    if len(values) == 0:
        raise ValueError("values must hold at least one value, got an empty sequence")
    for value in values:
        check.check_positive(f"values[...] ({name})", value)
    if target_gap is not None:
        target_gap = check.check_positive("target_gap", target_gap)
        if descend_options.get("batch_loss"):
            raise ValueError("target_gap needs full-batch losses; do not combine it with batch_loss=True")
    options = {"record_diagnostics": False, "batch_loss": target_gap is None, **descend_options}
    gaps, reached, runs = [], [], []
    floor = best_known_loss(problem)
    for value in values:
        run = descend(optimizer.clone(**{name: value}), problem, steps=steps, **options)
        if keep_runs:
            runs.append(run)
        gaps.append(final_gap(run, problem))
        if target_gap is not None:
            reached.append(_settled_at(run.losses - floor, target_gap) if not run.diverged else -1)
    out: dict[str, Any] = {"values": np.asarray(values, dtype=float), "gaps": np.array(gaps)}
    if target_gap is not None:
        out["steps_to_target"] = np.array(reached, dtype=int)
    if keep_runs:
        out["runs"] = runs
    return out


def _settled_at(gaps: np.ndarray, target: float) -> int:
    """The first step from which every later gap is <= target; -1 if the last one is not."""
    above = np.flatnonzero(gaps > target)
    if above.size == 0:
        return 0
    return -1 if above[-1] == len(gaps) - 1 else int(above[-1]) + 1


def fastest_setting(sweep: dict[str, np.ndarray]) -> dict[str, Any]:
    """The value of a ``setting_sweep`` (run with ``target_gap``) that reached the target in the fewest steps.

    Ties go to the smallest value. When no value reached the target, the one with the
    smallest final gap wins (gaps below SOLVED_GAP counting as equal), and "steps" is None.

    Returns
    -------
    {"value": the chosen value, "index": its position in the sweep,
     "steps": steps it needed to reach the target (or None), "gap": its final gap}
    """
    if "steps_to_target" not in sweep:
        raise ValueError("sweep has no 'steps_to_target'; run setting_sweep with target_gap=...")
    values, gaps, reached = sweep["values"], sweep["gaps"], sweep["steps_to_target"]
    if (reached >= 0).any():
        best = int(np.argmin(np.where(reached >= 0, reached, np.iinfo(int).max)))
        return {"value": float(values[best]), "index": best, "steps": int(reached[best]), "gap": float(gaps[best])}
    best = int(np.argmin(np.maximum(gaps, SOLVED_GAP)))
    return {"value": float(values[best]), "index": best, "steps": None, "gap": float(gaps[best])}


def lr_window(gaps: np.ndarray | Sequence[float], lrs: np.ndarray | Sequence[float], good_gap: float) -> dict[str, Any]:
    """Summarise one optimizer's row of ``lr_sensitivity``.

    Parameters
    ----------
    gaps : final gaps, one per learning rate.
    lrs : the learning rates, same length.
    good_gap : a run "works" when its final gap is at most this.

    Returns
    -------
    {"best_lr": lr with the smallest gap (gaps below SOLVED_GAP count as equal, and the
     smallest such lr wins, so round-off never decides), "best_gap": that gap,
     "n_good": how many learning rates worked, "good_lrs": those learning rates}
    """
    gaps = np.asarray(gaps, dtype=float)
    lrs = np.asarray(lrs, dtype=float)
    if gaps.shape != lrs.shape:
        raise ValueError(f"gaps has shape {gaps.shape}, but lrs has shape {lrs.shape}; they must match")
    good_gap = check.check_positive("good_gap", good_gap)
    best = int(np.argmin(np.maximum(gaps, SOLVED_GAP)))
    good = gaps <= good_gap
    return {
        "best_lr": float(lrs[best]),
        "best_gap": float(gaps[best]),
        "n_good": int(good.sum()),
        "good_lrs": lrs[good].tolist(),
    }


def format_gap(gap: float, width: int = 0) -> str:
    """A final gap for printing: "diverged" for inf, "< 1e-09" below ``SOLVED_GAP``, else two digits.

    Printing tiny gaps as a bound keeps the chapters' checked outputs the same on
    every machine: a gap of 1e-40 is round-off, not a result.
    """
    gap = float(gap)
    if np.isnan(gap) or gap < 0:
        raise ValueError(f"gap must be >= 0 or inf, got {gap!r}")
    text = "diverged" if np.isinf(gap) else f"< {SOLVED_GAP:.0e}" if gap < SOLVED_GAP else f"{gap:.1e}"
    return text.rjust(width)
