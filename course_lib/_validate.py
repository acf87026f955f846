"""Argument checks shared by the optimizers, landscapes and problems.

Every check raises a ``ValueError`` (or ``TypeError``) whose message names the
argument, the value received and what is allowed, so a learner who types
``lr=-0.1`` reads exactly what went wrong.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def is_real_number(value: Any) -> bool:
    """A real number (numpy's included), but not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_number(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if not is_real_number(value):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0 (learning rates, eps)."""
    value = check_number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_unit_interval(name: str, value: Any) -> float:
    """A finite number in [0, 1) (decay rates gamma, beta1, beta2, momentum)."""
    value = check_number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def check_positive_int(name: str, value: Any) -> int:
    """An integer >= 1 (number of steps, batch size, step counter t)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def check_float_array(name: str, value: Any) -> np.ndarray:
    """A numpy array of float32 or float64 (parameters, gradients, states)."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of float32 or float64, got {type(value).__name__}")
    if value.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must have dtype float32 or float64, got dtype {value.dtype}")
    return value


def check_same_shape(name: str, value: np.ndarray, reference_name: str, reference: np.ndarray) -> None:
    if value.shape != reference.shape:
        raise ValueError(
            f"{name} has shape {value.shape}, but {reference_name} has shape {reference.shape}; they must match"
        )


def check_finite_array(name: str, value: np.ndarray) -> None:
    if not np.all(np.isfinite(value)):
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (NaN or inf); all entries must be finite")


def check_choice(name: str, value: Any, allowed: list[str] | tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed: {', '.join(repr(a) for a in allowed)}")
    return value
