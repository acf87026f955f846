"""Gradient noise: single-sample and mini-batch gradients against the full gradient."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .. import _validate as check
from ..params import ravel
from . import describe
from .figures import set_title
from .style import OKABE_ITO, SMALL_FONT, STYLES, new_axes, series_styles


def sample_gradients(problem: Any, w: Any, batch_size: int, draws: int = 200, seed: int = 0) -> np.ndarray:
    """Mini-batch gradients at ``w``: ``draws`` batches of ``batch_size`` examples drawn without replacement.

    Returns an array of shape (draws, n_params), each row one flattened mini-batch gradient.
    ``batch_size=1`` gives single-sample (SGD) gradients. Pure: the same seed gives the same draws.
    """
    n_samples = getattr(problem, "n_samples", None)
    if n_samples is None:
        raise ValueError(f"problem must have samples (a data problem or StochasticLandscape), "
                         f"got {getattr(problem, 'name', type(problem).__name__)!r} with n_samples=None")
    batch_size = check.check_positive_int("batch_size", batch_size)
    draws = check.check_positive_int("draws", draws)
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be between 1 and n_samples={n_samples}, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    rows = [ravel(problem.grad(w, rng.choice(n_samples, size=batch_size, replace=False))) for _ in range(draws)]
    return np.array(rows)


def gradient_noise(
    problem: Any,
    w: Any,
    batch_sizes: Sequence[int] = (1, 8, 64),
    draws: int = 200,
    seed: int = 0,
    ax: Axes | None = None,
    alt: str | None = None,
) -> Axes:
    """How far single-sample and mini-batch gradients scatter around the full gradient at ``w``.

    For 2 parameters: a scatter of the gradient vectors, one colour per batch size, around the full
    gradient (a black star). For more: the error norm |g_B - g| against batch size (log-log), its
    mean and 10-90 % range, with the 1/sqrt(B) law for reference.
    ``alt``: a text description of the picture (default: the spread or mean error per batch size).
    """
    sizes = [check.check_positive_int(f"batch_sizes[{i}]", b) for i, b in enumerate(batch_sizes)]
    if not sizes:
        raise ValueError("batch_sizes must hold at least one batch size, got an empty sequence")
    full = ravel(problem.grad(w, None))
    samples = {b: sample_gradients(problem, w, b, draws, seed + i) for i, b in enumerate(sizes)}
    ax = new_axes(ax)
    name = getattr(problem, "title", getattr(problem, "name", "the problem"))
    if full.size == 2:
        for b, style in zip(sizes, series_styles(len(sizes))):  # a series of batch sizes: dark to light
            g = samples[b]
            label = "one sample (SGD)" if b == 1 else f"batch of {b}"
            ax.scatter(g[:, 0], g[:, 1], s=14, alpha=0.55, color=style.color, marker=style.marker, label=label,
                       edgecolors="none")
        ax.plot(*full, "*", ms=18, color="black", mec="white", label="full gradient", zorder=5)
        ax.set_xlabel("gradient component dJ/dx")
        ax.set_ylabel("gradient component dJ/dy")
        ax.set_aspect("equal", adjustable="datalim")
        spread = "; ".join(f"batch {b}: spread {np.linalg.norm(samples[b] - full, axis=1).mean():.3g}" for b in sizes)
        default = (f"Scatter of {draws} gradient estimates per batch size around the full gradient "
                   f"({full[0]:.3g}, {full[1]:.3g}); mean distance from it, {spread}.")
        set_title(ax, f"Gradient estimates at w = ({ravel(w)[0]:.2g}, {ravel(w)[1]:.2g})\n{name}", fontsize=10)
    else:
        errors = [np.linalg.norm(samples[b] - full, axis=1) for b in sizes]
        mean = np.array([e.mean() for e in errors])
        low, high = np.array([np.percentile(e, 10) for e in errors]), np.array([np.percentile(e, 90) for e in errors])
        ax.fill_between(sizes, low, high, color=OKABE_ITO["sky blue"], alpha=0.35, label="10-90 % of draws")
        ax.plot(sizes, mean, label="mean error", **{**STYLES["gd"].line(), "linestyle": "-", "markevery": 1})
        ax.plot(sizes, mean[0] * np.sqrt(sizes[0] / np.array(sizes, dtype=float)), "--", color="black", lw=1,
                label="1 / sqrt(batch size)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("batch size (examples)")
        ax.set_ylabel("error of the gradient, |g_batch - g_full|")
        set_title(ax, f"Mini-batch gradient error, {draws} draws per batch size\n{name}", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        default = ("Error of the mini-batch gradient against batch size, log-log, with the 1/sqrt(batch size) "
                   "line: mean error " + ", ".join(f"{m:.3g} at {b}" for b, m in zip(sizes, mean)) + ".")
    ax.legend(fontsize=SMALL_FONT)
    describe.attach(ax, alt, default)
    return ax
