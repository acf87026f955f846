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
from ..optimizers import make_optimizer


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
    )


def describe(trajectory: Trajectory, hyperparams: dict[str, float]) -> str:
    """One line for the readout: hyperparameters and outcome."""
    values = ", ".join(f"{k}={v:.4g}" for k, v in hyperparams.items())
    if trajectory.diverged:
        outcome = f"diverged at step {trajectory.diverged_at}"
    else:
        x, y = trajectory.params[-1, :2]
        outcome = f"loss {trajectory.final_loss:.4g} after {trajectory.steps} steps, at ({x:.3f}, {y:.3f})"
    return f"{trajectory.label} [{values}]: {outcome}"


def replay(controls: dict[str, Any]) -> dict[str, Any]:
    """Run the descent the controls describe and return the data to draw.

    Parameters
    ----------
    controls : dict with "optimizer" (name), "hyperparams" (dict), "landscape" (name), "start"
        (a start name of the landscape or a point), "steps", optional "batch_size" (SGD on the
        landscape made stochastic), "seed", "problem" (a landscape object instead of a name).

    Returns
    -------
    dict with "x", "y" (the path), "losses", "diverged_at", "readout" (text) and "trajectory".
    """
    trajectory = run(controls, controls["optimizer"], controls["hyperparams"])
    return {
        "x": trajectory.params[:, 0],
        "y": trajectory.params[:, 1],
        "losses": trajectory.losses,
        "diverged_at": trajectory.diverged_at,
        "readout": describe(trajectory, controls["hyperparams"]),
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
