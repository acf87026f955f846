"""Experiments for the chapters on the plain descents (01 GD, 02 SGD, 03 mini-batch).

Plain, seeded functions that run ``course_lib.descend`` (or an optimizer's
``step`` on a data stream) and return numbers and trajectories; the chapters
print and plot what they return. Wall-clock timings are measured, never
asserted: they are the only results here that change from run to run.

- ``steps_near_saddle``: how long a run lingers where the gradient almost vanishes (chapter 01).
- ``cost_per_step``: seconds per full-batch and per one-example step as the data set grows (01, 02).
- ``basin_of``, ``settle`` and ``escape_fraction``: which hollow SGD ends in, over many seeds (02).
- ``sgd_end_points`` and ``escape_dose_response``: the same, vectorised over seeds, for a grid of noise
  levels and learning rates (02).
- ``DriftingStream``, ``online_run`` and ``frozen_run``: learning from data that arrives and drifts (02).
- ``gradient_error``: how far a mini-batch gradient is from the full one, for each batch size (03).
- ``tune_batch_sizes`` and ``loss_against_time``: the batch-size trade-off with the learning rate tuned
  per batch size, per epoch (deterministic, checked for round-off chaos) and per second (measured) (03).
- ``held_out_at_training_loss``: held-out loss at equal training loss, to compare generalisation (03).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as check
from ..descent import Trajectory, batch_indices, descend
from ..landscapes import Landscape, StochasticLandscape
from ..optimizers import GradientDescent, Optimizer
from ..params import ravel
from ..problems import LinearRegression
from .adaptive import losses_at

# ---- chapter 01: saddle points and the cost of a step -------------------------------


def steps_near_saddle(trajectory: Trajectory, saddle: np.ndarray, radius: float = 0.1) -> int:
    """Number of recorded points of ``trajectory`` within ``radius`` of the point ``saddle``.

    Gradient descent moves by lr * |g|, and |g| is nearly zero close to a saddle point,
    so a run that passes near one spends many steps there: this counts them.
    """
    radius = check.check_positive("radius", radius)
    saddle = np.asarray(saddle, dtype=float)
    if saddle.shape != (trajectory.params.shape[1],):
        raise ValueError(f"saddle must have {trajectory.params.shape[1]} coordinates like the trajectory's "
                         f"parameters, got shape {saddle.shape}")
    return int(np.count_nonzero(np.linalg.norm(trajectory.params - saddle, axis=1) < radius))


def cost_per_step(
    sizes: Sequence[int] = (1_000, 10_000, 100_000),
    n_features: int = 20,
    steps: int = 20,
    batch_sizes: Sequence[int | None] = (None, 1),
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Measured seconds per step of gradient descent on linear regression, for growing data sets.

    For each data-set size n, ``descend`` runs ``steps`` steps of ``GradientDescent`` with each
    batch size in ``batch_sizes`` (None = the full batch, 1 = SGD); the time per step is the
    median over steps of the time ``descend`` spent on each gradient and update
    (``Trajectory.times``). The median ignores the one step per epoch that also shuffles the data.

    Returns
    -------
    dict with "sizes" (n,) and, for each batch size, an array (n,) of seconds per step under the
    key "full batch" or "batch of B" (so "batch of 1" is SGD).
    """
    sizes = [check.check_positive_int(f"sizes[{i}]", n) for i, n in enumerate(sizes)]
    steps = check.check_positive_int("steps", steps)
    results: dict[str, list[float]] = {_batch_key(b): [] for b in batch_sizes}
    for n in sizes:
        problem = LinearRegression(n_samples=n, n_features=n_features, n_test=1, seed=seed)
        for b in batch_sizes:
            # The learning rate is small so that no run can diverge whatever the data.
            run = descend(GradientDescent(lr=0.01), problem, steps=steps, batch_size=b, seed=seed,
                          record_diagnostics=False, batch_loss=True)
            results[_batch_key(b)].append(float(np.median(np.diff(run.times))))
    return {"sizes": np.array(sizes), **{key: np.array(values) for key, values in results.items()}}


