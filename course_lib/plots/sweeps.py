"""Pictures of sweeps and schedules: a result against a hyperparameter, and a learning rate against the step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from .. import _validate as check
from ..schedules import Schedule
from . import describe
from .figures import set_title
from .style import SMALL_FONT, Style, new_axes, series_styles, styles_for_names


def sweep(
    values: Sequence[float],
    results: Mapping[str, Sequence[float]],
    styles: Sequence[str | Style] | None = None,
    ax: Axes | None = None,
    xlabel: str = "learning rate lr",
    ylabel: str = "final loss above the minimum",
    title: str | None = None,
    log_x: bool = True,
    log_y: bool = True,
    alt: str | None = None,
) -> Axes:
    """One line per series: a result (final gap, held-out loss, ...) against the swept values.

    Parameters
    ----------
    values : the swept values (the x axis).
    results : {series label: one result per value}; inf (or NaN) marks a run that diverged, drawn
        as a cross on the top edge of the panel.
    styles : one style per series: a key of ``plots.STYLES`` ("momentum", "nesterov", ...) or a ``Style``
        (e.g. ``STYLES["adam"].with_linestyle(":")`` for a second quantity of the same run); default a
        sequential series.
    ax, xlabel, ylabel, title, log_x, log_y : where and how to draw.
    alt : a text description; default one naming each series' best value and where it diverged.
    """
    xs = np.asarray([check.check_number("values[...]", v) for v in values])
    if len(results) == 0:
        raise ValueError("results must hold at least one series, got an empty mapping")
    for label, ys in results.items():
        if len(ys) != len(xs):
            raise ValueError(
                f"results[{label!r}] has {len(ys)} entries, but there are {len(xs)} values; they must match")
    labels = list(results)
    if styles is not None and len(styles) != len(labels):
        raise ValueError(f"styles has {len(styles)} entries, but results has {len(labels)} series; they must match")
    if styles is None:
        drawn = series_styles(len(labels))
    else:
        keys = [s for s in styles if not isinstance(s, Style)]
        by_key = iter(styles_for_names(keys)) if keys else iter(())
        drawn = [s if isinstance(s, Style) else next(by_key) for s in styles]
    ax = new_axes(ax)
    every = np.concatenate([np.asarray(results[k], dtype=float) for k in labels])
    finite = every[np.isfinite(every)]
    top = finite.max() * (3.0 if log_y else 1.1) if finite.size else 1.0  # where a diverged run is marked
    parts = []
    for i, (label, style) in enumerate(zip(labels, drawn)):
        y = np.asarray(results[label], dtype=float)
        ok = np.isfinite(y)
        line = style.line(offset=i)
        line.update(markevery=1)  # a marker at every swept value
        ax.plot(xs[ok], y[ok], label=label, **line)
        if (~ok).any():
            ax.plot(xs[~ok], np.full((~ok).sum(), top), linestyle="none", marker="x", color=style.color, ms=7, mew=1.8)
        part = (f"{label}: lowest {y[ok].min():.3g} at {xs[ok][np.argmin(y[ok])]:.3g}" if ok.any()
                else f"{label}: every run diverged")
        if (~ok).any():
            part += f", diverged at {describe.names([f'{x:.3g}' for x in xs[~ok]])}"
        parts.append(part)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    set_title(ax, title or f"{ylabel[:1].upper()}{ylabel[1:]} against {xlabel}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=SMALL_FONT, title="x on the top edge: diverged" if finite.size < every.size else None,
              title_fontsize=SMALL_FONT)
    describe.attach(ax, alt, f"{ylabel[:1].upper()}{ylabel[1:]} against {xlabel}"
                    f"{' on log scales' if log_x and log_y else ''}. {'; '.join(parts)}.")
    return ax


def schedule_rates(
    schedules: Mapping[str, Schedule],
    lr: float,
    steps: int,
    ax: Axes | None = None,
    title: str | None = None,
    alt: str | None = None,
) -> Axes:
    """The learning rate of every update under each schedule, from the optimizer's rate ``lr``."""
    if len(schedules) == 0:
        raise ValueError("schedules must hold at least one schedule, got an empty mapping")
    for label, schedule in schedules.items():
        if not isinstance(schedule, Schedule):
            raise TypeError(f"schedules[{label!r}] must be a course_lib.schedules Schedule, got "
                            f"{type(schedule).__name__}")
    ax = new_axes(ax)
    parts = []
    for i, ((label, schedule), style) in enumerate(zip(schedules.items(), series_styles(len(schedules)))):
        rates = schedule.rates(lr, steps)
        ax.plot(np.arange(1, steps + 1), rates, label=label, **style.line(offset=i))
        parts.append(f"{label} from {rates[0]:.3g} to {rates[-1]:.3g} (highest {rates.max():.3g})")
    ax.set_ylim(0, 2.1 * lr)  # room for the legend above the lines
    ax.set_xlabel("update t")
    ax.set_ylabel("learning rate of update t")
    set_title(ax, title or f"Learning-rate schedules from lr = {lr:g}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=SMALL_FONT, loc="upper right")
    describe.attach(ax, alt, f"Learning rate against update over {steps} updates: {'; '.join(parts)}.")
    return ax
