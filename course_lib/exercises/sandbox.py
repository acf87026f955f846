"""Running a student's function with limits, and passing its results between processes as JSON.

The checker calls student code directly in the notebook's kernel (the grader's
judge does the same in a limited child process), so that code must not be able
to hang the check or clutter the check cell:

- ``call_with_time_limit`` stops a call that runs too long (``TimeLimit``);
- ``silenced`` drops what the function prints.

Results cross a process boundary in the grader, so they are plain JSON, never
pickle: ``encode_array`` turns an array into nested lists (NaN and infinities
as strings, which strict JSON accepts), and ``decode_array`` reads such data
back, refusing anything that is not an array of the expected shape.

These are limits for honest mistakes (an endless loop, a debugging print), not a
security boundary: the grader's OS-level limits are in ``course_lib.grading.run``.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

CALL_TIME_LIMIT = 2.0  # seconds for one call of the student's function
TOTAL_TIME_LIMIT = 20.0  # seconds for all the cases of one exercise


class StudentError(Exception):
    """Something the student's code did wrong; its message is shown to the student."""


class TimeLimit(BaseException):
    """Raised inside a student call that takes too long (BaseException: harder to swallow).

    ``total`` is True when what ran out is the budget for all the cases, not the limit of one call.
    """

    def __init__(self, total: bool = False):
        super().__init__()
        self.total = total


def call_with_time_limit(function: Callable, args: tuple, kwargs: dict, seconds: float) -> Any:
    """Call ``function``; raise TimeLimit if it runs longer than ``seconds``.

    In the main thread (a notebook kernel, the grader's child process) a
    SIGALRM interrupts the call. Elsewhere the call runs in a daemon thread that
    is abandoned when it overruns.
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def on_alarm(signum, frame):
            raise TimeLimit()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box: dict[str, Any] = {}

    def target():
        try:
            box["value"] = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeLimit()
    if "error" in box:
        raise box["error"]
    return box["value"]


def call_before_deadline(function: Callable, args: tuple, kwargs: dict, deadline: float) -> Any:
    """Call ``function`` within CALL_TIME_LIMIT seconds, and before ``deadline`` (a time.monotonic() value).

    Raises TimeLimit, with ``total=True`` when the time left before the deadline was the shorter limit.
    """
    limit = min(CALL_TIME_LIMIT, deadline - time.monotonic())
    try:
        if limit <= 0:
            raise TimeLimit()
        return call_with_time_limit(function, args, kwargs, limit)
    except TimeLimit:
        raise TimeLimit(total=limit < CALL_TIME_LIMIT) from None


class _Discard:
    """A stream that drops what is written to it."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Drop what the student's function prints, so a check cell shows only the verdict."""
    with contextlib.redirect_stdout(_Discard()), contextlib.redirect_stderr(_Discard()):
        yield


# ---- the JSON codec ------------------------------------------------------------------


def encode_array(array: np.ndarray) -> Any:
    """An array as nested lists of floats (a float for a 0-d array); NaN and infinities as strings."""

    def number(x: float) -> Any:
        return x if math.isfinite(x) else str(x)

    flat = [number(float(x)) for x in np.ravel(array)]
    return np.array(flat, dtype=object).reshape(array.shape).tolist() if array.ndim else flat[0]


def decode_array(data: Any, shape: tuple[int, ...]) -> np.ndarray:
    """JSON data back to a float64 array of the given shape; ValueError if it is not one."""
    if isinstance(data, (str, int, float)) and shape == ():
        data = [data]
        shape_out: tuple[int, ...] = ()
    else:
        shape_out = shape
    array = np.array(data, dtype=object)
    if array.shape != (shape if shape else (1,)):
        raise ValueError(f"expected shape {shape}, got {array.shape}")
    values = np.empty(array.size)
    for k, x in enumerate(array.ravel()):
        if isinstance(x, bool) or not isinstance(x, (int, float, str)):
            raise ValueError(f"entry of type {type(x).__name__}")
        if isinstance(x, str) and x not in ("nan", "inf", "-inf"):
            raise ValueError(f"entry {x!r}")
        values[k] = float(x)
    return values.reshape(shape_out)
