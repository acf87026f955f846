"""Two-dimensional loss landscapes with analytic gradients, for pictures.

A landscape is a function J(w) of a point w = (x, y). It evaluates on grids
for contour plots (``landscape.f(X, Y)``) and on single points for descent
(``landscape.loss(w)``, ``landscape.grad(w)``), and lists its minima and
saddle points so plots can mark them and tests can check them.

    >>> from course_lib.landscapes import get_landscape
    >>> valley = get_landscape("foggy_valley")
    >>> valley.loss(valley.start) > valley.minima[0].value
    True

``StochasticLandscape`` turns a landscape into a finite sum over samples, so
that SGD and mini-batches on a 2-D picture are real (see its docstring).

Besides the five in ``LANDSCAPES``, three landscapes belong to one experiment
each: ``cliff_and_plain`` (AdaGrad stalls), ``scaled_loss`` (the loss times a
factor) and ``scaled_bowl`` (the bowl in other units).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import _validate as check


@dataclass(frozen=True)
class Point:
    """A labelled point of a landscape: a minimum, a saddle or a start."""

    x: float
    y: float
    value: float = float("nan")
    label: str = ""

    @property
    def w(self) -> np.ndarray:
        return np.array([self.x, self.y])


@dataclass(frozen=True)
class Landscape:
    """A 2-D loss J(x, y) with its gradient, stationary points and a view box.

    ``f(x, y)`` and ``grad_xy(x, y)`` work elementwise on arrays (for grids).
    ``minima`` lists every local minimum inside the view box, the global one
    first. ``starts`` names start points used by the chapters.
    """

    name: str
    title: str
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad_xy: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    minima: tuple[Point, ...]
    starts: dict[str, tuple[float, float]]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    saddles: tuple[Point, ...] = ()
    log_contours: bool = False  # contour levels on a log scale (for steep walls)
    description: str = ""
    n_samples: None = field(default=None, init=False)  # full-batch only

    @property
    def start(self) -> np.ndarray:
        """The default start point (the first of ``starts``)."""
        return np.array(next(iter(self.starts.values())), dtype=float)

    def start_point(self, name: str) -> np.ndarray:
        check.check_choice("start", name, tuple(self.starts))
        return np.array(self.starts[name], dtype=float)

    def loss(self, w: np.ndarray, batch: np.ndarray | None = None) -> float:
        return float(self.f(w[0], w[1]))

    def grad(self, w: np.ndarray, batch: np.ndarray | None = None) -> np.ndarray:
        gx, gy = self.grad_xy(w[0], w[1])
        return np.array([gx, gy], dtype=w.dtype)

    def loss_and_grad(self, w: np.ndarray, batch: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        return self.loss(w), self.grad(w)

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """X, Y, J on an n-by-n grid over the view box (for contour and surface plots)."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.f(X, Y)


# ---- the landscapes ---------------------------------------------------------


def bowl(condition: float = 1.0) -> Landscape:
    """J = (x^2 + condition * y^2) / 2: a convex bowl; condition = ratio of the curvatures."""
    c = check.check_positive("condition", condition)
    return Landscape(
        name="bowl",
        title=f"Convex bowl (condition number {c:g})",
        f=lambda x, y: 0.5 * (x * x + c * y * y),
        grad_xy=lambda x, y: (x, c * y),
        minima=(Point(0.0, 0.0, 0.0, "minimum"),),
        starts={"corner": (-4.0, 3.0), "near": (-1.0, 1.0)},
        xlim=(-5.0, 5.0),
        ylim=(-4.0, 4.0),
        description="The easiest landscape: one minimum, gradients point at it when condition = 1.",
    )


def ravine() -> Landscape:
    """J = x^2 / 20 + 5 y^2: a long, narrow valley, 100 times steeper across than along."""
    return Landscape(
        name="ravine",
        title="Narrow ravine (100x steeper across than along)",
        f=lambda x, y: x * x / 20 + 5 * y * y,
        grad_xy=lambda x, y: (x / 10, 10 * y),
        minima=(Point(0.0, 0.0, 0.0, "minimum"),),
        starts={"far end": (-9.0, 1.0), "wall": (-4.0, 1.8)},
        xlim=(-10.0, 10.0),
        ylim=(-2.0, 2.0),
        description="Badly scaled: one learning rate cannot suit both directions.",
    )


def rosenbrock() -> Landscape:
    """J = (1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed banana valley."""
    return Landscape(
        name="rosenbrock",
        title="Rosenbrock's banana valley",
        f=lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        grad_xy=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        minima=(Point(1.0, 1.0, 0.0, "minimum"),),
        starts={"classic": (-1.5, 2.0), "left": (-1.0, 0.5)},
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        log_contours=True,
        description="Finding the valley is easy; following its curved floor to (1, 1) is slow.",
    )


