"""What ``descend`` needs of a problem: the protocol landscapes and data problems share.

A 2-D ``Landscape`` (full batch only, ``n_samples`` None), a ``StochasticLandscape``
and the data problems of ``course_lib.problems`` all have these five members, so
the descent loop, the plots and the experiments treat them alike::

    >>> from course_lib import LinearRegression, get_landscape
    >>> from course_lib.protocol import Problem
    >>> isinstance(get_landscape("bowl"), Problem), isinstance(LinearRegression(), Problem)
    (True, True)

``batch`` is None for the full batch, or the indices of the examples to use.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

MEMBERS = ("n_samples", "loss", "grad", "loss_and_grad", "start")


@runtime_checkable
class Problem(Protocol):
    """A loss to minimise, with its gradient, its number of samples and a start point."""

    n_samples: int | None  # None: full batch only (a landscape)

    def loss(self, w: Any, batch: Any = None) -> float: ...

    def grad(self, w: Any, batch: Any = None) -> Any: ...

    def loss_and_grad(self, w: Any, batch: Any = None) -> tuple[float, Any]: ...

    @property
    def start(self) -> Any: ...


def check_problem(name: str, value: Any) -> Problem:
    """``value`` if it follows the protocol, else an error naming what it lacks."""
    missing = [member for member in MEMBERS if not hasattr(value, member)]
    if missing:
        raise TypeError(
            f"{name} must be a landscape or a data problem (with {', '.join(MEMBERS)}), "
            f"got {type(value).__name__} without {', '.join(missing)}"
        )
    return value