def _batch_key(batch_size: int | None) -> str:
    return "full batch" if batch_size is None else f"batch of {batch_size}"




# ---- chapter 02: escaping a shallow hollow ------------------------------------------


def settle(landscape: Landscape, points: np.ndarray, lr: float = 0.1, steps: int = 1000) -> np.ndarray:
    """Let noise-free gradient descent finish from each of ``points`` (shape (k, 2)): where does it settle?

    All points move together (vectorised over the landscape's ``grad_xy``). A point that
    settles lies at the bottom of the hollow whose basin it was in.
    """
    lr = check.check_positive("lr", lr)
    steps = check.check_positive_int("steps", steps)
    w = np.array(points, dtype=float).reshape(-1, 2)
    for _ in range(steps):
        gx, gy = landscape.grad_xy(w[:, 0], w[:, 1])
        w = w - lr * np.column_stack([gx, gy])
    return w


def basin_of(landscape: Landscape, points: np.ndarray, settle_steps: int = 1000) -> np.ndarray:
    """Index into ``landscape.minima`` of the hollow each point (shape (k, 2)) drains into."""
    settled = settle(landscape, points, steps=settle_steps)
    minima = np.array([m.w for m in landscape.minima])
    return np.argmin(np.linalg.norm(settled[:, None, :] - minima[None, :, :], axis=2), axis=1)


@dataclass
class EscapeResult:
    """Where each seed's SGD run ended, by hollow, and the plain GD run for comparison."""

    basins: np.ndarray  # (n_seeds,) index into landscape.minima of each SGD run's end
    start_basin: int  # the hollow the start point drains into (where GD ends)
    gd_basin: int  # where gradient descent ended
    runs: list[Trajectory]  # the SGD runs (for plots)
    gd: Trajectory

    @property
    def escaped_fraction(self) -> float:
        """Fraction of SGD runs that ended in a different hollow from the start's."""
        return float(np.mean(self.basins != self.start_basin))

    def fractions(self, n_minima: int) -> np.ndarray:
        """Fraction of SGD runs ending in each hollow (index as in ``landscape.minima``)."""
        return np.bincount(self.basins, minlength=n_minima) / len(self.basins)


def escape_fraction(
    landscape: Landscape,
    start: np.ndarray,
    lr: float = 0.1,
    noise: float = 1.5,
    steps: int = 300,
    seeds: int = 50,
    n_samples: int = 200,
) -> EscapeResult:
    """Run GD once and SGD with ``seeds`` seeds from ``start``; record which hollow each ends in.

    SGD runs on ``StochasticLandscape(landscape, n_samples, noise, seed)``, a finite sum whose
    full-batch loss is exactly the landscape; seed s draws both that sample set and the order of
    the examples, so each seed is a different, reproducible hiker. Because a constant-lr SGD run
    never comes to rest, its end point is classified by the hollow it drains into (``basin_of``).
    """
    seeds = check.check_positive_int("seeds", seeds)
    start = np.asarray(start, dtype=float)
    gd = descend(GradientDescent(lr=lr), landscape, start=start, steps=steps, record_diagnostics=False, label="GD")
    runs = [
        descend(GradientDescent(lr=lr), StochasticLandscape(landscape, n_samples, noise, seed=seed), start=start,
                steps=steps, batch_size=1, seed=seed, record_diagnostics=False, label=f"SGD, seed {seed}")
        for seed in range(seeds)
    ]
    basins = basin_of(landscape, np.array([run.params[-1] for run in runs]))
    return EscapeResult(
        basins=basins,
        start_basin=int(basin_of(landscape, start[None, :])[0]),
        gd_basin=int(basin_of(landscape, gd.params[-1][None, :])[0]),
        runs=runs,
        gd=gd,
    )


