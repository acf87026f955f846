"""Many runs on one landscape, stepped together: the runs of ``descend``, as one array per step.

A sweep over learning rates, or a grid of start points, is dozens of short runs on a 2-D landscape.
``descend`` takes each step in Python, so there the loop, not the arithmetic, sets the time. Here the
k runs are stacked into one (k, 2) array: the landscape's ``f`` and ``grad_xy`` work elementwise on
arrays, and so does every rule of ``course_lib.rules``, so one call steps all runs at once:

    >>> from course_lib import Adam, get_landscape
    >>> from course_lib.many import descend_many
    >>> runs = descend_many([Adam(lr=lr) for lr in (0.01, 0.1, 1.0)], get_landscape("bowl"), steps=100)
    >>> [run.label for run in runs]
    ['Adam', 'Adam', 'Adam']

There is no second copy of the math: the rule is the optimizer's own (``Optimizer.apply_rule``), and the
hyperparameters that differ between the runs become columns. Elementwise IEEE arithmetic does not
depend on how many elements an array holds, so each returned Trajectory is the one that ``descend``
(with ``record_diagnostics=False``) records, number for number; ``tests/test_many.py`` checks it on
every landscape, for every optimizer, with runs that diverge. Only the wall times differ: the runs
share one clock (see ``descend_many``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _validate as check
from .descent import EXPLOSION_FACTOR, Trajectory
from .landscapes import Landscape
from .optimizers import Optimizer


def descend_many(
    optimizers: Sequence[Optimizer],
    landscape: Landscape,
    starts: Any = None,
    steps: int = 100,
    batch_loss: bool = False,
    labels: Sequence[str] | None = None,
) -> list[Trajectory]:
    """``descend(optimizers[i], landscape, start=starts[i], steps, record_diagnostics=False)`` for every i, at once.

    Parameters
    ----------
    optimizers : k optimizers of one class (the same object may appear several times); their numeric
        hyperparameters may differ, their switches (such as ``eps_inside_sqrt``) may not.
    landscape : a 2-D ``Landscape`` (full batch; for SGD use ``descend`` on a ``StochasticLandscape``).
    starts : None (the landscape's start for every run), one point (x, y) for every run, or k points (k, 2).
    steps : steps per run; a run that diverges stops early, as in ``descend``.
    batch_loss : as in ``descend``: record the loss at the point where each gradient was taken.
    labels : one label per run (default: each optimizer's label).

    Returns
    -------
    k Trajectories, in order. Their ``times`` are the clock of the whole batch divided by the number of
    runs it stepped: what one run cost on average, not a measurement of that run alone.
    """
    optimizers = list(optimizers)
    if not optimizers:
        raise ValueError("optimizers must hold at least one optimizer, got an empty sequence")
    kind = type(optimizers[0])
    for i, optimizer in enumerate(optimizers):
        if type(optimizer) is not kind:
            raise TypeError(f"optimizers must all be of one class; optimizers[0] is a {kind.__name__}, "
                            f"optimizers[{i}] a {type(optimizer).__name__}")
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape (e.g. get_landscape('bowl')), got {type(landscape).__name__}")
    steps = check.check_positive_int("steps", steps)
    k = len(optimizers)
    if labels is not None and len(labels) != k:
        raise ValueError(f"labels has {len(labels)} entries, but there are {k} optimizers; they must match")
    hyperparams = _stacked_hyperparams(optimizers)
    w = _starts(landscape, starts, k)

    # Row r of each record is the runs' state after r steps; a run that has stopped keeps its last row.
    params = np.empty((steps + 1, k, 2))
    losses = np.empty((steps + 1, k))
    params[0] = w
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        losses[0] = landscape.f(w[:, 0], w[:, 1])
        threshold = losses[0] + EXPLOSION_FACTOR * (1.0 + np.abs(losses[0]))
        state = {name: np.zeros_like(w) for name in kind.state_names}
        taken = np.zeros(k, dtype=int)  # steps each run has taken
        diverged_at: list[int | None] = [None] * k
        final: dict[int, np.ndarray] = {}  # where each diverged run ended
        running = np.arange(k)  # the runs still going
        clock = np.zeros(steps + 1)
        tic = time.perf_counter()
        for t in range(1, steps + 1):
            if running.size == 0:
                break
            x, y = w[running, 0], w[running, 1]
            g = np.stack([np.broadcast_to(c, x.shape) for c in landscape.grad_xy(x, y)], axis=1).astype(w.dtype)
            finite_g = np.isfinite(g).all(axis=1)
            new_w, new_state = kind.apply_rule(w[running], g, {n: s[running] for n, s in state.items()}, t,
                                               _rows(hyperparams, running))
            # As in descend: batch_loss records the loss where the gradient was taken, else at the new point.
            at = (x, y) if batch_loss else (new_w[:, 0], new_w[:, 1])
            loss = np.broadcast_to(landscape.f(*at), x.shape)
            good = finite_g & np.isfinite(loss) & (loss < threshold[running]) & np.isfinite(new_w).all(axis=1)
            for row in np.flatnonzero(~good).tolist():
                # As in descend: the step that failed counts, and a run ends where that step took it
                # (or where it stood, if its gradient was not finite and no step was taken).
                run = int(running[row])
                diverged_at[run] = t
                final[run] = new_w[row] if finite_g[row] else w[run]
            kept = running[good]
            w[kept] = new_w[good]
            for name in state:
                state[name][kept] = new_state[name][good]
            taken[kept] = t
            params[t] = params[t - 1]
            losses[t] = losses[t - 1]
            params[t, kept] = new_w[good]
            losses[t, kept] = loss[good]
            clock[t] = (time.perf_counter() - tic) / k
            running = kept
    return [
        Trajectory(
            label=labels[i] if labels is not None else optimizer.label,
            optimizer=optimizer.name,
            hyperparams=dict(optimizer.hyperparams),
            problem=landscape.name,
            params=params[: taken[i] + 1, i].copy(),
            losses=losses[: taken[i] + 1, i].copy(),
            times=clock[: taken[i] + 1].copy(),
            diverged_at=diverged_at[i],
            final=final[i].copy() if i in final else params[taken[i], i].copy(),
        )
        for i, optimizer in enumerate(optimizers)
    ]


def _stacked_hyperparams(optimizers: list[Optimizer]) -> dict[str, Any]:
    """Each hyperparameter as the runs share it: one value where all agree, else a (k, 1) column of numbers."""
    out: dict[str, Any] = {}
    for h in type(optimizers[0]).hyperparameters:
        values = [optimizer.hyperparams[h.name] for optimizer in optimizers]
        if all(value == values[0] for value in values):
            out[h.name] = values[0]  # shared: exactly the number descend would pass
        elif all(isinstance(value, float) for value in values):
            out[h.name] = np.array(values)[:, None]
        else:
            raise ValueError(f"{h.name} must be the same for all runs of descend_many (it is a switch), got {values}")
    return out


def _rows(hyperparams: dict[str, Any], running: np.ndarray) -> dict[str, Any]:
    return {name: value[running] if isinstance(value, np.ndarray) else value for name, value in hyperparams.items()}


def _starts(landscape: Landscape, starts: Any, k: int) -> np.ndarray:
    if starts is None:
        starts = landscape.start
    points = np.array(starts, dtype=float)
    if points.shape == (2,):
        return np.tile(points, (k, 1))
    if points.shape != (k, 2):
        raise ValueError(f"starts must be None, one point (x, y) or {k} points (shape ({k}, 2)), got shape "
                         f"{points.shape}")
    return points
