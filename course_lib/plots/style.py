"""Shared look: one style per optimizer (colour, line style, marker), figure sizes for a notebook column.

Every optimizer, and the three flavours of gradient descent (full batch, SGD, mini-batch),
has a ``Style`` fixed across the course, so Adam looks the same in every chapter. Colour is
never the only channel: each style also has its own line style and marker, so the lines
stay apart in greyscale print and for colour-blind readers. Every colour has at least 3:1
contrast on white (WCAG 2.1, 1.4.11), checked by tests/test_plots.py.

The colours start from Okabe & Ito's colour-blind-safe palette; orange, sky blue and
reddish purple are too light on white (2.2 to 3.1:1), so momentum gets a dark brown, AdaDelta
a darkened sky blue and RMSprop Paul Tol's purple. Mini-batch gets Tol's indigo, SGD black.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from ..descent import Trajectory

# Okabe & Ito (2008), "Color Universal Design", as published. Several are too light for lines on
# white: use STYLES for lines; these remain for fills and for code that named them.
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

# Markers reserved for the landscape pictures (a run's start and end, minima, saddles).
MARKERS = {"start": "o", "end": "^", "minimum": "*", "saddle": "X", "exit": "o"}  # exit: a ring where a path leaves
MARK_EVERY = 0.1  # a marker every tenth of the axes' diagonal, whatever the number of points
DASH_DOT_DOT = (0, (6, 1.5, 1.5, 1.5, 1.5, 1.5))


@dataclass(frozen=True)
class Style:
    """How one series is drawn: colour, line style and marker (and the name it is known by)."""

    name: str
    color: str
    linestyle: Any
    marker: str

    def with_linestyle(self, linestyle: Any) -> Style:
        """The same colour and marker with another line style: a second quantity of the same optimizer."""
        return Style(f"{self.name} ({linestyle})", self.color, linestyle, self.marker)

    def line(self, offset: int = 0, markers: bool = True) -> dict[str, Any]:
        """Keyword arguments for ``ax.plot``: markers spaced along the line, staggered by ``offset``
        so that two lines on the same path do not hide each other's markers."""
        kwargs: dict[str, Any] = {"color": self.color, "linestyle": self.linestyle, "lw": 1.8}
        if markers:
            kwargs.update(marker=self.marker, ms=6, mec="white", mew=0.7,
                          markevery=(0.013 * (offset % 7), MARK_EVERY))
        return kwargs


# One fixed style per optimizer (and per flavour of gradient descent), the same in every chapter.
# Line styles are chosen so that styles whose greys are close (|L*| < 10) never share a line style.
STYLES = {
    "gd": Style("gd", "#0072B2", "--", "s"),          # Okabe-Ito blue
    "sgd": Style("sgd", "#000000", "-", "v"),         # black
    "minibatch": Style("minibatch", "#332288", "-.", "d"),  # Tol indigo
    "momentum": Style("momentum", "#7A5000", "-.", "P"),    # Okabe-Ito orange, darkened to brown
    "adagrad": Style("adagrad", "#009E73", "--", "h"),      # Okabe-Ito bluish green
    "rmsprop": Style("rmsprop", "#AA3377", ":", "<"),       # Tol purple
    "adadelta": Style("adadelta", "#4795C1", DASH_DOT_DOT, ">"),  # Okabe-Ito sky blue, darkened
    "adam": Style("adam", "#D55E00", "-", "D"),             # Okabe-Ito vermillion
    # Chapter 9's variants: colours found by search to keep delta E >= 15 from all the above (also for
    # deuteranopia and protanopia) with >= 3:1 contrast; filled markers not used above.
    "nesterov": Style("nesterov", "#9D04FF", DASH_DOT_DOT, "H"),  # violet (its grey is close to gd's, rmsprop's)
    "adamw": Style("adamw", "#7B262F", "-", "p"),                 # wine, a dark relative of Adam's vermillion
}
# For a second run of an optimizer already drawn in the same picture (e.g. two learning rates of GD).
SPARE_STYLES = (
    Style("spare 1", "#5F5F5F", (0, (4, 1.5)), "x"),
    Style("spare 2", "#000000", ":", "+"),
    Style("spare 3", "#5F5F5F", "-", "1"),
)
OPTIMIZER_COLORS = {name: style.color for name, style in STYLES.items()}

