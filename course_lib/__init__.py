"""course_lib: the library behind the course on deep-learning optimizers.

The parts, bottom to top (nothing imports upward):

- ``rules``: one pure update function per algorithm, the chapter's equation in numpy;
- ``optimizers``: the rules with their state (``Adam(lr=0.1).step(w, g)``);
- ``landscapes`` and ``problems``: 2-D landscapes and data problems with gradients;
- ``schedules`` and ``clipping``: learning-rate schedules and clipping by global norm, which the loop applies;
- ``descent``: the loop that runs an optimizer on a problem and records a Trajectory;
- ``plots`` and ``widgets`` (imported on first use: they load matplotlib and ipywidgets).

Importing ``course_lib`` loads numpy only.
"""

from .descent import Trajectory, descend
from .landscapes import LANDSCAPES, Landscape, StochasticLandscape, get_landscape
from .optimizers import (
    OPTIMIZERS,
    AdaDelta,
    AdaGrad,
    Adam,
    AdamW,
    GradientDescent,
    Momentum,
    Optimizer,
    RMSprop,
    make_optimizer,
)
from .problems import PROBLEMS, DigitsMLP, LinearRegression, SparseLogisticRegression, get_problem
from .rules import (
    adadelta_update,
    adagrad_update,
    adam_update,
    adamw_update,
    gd_update,
    momentum_update,
    rmsprop_update,
)

__version__ = "0.2.0"

__all__ = [
    "LANDSCAPES", "OPTIMIZERS", "PROBLEMS",
    "AdaDelta", "AdaGrad", "Adam", "AdamW", "DigitsMLP", "GradientDescent", "Landscape", "LinearRegression",
    "Momentum", "Optimizer", "RMSprop", "SparseLogisticRegression", "StochasticLandscape", "Trajectory",
    "adadelta_update", "adagrad_update", "adam_update", "adamw_update", "descend", "gd_update", "get_landscape",
    "get_problem", "make_optimizer", "momentum_update", "rmsprop_update",
]
