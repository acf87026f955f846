"""Showing figures in a notebook: ``show`` displays a figure once and closes it."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def figure_of(fig: Figure | Axes | Any) -> Figure:
    """The Figure of a Figure, an Axes or an array of Axes."""
    if isinstance(fig, Axes):
        return fig.figure
    if isinstance(fig, np.ndarray) and fig.size and isinstance(fig.flat[0], Axes):
        return fig.flat[0].figure
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    return fig


def show(fig: Figure | Axes | Any) -> None:
    """Display a figure once and close it (so a notebook never holds more than a few open figures).

    Accepts a Figure, an Axes, or an array of Axes (their figure is shown).
    """
    fig = figure_of(fig)
    from IPython.display import display

    display(fig)
    plt.close(fig)
