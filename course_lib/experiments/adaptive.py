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
- ``rare_features_over_seeds`` and ``share_of_batches_with_feature``: rare features on several data sets,
  and how sparse a batch's gradient is (chapters 04, 07).
- ``rmsprop_startup``: RMSprop's start-up bias, plain and bias-corrected (chapter 05).
- ``adadelta_cold_start``: Zeiler's units argument from a cold state (chapter 06).
- ``average_weight``, ``adam_startup``, ``adam_beta_grid`` and ``adam_as_adagrad``: Adam's bias correction,
  its betas and its link to AdaGrad (chapter 07).
- ``step_and_gradient_cost``, ``per_parameter_step_cost`` and ``bytes_per_parameter``: what a step costs
  next to a gradient of the same model (chapter 07).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from ..many import descend_many
from ..optimizers import AdaDelta, AdaGrad, Adam, Optimizer, RMSprop
from ..params import leaves, unravel

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
    # From every start at once (course_lib.many): the runs descend makes, number for number.
    runs = descend_many([optimizer] * len(starts), landscape, starts=starts, steps=steps)
    for i, run in enumerate(runs):
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
            "RMSprop": rules.rmsprop_update(wc, gc, vc, t, lr)[0],
            "Adam": rules.adam_update(wc, gc, mc, vc, t, lr)[0],
            "AdaDelta": rules.adadelta_update(wc, gc, vc, uc)[0],
        }
        return {name: float(np.linalg.norm(w_new - wc)) for name, w_new in new.items()}

    before, after = step_sizes(1.0), step_sizes(scale)
    return {name: after[name] / before[name] for name in before}


# ---- rare features over several seeds (chapters 04, 07) ------------------------------------


def rare_features_over_seeds(
    optimizers: Sequence[Optimizer],
    seeds: Sequence[int],
    lrs: Sequence[float] | Mapping[str, Sequence[float]],
    steps: int = 2000,
    batch_size: int = 1,
    reuse: Sequence[Trajectory] = (),
) -> dict[str, dict[str, np.ndarray]]:
    """Each optimizer tuned and measured on ``SparseLogisticRegression(seed=s)`` for every seed.

    For every seed (a new data set, new true weights and a new order of examples) each
    optimizer is swept over ``lrs`` (one list for all, or {optimizer label: its own list}, to
    spend the runs around each optimizer's own best rate) and keeps the rate with the lowest
    held-out loss after ``steps`` steps of ``batch_size`` examples; for that run the mean
    distance of the rare and of the common weights from the true ones is recorded.

    ``reuse`` takes runs that were already made the same way, ``descend(optimizer.clone(lr=...),
    SparseLogisticRegression(seed=s), steps=steps, batch_size=batch_size, seed=s)`` (chapter 04 passes its
    seed-0 sweep): a run whose optimizer, hyperparameters, seed, batch size and number of steps match one of
    the sweep's runs stands in for it instead of being run again. Only its last parameters are read, so
    whether it recorded diagnostics or batch losses does not matter; runs that diverged are run again.

    Returns
    -------
    {optimizer label: {"best_lr", "held_out", "rare", "common": arrays (len(seeds),)}}
    """
    from ..problems import SparseLogisticRegression  # problems sit beside landscapes; imported where used

    steps = check.check_positive_int("steps", steps)
    if len(seeds) == 0 or len(optimizers) == 0:
        raise ValueError("seeds and optimizers must each hold at least one entry")
    grids = lrs if isinstance(lrs, Mapping) else {opt.label: lrs for opt in optimizers}
    missing = [opt.label for opt in optimizers if opt.label not in grids]
    if missing:
        raise ValueError(f"lrs has no learning rates for {', '.join(missing)}; give a list for every optimizer")
    out: dict[str, dict[str, list[float]]] = {
        opt.label: {key: [] for key in ("best_lr", "held_out", "rare", "common")} for opt in optimizers
    }
    empty = [label for label, grid in grids.items() if len(grid) == 0]
    if empty:
        raise ValueError(f"lrs for {', '.join(empty)} is empty; give at least one learning rate")
    done = {_run_key(run): run for run in reuse if _reusable(run, steps, batch_size)}
    for seed in seeds:
        problem = SparseLogisticRegression(seed=int(seed))
        for optimizer in optimizers:
            grid = grids[optimizer.label]
            runs = [done.get(_run_key(optimizer.clone(lr=lr), int(seed), batch_size))
                    or descend(optimizer.clone(lr=lr), problem, steps=steps, batch_size=batch_size, seed=int(seed),
                               record_diagnostics=False, batch_loss=True)
                    for lr in grid]
            held_out = [problem.test_loss(run.final) for run in runs]
            best = int(np.argmin(held_out))
            final_error = np.abs(runs[best].final - problem.w_true)
            row = out[optimizer.label]
            row["best_lr"].append(float(grid[best]))
            row["held_out"].append(float(held_out[best]))
            row["rare"].append(float(final_error[problem.is_rare].mean()))
            row["common"].append(float(final_error[~problem.is_rare].mean()))
    return {label: {key: np.array(values) for key, values in row.items()} for label, row in out.items()}


