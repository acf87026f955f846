"""Figures that fit a notebook column, and ``show``, which displays a figure once and closes it.

A notebook column is about 800 px wide; a wider figure is scaled down to fit, and its text
with it. ``panels`` makes side-by-side axes that fit the column (wrapping into rows), and
``smallest_text_px`` says how big the smallest text will be on screen, so tests can hold
every figure to ``MIN_FONT_PX``.
"""

from __future__ import annotations

import base64
import io
import textwrap
from html import escape
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from PIL import Image

from .. import _validate as check
from . import describe
from .style import COLUMN_PX, COLUMN_WIDTH, DPI, FIGURE_WIDTH


def figure_of(fig: Figure | Axes | Any) -> Figure:
    """The Figure of a Figure, an Axes or an array of Axes."""
    if isinstance(fig, (np.ndarray, list, tuple)) and len(fig) and isinstance(np.ravel(fig)[0], Axes):
        fig = np.ravel(fig)[0]
    if isinstance(fig, Axes):
        fig = fig.figure
    if isinstance(fig, SubFigure):  # an Axes of a subfigure: the figure that holds it
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    return fig


def panels(n: int = 2, max_columns: int = 2, panel_height: float = 3.4, **subplot_kw: Any) -> tuple[Figure, Any]:
    """A figure of ``n`` panels that fits the notebook column: at most ``max_columns`` side by side,
    more wrap into further rows. Returns (figure, axes): one Axes for n = 1, else a flat array.

    >>> fig, (left, right) = panels(2)
    """
    n = check.check_positive_int("n", n)
    max_columns = check.check_positive_int("max_columns", max_columns)
    columns = min(n, max_columns)
    rows = -(-n // columns)
    width = FIGURE_WIDTH if columns == 1 else COLUMN_WIDTH
    fig, axes = plt.subplots(rows, columns, figsize=(width, panel_height * rows), dpi=DPI, layout="constrained",
                             squeeze=False, subplot_kw=subplot_kw or None)
    flat = axes.ravel()
    for extra in flat[n:]:  # an odd count leaves an empty slot in the last row
        extra.remove()
    return fig, (flat[0] if n == 1 else flat[:n])


UNWRAPPED_TITLE = "course_unwrapped_title"
CHARACTER_WIDTH = 0.58  # average width of a DejaVu Sans character, in font sizes


def _wrapped(text: str, width_px: float, fontsize: float, dpi: float) -> str:
    """``text`` with each line wrapped to fit ``width_px`` (long titles would spill over the next panel)."""
    per_line = max(12, int(width_px / (fontsize * dpi / 72 * CHARACTER_WIDTH)))
    return "\n".join(textwrap.fill(line, per_line) for line in text.split("\n"))


def set_title(ax: Axes, text: str, fontsize: float = 11) -> None:
    """Set the axes' title, wrapped to the axes' width."""
    fig = figure_of(ax)
    spec = ax.get_subplotspec()
    # Constrained layout places the axes only when drawing: estimate from the grid's columns.
    share = (spec.colspan.stop - spec.colspan.start) / spec.get_gridspec().ncols if spec else 1.0
    width_px = 0.88 * share * fig.get_figwidth() * fig.dpi
    ax.set_title(_wrapped(text, width_px, fontsize, fig.dpi), fontsize=fontsize)
    setattr(ax, UNWRAPPED_TITLE, text)  # so a later re-wrap (show, after shrinking) starts from the original


def set_suptitle(fig: Figure, text: str, fontsize: float = 11) -> None:
    """Set the figure's title, wrapped to the figure's width."""
    fig.suptitle(_wrapped(text, 0.95 * fig.get_figwidth() * fig.dpi, fontsize, fig.dpi), fontsize=fontsize)


def displayed_scale(fig: Figure) -> float:
    """How much the notebook shrinks the figure: 1 if it fits the column, else column / width."""
    return min(1.0, COLUMN_PX / (fig.get_figwidth() * fig.dpi))


def visible_texts(fig: Figure) -> list[Text]:
    """Every piece of text drawn in the figure (titles, labels, ticks, legends, notes)."""
    fig.canvas.draw()  # tick labels exist only once drawn
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and _on_figure(t)]


def _on_figure(text: Text) -> bool:
    axes = text.axes
    if axes is not None and not axes.get_visible():
        return False
    return text.get_window_extent().width > 0


def smallest_text_px(fig: Figure) -> tuple[float, str]:
    """(size in screen pixels, text) of the smallest text, as shown in an 800 px notebook column."""
    scale = displayed_scale(fig) * fig.dpi / 72.0
    sizes = ((float(t.get_fontsize()) * scale, t.get_text()) for t in visible_texts(fig))
    return min(sizes, default=(float("inf"), ""))


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG at its own dpi and size (no tight crop: the size the tests checked)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, facecolor="white")
    return buffer.getvalue()


def image_html(png: bytes, alt: str) -> str:
    """An ``<img>`` holding the PNG inline, with its alt text, scaled down to the column if wider."""
    width, height = Image.open(io.BytesIO(png)).size
    return (f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{escape(alt)}" '
            f'width="{width}" height="{height}" style="max-width: 100%; height: auto;">')


def fit_column(fig: Figure) -> None:
    """Shrink a figure wider than the column to the column's width (same aspect), and wrap long titles.

    A notebook would scale the picture down, text included (an 1800 px figure showed 6 px legends);
    resizing the figure instead keeps text at its point size and lets the layout make room for it.
    """
    width_px = fig.get_figwidth() * fig.dpi
    if width_px > COLUMN_PX:
        scale = COLUMN_PX / width_px
        fig.set_size_inches(fig.get_figwidth() * scale, fig.get_figheight() * scale)
    for ax in fig.axes:  # titles set with ax.set(title=...), or for a wider figure, would spill over
        if ax.get_title() and ax.get_subplotspec() is not None:
            text = getattr(ax, UNWRAPPED_TITLE, None)
            if text is None or " ".join(text.split()) != " ".join(ax.get_title().split()):  # set by hand since
                text = ax.get_title()
            set_title(ax, text, fontsize=float(ax.title.get_fontsize()))


def show(fig: Figure | Axes | Any, alt: str | None = None) -> None:
    """Display a figure once, with its text description, and close it.

    Accepts a Figure, an Axes, or an array of Axes (their figure is shown); a figure wider than the
    notebook column is first shrunk to fit (``fit_column``). ``alt`` describes the
    picture for readers who cannot see it; by default the description the plot functions attached
    (panels in order), else one made from the titles and axis labels.

    The figure is published as HTML, ``<img src="data:image/png..." alt="...">``: JupyterLab,
    Notebook 7 and VS Code render it and screen readers read the alt; nbconvert's HTML export keeps
    the tag as it is (it reads no alt from image metadata and would write "No description has been
    provided for this image"). The plain-text rendering is the description itself.
    """
    fig = figure_of(fig)
    fit_column(fig)
    if alt is not None:
        describe.attach(fig, alt, "")
    text = describe.figure_description(fig)
    from IPython.display import display

    display({"text/html": image_html(png_bytes(fig), text), "text/plain": f"[figure: {text}]"}, raw=True)
    plt.close(fig)
