"""Landscape pictures: contour maps with trajectories and the learning-rate panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import _validate as check
from ..descent import Trajectory, descend
from ..optimizers import Optimizer
from . import describe
from .figures import panels, set_suptitle, set_title
from .paths import exit_point, left_map_at, note_placement, outcome_note, path_markevery
from .style import MARKERS, SMALL_FONT, Style, as_trajectories, new_axes, styles_for

EQUAL_ASPECT_RATIO = 1.5  # maps whose sides differ less than this get one unit per unit on both axes
GRID_POINTS = 160  # per side; fine enough for smooth contours, quick to evaluate


def contour_levels(Z: np.ndarray, levels: int, log: bool) -> np.ndarray:
    """Contour levels for the values Z: log-spaced for steep landscapes, else by area.

    Levels at quantiles of Z space the lines evenly over the picture, so flat
    valley floors and steep walls both get lines (linear levels bunch them on the walls).
    """
    if log:
        top = float(Z.max())
        bottom = max(float(Z.min()), top * 1e-7, 1e-4)
        return np.geomspace(bottom, top, levels)
    return np.unique(np.quantile(Z, np.linspace(0.0, 1.0, levels) ** 1.5))


def draw_landscape(ax: Axes, landscape: Any, levels: int = 30, show_minima: bool = True) -> None:
    """The contour map of ``landscape`` with its minima and saddles, and labelled axes."""
    X, Y, Z = landscape.grid(GRID_POINTS)
    log = bool(getattr(landscape, "log_contours", False))
    values = contour_levels(Z, levels, log)
    norm = LogNorm(values[0], values[-1]) if log else None
    ax.contourf(X, Y, Z, levels=values, cmap="Greys_r", norm=norm, alpha=0.35, extend="both")
    ax.contour(X, Y, Z, levels=values, colors="0.45", linewidths=0.5, norm=norm)
    if show_minima:
        for point in landscape.minima:
            ax.plot(point.x, point.y, MARKERS["minimum"], ms=14, color="#F0E442", mec="black", mew=1.0, zorder=5)
        for point in getattr(landscape, "saddles", ()):
            ax.plot(point.x, point.y, MARKERS["saddle"], ms=9, color="black", mec="white", mew=0.6, zorder=5)
    ax.set_xlim(*landscape.xlim)
    ax.set_ylim(*landscape.ylim)
    (x0, x1), (y0, y1) = landscape.xlim, landscape.ylim
    if max(x1 - x0, y1 - y0) <= EQUAL_ASPECT_RATIO * min(x1 - x0, y1 - y0):
        ax.set_aspect("equal", adjustable="box")  # a round bowl is drawn round (a ravine would be a sliver)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def draw_trajectory(ax: Axes, trajectory: Trajectory, style: Style, label: str | None = None,
                    offset: int = 0) -> list[Any]:
    """One run on a contour map: its path (in its style), start (circle) and end (the hiker, a triangle).

    Returns the artists [path, start, end] so explorers can update their data in place.
    """
    xy = trajectory.params[:, :2]
    color = style.color
    line = {**style.line(offset), "markevery": path_markevery(len(xy), offset)}
    path, = ax.plot(xy[:, 0], xy[:, 1], label=label or trajectory.label, zorder=6, **line)
    start, = ax.plot(*xy[0], MARKERS["start"], ms=8, color=color, mec="black", mew=0.8, zorder=7)
    end, = ax.plot(*xy[-1], MARKERS["end"], ms=11, color=color, mec="black", mew=0.8, zorder=8)
    left_at = left_map_at(xy, ax.get_xlim(), ax.get_ylim())
    note = outcome_note(trajectory.diverged_at, left_at)
    where = xy[-1]
    if left_at is not None:  # the end triangle is off the picture: ring the point where the path left it
        where = exit_point(xy, left_at, ax.get_xlim(), ax.get_ylim())
        ax.plot(*where, MARKERS["exit"], ms=14, mfc="none", mec=color, mew=2.2, zorder=8, clip_on=False)
    if note:
        place = note_placement(ax, *where)
        ax.annotate(note, place["xy"], color=color, fontsize=SMALL_FONT, fontweight="bold",
                    zorder=9, ha="center", va=place["va"], xytext=place["xytext"], textcoords="offset points",
                    bbox={"boxstyle": "round", "fc": "white", "ec": color, "alpha": 0.9})
    return [path, start, end]


def marker_legend_handles(landscape: Any, show_minima: bool) -> list[Line2D]:
    """Legend entries that explain the markers (grey, so they do not look like a run)."""
    handles = [
        Line2D([], [], ls="", marker=MARKERS["start"], color="0.6", mec="black", label="start"),
        Line2D([], [], ls="", marker=MARKERS["end"], ms=9, color="0.6", mec="black", label="end (the hiker)"),
    ]
    if show_minima:
        handles.append(Line2D([], [], ls="", marker=MARKERS["minimum"], ms=12, color="#F0E442", mec="black",
                              label="minimum"))
        if getattr(landscape, "saddles", ()):
            handles.append(Line2D([], [], ls="", marker=MARKERS["saddle"], color="black", label="saddle"))
    return handles


def contour(
    landscape: Any,
    trajectories: Trajectory | Sequence[Trajectory] = (),
    ax: Axes | None = None,
    levels: int = 30,
    show_minima: bool = True,
    title: str | None = None,
    legend: bool = True,
    alt: str | None = None,
) -> Axes:
    """Contour map of a landscape with one or more descents drawn on it.

    Parameters
    ----------
    landscape : Landscape or StochasticLandscape
    trajectories : a Trajectory or a sequence of them (from ``descend`` on this landscape).
    ax : axes to draw on; default a new figure.
    levels : number of contour levels (log-spaced when ``landscape.log_contours``).
    show_minima : mark minima (stars) and saddle points (crosses).
    title : default: the landscape's title.
    legend : draw a legend of the runs and the markers.
    alt : a text description for readers who cannot see the picture; default one naming where each run
        ended (``plots.show`` publishes it as the image's alt text).

    Returns
    -------
    Axes

    Examples
    --------
    >>> from course_lib import Adam, descend, get_landscape
    >>> valley = get_landscape("rosenbrock")
    >>> ax = contour(valley, descend(Adam(lr=0.1), valley, steps=300))
    """
    levels = check.check_positive_int("levels", levels)
    runs = as_trajectories(trajectories)
    ax = new_axes(ax)
    draw_landscape(ax, landscape, levels, show_minima)
    for i, (trajectory, style) in enumerate(zip(runs, styles_for(runs))):
        draw_trajectory(ax, trajectory, style, offset=i)
    set_title(ax, landscape.title if title is None else title)
    if legend:
        handles = [h for h in ax.get_lines() if not str(h.get_label()).startswith("_")]
        ax.legend(handles=handles + marker_legend_handles(landscape, show_minima), loc="upper right",
                  fontsize=SMALL_FONT, framealpha=0.9)
    describe.attach(ax, alt, describe.map_description(landscape.title, runs, ax.get_xlim(), ax.get_ylim()))
    return ax


DEFAULT_VERDICTS = ("too small", "about right", "too large")


def learning_rate_panel(
    landscape: Any,
    optimizer: Optimizer,
    lrs: Sequence[float],
    steps: int = 50,
    start: Any = None,
    verdicts: Sequence[str] | None = None,
    batch_size: int | None = None,
    alt: str | None = None,
) -> Figure:
    """Side-by-side contour maps of the same optimizer with different learning rates.

    Each panel is computed by ``descend(optimizer.clone(lr=lr), landscape, start, steps)``;
    its title gives the learning rate, the verdict and the final loss (or where it diverged).

    Parameters
    ----------
    landscape : Landscape
    optimizer : an Optimizer instance; its other hyperparameters are kept.
    lrs : the learning rates, one panel each (usually three, small to large).
    steps, start, batch_size : passed to ``descend`` (a batch size needs a StochasticLandscape).
    verdicts : a caption per panel; default "too small", "about right", "too large" for three
        increasing learning rates, none otherwise. Pass ``()`` for none.
    alt : a text description of the picture; default one giving each panel's outcome.

    Returns
    -------
    Figure
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a course_lib Optimizer instance (e.g. GradientDescent()), "
                        f"got {type(optimizer).__name__}")
    lrs = [check.check_positive(f"lrs[{i}]", lr) for i, lr in enumerate(lrs)]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate, got an empty sequence")
    if verdicts is None:
        verdicts = DEFAULT_VERDICTS if len(lrs) == 3 and lrs == sorted(lrs) else ()
    if verdicts and len(verdicts) != len(lrs):
        raise ValueError(f"verdicts must have one caption per learning rate ({len(lrs)}), got {len(verdicts)}")
    runs = [descend(optimizer.clone(lr=lr), landscape, start=start, steps=steps, batch_size=batch_size,
                    record_diagnostics=False, label=f"lr = {lr:g}") for lr in lrs]
    captions = [f"lr = {lr:g}" + (f": {verdicts[i]}" if verdicts else "") for i, lr in enumerate(lrs)]
    return run_panels(landscape, runs, captions, f"{optimizer.label} on {landscape.title}: the learning rate decides",
                      alt=alt, varied="learning rate")


