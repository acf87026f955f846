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
- ``panels``: side-by-side axes that fit the notebook column (about 800 px), wrapping into rows.

Every function takes ``alt=``, a text description for readers who cannot see the picture
(default: one generated from what is drawn, see ``describe``); ``show`` publishes it as the
image's alt text.

Each optimizer has one ``Style`` (colour, line style and marker; ``STYLES``) fixed across the
course, so Adam looks the same in every chapter and never depends on colour alone; a series of
one parameter gets ``series_styles(n)``. ``colours`` checks contrast and colour-blind safety.
"""

from . import colours, describe
from .curves import adam_moments, effective_lr, loss_curves
from .figures import panels, show, smallest_text_px
from .maps import contour, learning_rate_panel
from .noise import gradient_noise, sample_gradients
from .style import OKABE_ITO, OPTIMIZER_COLORS, STYLES, Style, colors_for, series_styles, styles_for

__all__ = [
    "OKABE_ITO", "OPTIMIZER_COLORS", "STYLES", "Style", "adam_moments", "colors_for", "colours", "contour",
    "describe", "effective_lr", "gradient_noise", "learning_rate_panel", "loss_curves", "panels", "sample_gradients",
    "series_styles", "show", "smallest_text_px", "styles_for",
]