def saddle() -> Landscape:
    """J = x^2 / 2 + y^4 / 4 - y^2 / 2: a saddle point at the origin between two minima."""
    return Landscape(
        name="saddle",
        title="Saddle point between two valleys",
        f=lambda x, y: 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y,
        grad_xy=lambda x, y: (x, y**3 - y),
        minima=(Point(0.0, 1.0, -0.25, "minimum"), Point(0.0, -1.0, -0.25, "minimum")),
        saddles=(Point(0.0, 0.0, 0.0, "saddle"),),
        starts={"ridge": (2.0, 1e-3), "side": (2.0, 0.5)},
        xlim=(-2.5, 2.5),
        ylim=(-1.8, 1.8),
        description="Near the ridge line y = 0 the gradient almost vanishes, and descent crawls.",
    )


# The foggy valley: a gentle bowl with three Gaussian hollows of different
# depths. (centre x, centre y, depth, width) for each hollow:
_HOLLOWS = ((-2.0, 1.5, 2.0, 1.2), (2.0, -1.0, 1.3, 0.8), (1.0, 2.5, 0.8, 0.5))
_BOWL = 0.05


def _valley_f(x, y):
    z = _BOWL * (x * x + y * y)
    for cx, cy, depth, width in _HOLLOWS:
        z = z - depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2))
    return z


def _valley_grad(x, y):
    gx, gy = 2 * _BOWL * x, 2 * _BOWL * y
    for cx, cy, depth, width in _HOLLOWS:
        e = depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2)) / width**2
        gx = gx + e * (x - cx)
        gy = gy + e * (y - cy)
    return gx, gy


def foggy_valley() -> Landscape:
    """The hikers' valley: a deep hollow, a medium one and a shallow one in a gentle bowl."""
    return Landscape(
        name="foggy_valley",
        title="The foggy valley (three hollows of different depths)",
        f=_valley_f,
        grad_xy=_valley_grad,
        minima=(
            Point(*_VALLEY_MINIMA[0], label="deep hollow (global minimum)"),
            Point(*_VALLEY_MINIMA[1], label="middle hollow"),
            Point(*_VALLEY_MINIMA[2], label="shallow hollow"),
        ),
        saddles=tuple(Point(*s, label="saddle") for s in _VALLEY_SADDLES),
        starts={"ridge": (0.5, 3.8), "east": (4.0, -3.0), "south": (-1.0, -3.5)},
        xlim=(-5.0, 5.0),
        ylim=(-4.5, 4.5),
        description="Several hollows: where you end up depends on where you start and how you step.",
    )


# Found by Newton's method from a dense grid of starts (see
# tests/test_landscapes.py, which checks that the gradient vanishes at each
# and the Hessian is positive definite). (x, y, J).
_VALLEY_MINIMA = (
    (-1.8644159497465085, 1.3983120747795104, -1.7085862412866148),
    (1.9037416384629358, -0.9516656242511026, -1.0630242604055056),
    (0.9195021761888957, 2.406560453018418, -0.5221825891389755),
)
_VALLEY_SADDLES = (
    (0.25565043928785586, 2.0347617291716804, -0.2706413691120926),
    (0.40424891164336546, -0.08029653892475642, -0.19625465220549346),
)


# ---- the chapters' landscapes (not in LANDSCAPES: they are the subject of one experiment each) ----

# A landscape where AdaGrad stalls (chapters 04, 05, 06).
# The cliff: height, steepness and position of a tanh step in x; the plain is a
# very gentle parabola x^2 / 200 whose slope at the cliff's foot is only 0.15.
_CLIFF_HEIGHT, _CLIFF_STEEPNESS, _CLIFF_X = 2.0, 2.0, -16.0


def _cliff_f(x, y):
    return x * x / 200 + _CLIFF_HEIGHT * (1 - np.tanh(_CLIFF_STEEPNESS * (x - _CLIFF_X))) + 0.5 * y * y


def _cliff_grad(x, y):
    # The cosh is clipped so that far-away grid points do not overflow.
    sech2 = 1 / np.cosh(np.clip(_CLIFF_STEEPNESS * (x - _CLIFF_X), -300, 300)) ** 2
    return x / 100 - _CLIFF_HEIGHT * _CLIFF_STEEPNESS * sech2, y


def cliff_and_plain() -> Landscape:
    """A steep cliff followed by a long, gentle plain down to the minimum at (0, 0).

    J(x, y) = x^2 / 200 + 2 (1 - tanh(2 (x + 16))) + y^2 / 2.

    The hiker starts at the top of the cliff, (-19, 1). Crossing it gives
    gradients of size up to 4 in x; on the plain that follows they are below
    0.15. AdaGrad keeps the cliff's squared gradients in its sum G forever, so
    its steps on the plain are tiny; RMSprop forgets them.
    """
    return Landscape(
        name="cliff_and_plain",
        title="A cliff, then a long gentle plain",
        f=_cliff_f,
        grad_xy=_cliff_grad,
        minima=(Point(0.0, 0.0, 0.0, "minimum"),),
        starts={"cliff top": (-19.0, 1.0)},
        xlim=(-20.0, 3.0),
        ylim=(-1.5, 1.5),
        description="Large gradients first, small ones for a long way after: AdaGrad's worst case.",
    )


