"""Curves over steps: loss, effective learning rate, and Adam's moments."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import _validate as check
from ..descent import Trajectory
from ..landscapes import LANDSCAPES, get_landscape
from ..problems import PROBLEMS
from . import describe
from .figures import figure_of, panels, set_suptitle, set_title
from .style import (
    SMALL_FONT,
    STYLES,
    as_trajectories,
    diverged_note,
    new_axes,
    series_styles,
    styles_for,
)

LOG_DECADES = 2.0  # auto log scale when positive values span more than this many decades
X_LABELS = {"step": "step", "epoch": "epoch (passes over the data)", "time": "wall time (s)"}
LINE_STYLES = ("-", "--", ":", "-.")


def wants_log_scale(values: Sequence[np.ndarray], log: bool | None) -> bool:
    """``log`` if given; otherwise True when all values are positive and span > 2 decades."""
    if log is not None:
        return bool(log)
    finite = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values]) if values else np.array([])
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or np.any(finite <= 0):
        return False
    return bool(np.log10(finite.max() / finite.min()) > LOG_DECADES)


def _mark_divergence(ax: Axes, trajectory: Trajectory, x: float, y: float, color: str) -> None:
    ax.annotate(diverged_note(trajectory), (x, y), xytext=(8, -4), textcoords="offset points", color=color,
                fontsize=SMALL_FONT, fontweight="bold", va="top", ha="left")
    ax.plot(x, y, "X", color=color, ms=9, mec="black")


def loss_curves(
    trajectories: Trajectory | Sequence[Trajectory],
    x: str = "step",
    ax: Axes | None = None,
    log: bool | None = None,
    title: str | None = None,
    minimum: float | None = None,
    test: bool = False,
    alt: str | None = None,
    n_samples: int | None = None,
) -> Axes:
    """Loss against step or wall time for one or several runs.

    Parameters
    ----------
    trajectories : a Trajectory or a sequence of them.
    x : "step", "epoch" (steps x batch size / ``n_samples``; a full-batch step is one epoch) or "time"
        (cumulative wall time in seconds spent on gradients and steps).
    ax : axes to draw on; default a new figure.
    log : log-scale y; None (default) decides: log when the values are positive and span > 2 decades.
    title : default "Loss of <runs> on <problem>".
    minimum : subtract this value (the landscape's global minimum) so the curve shows the gap J(w) - J*,
        which is positive on landscapes with negative losses.
    test : also draw the held-out loss (dashed) where the run recorded it.
    alt : a text description for readers who cannot see the picture; default one naming each run's
        first and last loss (``plots.show`` publishes it as the image's alt text).
    n_samples : the data set's size, needed for ``x="epoch"``.

    Returns
    -------
    Axes
    """
    check.check_choice("x", x, tuple(X_LABELS))
    if x == "epoch":
        n_samples = check.check_positive_int("n_samples", n_samples)  # x="epoch" needs the data set's size
    runs = as_trajectories(trajectories)
    if minimum is not None:
        minimum = check.check_number("minimum", minimum)
    shift = 0.0 if minimum is None else minimum
    ax = new_axes(ax)
    curves = [run.losses - shift for run in runs]
    use_log = wants_log_scale(curves, log)
    for i, (run, values, style) in enumerate(zip(runs, curves, styles_for(runs))):
        xs = steps_axis(run, x, n_samples)
        shown = np.where(values > 0, values, np.nan) if use_log else values
        line = style.line(offset=i)
        if test:  # training solid, held-out dashed; the markers tell the runs apart
            line["linestyle"] = "-"
        ax.plot(xs, shown, label=run.label, **line)
        if test and run.test_losses is not None:
            ax.plot(xs, run.test_losses - shift, "--", color=style.color, lw=1.2, label=f"{run.label} (held-out)")
        if run.diverged:
            _mark_divergence(ax, run, xs[-1], shown[-1], style.color)
    if use_log:
        ax.set_yscale("log")
    ax.set_xlabel(X_LABELS[x])
    ax.set_ylabel("loss J(w)" if minimum is None else "loss above the minimum, J(w) - J*")
    if title is None:  # the legend names the runs; the title names what is measured
        title = f"Loss per {'second' if x == 'time' else x}{problem_title(runs)}"
    set_title(ax, title)
    ax.grid(True, which="major", alpha=0.3)
    if runs:
        ax.legend(fontsize=SMALL_FONT)
    quantity = "Loss" if minimum is None else "Loss above the minimum"
    describe.attach(ax, alt, describe.curve_description(quantity, X_LABELS[x], runs, curves, use_log))
    return ax


def steps_axis(run: Trajectory, x: str, n_samples: int | None) -> np.ndarray:
    """The x values of a run's curve: steps, cumulative seconds, or epochs (examples seen / data set size)."""
    steps = np.arange(len(run.losses))
    if x == "time":
        return run.times
    if x == "epoch":
        n_samples = check.check_positive_int("n_samples", n_samples)  # x="epoch" needs the data set's size
        return steps * (run.batch_size or n_samples) / n_samples
    return steps


def problem_title(runs: Sequence[Trajectory]) -> str:
    """" on <title>" for the runs' problem when it is one of the course's named ones, else "".

    A trajectory records only its problem's code name (``foggy_valley``); a title shows the
    display title ("The foggy valley ...") or nothing, never the code name.
    """
    names = {run.problem for run in runs}
    if len(names) != 1:
        return ""
    name = names.pop()
    if name in LANDSCAPES:
        return f" on {get_landscape(name).title}"
    if name in PROBLEMS:
        return f" on {PROBLEMS[name].title}"
    return ""


def parameter_names(trajectory: Trajectory, n: int) -> list[str]:
    """x and y on a 2-D landscape, else w[0], w[1], ..."""
    if trajectory.problem in LANDSCAPES and n == 2:
        return ["x", "y"]
    return [f"w[{i}]" for i in range(n)]


REDUCTIONS = ("per-parameter", "mean", "median")
MAX_PARAMETER_LINES = 8


def effective_lr(
    trajectories: Trajectory | Sequence[Trajectory],
    ax: Axes | None = None,
    reduce: str = "per-parameter",
    title: str | None = None,
    alt: str | None = None,
) -> Axes:
    """The effective per-parameter learning rate over the steps (log y).

    Reads ``trajectory.diagnostics["effective_lr"]`` (recorded by ``descend``): the factor that
    multiplied the gradient (or Adam's m_hat) at each step. AdaGrad's shrinks forever; RMSprop's settles.

    Parameters
    ----------
    trajectories : a Trajectory or a sequence of them.
    reduce : "per-parameter" (one line per parameter per run, line style per parameter; at most 8
        parameters), or "mean" / "median" over the parameters (one line per run).
    alt : a text description of the picture; default: each run's mean effective rate at the first and last step.
    """
    check.check_choice("reduce", reduce, REDUCTIONS)
    runs = as_trajectories(trajectories)
    ax = new_axes(ax)
    for k, (run, style) in enumerate(zip(runs, styles_for(runs))):
        rates = run.diagnostics.get("effective_lr")
        if rates is None or len(rates) == 0:
            raise ValueError(f"trajectory {run.label!r} has no 'effective_lr' diagnostics; "
                             "run descend(..., record_diagnostics=True)")
        steps = np.arange(1, len(rates) + 1)
        if reduce == "per-parameter":
            if rates.shape[1] > MAX_PARAMETER_LINES:
                raise ValueError(f"reduce='per-parameter' draws one line per parameter, at most "
                                 f"{MAX_PARAMETER_LINES}; {run.label!r} has {rates.shape[1]}: use 'mean' or 'median'")
            for i, name in enumerate(parameter_names(run, rates.shape[1])):
                # The run's colour and marker; the line style tells the parameters apart.
                line = {**style.line(offset=k * 3 + i), "linestyle": LINE_STYLES[i % len(LINE_STYLES)]}
                ax.plot(steps, rates[:, i], label=f"{run.label}, {name}", **line)
        else:
            values = rates.mean(axis=1) if reduce == "mean" else np.median(rates, axis=1)
            ax.plot(steps, values, label=f"{run.label} ({reduce} over parameters)", **style.line(offset=k))
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("effective learning rate")
    set_title(ax, title or f"Effective learning rate{' per parameter' if reduce == 'per-parameter' else ''}"
              f"{problem_title(runs)}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=SMALL_FONT)
    means = [run.diagnostics["effective_lr"].mean(axis=1) for run in runs]
    describe.attach(ax, alt, describe.curve_description("Effective learning rate (mean over parameters)", "step",
                                                        runs, means, log=True))
    return ax


def adam_moments(
    trajectory: Trajectory,
    ax: Sequence[Axes] | None = None,
    steps: int = 30,
    parameter: int = 0,
    alt: str | None = None,
) -> Figure:
    """Adam's raw moments m, v against the bias-corrected m_hat, v_hat over the first steps.

    Two panels: m and m_hat (left), v and v_hat on a log scale (right). Early on m and v are
    pulled towards their zero start; the corrected values are not.

    Parameters
    ----------
    trajectory : a Trajectory of Adam (diagnostics "m", "v", "m_hat", "v_hat").
    ax : two axes to draw on; default a new figure.
    steps : how many of the first steps to show.
    parameter : which parameter (index into the flattened parameters).
    alt : a text description of the picture; default one giving the raw and corrected values at step 1.

    Returns
    -------
    Figure
    """
    if not isinstance(trajectory, Trajectory):
        raise TypeError(f"trajectory must be a Trajectory (the result of descend), got {type(trajectory).__name__}")
    steps = check.check_positive_int("steps", steps)
    missing = [k for k in ("m", "v", "m_hat", "v_hat") if k not in trajectory.diagnostics]
    if missing:
        raise ValueError(f"trajectory {trajectory.label!r} has no {', '.join(missing)} diagnostics; "
                         "adam_moments needs a run of Adam with record_diagnostics=True")
    n_params = trajectory.diagnostics["m"].shape[1]
    if not isinstance(parameter, (int, np.integer)) or not 0 <= parameter < n_params:
        raise ValueError(f"parameter must be an index between 0 and {n_params - 1}, got {parameter!r}")
    if ax is None:
        fig, ax = panels(2, panel_height=3.8)
    elif len(ax) != 2:
        raise ValueError(f"ax must be two axes (one for m, one for v), got {len(ax)}")
    fig = figure_of(ax[0])
    name = parameter_names(trajectory, n_params)[parameter]
    d = {k: trajectory.diagnostics[k][:steps, parameter] for k in ("m", "v", "m_hat", "v_hat")}
    t = np.arange(1, len(d["m"]) + 1)
    raw_style, corrected_style = series_styles(2)[0], STYLES["adam"]
    for panel, (raw, corrected) in zip(ax, (("m", "m_hat"), ("v", "v_hat"))):
        panel.plot(t, d[raw], label=f"raw {raw}", **{**raw_style.line(), "linestyle": "--", "markevery": 1, "ms": 4})
        panel.plot(t, d[corrected], label=f"bias-corrected {corrected}",
                   **{**corrected_style.line(), "markevery": 1, "ms": 4})
        panel.set_xlabel("step t")
        panel.grid(True, alpha=0.3)
        panel.legend(fontsize=SMALL_FONT)
    ax[0].set_ylabel(f"first moment for {name}")
    set_title(ax[0], "m starts at 0: m_hat = m / (1 - beta1^t)", fontsize=10)
    if np.all(np.concatenate([d["v"], d["v_hat"]]) > 0):
        ax[1].set_yscale("log")
    ax[1].set_ylabel(f"second moment for {name}")
    set_title(ax[1], "v starts at 0: v_hat = v / (1 - beta2^t)", fontsize=10)
    set_suptitle(fig, f"Adam's raw vs bias-corrected moments in the first {len(t)} steps ({trajectory.label})")
    describe.attach(fig, alt, (
        f"Two panels, Adam's moments for {name} over the first {len(t)} steps ({trajectory.label}). Left: raw m "
        f"starts at {d['m'][0]:.3g} while the bias-corrected m_hat starts at {d['m_hat'][0]:.3g}; they meet by step "
        f"{len(t)} ({d['m'][-1]:.3g} and {d['m_hat'][-1]:.3g}). Right: raw v starts at {d['v'][0]:.3g}, v_hat at "
        f"{d['v_hat'][0]:.3g}; at step {len(t)} they are {d['v'][-1]:.3g} and {d['v_hat'][-1]:.3g}."))
    return fig
