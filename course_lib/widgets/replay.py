"""From control values to drawn data: the explorers' logic, with no widgets in it.

``replay(controls)`` runs ``descend`` for one optimizer and returns what the
figure and the readout show; ``replay_race`` does it for several optimizers
from the same start. Tests call them directly, without a browser.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .. import _validate as check
from ..descent import Trajectory, descend
from ..landscapes import StochasticLandscape, get_landscape
from ..optimizers import OPTIMIZERS, make_optimizer
from ..plots.paths import left_map_at, left_map_note


@lru_cache(maxsize=16)
def cached_landscape(name: str, stochastic: bool = False) -> Any:
    """Landscapes are immutable: build each once (StochasticLandscape draws its samples once, seeded)."""
    landscape = get_landscape(name)
    return StochasticLandscape(landscape) if stochastic else landscape


def landscape_for(controls: dict[str, Any]) -> Any:
    """The landscape the controls name; a stochastic one when a batch size is chosen."""
    problem = controls.get("problem")
    if problem is not None:
        return problem
    return cached_landscape(controls["landscape"], controls.get("batch_size") is not None)


def run(controls: dict[str, Any], optimizer: str, hyperparams: dict[str, float]) -> Trajectory:
    landscape = landscape_for(controls)
    start = controls.get("start")
    start_point = landscape.start_point(start) if isinstance(start, str) else start
    return descend(
        make_optimizer(optimizer, **hyperparams),
        landscape,
        start=start_point,
        steps=check.check_positive_int("steps", controls.get("steps", 200)),
        batch_size=controls.get("batch_size"),
        seed=controls.get("seed", 0),
        record_diagnostics=False,
        label=run_name(optimizer, controls.get("batch_size")),
    )


def run_name(optimizer: str, batch_size: int | None) -> str:
    """What is running, as the chapters name it: gradient descent with a batch size is SGD or mini-batch GD."""
    if optimizer != "gd" or batch_size is None:
        return OPTIMIZERS[optimizer].label
    return "SGD" if batch_size == 1 else "Mini-batch GD"


def describe(trajectory: Trajectory, hyperparams: dict[str, float], batch_size: int | None = None,
             left_at: int | None = None) -> str:
    """One line for the readout: what ran (with its batch size), its hyperparameters and the outcome."""
    values = ", ".join(f"{k}={v:.4g}" for k, v in hyperparams.items())
    if batch_size is not None:
        values += f", batch size {batch_size}"
    notes = [left_map_note(left_at)] if left_at is not None else []
    if trajectory.diverged:
        notes.append(f"diverged at step {trajectory.diverged_at}")
    if not trajectory.diverged:
        x, y = trajectory.params[-1, :2]
        notes.append(f"loss {trajectory.final_loss:.4g} after {trajectory.steps} steps, at ({x:.3f}, {y:.3f})")
    return f"{run_name(trajectory.optimizer, batch_size)} [{values}]: {'; '.join(notes)}"


def replay(controls: dict[str, Any]) -> dict[str, Any]:
    """Run the descent the controls describe and return the data to draw.

    Parameters
    ----------
    controls : dict with "optimizer" (name), "hyperparams" (dict), "landscape" (name), "start"
        (a start name of the landscape or a point), "steps", optional "batch_size" (SGD on the
        landscape made stochastic), "seed", "problem" (a landscape object instead of a name).

    Returns
    -------
    dict with "x", "y" (the path), "losses", "diverged_at", "left_at" (the first step off the plotted
    map, or None), "readout" (text) and "trajectory".
    """
    trajectory = run(controls, controls["optimizer"], controls["hyperparams"])
    landscape = landscape_for(controls)
    left_at = left_map_at(trajectory.params[:, :2], landscape.xlim, landscape.ylim)
    return {
        "x": trajectory.params[:, 0],
        "y": trajectory.params[:, 1],
        "losses": trajectory.losses,
        "diverged_at": trajectory.diverged_at,
        "left_at": left_at,
        "readout": describe(trajectory, controls["hyperparams"], controls.get("batch_size"), left_at),
        "trajectory": trajectory,
    }


def replay_race(controls: dict[str, Any]) -> list[dict[str, Any]]:
    """``replay`` for each optimizer in ``controls["optimizers"]`` from the same start.

    Each optimizer's hyperparameters are ``controls["hyperparams"][name]``, with its learning rate
    multiplied by ``controls.get("lr_multiplier", 1.0)`` (one shared knob for all).
    """
    multiplier = check.check_positive("lr_multiplier", controls.get("lr_multiplier", 1.0))
    results = []
    for name in controls["optimizers"]:
        hyperparams = dict(controls["hyperparams"][name])
        hyperparams["lr"] = hyperparams["lr"] * multiplier
        results.append(replay({**controls, "optimizer": name, "hyperparams": hyperparams}))
    return results


def final_points(results: list[dict[str, Any]]) -> np.ndarray:
    """Where each run ended (for tests and readouts)."""
    return np.array([[r["x"][-1], r["y"][-1]] for r in results])