def _reusable(run: Trajectory, steps: int, batch_size: int) -> bool:
    if not isinstance(run, Trajectory):
        raise TypeError(f"reuse must hold Trajectories (runs of descend or sweep), got a {type(run).__name__}")
    return run.problem == "sparse_logistic" and not run.diverged and run.steps == steps and run.batch_size == batch_size


def _run_key(run_or_optimizer: Trajectory | Optimizer, seed: int | None = None, batch_size: int | None = None) -> tuple:
    """What makes two runs on one seed's data set the same run: the optimizer, its numbers, the seed, the batch."""
    if isinstance(run_or_optimizer, Trajectory):
        run = run_or_optimizer
        return run.optimizer, tuple(sorted(run.hyperparams.items())), run.seed, run.batch_size
    optimizer = run_or_optimizer
    return optimizer.name, tuple(sorted(optimizer.hyperparams.items())), seed, batch_size


def share_of_batches_with_feature(rate: float, batch_sizes: Sequence[int]) -> dict[int, float]:
    """Chance that a feature active in a fraction ``rate`` of the examples is active somewhere in a batch.

    It is 1 - (1 - rate)^B for a batch of B examples: at rate 0.03, 3 % of single
    examples but 62 % of batches of 32. The larger the batch, the less sparse its gradient.
    """
    rate = check.check_number("rate", rate)
    if not 0 < rate <= 1:
        raise ValueError(f"rate must be in (0, 1], got {rate!r}")
    return {int(b): 1.0 - (1.0 - rate) ** check.check_positive_int("batch_sizes[...]", b) for b in batch_sizes}


# ---- RMSprop's start-up bias (chapters 05, 06) ----------------------------------------------


def rmsprop_startup(
    landscape: Landscape, lr: float, gammas: Sequence[float], steps: int = 500, loss_below: float = 0.01
) -> list[dict[str, Any]]:
    """Plain and bias-corrected RMSprop for each ``gamma``: the first steps, the arrival and the end.

    Returns
    -------
    One dict per (gamma, variant), in order: {"gamma", "variant" ("plain" or "corrected"),
    "first_steps": lengths of steps 1 and 2, "reached": first step with loss <= loss_below (or None),
    "final_x": x after the last step, "last_steps": mean step length over the last 50 steps,
    "run": the Trajectory}
    """
    lr = check.check_positive("lr", lr)
    rows = []
    for gamma in gammas:
        gamma = check.check_unit_interval("gammas[...]", gamma)
        variants = (("plain", RMSprop(lr=lr, gamma=gamma)),
                    ("corrected", RMSprop(lr=lr, gamma=gamma, bias_correction=True)))
        for variant, optimizer in variants:
            run = descend(optimizer, landscape, steps=steps, label=f"{variant}, gamma={gamma:g}")
            lengths = step_lengths(run)
            rows.append({
                "gamma": gamma, "variant": variant, "first_steps": lengths[:2],
                "reached": steps_to_reach(run, loss_below), "final_x": float(run.params[-1, 0]),
                "last_steps": float(lengths[-50:].mean()), "run": run,
            })
    return rows


# ---- Adam's bias correction, and the weight of a running average (chapter 07) ---------------------


def average_weight(beta: float, t: int) -> float:
    """Total weight of a running average m_t = beta m_(t-1) + (1 - beta) g_t, m_0 = 0, after t steps.

    m_t = sum_k (1 - beta) beta^(t-k) g_k: a weighted sum of the gradients seen so far whose
    weights add up to 1 - beta^t, not 1. The missing beta^t is the weight the
    average gives to its zero start; dividing by 1 - beta^t makes the weights sum to 1.
    The sum is computed term by term (not by the closed form), so it checks the formula.
    """
    beta = check.check_unit_interval("beta", beta)
    t = check.check_positive_int("t", t)
    return float(sum((1 - beta) * beta ** (t - k) for k in range(1, t + 1)))


