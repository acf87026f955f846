"""Explorers: sliders that replay a descent and redraw the picture in place.

    explore("adam", "rosenbrock")                 # one optimizer, sliders for its hyperparameters
    race(("gd", "momentum", "rmsprop", "adam"))   # several optimizers from the same start
    conditioning(kappa=100)                       # a kappa slider: gradient descent against momentum

The parts, bottom to top: ``controls`` (which sliders, their ranges, and ``Setting``: the landscape,
start, steps and batch size as one checked, frozen value), ``replay`` (a setting, an optimizer and its
hyperparameters -> drawn data, via ``course_lib.descend``), ``redraw``
(a figure drawn once and updated by blitting), ``throttle`` (slider moves that
arrive faster than redraws are merged, the last one wins), ``a11y`` (names and
spoken values for screen readers), ``explorer`` (the ipywidgets). Widgets hold
no math. Each explorer has ``update(**values)``, the function a slider move
runs (through the throttle), so benchmarks and tests can drive it without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence

from .conditioning import ConditioningExplorer, conditioning
from .controls import DEMO_LR, SETTING_CONTROLS, SLIDERS, Setting, relevant_sliders
from .explorer import Explorer, Race
from .replay import forget_replays, replay, replay_race


def explore(
    optimizer: str = "adam",
    landscape: str = "rosenbrock",
    start: str | None = None,
    steps: int = 200,
    batch_size: int | None = None,
    sliders: Sequence[str] | None = None,
    still: str = "lr",
    **initial_values: float,
) -> Explorer:
    """An explorer for one optimizer on one landscape: its hyperparameter sliders, steps, landscape and start.

    Parameters
    ----------
    optimizer : "gd", "momentum", "adagrad", "rmsprop", "adadelta" or "adam".
    landscape : a landscape name (see ``course_lib.LANDSCAPES``).
    start : one of the landscape's named starts; default its first.
    steps : number of steps replayed per update.
    batch_size : if given, the landscape becomes a ``StochasticLandscape`` and a batch-size slider appears.
    sliders : the hyperparameter sliders to show; default all that matter for the optimizer.
    still : which control the still picture (shown where no widgets run: HTML export, GitHub) varies:
        "lr" (default: lr / 5, lr, lr * 5), "batch_size" (1, yours, a larger batch) or another hyperparameter.
    **initial_values : starting hyperparameters, e.g. ``lr=0.05, beta1=0.8``.

    Examples
    --------
    >>> explorer = explore("rmsprop", "ravine", lr=0.05)   # doctest: +SKIP
    >>> explorer.update(lr=0.1)["readout"]                  # doctest: +SKIP
    """
    return Explorer(optimizer, landscape, start, steps, batch_size, sliders, initial_values, still)


def race(
    optimizers: Sequence[str] = ("gd", "momentum", "rmsprop", "adam"),
    landscape: str = "rosenbrock",
    start: str | None = None,
    steps: int = 200,
    batch_size: int | None = None,
    lrs: dict[str, float] | None = None,
) -> Race:
    """Several optimizers on one landscape from the same start, with shared controls.

    Each racer starts at its demo learning rate (or ``lrs[name]``); one "lr multiplier" slider scales
    them all. Steps, landscape and start are shared.
    """
    return Race(optimizers, landscape, start, steps, batch_size, lrs)


__all__ = ["DEMO_LR", "SETTING_CONTROLS", "SLIDERS", "ConditioningExplorer", "Explorer", "Race", "Setting",
           "conditioning", "explore", "forget_replays", "race", "relevant_sliders", "replay", "replay_race"]
