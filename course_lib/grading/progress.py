"""A progress bar with an ETA for grading a class, on stderr.

On a terminal it redraws one line in place::

    [##########..........]  150/300  50%  3m 20s elapsed, ETA 3m 20s

Elsewhere (a log file, CI, a pipe) it prints a plain line every ``every``
submissions and at the end, so a log stays short. The ETA is the mean time per
submission so far times the submissions left (with ``--jobs N`` the mean
already counts the parallelism). The clock is injected, so tests need no timing.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 20
CLEAR_TO_END = "\x1b[K"  # a shorter line (a shorter ETA) must not leave the end of the previous one


def format_duration(seconds: float) -> str:
    """``45s``, ``3m 20s``, ``1h 02m``: short, and never negative."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def eta_seconds(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the mean rate so far; None before the first submission is done."""
    if done <= 0:
        return None
    return elapsed / done * max(0, total - done)


def progress_line(done: int, total: int, elapsed: float, bar: bool = True) -> str:
    """One line of progress: the bar (optional), count, percentage, elapsed time and ETA."""
    fraction = done / total if total else 1.0
    parts = []
    if bar:
        filled = int(round(BAR_WIDTH * fraction))
        parts.append("[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]")
    width = len(str(total))
    parts.append(f"{done:>{width}}/{total}")
    parts.append(f"{100 * fraction:3.0f}%")
    eta = eta_seconds(done, total, elapsed)
    timing = f"{format_duration(elapsed)} elapsed"
    if done >= total:
        timing += ", done"
    elif eta is not None:
        timing += f", ETA {format_duration(eta)}"
    parts.append(timing)
    return "  ".join(parts)


class Progress:
    """Counts graded submissions and shows progress; ``update`` is safe to call from worker threads.

    Parameters
    ----------
    total : how many submissions will be graded.
    stream : where to write (default ``sys.stderr``).
    clock : seconds, monotonic (default ``time.monotonic``); tests pass a fake one.
    tty : draw a bar in place (default: whether ``stream`` is a terminal).
    every : without a terminal, print a line every this many submissions (and at the end).
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        tty: bool | None = None,
        every: int = 10,
    ) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ValueError(f"total must be an integer >= 0, got {total!r}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        self.total, self.every, self.clock = total, every, clock
        self.stream = sys.stderr if stream is None else stream
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.tty = tty
        self.done = 0
        self.start = clock()
        self._lock = threading.Lock()
        if self.tty and total:
            self._write("\r" + progress_line(0, total, 0.0) + CLEAR_TO_END)

    def update(self, *_ignored) -> None:
        """One more submission graded (the SubmissionResult argument, if any, is not needed)."""
        with self._lock:
            self.done += 1
            elapsed = self.clock() - self.start
            if self.tty:
                end = "\n" if self.done >= self.total else ""
                self._write("\r" + progress_line(self.done, self.total, elapsed) + CLEAR_TO_END + end)
            elif self.done % self.every == 0 or self.done >= self.total:
                self._write("graded " + progress_line(self.done, self.total, elapsed, bar=False) + "\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not stop the grading
            pass
