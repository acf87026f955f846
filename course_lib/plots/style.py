"""Shared look: the colour-blind-safe palette, colours per optimizer, and ``show``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..descent import Trajectory

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}

# One fixed colour per optimizer, the same in every chapter.
OPTIMIZER_COLORS = {
    "gd": OKABE_ITO["blue"],
    "momentum": OKABE_ITO["orange"],
    "adagrad": OKABE_ITO["bluish green"],
    "rmsprop": OKABE_ITO["reddish purple"],
    "adadelta": OKABE_ITO["sky blue"],
    "adam": OKABE_ITO["vermillion"],
}
_SPARE_COLORS = (OKABE_ITO["black"], OKABE_ITO["yellow"], *OPTIMIZER_COLORS.values())

MARKERS = {"start": "o", "end": "^", "minimum": "*", "saddle": "X"}
FIGURE_WIDTH = 6.4  # inches; one panel at 100 dpi fills a notebook column


def colors_for_names(optimizer_names: Sequence[str]) -> list[str]:
    """A colour per optimizer name: its fixed colour, or a spare one if that is already taken."""
    used: set[str] = set()
    colors = []
    for name in optimizer_names:
        color = OPTIMIZER_COLORS.get(name)
        if color is None or color in used:
            color = next((c for c in _SPARE_COLORS if c not in used), _SPARE_COLORS[len(used) % len(_SPARE_COLORS)])
        used.add(color)
        colors.append(color)
    return colors


def colors_for(trajectories: Sequence[Trajectory]) -> list[str]:
    """A colour per trajectory, by its optimizer (a second run of the same optimizer gets a spare colour)."""
    return colors_for_names([trajectory.optimizer for trajectory in trajectories])


def as_trajectories(trajectories: Any) -> list[Trajectory]:
    """Accept one Trajectory or a sequence of them; reject anything else by name."""
    if isinstance(trajectories, Trajectory):
        return [trajectories]
    items = list(trajectories)
    for i, item in enumerate(items):
        if not isinstance(item, Trajectory):
            raise TypeError(
                f"trajectories[{i}] must be a Trajectory (the result of descend), got {type(item).__name__}"
            )
    return items


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (FIGURE_WIDTH, 4.4), **subplot_kw: Any) -> Axes:
    """The given axes, or fresh ones on a constrained-layout figure (no overlapping text)."""
    if ax is not None:
        return ax
    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(**subplot_kw)


def diverged_note(trajectory: Trajectory) -> str:
    return f"diverged at step {trajectory.diverged_at}"


def show(fig: Figure | Axes | Any) -> None:
    """Display a figure once and close it (so a notebook never holds more than a few open figures).

    Accepts a Figure, an Axes, or an array of Axes (their figure is shown).
    """
    if isinstance(fig, Axes):
        fig = fig.figure
    elif isinstance(fig, np.ndarray) and fig.size and isinstance(fig.flat[0], Axes):
        fig = fig.flat[0].figure
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    from IPython.display import display

    display(fig)
    plt.close(fig)
