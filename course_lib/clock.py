"""Print measured times honestly, down to the clock's resolution.

A browser's clock ticks in steps of 0.1 ms (Pyodide's ``time.perf_counter`` reads it), so a step that takes
20 us measures as 0 or 100 us there. ``duration(seconds)`` says "below the clock's resolution" instead of
printing "0 us".
"""

from __future__ import annotations

import time
from functools import lru_cache

UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}


@lru_cache(maxsize=1)
def resolution(samples: int = 20) -> float:
    """The smallest step of ``time.perf_counter`` in ``samples`` tries (about 1e-7 s on Linux, 1e-4 in a browser)."""
    smallest = float("inf")
    for _ in range(samples):
        start = time.perf_counter()
        while (now := time.perf_counter()) == start:
            pass
        smallest = min(smallest, now - start)
    return smallest


def duration(seconds: float, unit: str = "us", width: int = 0, clock: float | None = None) -> str:
    """``seconds`` in ``unit`` ("s", "ms" or "us"), right-aligned in ``width`` characters.

    A time shorter than the clock's resolution (``clock``, measured when None) reads
    "below the clock's resolution (0.1 ms)" rather than a number the clock could not see.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
    clock = resolution() if clock is None else clock
    if seconds < clock:
        return f"below the clock's resolution ({_readable(clock)})".rjust(width)
    value = seconds / UNITS[unit]
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{digits}f} {unit}".rjust(width)


def _readable(seconds: float) -> str:
    for unit in ("s", "ms", "us"):
        if seconds >= UNITS[unit]:
            return f"{seconds / UNITS[unit]:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"