# Series of one parameter (four values of gamma, five batch sizes): a sequential palette, dark to
# light, stopping before viridis turns light green and yellow (too light on white).
SERIES_COLORMAP = "viridis"
SERIES_RANGE = (0.0, 0.55)
SERIES_LINESTYLES = ("-", "--", "-.", ":", DASH_DOT_DOT)
SERIES_MARKERS = ("s", "D", "v", "P", "h", "<", ">", "d")

# Figures fit a notebook column: about 800 px wide at the inline backend's 100 dpi.
DPI = 100
COLUMN_PX = 800
FIGURE_WIDTH = 6.4  # inches: one panel
COLUMN_WIDTH = COLUMN_PX / DPI  # inches: the widest a figure may be without being scaled down
MIN_FONT_PX = 9.0  # the smallest text on screen
SMALL_FONT = 8.5  # points: legends and notes (11.8 px at 100 dpi)


def series_styles(n: int) -> list[Style]:
    """``n`` styles for a series of one parameter: sequential colours, distinct line styles and markers."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer (the number of series), got {n!r}")
    cmap = matplotlib.colormaps[SERIES_COLORMAP]
    low, high = SERIES_RANGE
    styles = []
    for i in range(n):
        fraction = low if n == 1 else low + (high - low) * i / (n - 1)
        color = matplotlib.colors.to_hex(cmap(fraction)).upper()
        styles.append(Style(f"series {i + 1}", color, SERIES_LINESTYLES[i % len(SERIES_LINESTYLES)],
                            SERIES_MARKERS[i % len(SERIES_MARKERS)]))
    return styles


def family(trajectory: Trajectory) -> str:
    """The style key of a run: its optimizer, with gradient descent split into full batch, SGD and mini-batch,
    and momentum into heavy ball and Nesterov."""
    if trajectory.optimizer == "momentum" and trajectory.hyperparams.get("nesterov"):
        return "nesterov"
    if trajectory.optimizer != "gd" or trajectory.batch_size is None:
        return trajectory.optimizer
    return "sgd" if trajectory.batch_size == 1 else "minibatch"


def styles_for_names(names: Sequence[str]) -> list[Style]:
    """A style per name (a key of STYLES).

    Several runs of one optimizer alone are a series (sequential colours); in a mixed picture the
    first run of an optimizer gets its fixed style and any further run a spare one.
    """
    names = list(names)
    if len(names) > 1 and len(set(names)) == 1:
        return series_styles(len(names))
    used: set[str] = set()
    styles, spares = [], iter(SPARE_STYLES + tuple(series_styles(8)))
    for name in names:
        style = STYLES.get(name)
        if style is None or name in used:
            style = next(spares, SPARE_STYLES[0])
        used.add(name)
        styles.append(style)
    return styles


def styles_for(trajectories: Sequence[Trajectory]) -> list[Style]:
    """A style per trajectory, by its family (see ``family`` and ``styles_for_names``)."""
    return styles_for_names([family(trajectory) for trajectory in trajectories])


def colors_for_names(optimizer_names: Sequence[str]) -> list[str]:
    """The colour of each name's style (see ``styles_for_names``)."""
    return [style.color for style in styles_for_names(optimizer_names)]


def colors_for(trajectories: Sequence[Trajectory]) -> list[str]:
    """The colour of each trajectory's style (see ``styles_for``)."""
    return [style.color for style in styles_for(trajectories)]


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
    fig = plt.figure(figsize=figsize, dpi=DPI, layout="constrained")
    return fig.add_subplot(**subplot_kw)


def diverged_note(trajectory: Trajectory) -> str:
    return f"diverged at step {trajectory.diverged_at}"
