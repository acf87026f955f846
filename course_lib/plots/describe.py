"""Text descriptions (alt text) of what a picture shows, for readers who cannot see it.

Each plot function stores a description on the axes (or figure) it drew with ``attach``:
the caller's ``alt=`` if given, else one generated here from the same data the picture
draws (which runs, where they ended, what the axes are). ``plots.show`` publishes it
where screen readers, JupyterLab and nbconvert's HTML find it (an ``<img alt=...>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..descent import Trajectory
from .paths import left_map_at, left_map_note

ALT_ATTRIBUTE = "course_alt_text"


def attach(target: Any, alt: str | None, default: str) -> str:
    """Store the description on an Axes or Figure: ``alt`` when given (checked), else ``default``."""
    if alt is not None and (not isinstance(alt, str) or not alt.strip()):
        raise ValueError(f"alt must be a non-empty description of the picture, got {alt!r}")
    text = alt if alt is not None else default
    setattr(target, ALT_ATTRIBUTE, text)
    return text


def attached(target: Any) -> str | None:
    return getattr(target, ALT_ATTRIBUTE, None)


def names(labels: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    labels = list(labels)
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def outcome(run: Trajectory, xlim: Any = None, ylim: Any = None) -> str:
    """Where one run ended, in words (and where it left the map, if given the map's box)."""
    if xlim is not None:
        left_at = left_map_at(run.params[:, :2], xlim, ylim)
        if left_at is not None:
            later = f", diverged at step {run.diverged_at}" if run.diverged else ""
            return f"{run.label} {left_map_note(left_at)}{later}"
    if run.diverged:
        return f"{run.label} diverged at step {run.diverged_at}"
    end = run.params[-1]
    where = f" at ({end[0]:.3g}, {end[1]:.3g})" if len(end) == 2 else ""
    return f"{run.label} ended{where} with loss {run.final_loss:.3g} after {run.steps} steps"


def map_description(title: str, runs: Sequence[Trajectory], xlim: Any = None, ylim: Any = None) -> str:
    if not runs:
        return f"Contour map: {title}, with its minima marked by stars."
    ends = "; ".join(outcome(run, xlim, ylim) for run in runs)
    # "Contour map: <title>. Paths: <labels>", so that a title or a label read mid-sentence stays grammatical.
    paths = "Path" if len(runs) == 1 else "Paths"
    return (f"Contour map: {title}. {paths}: {names([r.label for r in runs])} "
            f"(circle: start, triangle: end). {ends}.")


def curve_description(quantity: str, x_label: str, runs: Sequence[Trajectory], values: Sequence[Any],
                      log: bool) -> str:
    scale = " on a log scale" if log else ""
    parts = []
    for run, v in zip(runs, values):
        finite = [float(a) for a in v if a == a and abs(a) != float("inf")]
        if finite:
            parts.append(f"{run.label} from {finite[0]:.3g} to {finite[-1]:.3g}"
                         + (f" (diverged at step {run.diverged_at})" if run.diverged else ""))
    return f"{quantity} against {x_label}{scale}: {'; '.join(parts)}."


def figure_description(fig: Any) -> str:
    """The description of a whole figure: its own, else its panels' in order, else its titles."""
    own = attached(fig)
    if own:
        return own
    axes = [ax for ax in fig.axes if ax.get_visible()]
    panels = [attached(ax) or _from_titles(ax) for ax in axes]
    panels = [p for p in panels if p]
    if len(panels) == 1:
        return panels[0]
    if not panels:
        return "A figure (no description was given)."
    where = ["Left", "Right"] if len(panels) == 2 else [f"Panel {i + 1}" for i in range(len(panels))]
    return " ".join(f"{w}: {p}" for w, p in zip(where, panels))


def _from_titles(ax: Any) -> str:
    title = " ".join(ax.get_title().split())
    what = f"{ax.get_ylabel()} against {ax.get_xlabel()}" if ax.get_xlabel() and ax.get_ylabel() else ""
    labels = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    parts = [p for p in (title, what, f"lines: {names(labels)}" if labels else "") if p]
    return ". ".join(parts) + "." if parts else ""
