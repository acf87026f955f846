"""Experiments for chapter 09, "in practice": schedules, Nesterov, weight decay and clipping, each tuned.

- ``seed_sweep``: final gap for every learning rate and every seed (with a schedule, clipping, ...).
- ``best_rate``: the rate of a seed sweep with the lowest median gap among those no seed diverged at,
  with the spread over seeds.
- ``momentum_grid``: steps to a target gap over a grid of (lr, beta), for heavy-ball or Nesterov momentum.
- ``best_setting``: the fastest (lr, beta) of a grid, and how many settings reached the target.
- ``decay_grid``: held-out loss and final weights over a grid of (lr, weight_decay).
- ``group_norms``: the length of groups of weights (the well scaled and the badly scaled features).

Everything is seeded; each function returns numbers and the chapter prints them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _validate as check
from ..descent import descend
from ..optimizers import Momentum, Optimizer
from .choosing import lr_sensitivity, setting_sweep


def seed_sweep(
    optimizer: Optimizer, problem: Any, lrs: Sequence[float], seeds: Sequence[int], steps: int,
    **descend_options: Any,
) -> np.ndarray:
    """Final gap J(w) - J* of ``optimizer`` at every rate in ``lrs`` and every seed: shape (len(lrs), len(seeds)).

    inf where a run diverged. ``descend_options`` go to ``descend`` (batch_size, schedule, clip_norm, ...);
    the seed sets the order in which examples are visited.
    """
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got an empty sequence")
    columns = [lr_sensitivity([optimizer], problem, lrs, steps=steps, seed=seed, **descend_options)[optimizer.label]
               for seed in seeds]
    return np.column_stack(columns)


def best_rate(gaps: np.ndarray, lrs: Sequence[float]) -> dict[str, Any]:
    """The rate with the lowest median gap over seeds, among the rates at which no seed diverged.

    Returns {"lr", "index", "median", "low", "high" (the best and worst seed at that rate),
    "working": how many rates no seed diverged at}.
    """
    gaps = np.asarray(gaps, dtype=float)
    if gaps.ndim != 2 or gaps.shape[0] != len(lrs):
        raise ValueError(f"gaps must have one row per learning rate ({len(lrs)}), got shape {gaps.shape}")
    stable = np.all(np.isfinite(gaps), axis=1)
    if not stable.any():
        raise ValueError("every learning rate diverged for some seed; widen the sweep towards small rates")
    medians = np.where(stable, np.median(np.where(np.isfinite(gaps), gaps, 0.0), axis=1), np.inf)
    index = int(np.argmin(medians))
    return {"lr": float(lrs[index]), "index": index, "median": float(medians[index]),
            "low": float(gaps[index].min()), "high": float(gaps[index].max()), "working": int(stable.sum())}


def momentum_grid(
    problem: Any, lrs: Sequence[float], betas: Sequence[float], steps: int, target_gap: float, nesterov: bool = False,
) -> dict[str, np.ndarray]:
    """Heavy-ball (or Nesterov) momentum at every (beta, lr): the step from which the gap stays below ``target_gap``.

    Returns {"steps": int array (len(betas), len(lrs)), -1 where never; "diverged": bool array of the same
    shape; "lrs", "betas"}.
    """
    if len(betas) == 0:
        raise ValueError("betas must hold at least one value, got an empty sequence")
    rows, diverged = [], []
    for beta in betas:
        sweep = setting_sweep(Momentum(beta=beta, nesterov=nesterov), problem, "lr", lrs, steps=steps,
                              target_gap=target_gap)
        rows.append(sweep["steps_to_target"])
        diverged.append(~np.isfinite(sweep["gaps"]))
    return {"steps": np.array(rows), "diverged": np.array(diverged), "lrs": np.asarray(lrs, dtype=float),
            "betas": np.asarray(betas, dtype=float)}


def best_setting(grid: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The (lr, beta) of a ``momentum_grid`` that reached the target in the fewest steps.

    Returns {"lr", "beta", "steps", "reached": how many settings reached the target,
    "diverged": how many diverged, "settings": how many were tried}; "lr" is None if none reached it.
    """
    steps = np.asarray(grid["steps"])
    reached = steps >= 0
    out: dict[str, Any] = {"reached": int(reached.sum()), "diverged": int(np.asarray(grid["diverged"]).sum()),
                           "settings": int(steps.size), "lr": None, "beta": None, "steps": None}
    if reached.any():
        i, j = np.unravel_index(np.argmin(np.where(reached, steps, np.iinfo(np.int64).max)), steps.shape)
        out.update(lr=float(grid["lrs"][j]), beta=float(grid["betas"][i]), steps=int(steps[i, j]))
    return out


def decay_grid(
    optimizer: Optimizer, problem: Any, lrs: Sequence[float], decays: Sequence[float], steps: int,
    **descend_options: Any,
) -> dict[str, np.ndarray]:
    """``optimizer`` (Adam or AdamW) at every (weight_decay, lr): held-out loss and final weights.

    Returns {"held_out": (len(decays), len(lrs)), inf where a run diverged; "weights": (len(decays),
    len(lrs), n_params); "lrs", "decays"}.
    """
    if "weight_decay" not in optimizer.hyperparams:
        raise ValueError(f"optimizer must have a weight_decay (Adam or AdamW), got {type(optimizer).__name__}")
    if len(decays) == 0 or len(lrs) == 0:
        raise ValueError("lrs and decays must each hold at least one value")
    for decay in decays:
        check.check_number("decays[...]", decay)
    options = {"record_diagnostics": False, "batch_loss": True, **descend_options}
    held_out = np.empty((len(decays), len(lrs)))
    weights = []
    for i, decay in enumerate(decays):
        row = []
        for j, lr in enumerate(lrs):
            run = descend(optimizer.clone(lr=lr, weight_decay=decay), problem, steps=steps, **options)
            held_out[i, j] = np.inf if run.diverged else problem.test_loss(run.final)
            row.append(np.asarray(run.final, dtype=float))
        weights.append(row)
    return {"held_out": held_out, "weights": np.array(weights), "lrs": np.asarray(lrs, dtype=float),
            "decays": np.asarray(decays, dtype=float)}


def group_norms(w: np.ndarray, groups: Mapping[str, Any]) -> dict[str, float]:
    """The Euclidean length of each group of weights: {name: |w[index]|} for {name: index}."""
    w = np.asarray(w, dtype=float)
    return {name: float(np.linalg.norm(w[index])) for name, index in groups.items()}