def scaled_loss(landscape: Landscape, factor: float) -> Landscape:
    """The same landscape with its loss multiplied by ``factor`` (so every gradient is ``factor`` times larger).

    The minima stay where they are; only their values are scaled. Used to show
    that RMSprop's and Adam's paths hardly change while gradient descent's do.
    """
    factor = check.check_positive("factor", factor)

    def scaled_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gx, gy = landscape.grad_xy(x, y)
        return factor * gx, factor * gy

    return Landscape(
        name=f"{landscape.name} x{factor:g}",
        title=f"{landscape.title}, loss x {factor:g}",
        f=lambda x, y: factor * landscape.f(x, y),
        grad_xy=scaled_grad,
        minima=tuple(Point(p.x, p.y, factor * p.value, p.label) for p in landscape.minima),
        saddles=tuple(Point(p.x, p.y, factor * p.value, p.label) for p in landscape.saddles),
        starts=dict(landscape.starts),
        xlim=landscape.xlim,
        ylim=landscape.ylim,
        log_contours=landscape.log_contours,
    )


def scaled_bowl(scale: float) -> Landscape:
    """The bowl J = (x^2 + y^2) / 2 measured in other units: w' = scale * w.

    J(w') = |w'|^2 / (2 scale^2). The curvature is 1 / scale^2, so the ideal
    learning rate (one Newton step) is scale^2: it carries the units of w^2 / J.
    The start is (-4, 3) * scale.
    """
    scale = check.check_positive("scale", scale)
    curvature = 1.0 / scale**2
    return Landscape(
        name="scaled_bowl",
        title=f"Bowl in units scaled by {scale:g}",
        f=lambda x, y: 0.5 * curvature * (x * x + y * y),
        grad_xy=lambda x, y: (curvature * x, curvature * y),
        minima=(Point(0.0, 0.0, 0.0, "minimum"),),
        starts={"corner": (-4.0 * scale, 3.0 * scale)},
        xlim=(-5.0 * scale, 5.0 * scale),
        ylim=(-4.0 * scale, 4.0 * scale),
    )


LANDSCAPES: dict[str, Callable[..., Landscape]] = {
    "bowl": bowl,
    "ravine": ravine,
    "rosenbrock": rosenbrock,
    "saddle": saddle,
    "foggy_valley": foggy_valley,
}


def get_landscape(name: str, **options: float) -> Landscape:
    """Build a landscape by name: 'bowl', 'ravine', 'rosenbrock', 'saddle' or 'foggy_valley'."""
    check.check_choice("landscape", name, tuple(LANDSCAPES))
    return LANDSCAPES[name](**options)


class StochasticLandscape:
    """A landscape as a finite sum over n samples, so SGD on it is real SGD.

    Sample i tilts the landscape by a fixed vector a_i:

        J_i(w) = J(w) + a_i . w,   with the a_i drawn once (seeded) and centred so sum_i a_i = 0.

    The full-batch loss (1/n) sum_i J_i is exactly J, and its gradient is
    exactly J's; a mini-batch B gives the gradient grad J(w) + mean_{i in B} a_i,
    whose noise shrinks like 1 / sqrt(|B|). ``noise`` is the standard
    deviation of each component of a_i.

    Everything else (name, f, minima, starts, view box, grid, ...) is the
    wrapped landscape's, read through to ``self.landscape``.
    """

    def __init__(self, landscape: Landscape, n_samples: int = 200, noise: float = 1.0, seed: int = 0) -> None:
        if not isinstance(landscape, Landscape):
            raise TypeError(
                f"landscape must be a Landscape (e.g. get_landscape('bowl')), got {type(landscape).__name__}"
            )
        self.landscape = landscape
        self.n_samples = check.check_positive_int("n_samples", n_samples)
        self.noise = check.check_positive("noise", noise)
        tilts = np.random.default_rng(seed).normal(0.0, self.noise, size=(self.n_samples, 2))
        self.tilts = tilts - tilts.mean(axis=0)

    @property
    def start(self) -> np.ndarray:
        """The wrapped landscape's start. Written out: it is part of the problem protocol, and from
        Python 3.12 isinstance(x, Protocol) looks attributes up statically, past __getattr__."""
        return self.landscape.start

    def __getattr__(self, attribute: str):
        # Called only for what this class does not define: the wrapped landscape's picture and points.
        if attribute.startswith("__") or attribute == "landscape":
            raise AttributeError(attribute)  # copy and pickle probe these before __init__ has run
        return getattr(self.landscape, attribute)

    def loss(self, w: np.ndarray, batch: np.ndarray | None = None) -> float:
        value = self.landscape.loss(w)
        if batch is not None:
            value += float(self.tilts[batch].mean(axis=0) @ w)
        return value

    def grad(self, w: np.ndarray, batch: np.ndarray | None = None) -> np.ndarray:
        g = self.landscape.grad(w)
        if batch is not None:
            g = g + self.tilts[batch].mean(axis=0).astype(w.dtype)
        return g

    def loss_and_grad(self, w: np.ndarray, batch: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        return self.loss(w, batch), self.grad(w, batch)