def sgd_end_points(
    landscape: Landscape,
    start: np.ndarray,
    lr: float,
    noise: float,
    steps: int = 300,
    seeds: int = 100,
    n_samples: int = 200,
) -> np.ndarray:
    """Where SGD ends after ``steps`` one-example steps, for seeds 0 .. seeds-1 at once: shape (seeds, 2).

    The same runs as ``escape_fraction`` makes with ``descend`` (seed s draws the sample set
    ``StochasticLandscape(landscape, n_samples, noise, seed=s)`` and the order of the examples),
    but all seeds step together as one array, so that a grid of learning rates and noise levels
    with a hundred seeds each takes about a second. The tests check that both give the same points.
    """
    lr = check.check_positive("lr", lr)
    steps = check.check_positive_int("steps", steps)
    seeds = check.check_positive_int("seeds", seeds)
    orders = _example_orders(seeds, n_samples, steps)
    return _sgd_together(landscape, start, np.full(seeds, lr), _tilts(landscape, seeds, n_samples, noise), orders)


def _example_orders(seeds: int, n_samples: int, steps: int) -> np.ndarray:
    """(seeds, steps): the example that seed s uses at each step, drawn exactly as ``descend`` draws it."""
    orders = []
    for seed in range(seeds):
        batches = batch_indices(n_samples, 1, np.random.default_rng(seed))
        orders.append(np.concatenate([next(batches) for _ in range(steps)]))
    return np.array(orders)


def _tilts(landscape: Landscape, seeds: int, n_samples: int, noise: float) -> np.ndarray:
    """(seeds, n_samples, 2): the per-example tilts of each seed's StochasticLandscape."""
    return np.array([StochasticLandscape(landscape, n_samples, noise, seed=seed).tilts for seed in range(seeds)])


def _sgd_together(landscape: Landscape, start: np.ndarray, lrs: np.ndarray, tilts: np.ndarray,
                  orders: np.ndarray) -> np.ndarray:
    """Plain SGD for many runs at once: run r has rate lrs[r] and uses the tilts and order of seed r % seeds."""
    seeds, steps = orders.shape
    runs = len(lrs)
    seed_of_run = np.arange(runs) % seeds
    w = np.tile(np.asarray(start, dtype=float), (runs, 1))
    for t in range(steps):
        gx, gy = landscape.grad_xy(w[:, 0], w[:, 1])
        # The same arithmetic as descend: g = grad J(w) + a_i, then w <- w - lr * g.
        g = np.column_stack([gx, gy]) + tilts[seed_of_run, orders[seed_of_run, t]]
        w = w - lrs[:, None] * g
    return w


@dataclass
class DoseResponse:
    """Fraction of seeded SGD runs that escaped the start's hollow, for each noise level and learning rate."""

    noises: np.ndarray  # (k,)
    lrs: np.ndarray  # (m,)
    escaped: np.ndarray  # (k, m): fraction of the seeds that ended outside the start's hollow
    seeds: int
    gd_escaped: np.ndarray  # (m,): whether noise-free gradient descent, at each rate, left that hollow

    @property
    def standard_error(self) -> np.ndarray:
        """Binomial standard error of each fraction, sqrt(p (1 - p) / seeds): the spread from the seeds alone."""
        return np.sqrt(self.escaped * (1 - self.escaped) / self.seeds)


def escape_dose_response(
    landscape: Landscape,
    start: np.ndarray,
    noises: Sequence[float],
    lrs: np.ndarray | Sequence[float],
    steps: int = 300,
    seeds: int = 100,
    n_samples: int = 200,
) -> DoseResponse:
    """How often SGD escapes the hollow that ``start`` drains into, against the noise and the learning rate.

    For each pair (noise, lr), ``seeds`` SGD runs (those of ``sgd_end_points``) are classified by
    the hollow their end drains into (``basin_of``). One flattering pair says little; the grid
    shows where escaping starts and how it grows. Plain gradient descent at each rate is the
    zero-noise row.
    """
    noises = [check.check_positive(f"noises[{i}]", x) for i, x in enumerate(noises)]
    lrs = np.array([check.check_positive(f"lrs[{i}]", x) for i, x in enumerate(lrs)])
    steps = check.check_positive_int("steps", steps)
    seeds = check.check_positive_int("seeds", seeds)
    start = np.asarray(start, dtype=float)
    start_basin = int(basin_of(landscape, start[None, :])[0])
    orders = _example_orders(seeds, n_samples, steps)
    every_lr = np.repeat(lrs, seeds)  # run r has rate lrs[r // seeds] and the examples of seed r % seeds
    ends = [_sgd_together(landscape, start, every_lr, _tilts(landscape, seeds, n_samples, noise), orders)
            for noise in noises]
    basins = basin_of(landscape, np.concatenate(ends)).reshape(len(noises), len(lrs), seeds)
    gd_ends = [descend(GradientDescent(lr=lr), landscape, start=start, steps=steps, record_diagnostics=False).final
               for lr in lrs]
    return DoseResponse(np.array(noises), lrs, np.mean(basins != start_basin, axis=2), seeds,
                        basin_of(landscape, np.array(gd_ends)) != start_basin)


