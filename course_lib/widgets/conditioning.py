"""An explorer for chapter 7's conditioning section: a slider for kappa, gradient descent against momentum.

``conditioning_runs(kappa)`` builds the quadratic with eigenvalues 1 and kappa (start (1, 1), as the
chapter), runs gradient descent and heavy-ball momentum each at its best setting from
``course_lib.quadratics``, and returns the theory's rates next to the measured ones. The explorer
draws each run's distance to the minimum against the step on a log scale, with the predicted
``rate ** step`` as a dotted line beside it: the slopes are the rates, and kappa's square root is
the gap between the two.
"""

from __future__ import annotations

import html
import io
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .. import _validate as check
from .. import quadratics
from ..descent import Trajectory, descend
from ..optimizers import GradientDescent, Momentum
from ..plots import describe as plot_description
from ..plots.style import SMALL_FONT, styles_for_names
from .explorer import DESCRIPTION_WIDTH, STILL_NOTE, Shown
from .throttle import LatestWins

KAPPA_RANGE = (1.0, 1000.0)  # the slider moves on a log scale between these
STILL_KAPPAS = (10.0, 100.0, 1000.0)  # the chapter's table
STEPS = 300
SHRINK = 1e6  # "steps to shrink the distance a million-fold", as the chapter counts
FLOOR = 1e-12  # the plot's lowest distance (a run at kappa = 1 reaches the minimum exactly in one step)
RUNS = ("gd", "momentum")


def conditioning_runs(kappa: float, steps: int = STEPS) -> dict[str, dict[str, Any]]:
    """Gradient descent and momentum at their best settings on the quadratic with eigenvalues 1 and kappa.

    Returns {"gd": ..., "momentum": ...}, each a dict with "theory" (``quadratics.gd_theory`` or
    ``momentum_theory``), "optimizer", "run" (the Trajectory), "distance" (to the minimum, per step),
    "measured_rate" (``quadratics.measured_rate`` over the last 100 steps, or fewer when the run
    reached the minimum earlier; 0 when it got there in one step), "steps_to_shrink" (measured, or
    None) and "predicted_steps" (log(1e6) / -log(rate); 1 when the predicted rate is 0).
    """
    low, high = KAPPA_RANGE
    kappa = check.check_number("kappa", kappa)
    if not low <= kappa <= high:
        raise ValueError(f"kappa must be between {low:g} and {high:g}, got {kappa!r}")
    steps = check.check_positive_int("steps", steps)
    bowl = quadratics.quadratic((1.0, kappa), start=(1.0, 1.0), name="conditioning")
    lambda_min, lambda_max = (float(v) for v in np.asarray(quadratics.conditioning(bowl)["eigenvalues"]))
    gd, heavy_ball = quadratics.gd_theory(lambda_min, lambda_max), quadratics.momentum_theory(lambda_min, lambda_max)
    chosen = {"gd": (gd, GradientDescent(lr=gd["best_lr"])),
              "momentum": (heavy_ball, Momentum(lr=heavy_ball["best_lr"], beta=heavy_ball["best_beta"]))}
    results = {}
    for name, (theory, optimizer) in chosen.items():
        run = descend(optimizer, bowl, steps=steps, record_diagnostics=False)
        results[name] = {
            "theory": theory, "optimizer": optimizer, "run": run,
            "distance": np.linalg.norm(run.params, axis=1),
            "measured_rate": _measured_rate(run),
            "steps_to_shrink": quadratics.steps_to_shrink(run, SHRINK),
            "predicted_steps": 1.0 if theory["rate"] <= 0 else float(np.log(SHRINK) / -np.log(theory["rate"])),
        }
    return results


def _measured_rate(run: Trajectory, last: int = 100, floor: float = 1e-150) -> float:
    """``quadratics.measured_rate`` over ``last`` steps, or over as many as the run took before the floor."""
    distance = np.linalg.norm(run.params, axis=1)
    below = np.flatnonzero(distance < floor)
    available = int(below[0]) - 1 if below.size else len(distance) - 1
    if available < 1:
        return 0.0  # at the minimum (to round-off) after one step: no contraction left to measure
    return quadratics.measured_rate(run, last=min(last, available), floor=floor)


def _name(key: str) -> str:
    return "Gradient descent" if key == "gd" else "Momentum"


def readout(kappa: float, results: dict[str, dict[str, Any]]) -> str:
    """One line per optimizer: its best setting, the predicted and the measured rate, steps to a millionth."""
    lines = []
    for key in RUNS:
        r = results[key]
        setting = f"lr={r['optimizer'].lr:.4g}" + (f", beta={r['optimizer'].beta:.3f}" if key == "momentum" else "")
        reached = r["steps_to_shrink"]
        measured = f"{reached}" if reached is not None else f"more than {r['run'].steps}"
        lines.append(f"{_name(key)} [{setting}] at kappa {kappa:.4g}: rate per step predicted "
                     f"{r['theory']['rate']:.4f}, measured {r['measured_rate']:.4f}; steps to shrink the distance "
                     f"a million-fold: predicted {r['predicted_steps']:.0f}, measured {measured}")
    return "<br>".join(lines)


def draw(ax: Any, steps: int, animated: bool = False) -> list[Any]:
    """Empty lines for the runs (solid) and their predicted ``rate ** step`` (dotted, on top), axes fixed.

    Returns the artists in the order ``set_lines`` fills them. The axes do not depend on kappa, so the
    live picture draws them once and only blits the lines.
    """
    artists = []
    for key, style in zip(RUNS, styles_for_names(list(RUNS))):
        artists += ax.plot([], [], label=f"{_name(key)}, measured", animated=animated, **style.line(markers=False))
        artists += ax.plot([], [], color="black" if key == "gd" else style.color, lw=1.2, linestyle=(0, (1, 1.5)),
                           label=f"{_name(key)}, predicted", animated=animated, zorder=4)
    ax.set_yscale("log")
    ax.set_ylim(FLOOR, 10.0)
    ax.set_xlim(0, steps)
    ax.set_xlabel("step")
    ax.set_ylabel("distance to the minimum")
    ax.grid(alpha=0.3)
    return artists


