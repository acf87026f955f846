"""From control values to drawn data: the explorers' logic, with no widgets in it.

``replay(setting, optimizer, hyperparams)`` runs ``descend`` for one optimizer and returns what the
figure and the readout show; ``replay_race`` does it for several optimizers from the same start.
Tests call them directly, without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .. import _validate as check
from ..descent import Trajectory, descend
from ..landscapes import StochasticLandscape, get_landscape
from ..optimizers import OPTIMIZERS, make_optimizer
from ..plots.paths import left_map_at, left_map_note
from .controls import Setting


@lru_cache(maxsize=16)
def cached_landscape(name: str, stochastic: bool = False) -> Any:
    """Landscapes are immutable: build each once (StochasticLandscape draws its samples once, seeded)."""
    landscape = get_landscape(name)
    return StochasticLandscape(landscape) if stochastic else landscape


def landscape_for(setting: Setting) -> Any:
    """The landscape the setting names; a stochastic one when a batch size is chosen."""
    return cached_landscape(setting.landscape, setting.batch_size is not None)


def run(setting: Setting, optimizer: str, hyperparams: Mapping[str, float]) -> Trajectory:
    landscape = landscape_for(setting)
    return descend(
        make_optimizer(optimizer, **hyperparams),
        landscape,
        start=landscape.start_point(setting.start),
        steps=setting.steps,
        batch_size=setting.batch_size,
        seed=setting.seed,
        record_diagnostics=False,
        label=run_name(optimizer, setting.batch_size),
    )


def run_name(optimizer: str, batch_size: int | None) -> str:
    """What is running, as the chapters name it: gradient descent with a batch size is SGD or mini-batch GD."""
    if optimizer != "gd" or batch_size is None:
        return OPTIMIZERS[optimizer].label
    return "SGD" if batch_size == 1 else "Mini-batch GD"


def describe(trajectory: Trajectory, hyperparams: Mapping[str, float], batch_size: int | None = None,
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


REPLAYS_KEPT = 512  # replays remembered; each holds a few 200-step paths (about 20 kB)


def replay(setting: Setting, optimizer: str, hyperparams: Mapping[str, float]) -> dict[str, Any]:
    """Run ``optimizer`` with ``hyperparams`` as ``setting`` says and return the data to draw.

    A replay is deterministic (seeded), so each is computed once: a slider dragged back and forth
    passes the same positions again (its steps are discrete), and the race replays four optimizers
    per move. The arrays returned are read-only because they are shared with later calls.

    Returns
    -------
    dict with "x", "y" (the path), "losses", "diverged_at", "left_at" (the first step off the plotted
    map, or None), "readout" (text) and "trajectory".
    """
    return dict(_replay_once(setting, optimizer, tuple(hyperparams.items())))


def forget_replays() -> None:
    """Forget every remembered replay (benchmarks time a replay from scratch with it)."""
    _replay_once.cache_clear()


@lru_cache(maxsize=REPLAYS_KEPT)
def _replay_once(setting: Setting, optimizer: str, hyperparams: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    values = dict(hyperparams)
    trajectory = run(setting, optimizer, values)
    for array in (trajectory.params, trajectory.losses):
        array.setflags(write=False)
    landscape = landscape_for(setting)
    left_at = left_map_at(trajectory.params[:, :2], landscape.xlim, landscape.ylim)
    return {
        "x": trajectory.params[:, 0],
        "y": trajectory.params[:, 1],
        "losses": trajectory.losses,
        "diverged_at": trajectory.diverged_at,
        "left_at": left_at,
        "readout": describe(trajectory, values, setting.batch_size, left_at),
        "trajectory": trajectory,
    }


def replay_race(setting: Setting, optimizers: Sequence[str], hyperparams: Mapping[str, Mapping[str, float]],
                lr_multiplier: float = 1.0) -> list[dict[str, Any]]:
    """``replay`` for each optimizer from the same start, its learning rate times ``lr_multiplier``.

    Each optimizer's hyperparameters are ``hyperparams[name]``; the multiplier is one shared knob for all.
    """
    multiplier = check.check_positive("lr_multiplier", lr_multiplier)
    return [replay(setting, name, {**hyperparams[name], "lr": hyperparams[name]["lr"] * multiplier})
            for name in optimizers]
