"""Which controls an explorer shows, and their ranges: plain data, no ipywidgets.

Each slider is described by a ``SliderSpec``; ``relevant_sliders(optimizer)``
lists only the hyperparameters the optimizer has (its ``defaults``), so AdaGrad
gets no beta1 and gradient descent gets only lr.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from .. import _validate as check
from ..landscapes import LANDSCAPES, get_landscape
from ..optimizers import OPTIMIZERS


@dataclass(frozen=True)
class SliderSpec:
    """One slider: its range, and whether it moves on a log scale (then min/max are powers of 10)."""

    name: str
    description: str
    min: float
    max: float
    step: float
    log: bool = False
    integer: bool = False
    # What the readout shows (a d3-format spec, formatted by the browser: ".2g" shows 0.05 as "0.050");
    # a screen reader speaks the same number without trailing zeros, "0.05" (see a11y).
    readout_format: str = ".4g"


SLIDERS = {
    "lr": SliderSpec("lr", "lr (learning rate)", -4.0, 1.0, 0.1, log=True, readout_format=".2g"),
    "gamma": SliderSpec("gamma", "gamma (decay)", 0.0, 0.999, 0.001),
    "beta": SliderSpec("beta", "beta (momentum)", 0.0, 0.99, 0.01),
    "beta1": SliderSpec("beta1", "beta1 (1st moment)", 0.0, 0.999, 0.001),
    "beta2": SliderSpec("beta2", "beta2 (2nd moment)", 0.9, 0.9999, 0.0001),
    "eps": SliderSpec("eps", "eps (stability)", -10.0, -1.0, 0.5, log=True, readout_format=".1g"),
    "steps": SliderSpec("steps", "steps", 10, 1000, 10, integer=True, readout_format="d"),
    "batch_size": SliderSpec("batch_size", "batch size", 1, 200, 1, integer=True, readout_format="d"),
}
HYPERPARAMETER_SLIDERS = ("lr", "gamma", "beta", "beta1", "beta2", "eps")
# The controls every explorer has besides its hyperparameters: the fields of ``Setting``, in this order.
SETTING_CONTROLS = ("landscape", "start", "steps", "batch_size")


@dataclass(frozen=True)
class Setting:
    """Where and how long a replay runs: the landscape, the named start, the steps, and the batch size.

    ``start=None`` is the landscape's first named start; a ``batch_size`` makes the landscape stochastic
    (SGD, mini-batch). Checked when made, so a replay never runs on bad values.
    """

    landscape: str
    start: str | None = None
    steps: int = 200
    batch_size: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        check.check_choice("landscape", self.landscape, tuple(LANDSCAPES))
        starts = landscape_starts(self.landscape)
        object.__setattr__(self, "start", starts[0] if self.start is None else
                           check.check_choice("start", self.start, starts))
        object.__setattr__(self, "steps", check.check_positive_int("steps", self.steps))
        if self.batch_size is not None:
            object.__setattr__(self, "batch_size", check.check_positive_int("batch_size", self.batch_size))

    def changed(self, **values: Any) -> Setting:
        """A copy with some controls changed (``SETTING_CONTROLS``); a new landscape starts at its first start."""
        unknown = sorted(set(values) - set(SETTING_CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {', '.join(unknown)}; allowed: {', '.join(SETTING_CONTROLS)}")
        if values.get("landscape", self.landscape) != self.landscape and "start" not in values:
            values["start"] = None
        return replace(self, **values)

# Learning rates that make a good first picture on the 2-D landscapes (the library
# defaults are torch's, tuned for networks: Adam's 1e-3 barely moves in 200 steps here).
DEMO_LR = {"gd": 1e-3, "momentum": 1e-3, "adagrad": 0.5, "rmsprop": 0.01, "adadelta": 1.0, "adam": 0.05,
           "adamw": 0.05}


@cache
def landscape_starts(name: str) -> tuple[str, ...]:
    """The named starts of a landscape, in its order (the first is the default)."""
    return tuple(get_landscape(name).starts)


def relevant_sliders(optimizer: str) -> tuple[str, ...]:
    """The hyperparameter sliders that matter for ``optimizer`` (in the order of its defaults)."""
    check.check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    return tuple(name for name in OPTIMIZERS[optimizer].defaults if name in HYPERPARAMETER_SLIDERS)


def initial_hyperparams(optimizer: str, **values: float) -> dict[str, float]:
    """Starting slider values: the optimizer's defaults, the demo lr, then the caller's values."""
    check.check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    defaults = OPTIMIZERS[optimizer].defaults
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise TypeError(
            f"{', '.join(unknown)} is not a hyperparameter of {optimizer!r}; allowed: {', '.join(defaults)}"
        )
    chosen = {name: defaults[name] for name in relevant_sliders(optimizer)}
    chosen["lr"] = DEMO_LR[optimizer]
    chosen.update(values)
    return chosen
