"""Pictures of what the descent loop recorded (``course_lib.descent.Trajectory``).

Every function draws on the axes it is given (``ax=``) or creates a figure
with constrained layout, and returns the axes (or the figure for panels).
``show(fig)`` displays a figure once and closes it, so long notebooks never
collect open figures.

- ``contour``: a landscape's contour map with trajectories, start, end, minima and saddles;
- ``loss_curves``: loss against step or wall time;
- ``learning_rate_panel``: "too small / about right / too large", computed by ``descend``;
- ``effective_lr`` and ``adam_moments``: what the adaptive optimizers do inside;
- ``gradient_noise`` (with the pure helper ``sample_gradients``): SGD and mini-batch noise;
- ``surface`` and ``animate``: a 3-D view and a small animation of one descent.

Colours come from the Okabe-Ito palette (safe for colour-blind readers), one
fixed colour per optimizer name, so Adam has the same colour in every chapter.
"""

from .curves import adam_moments, effective_lr, loss_curves
from .maps import animate, contour, learning_rate_panel, surface
from .noise import gradient_noise, sample_gradients
from .style import OKABE_ITO, OPTIMIZER_COLORS, colors_for, show

__all__ = [
    "OKABE_ITO", "OPTIMIZER_COLORS", "adam_moments", "animate", "colors_for", "contour", "effective_lr",
    "gradient_noise", "learning_rate_panel", "loss_curves", "sample_gradients", "show", "surface",
]