def adam_startup(landscape: Landscape, lr: float, beta2s: Sequence[float], steps: int = 10) -> list[dict[str, Any]]:
    """Adam's first ``steps`` step lengths relative to lr, with and without bias correction, per beta2.

    Returns
    -------
    One dict per (beta2, correction): {"beta2", "corrected" (bool), "ratio": array (steps,) of
    |step| / (lr sqrt(d)) with d the number of coordinates (1 means exactly lr per coordinate),
    "loss": the loss after the last of those steps}
    """
    lr = check.check_positive("lr", lr)
    steps = check.check_positive_int("steps", steps)
    rows = []
    for beta2 in beta2s:
        for corrected in (True, False):
            run = descend(Adam(lr=lr, beta2=beta2, bias_correction=corrected), landscape, steps=steps,
                          record_diagnostics=False)
            ratio = step_lengths(run) / (lr * np.sqrt(run.params.shape[1]))
            rows.append({"beta2": float(beta2), "corrected": corrected, "ratio": ratio,
                         "loss": float(run.losses[-1])})
    return rows


def adam_beta_grid(
    problem: Any,
    beta1s: Sequence[float],
    beta2s: Sequence[float],
    lr: float,
    steps: int = 200,
    batch_size: int | None = 32,
) -> np.ndarray:
    """Final full-batch training loss of Adam for every (beta1, beta2); inf where a run diverged.

    Returns an array of shape (len(beta1s), len(beta2s)); every run uses the same seed, so the
    same batches.
    """
    lr = check.check_positive("lr", lr)
    grid = np.empty((len(beta1s), len(beta2s)))
    for i, beta1 in enumerate(beta1s):
        for j, beta2 in enumerate(beta2s):
            run = descend(Adam(lr=lr, beta1=beta1, beta2=beta2), problem, steps=steps, batch_size=batch_size,
                          record_diagnostics=False, batch_loss=True)
            grid[i, j] = np.inf if run.diverged else problem.loss(run.final)
    return grid


def adadelta_cold_start(scales: Sequence[float], steps: int = 1000) -> list[dict[str, float]]:
    """AdaDelta from a cold state (u = v = 0) on the bowl measured in units ``scale`` times smaller.

    Zeiler's units argument says RMS[dw] / RMS[g] stands in for the inverse curvature, the
    Newton step's H^-1, which is scale^2 on ``scaled_bowl(scale)``. From a cold start the
    first step is sqrt(eps / (1 - gamma)) per coordinate in *every* unit system, so the
    argument can only hold once u has filled up with steps of the right size.

    Returns
    -------
    One dict per scale: {"scale", "first_step": length of step 1, "left": |w_steps| / |w_0|
    (the fraction of the start distance still to go), "ratio": RMS[dw] / RMS[g] in x after the
    last step, "newton": scale^2, the ratio a Newton step would use}
    """
    steps = check.check_positive_int("steps", steps)
    rows = []
    for scale in scales:
        landscape = scaled_bowl(scale)
        run = descend(AdaDelta(), landscape, steps=steps)
        distance = np.linalg.norm(run.params, axis=1)
        rows.append({
            "scale": float(scale), "first_step": float(step_lengths(run)[0]), "left": float(distance[-1] / distance[0]),
            "ratio": float(run.diagnostics["effective_lr"][-1, 0]), "newton": float(scale) ** 2,
        })
    return rows


# ---- what an optimizer step costs (chapters 06, 07) -------------------------------------------


def median_seconds(call: Any, repeats: int = 20) -> float:
    """Median wall time of ``call()`` over ``repeats`` calls (after one warm-up call)."""
    import time

    repeats = check.check_positive_int("repeats", repeats)
    call()
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        call()
        times.append(time.perf_counter() - tic)
    return float(np.median(times))