# ---- chapter 02: online learning on a drifting stream -------------------------------


class DriftingStream:
    """Examples (x_t, y_t) that arrive one at a time from a linear model whose weights drift.

    y_t = x_t . w_true(t) + noise, with x_t ~ N(0, I) in 2-D and w_true(t) turning at constant
    speed on a circle of radius ``radius``: by the last example it has turned by ``turn`` radians.
    The whole stream is drawn at construction (seeded), so every learner sees the same examples.
    """

    def __init__(self, length: int = 3000, turn: float = np.pi, radius: float = 2.0, noise: float = 0.1,
                 seed: int = 0) -> None:
        self.length = check.check_positive_int("length", length)
        self.turn = check.check_number("turn", turn)
        self.radius = check.check_positive("radius", radius)
        self.noise = check.check_positive("noise", noise)
        rng = np.random.default_rng(seed)
        angles = self.turn * np.arange(self.length) / self.length
        self.w_true = self.radius * np.column_stack([np.cos(angles), np.sin(angles)])  # (length, 2)
        self.X = rng.normal(size=(self.length, 2))
        self.y = np.einsum("ij,ij->i", self.X, self.w_true) + rng.normal(scale=self.noise, size=self.length)


@dataclass
class StreamRun:
    """What a learner did on a stream: its weights before each example and the loss it suffered."""

    label: str
    weights: np.ndarray  # (length, 2): the weights used to predict example t
    losses: np.ndarray  # (length,): (x_t . w - y_t)^2 / 2 on example t, before learning from it

    def weight_error(self, stream: DriftingStream) -> np.ndarray:
        """|w - w_true(t)| at each example."""
        return np.linalg.norm(self.weights - stream.w_true, axis=1)