def set_lines(artists: list[Any], results: dict[str, dict[str, Any]]) -> None:
    """Put each run's distance and its predicted ``distance_0 * rate ** step`` into the artists of ``draw``."""
    for i, key in enumerate(RUNS):
        r = results[key]
        steps = np.arange(len(r["distance"]))
        predicted = r["distance"][0] * r["theory"]["rate"] ** steps
        artists[2 * i].set_data(steps, np.where(r["distance"] > FLOOR, r["distance"], np.nan))
        artists[2 * i + 1].set_data(steps, np.where(predicted > FLOOR, predicted, np.nan))


def describe(kappa: float, results: dict[str, dict[str, Any]]) -> str:
    """The picture in words: what is drawn and where each line ends."""
    ends = "; ".join(
        f"{_name(key)} falls from {results[key]['distance'][0]:.3g} to {results[key]['distance'][-1]:.3g} in "
        f"{results[key]['run'].steps} steps, measured rate {results[key]['measured_rate']:.4f} against "
        f"{results[key]['theory']['rate']:.4f} predicted" for key in RUNS)
    return (f"Distance to the minimum against the step, log scale, at kappa {kappa:.4g}: a solid line per run "
            f"and a dotted line for the rate the theory predicts. {ends}.")


class ConditioningExplorer(Shown):
    """A kappa slider (log scale, 1 to 1000) and the two runs' distances. Build it with ``conditioning``."""

    def __init__(self, kappa: float, steps: int) -> None:
        self.steps = check.check_positive_int("steps", steps)
        self.kappa = kappa
        self.figure = Figure(figsize=(6.0, 4.4), dpi=90, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)  # Agg: blitting and raw pixels
        self.ax = self.figure.add_subplot()
        self.lines = draw(self.ax, self.steps, animated=True)
        self.ax.set_title("Gradient descent and momentum at their best settings", fontsize=11)
        self.ax.legend(fontsize=SMALL_FONT, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._make_outputs()
        low, high = np.log10(KAPPA_RANGE)
        self.slider = W.FloatLogSlider(value=kappa, base=10, min=low, max=high, step=0.05,
                                       description="kappa (condition)", readout_format=".3g",
                                       continuous_update=True, style={"description_width": DESCRIPTION_WIDTH},
                                       layout=W.Layout(width="100%"))
        self.sliders = {"kappa": self.slider}
        self._lay_out([self.slider])
        self.throttle = LatestWins(lambda values: self.update(**values))
        self.slider.observe(lambda change: self.throttle.request(kappa=change["new"]), names="value")
        self.update(kappa=kappa)

    def update(self, **values: Any) -> dict[str, dict[str, Any]]:
        """Apply a new kappa (``update(kappa=300)``), run both optimizers, redraw. What the slider runs."""
        unknown = sorted(set(values) - {"kappa"})
        if unknown:
            raise TypeError(f"unknown control(s) {', '.join(unknown)}; allowed: kappa")
        kappa = values.get("kappa", self.kappa)
        results = conditioning_runs(kappa, self.steps)
        self.kappa = float(kappa)
        set_lines(self.lines, results)
        canvas = self.canvas
        canvas.restore_region(self.background)
        for line in self.lines:
            self.ax.draw_artist(line)
        buffer = io.BytesIO()
        pixels = np.asarray(canvas.buffer_rgba())
        Image.fromarray(pixels, "RGBA").convert("RGB").save(buffer, format="jpeg", quality=90, subsampling=0)
        self.image.value = buffer.getvalue()
        self.readout.value = readout(self.kappa, results)
        self.description.value = html.escape(describe(self.kappa, results))
        return results

    def still_figure(self) -> Any:
        """The chapter's three kappas side by side, with the still-picture note."""
        fig = Figure(figsize=(8.8, 3.8), dpi=90, layout="constrained")
        axes = fig.subplots(1, len(STILL_KAPPAS), sharey=True)
        words = []
        for ax, kappa in zip(axes, STILL_KAPPAS):
            results = conditioning_runs(kappa, self.steps)
            set_lines(draw(ax, self.steps), results)
            ax.set_title(f"kappa = {kappa:g}", fontsize=11)
            if ax is not axes[0]:
                ax.set_ylabel("")
            words.append(describe(kappa, results))
        fig.legend(handles=axes[0].get_lines(), fontsize=SMALL_FONT, loc="outside lower center", ncol=4)
        fig.suptitle(f"Gradient descent and momentum at their best settings\n{STILL_NOTE}", fontsize=11)
        plot_description.attach(fig, f"{len(STILL_KAPPAS)} panels, one per kappa. " + " ".join(words), "")
        return fig


def conditioning(kappa: float = 100.0, steps: int = STEPS) -> ConditioningExplorer:
    """An explorer with a kappa slider: gradient descent and momentum, each at its best, on the quadratic
    with eigenvalues 1 and kappa; the readout gives the predicted and the measured rates.

    Examples
    --------
    >>> explorer = conditioning(kappa=100)            # doctest: +SKIP
    >>> explorer.update(kappa=1000)["momentum"]["measured_rate"]   # doctest: +SKIP
    """
    return ConditioningExplorer(kappa, steps)
