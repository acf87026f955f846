"""Slider moves faster than redraws: keep only the newest values, never a queue.

While a slider is dragged (``continuous_update=True``) the browser sends a value on every
mouse move, faster than the kernel can replay and redraw (10-40 ms each). Redrawing each
one in turn would build a queue and the picture would trail the hand by seconds. Instead
``LatestWins.request`` only records the values (microseconds) and schedules one redraw on
the kernel's event loop; requests that arrive before it runs are merged into it, newest
value per control winning. After a redraw the next one waits ``min_gap`` seconds, so the
messages that arrived meanwhile are read (and merged) first. The last position always
wins: every request either schedules a redraw or lands in the one already scheduled.

Without a running event loop (tests, benchmarks, plain Python) a request redraws at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

MIN_GAP_SECONDS = 0.01  # leaves time to read (and merge) the messages that queued during a redraw


class LatestWins:
    """Coalesce requests into redraws: ``redraw(values)`` gets the newest value of each control."""

    def __init__(self, redraw: Callable[[dict[str, Any]], Any], min_gap: float = MIN_GAP_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 loop: Callable[[], Any] | None = None) -> None:
        self.redraw = redraw
        self.min_gap = min_gap
        self.clock = clock
        self._loop = loop or _running_loop
        self.pending: dict[str, Any] = {}
        self.scheduled = False
        self.last_end = float("-inf")
        self.requests = 0
        self.redraws = 0

    def request(self, **values: Any) -> None:
        """Note new control values; redraw now (no event loop) or once, soon (event loop)."""
        self.requests += 1
        self.pending.update(values)
        if self.scheduled:
            return  # the scheduled redraw will use these values
        loop = self._loop()
        if loop is None:
            self.flush()
            return
        self.scheduled = True
        loop.call_later(max(0.0, self.last_end + self.min_gap - self.clock()), self.flush)

    def flush(self) -> None:
        """Redraw with every pending value (nothing to do if there is none)."""
        self.scheduled = False
        values, self.pending = self.pending, {}
        if not values:
            return
        try:
            self.redraw(values)
            self.redraws += 1
        finally:
            self.last_end = self.clock()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