def step_and_gradient_cost(
    problem: Any, optimizers: Sequence[Optimizer], batch_size: int = 32, repeats: int = 20
) -> dict[str, float]:
    """Seconds for one gradient of ``problem`` and for one step of each optimizer on *its* parameters.

    The gradient is timed on a mini-batch of ``batch_size`` examples and on the full batch;
    each optimizer steps the same parameter structure (e.g. a network's dict of arrays)
    with that gradient, so the two costs are for the same model.

    Returns
    -------
    {"gradient, batch of B": s, "gradient, full batch": s, optimizer label: s per step, ...,
     "parameters": the number of parameters}
    """
    params = problem.init_params(0)
    batch = np.arange(check.check_positive_int("batch_size", batch_size))
    _, grads = problem.loss_and_grad(params, batch)
    out = {
        f"gradient, batch of {batch_size}": median_seconds(lambda: problem.loss_and_grad(params, batch), repeats),
        "gradient, full batch": median_seconds(lambda: problem.loss_and_grad(params), repeats),
    }
    for optimizer in optimizers:
        optimizer.reset()
        optimizer.step(params, grads)  # state allocated before timing
        out[optimizer.label] = median_seconds(lambda opt=optimizer: opt.step(params, grads), repeats)
    out["parameters"] = float(sum(a.size for _, a in leaves(params)))
    return out


def per_parameter_step_cost(
    optimizer: Optimizer, sizes: Sequence[int], repeats: int = 5, inplace: bool = True
) -> dict[int, float]:
    """Nanoseconds per parameter for one step on a float64 vector of each size.

    With ``inplace=True`` the step is ``course_lib.fast.step_inplace`` (the same rule, in
    cache-sized blocks); otherwise ``Optimizer.step``. Once the arrays no longer fit in the
    cache the cost per parameter stops falling: the step then waits for main memory, and
    its cost is set by the bytes it moves (see ``bytes_per_parameter``), not by arithmetic.
    """
    from ..fast import step_inplace  # fast sits beside optimizers; imported where used

    rng = np.random.default_rng(0)
    out = {}
    for size in sizes:
        size = check.check_positive_int("sizes[...]", size)
        w, g = np.zeros(size), rng.normal(size=size)
        optimizer.reset()
        if inplace:
            seconds = median_seconds(lambda w=w, g=g: step_inplace(optimizer, w, g), repeats)
        else:
            seconds = median_seconds(lambda w=w, g=g: optimizer.step(w, g), repeats)
        out[size] = seconds / size * 1e9
    return out


def bytes_per_parameter(optimizer: Optimizer, itemsize: int = 8) -> int:
    """The least memory traffic of one in-place step, per parameter, in bytes.

    The step must read w, g and each state array and write w and each state array once.
    """
    n_state = len(optimizer.state_names)
    return itemsize * ((2 + n_state) + (1 + n_state))


def adam_as_adagrad(landscape: Landscape, lr: float, steps: int = 100, beta2: float = 1 - 1e-9) -> dict[str, Any]:
    """The Adam paper's link to AdaGrad (Kingma & Ba, section 5), run.

    With beta1 = 0, beta2 close to 1 and the rate decayed as lr / sqrt(t), the bias-corrected
    v_hat is the plain mean of all g^2 so far, (1/t) sum g^2, and Adam's step
    (lr / sqrt(t)) g / sqrt(v_hat) = lr g / sqrt(sum g^2) is AdaGrad's. The Adam steps are
    taken with ``rules.adam_update`` itself; AdaGrad runs through ``descend``.

    Returns
    -------
    {"adam": (steps + 1, 2) path, "adagrad": Trajectory, "largest_difference": max |path difference|}
    """
    lr = check.check_positive("lr", lr)
    steps = check.check_positive_int("steps", steps)
    beta2 = check.check_unit_interval("beta2", beta2)
    w = landscape.start.copy()
    m, v = np.zeros_like(w), np.zeros_like(w)
    points = [w]
    for t in range(1, steps + 1):
        w, m, v = rules.adam_update(w, landscape.grad(w), m, v, t, lr=lr / np.sqrt(t), beta1=0.0, beta2=beta2)
        points.append(w)
    path = np.array(points)
    # Rescaled, Adam's eps becomes sqrt(t) eps in AdaGrad's denominator; with eps = 1e-8 both are negligible.
    adagrad = descend(AdaGrad(lr=lr, eps=1e-8), landscape, steps=steps, record_diagnostics=False)
    return {"adam": path, "adagrad": adagrad, "largest_difference": float(np.abs(path - adagrad.params).max())}