def online_run(stream: DriftingStream, optimizer: Optimizer, label: str = "online SGD") -> StreamRun:
    """Predict each example, suffer its loss, then take one step on that example alone (online SGD)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a course_lib Optimizer, got {type(optimizer).__name__}")
    optimizer.reset()
    w = np.zeros(2)
    weights, losses = np.empty((stream.length, 2)), np.empty(stream.length)
    for t in range(stream.length):
        x, y = stream.X[t], stream.y[t]
        residual = x @ w - y
        weights[t], losses[t] = w, 0.5 * residual**2
        w = optimizer.step(w, residual * x)  # the gradient of (x . w - y)^2 / 2
    return StreamRun(label, weights, losses)


def frozen_run(stream: DriftingStream, n_first: int = 300, label: str | None = None) -> StreamRun:
    """Fit least squares once on the first ``n_first`` examples, then predict the rest without learning."""
    n_first = check.check_positive_int("n_first", n_first)
    if n_first > stream.length:
        raise ValueError(f"n_first must be at most the stream length {stream.length}, got {n_first!r}")
    w = np.linalg.lstsq(stream.X[:n_first], stream.y[:n_first], rcond=None)[0]
    weights = np.tile(w, (stream.length, 1))
    losses = 0.5 * (np.einsum("ij,ij->i", stream.X, weights) - stream.y) ** 2
    return StreamRun(label or f"fitted once on the first {n_first}", weights, losses)


def window_means(values: np.ndarray, window: int) -> np.ndarray:
    """Means of consecutive, non-overlapping windows of ``window`` values (a trailing partial one is dropped)."""
    window = check.check_positive_int("window", window)
    n = len(values) // window
    if n == 0:
        raise ValueError(f"window must be at most the number of values {len(values)}, got {window!r}")
    return np.asarray(values[: n * window], dtype=float).reshape(n, window).mean(axis=1)


# ---- chapter 03: the batch-size trade-off -------------------------------------------


def gradient_error(problem: Any, w: Any, batch_size: int, draws: int = 100, seed: int = 0) -> float:
    """Mean distance |g_batch - g_full| between mini-batch gradients and the full gradient at ``w``.

    Each of ``draws`` batches holds ``batch_size`` distinct examples drawn at random (seeded).
    """
    n_samples = getattr(problem, "n_samples", None)
    if n_samples is None:
        raise ValueError(f"problem must have samples, got {getattr(problem, 'name', problem)!r}")
    batch_size = check.check_positive_int("batch_size", batch_size)
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be between 1 and n_samples={n_samples}, got {batch_size!r}")
    draws = check.check_positive_int("draws", draws)
    rng = np.random.default_rng(seed)
    full = ravel(problem.grad(w, None))
    errors = [
        np.linalg.norm(ravel(problem.grad(w, rng.choice(n_samples, batch_size, replace=False))) - full)
        for _ in range(draws)
    ]
    return float(np.mean(errors))


def final_loss(problem: Any, lr: float, steps: int, batch_size: int | None = None, seed: int = 0,
               start: Any = None) -> float:
    """Full training loss after ``steps`` steps of plain (mini-batch) gradient descent; inf if it diverged."""
    run = descend(GradientDescent(lr=lr), problem, start=start, steps=steps, batch_size=batch_size, seed=seed,
                  record_diagnostics=False, batch_loss=True)
    return float("inf") if run.diverged else float(problem.loss(run.final))


def nudged(params: Any) -> Any:
    """``params`` with every entry moved to the next float towards +inf: a one-ulp change, the size of round-off."""
    if isinstance(params, dict):
        return {name: np.nextafter(a, np.inf) for name, a in params.items()}
    return np.nextafter(np.asarray(params, dtype=float), np.inf)


@dataclass
class BatchSizeTuning:
    """Gradient descent tuned separately for each batch size, with the same budget of epochs for all."""

    grids: dict[int, np.ndarray]  # batch size -> the learning rates tried
    losses: dict[int, np.ndarray]  # training loss after the budget at each rate (seed 0; inf = diverged)
    round_off: dict[int, np.ndarray]  # how far that loss moved when the start moved by one ulp
    best_lr: dict[int, float]  # the rate with the lowest loss among those that do not turn on round-off
    seed_losses: dict[int, np.ndarray]  # training loss at the best rate for seeds 0 .. seeds-1
    epochs: int
    tolerance: float

    def chaotic(self, batch_size: int) -> np.ndarray:
        """Which rates of the grid gave a result that a one-ulp change of the start moves by more than tolerance."""
        return self.round_off[batch_size] > self.tolerance


def tune_batch_sizes(
    problem: Any,
    grids: dict[int, Sequence[float]],
    epochs: int = 2,
    seeds: int = 5,
    tolerance: float = 1e-6,
) -> BatchSizeTuning:
    """Tune the learning rate of gradient descent for each batch size B, with ``epochs`` passes for every B.

    Each rate of ``grids[B]`` is run from ``problem.init_params(0)`` and from the same start moved
    by one ulp (``nudged``). A rate whose loss moves by more than ``tolerance`` under that change
    is chaotic: its result is set by round-off (another CPU or BLAS gives another number), so it
    is reported but never picked. The best of the others is then run with ``seeds`` seeds (each
    seed draws the start and the order of the examples) to show the spread that matters.
    """
    epochs = check.check_positive_int("epochs", epochs)
    seeds = check.check_positive_int("seeds", seeds)
    tolerance = check.check_positive("tolerance", tolerance)
    start = problem.init_params(0)
    result = BatchSizeTuning({}, {}, {}, {}, {}, epochs, tolerance)
    for b, grid in grids.items():
        b = check.check_positive_int("batch size", b)
        lrs = np.array([check.check_positive(f"grids[{b}][{i}]", lr) for i, lr in enumerate(grid)])
        steps = epochs * (problem.n_samples // b)
        batch = None if b == problem.n_samples else b
        losses = np.array([final_loss(problem, lr, steps, batch, start=start) for lr in lrs])
        moved = np.array([final_loss(problem, lr, steps, batch, start=nudged(start)) for lr in lrs])
        with np.errstate(invalid="ignore"):  # inf - inf: both diverged, which round-off did not decide
            round_off = np.where(np.isinf(losses) & np.isinf(moved), 0.0, np.abs(losses - moved))
        usable = np.isfinite(losses) & (round_off <= tolerance)
        if not usable.any():
            raise ValueError(f"grids[{b}] has no rate that converges without chaos; got {lrs.tolist()}")
        best = float(lrs[np.flatnonzero(usable)[np.argmin(losses[usable])]])
        result.grids[b], result.losses[b], result.round_off[b], result.best_lr[b] = lrs, losses, round_off, best
        result.seed_losses[b] = np.array([final_loss(problem, best, steps, batch, seed=s) for s in range(seeds)])
    return result


def loss_against_time(problem: Any, best_lr: dict[int, float], budgets: np.ndarray | Sequence[float],
                      seed: int = 0) -> dict[str, np.ndarray]:
    """Training loss each batch size reached within each budget of computing time (seconds), at its own rate.

    A measurement: it changes from run to run and machine to machine. The time of a step is the
    median over a run of the time ``descend`` spent on each gradient and update
    (``Trajectory.times``), so that a pause of the machine does not count; a budget of t seconds is
    then ``t / median`` steps, and the full training loss is read after that many steps. A short
    pilot run sizes the run so that it covers the largest budget.

    Returns
    -------
    dict with "batch_sizes" (k,), "budgets" (m,), "loss" (k, m), "seconds_per_step" and
    "seconds_per_epoch" (k,), measured.
    """
    budgets = np.array([check.check_positive(f"budgets[{i}]", x) for i, x in enumerate(budgets)])
    losses, seconds_per_step, seconds_per_epoch = [], [], []
    for b, lr in best_lr.items():
        batch = None if b == problem.n_samples else b
        pilot = descend(GradientDescent(lr=lr), problem, steps=20, batch_size=batch, seed=seed,
                        record_diagnostics=False, batch_loss=True)
        steps = int(budgets.max() / np.median(np.diff(pilot.times))) + 1
        run = descend(GradientDescent(lr=lr), problem, steps=steps, batch_size=batch, seed=seed,
                      record_diagnostics=False, batch_loss=True)
        per_step = float(np.median(np.diff(run.times)))
        losses.append(losses_at(run, problem, [min(int(budget / per_step), run.steps) for budget in budgets]))
        seconds_per_step.append(per_step)
        seconds_per_epoch.append(per_step * (problem.n_samples // b))
    return {"batch_sizes": np.array(list(best_lr)), "budgets": budgets, "loss": np.array(losses),
            "seconds_per_step": np.array(seconds_per_step), "seconds_per_epoch": np.array(seconds_per_epoch)}


def held_out_at_training_loss(trajectory: Trajectory, n_samples: int, levels: Sequence[float]) -> list[dict[str, Any]]:
    """When a run first got its training loss below each level: the step, the epochs used, the held-out loss.

    Comparing held-out losses at equal training loss separates "fits the data better" from
    "generalises better". Needs a run recorded with ``record_test_loss=True``; a level the run
    never reached gives step None and NaN values.
    """
    if trajectory.test_losses is None:
        raise ValueError("trajectory has no held-out losses; run descend(..., record_test_loss=True)")
    n_samples = check.check_positive_int("n_samples", n_samples)
    per_step = trajectory.batch_size or n_samples  # examples used by one step
    rows = []
    for level in levels:
        level = check.check_number("level", level)
        below = np.flatnonzero(trajectory.losses < level)
        if below.size == 0:
            rows.append({"level": level, "step": None, "epochs": float("nan"), "test_loss": float("nan")})
            continue
        step = int(below[0])
        rows.append({"level": level, "step": step, "epochs": step * per_step / n_samples,
                     "test_loss": float(trajectory.test_losses[step])})
    return rows
