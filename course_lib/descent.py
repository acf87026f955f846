"""The descent loop: run an optimizer on a problem and record what happened.

    >>> from course_lib import Adam, get_landscape, descend
    >>> run = descend(Adam(lr=0.1), get_landscape("bowl"), steps=200)
    >>> run.final_loss < 1e-3
    True

``descend`` works on a 2-D landscape (full batch only) or a data problem
(full batch, ``batch_size=1`` for SGD, or any mini-batch size). It returns a
``Trajectory``: the parameters and loss after every step, the optimizer's
diagnostics (state and effective learning rate), and the wall time. A run
whose loss becomes non-finite or explodes stops early and records the step
at which it diverged, without numpy overflow warnings.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _validate as check
from .clipping import clip_by_global_norm
from .optimizers import Optimizer
from .params import all_finite, is_finite, ravel
from .params import copy as copy_params
from .protocol import check_problem
from .schedules import Schedule

# A loss this many times larger than the starting one (plus one) counts as diverged.
EXPLOSION_FACTOR = 1e6


@dataclass
class Trajectory:
    """What one run recorded. Row k of each array is the state after k steps."""

    label: str
    optimizer: str
    hyperparams: dict[str, Any]
    problem: str
    params: np.ndarray  # (steps + 1, n_params), each row the flattened parameters
    losses: np.ndarray  # (steps + 1,) full-batch loss (or the batch loss, see descend)
    times: np.ndarray  # (steps + 1,) seconds spent on gradients and steps, cumulative
    diagnostics: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (steps, n_params)
    diverged_at: int | None = None
    batch_size: int | None = None
    seed: int = 0
    test_losses: np.ndarray | None = None
    final: Any = None  # the last parameters in the problem's own structure

    @property
    def steps(self) -> int:
        """Number of steps actually taken (fewer than asked if the run diverged)."""
        return len(self.losses) - 1

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def __repr__(self) -> str:
        status = f"diverged at step {self.diverged_at}" if self.diverged else f"final loss {self.final_loss:.4g}"
        return f"Trajectory({self.label!r}, {self.steps} steps, {status})"


def batch_indices(n_samples: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Endless mini-batches: each epoch visits every example once, in a fresh random order."""
    while True:
        order = rng.permutation(n_samples)
        for start in range(0, n_samples - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


def start_params(start: Any) -> Any:
    """A copy of ``start`` to descend from: a point given as numbers ([1.0, 2.0]) becomes a float array."""
    if isinstance(start, (list, tuple)) and start and all(check.is_real_number(x) for x in start):
        return np.array(start, dtype=float)
    if check.is_real_number(start):
        return np.array(start, dtype=float)
    return copy_params(start)


def descend(
    optimizer: Optimizer,
    problem: Any,
    start: Any = None,
    steps: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    record_diagnostics: bool = True,
    record_test_loss: bool = False,
    batch_loss: bool = False,
    label: str | None = None,
    schedule: Schedule | None = None,
    clip_norm: float | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``problem`` from ``start`` for ``steps`` steps.

    Parameters
    ----------
    optimizer : an Optimizer; it is reset first, so the same object can be replayed.
    problem : a Landscape, StochasticLandscape or data problem (see ``course_lib.protocol``).
    start : start parameters (an array, a list or tuple of numbers for a point, or a structure of
        arrays); default the landscape's start or ``problem.init_params(seed)``. It is copied.
    steps : number of updates.
    batch_size : None for the full batch; 1 for SGD; k for mini-batches of k examples.
    seed : seeds the order in which examples are visited.
    record_diagnostics : record the optimizer's state and effective learning rate per step.
    record_test_loss : also record the held-out loss per step (data problems).
    batch_loss : record the loss of the batch just used instead of the full-batch
        loss (cheaper on big data sets; noisy for small batches).
    schedule : a ``course_lib.schedules`` schedule: update t uses ``schedule.rates(optimizer.lr, steps)[t - 1]``
        (the optimizer's own lr is the schedule's peak, and is what the Trajectory records).
    clip_norm : if given, each gradient is clipped to this global norm before the step
        (``course_lib.clipping.clip_by_global_norm``).
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a course_lib Optimizer, got {type(optimizer).__name__}")
    problem = check_problem("problem", problem)
    steps = check.check_positive_int("steps", steps)
    if schedule is not None and not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a course_lib.schedules Schedule or None, got {type(schedule).__name__}")
    if clip_norm is not None:
        clip_norm = check.check_positive("clip_norm", clip_norm)
    n_samples = problem.n_samples
    if batch_size is not None:
        batch_size = check.check_positive_int("batch_size", batch_size)
        if n_samples is None:
            raise ValueError(
                f"batch_size must be None for {getattr(problem, 'name', 'this problem')}, which has no samples; "
                f"got {batch_size!r} (use StochasticLandscape for SGD on a landscape)"
            )
        if batch_size > n_samples:
            raise ValueError(f"batch_size must be between 1 and n_samples={n_samples}, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    if start is None:
        start = problem.init_params(seed) if hasattr(problem, "init_params") else problem.start
    w = start_params(start)
    batches = batch_indices(n_samples, batch_size, rng) if batch_size is not None else None

    optimizer.reset()
    base_lr = optimizer.hyperparams["lr"]
    rates = schedule.rates(base_lr, steps) if schedule is not None else None
    diagnostics: dict[str, list[np.ndarray]] = {}
    diverged_at = None
    elapsed = 0.0
    # Overflow is expected when a run diverges; it is detected and recorded below instead.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        params, losses, times, test_losses = [ravel(w, "start")], [problem.loss(w)], [0.0], []
        if record_test_loss:
            test_losses.append(problem.test_loss(w))
        threshold = losses[0] + EXPLOSION_FACTOR * (1.0 + abs(losses[0]))
        for k in range(1, steps + 1):
            tic = time.perf_counter()
            batch = next(batches) if batches is not None else None
            # The batch's loss comes almost free with its gradient, but is only needed when it is recorded;
            # otherwise the full-batch loss at the new point is (a landscape's grad then skips computing J).
            if batch_loss:
                step_loss, g = problem.loss_and_grad(w, batch)
            else:
                g = problem.grad(w, batch)
            if not all_finite(g):
                diverged_at = k
                break
            if clip_norm is not None:
                g, _ = clip_by_global_norm(g, clip_norm)
            if rates is not None:
                optimizer.set_lr(rates[k - 1])
            w = optimizer.step(w, g)
            elapsed += time.perf_counter() - tic
            loss = step_loss if batch_loss else problem.loss(w)
            flat = ravel(w)
            if not (math.isfinite(loss) and loss < threshold and is_finite(flat)):
                diverged_at = k
                break
            params.append(flat)
            losses.append(loss)
            times.append(elapsed)
            if record_test_loss:
                test_losses.append(problem.test_loss(w))
            if record_diagnostics:
                for name, values in optimizer.diagnostics().items():
                    diagnostics.setdefault(name, []).append(values)
    if rates is not None:
        optimizer.set_lr(base_lr)  # the optimizer (and the Trajectory) keep the rate they were given
    return Trajectory(
        label=label or optimizer.label,
        optimizer=optimizer.name,
        hyperparams=dict(optimizer.hyperparams),
        problem=getattr(problem, "name", type(problem).__name__),
        params=np.array(params),
        losses=np.array(losses),
        times=np.array(times),
        diagnostics={name: np.array(rows) for name, rows in diagnostics.items()},
        diverged_at=diverged_at,
        batch_size=batch_size,
        seed=seed,
        test_losses=np.array(test_losses) if record_test_loss else None,
        final=w,
    )