def run_panels(landscape: Any, runs: Sequence[Trajectory], captions: Sequence[str], title: str,
               alt: str | None = None, varied: str = "setting") -> Figure:
    """Small multiples: one contour map per run, captioned with ``captions[i]`` and the run's outcome.

    The runs are drawn in one style (they differ in one setting, named by ``varied`` in the description).
    """
    runs = as_trajectories(runs)
    if len(captions) != len(runs) or not runs:
        raise ValueError(f"captions must give one caption per run ({len(runs)}), got {len(captions)}")
    fig, axes = panels(len(runs), max_columns=3, panel_height=3.3 if len(runs) > 1 else 4.4)
    style = styles_for(runs[:1])[0]
    outcomes = []
    for ax, run, caption in zip(np.atleast_1d(axes), runs, captions):
        draw_landscape(ax, landscape)
        draw_trajectory(ax, run, style)
        left_at = left_map_at(run.params[:, :2], ax.get_xlim(), ax.get_ylim())
        outcome = outcome_note(run.diverged_at, left_at) or f"loss after {run.steps} steps: {run.final_loss:.3g}"
        set_title(ax, f"{caption}\n{outcome}", fontsize=10)
        outcomes.append(f"{caption}, {outcome}".replace("\n", ", "))
    set_suptitle(fig, title)
    describe.attach(fig, alt, f"{len(runs)} contour maps of {landscape.title}, one per {varied}: "
                              f"{'; '.join(outcomes)}.")
    return fig
