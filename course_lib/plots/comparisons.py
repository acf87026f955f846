"""The comparison figures of chapters 03 and 08: batch sizes, generalisation, races and sweeps.

Each takes what an experiment of ``course_lib.experiments`` returned and draws it; nothing is run here.

- ``batch_size_tradeoff``: the loss per epoch (over seeds) and per second of each batch size (03);
- ``held_out_against_training``: training and held-out loss, and one against the other (03);
- ``gap_races``: one panel per landscape, the gap J(w) - J* of each optimizer's run (08);
- ``setting_sweeps``: final gap or loss against the learning rate, one panel per problem (08);
- ``data_race``: loss against step and against wall time, one legend below both panels (08).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..descent import Trajectory
from ..experiments.choosing import SOLVED_GAP
from ..landscapes import Landscape
from ..optimizers import Optimizer
from .curves import loss_curves
from .figures import panels
from .style import SMALL_FONT, STYLES, colors_for, series_styles


def batch_size_tradeoff(tuning: Any, timed: Mapping[str, np.ndarray]) -> Figure:
    """Left: training loss after the epoch budget, mean and spread over seeds, against B. Right: loss against time.

    ``tuning`` is what ``descent_variants.tune_batch_sizes`` returned, ``timed`` what
    ``descent_variants.loss_against_time`` measured with its best rates.
    """
    sizes = [int(b) for b in timed["batch_sizes"]]
    seeds = len(tuning.seed_losses[sizes[0]])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    means = [tuning.seed_losses[b].mean() for b in sizes]
    spreads = [tuning.seed_losses[b].std() for b in sizes]
    left.errorbar(sizes, means, yerr=spreads, fmt="s-", capsize=4, color=STYLES["gd"].color)
    left.set(xscale="log", xlabel="batch size B", ylabel=f"training loss after {tuning.epochs} epochs",
             title=f"Per epoch, each B at its best lr ({seeds} seeds)")
    for b, losses, style in zip(sizes, timed["loss"], series_styles(len(sizes))):  # one style per batch size
        right.plot(np.asarray(timed["budgets"]) * 1e3, losses, label=f"B = {b}", **{**style.line(), "markevery": 1})
    right.set(xscale="log", xlabel="computing time (ms, measured)", ylabel="training loss",
              title="Per second, each B at its best lr")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
    return fig


def held_out_against_training(full: Trajectory, mini: Trajectory, n_samples: int,
                              diagonal: tuple[float, float] = (0.04, 3.0)) -> Figure:
    """Left: training (solid) and held-out (dashed) loss per epoch. Right: held-out against training loss.

    ``full`` and ``mini`` are two runs recorded with ``record_test_loss=True`` (full batch and mini-batches);
    ``diagonal`` is the range of the dotted line held-out = training.
    """
    for name, run in (("full", full), ("mini", mini)):
        if run.test_losses is None:
            raise ValueError(f"{name} has no held-out losses; run descend(..., record_test_loss=True)")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    loss_curves([full, mini], ax=left, test=True, x="epoch", n_samples=n_samples,
                title="Training (solid) and held-out (dashed) loss")
    left.set(xscale="symlog", xlim=(0, None))  # few epochs and hundreds of epochs both readable
    full_color, mini_color = colors_for([full, mini])
    right.plot(mini.losses, mini.test_losses, color=mini_color, lw=0.8, label=mini.label)
    right.plot(full.losses, full.test_losses, color=full_color, lw=2.5, alpha=0.8, label=full.label)
    right.plot(diagonal, diagonal, ":", color="gray", label="held-out = training")
    right.set(xscale="log", yscale="log", xlabel="training loss", ylabel="held-out loss",
              title="Held-out loss at equal training loss")
    right.legend(fontsize=8)
    return fig


def gap_races(landscapes: Mapping[str, Landscape], runs: Mapping[str, Sequence[Trajectory]], title: str,
              ylim: tuple[float, float] = (1e-12, 1e3)) -> Figure:
    """One panel per landscape: the gap J(w) - J* of each run in ``runs[name]``, on a log scale.

    ``title`` is each panel's title after the landscape's, e.g. "each at its fastest setting".
    """
    missing = [name for name in landscapes if name not in runs]
    if missing:
        raise ValueError(f"runs has no runs for {', '.join(missing)}; give one list of runs per landscape")
    fig, axes = panels(len(landscapes), panel_height=3.2)
    for ax, (name, landscape) in zip(np.atleast_1d(axes), landscapes.items()):
        loss_curves(list(runs[name]), ax=ax, minimum=landscape.minima[0].value, log=True,
                    title=f"{landscape.title}: {title}")
        ax.set_ylim(*ylim)
    return fig


def setting_sweeps(sweeps: Sequence[tuple[str, Mapping[str, Mapping[str, Any]], str]],
                   optimizers: Sequence[Optimizer]) -> Figure:
    """One panel per problem: each optimizer's final gap (or loss) against its learning rate, log-log.

    ``sweeps`` holds (problem name, {optimizer label: a ``choosing.setting_sweep`` result}, y label) per
    panel. Diverged runs have no point; gaps below 1e-9 are drawn at 1e-9 (solved).
    """
    fig, axes = panels(len(sweeps), panel_height=3.4)
    axes = np.atleast_1d(axes)
    for ax, (name, by_label, ylabel) in zip(axes, sweeps):
        for optimizer in optimizers:
            sweep = by_label[optimizer.label]
            gaps = np.where(np.isfinite(sweep["gaps"]), sweep["gaps"], np.nan)  # diverged: no point
            ax.loglog(sweep["values"], np.maximum(gaps, SOLVED_GAP), label=optimizer.label,
                      **{**STYLES[optimizer.name].line(), "markevery": 1})
        ax.set(xlabel="learning rate lr", ylabel=ylabel, title=f"Learning-rate sweep: {name}")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    return fig


def data_race(runs: Sequence[Trajectory], title: str, ylim: tuple[float, float] | None = None) -> Figure:
    """Loss against step (left) and against wall time (right), with one legend below both panels.

    The legend sits outside the axes: with many runs, a legend inside would cover their curves.
    """
    fig, (left, right) = panels(2, panel_height=4.2)
    loss_curves(runs, ax=left, log=False, title=f"{title}: loss against step")
    loss_curves(runs, x="time", ax=right, log=False, title="... and against wall time")
    handles, labels = left.get_legend_handles_labels()
    for ax in (left, right):
        ax.get_legend().remove()  # the same runs, in the same styles, on both sides
        if ylim is not None:
            ax.set_ylim(*ylim)
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(runs), 3), fontsize=SMALL_FONT)
    return fig
