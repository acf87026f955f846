"""Where a path goes on a map: leaving the plotted box, where its notes sit, where its markers go.

Pure geometry on a path's points (rows of x, y) and the axes' box; no drawing here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes


def note_placement(ax: Axes, x: float, y: float) -> dict[str, Any]:
    """Where a note about the point (x, y) goes: pulled inside the axes' view box, below the point in
    the upper half and above it in the lower half, so it never covers the title (issue 13: "diverged
    at step 39" sat over the third panel's title)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    x = float(np.clip(x, x0 + 0.25 * (x1 - x0), x1 - 0.25 * (x1 - x0)))
    y = float(np.clip(y, y0 + 0.08 * (y1 - y0), y1 - 0.08 * (y1 - y0)))
    upper = y > (y0 + y1) / 2
    return {"xy": (x, y), "va": "top" if upper else "bottom", "xytext": (0, -10 if upper else 8)}


MARKERS_PER_PATH = 12


def left_map_at(xy: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float]) -> int | None:
    """The first step whose point lies outside the plotted box, or None if the path stays on the map."""
    x, y = np.asarray(xy, dtype=float)[:, 0], np.asarray(xy, dtype=float)[:, 1]
    with np.errstate(invalid="ignore"):
        outside = ~((x >= xlim[0]) & (x <= xlim[1]) & (y >= ylim[0]) & (y <= ylim[1]))
    steps = np.flatnonzero(outside)
    return int(steps[0]) if steps.size else None


def exit_point(xy: np.ndarray, step: int, xlim: tuple[float, float], ylim: tuple[float, float]) -> np.ndarray:
    """Where the segment from step - 1 to ``step`` crosses the edge of the box (the hiker's last sight)."""
    inside, outside = np.asarray(xy[step - 1], dtype=float), np.asarray(xy[step], dtype=float)
    direction = outside - inside
    if not np.all(np.isfinite(direction)):
        return inside
    fractions = [1.0]
    for d, p, (low, high) in zip(direction, inside, (xlim, ylim)):
        if d > 0:
            fractions.append((high - p) / d)
        elif d < 0:
            fractions.append((low - p) / d)
    return inside + max(0.0, min(fractions)) * direction


def left_map_note(step: int) -> str:
    return f"left the map at step {step}"


def outcome_note(diverged_at: int | None, left_at: int | None) -> str:
    """The note drawn at the end of a path: where it left the map and/or diverged ("" if neither)."""
    notes = ([left_map_note(left_at)] if left_at is not None else []) + (
        [f"diverged at step {diverged_at}"] if diverged_at is not None else [])
    return "\n".join(notes)


def path_markevery(n_points: int, offset: int = 0) -> tuple[int, int]:
    """About a dozen markers along a path of ``n_points`` (by step: zigzags would crowd distance-spaced ones)."""
    every = max(1, n_points // MARKERS_PER_PATH)
    return (offset * max(1, every // 7)) % every, every
