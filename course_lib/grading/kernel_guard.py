"""Runs inside the grading kernel, in cells the grader adds: an output cap and a fresh namespace.

nbval keeps every output message of a cell in memory; a cell that prints without
end would exhaust the memory of the process that runs nbval before the per-cell
timeout (which waits for a quiet kernel) fires. With the cap, printing past it
raises ``OutputFlood`` in the student's code. A student who routes around it only
hurts their own grade: the run then fails at the memory limit, with a note.
"""

from __future__ import annotations

import sys

from IPython import get_ipython
from IPython.core.interactiveshell import InteractiveShell


class OutputFlood(RuntimeError):
    """A cell printed more than the grader allows."""


class _CappedStream:
    def __init__(self, stream, budget: dict, limit: int) -> None:
        self._stream, self._budget, self._limit = stream, budget, limit

    def write(self, text: str) -> int:
        self._budget["used"] += len(text)
        if self._budget["used"] > self._limit:
            raise OutputFlood(f"output flood: this cell printed more than {self._limit} characters")
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def cap_output(limit: int) -> None:
    """Cap what each cell may print to ``limit`` characters (stdout and stderr together)."""
    budget = {"used": 0}
    sys.stdout = _CappedStream(sys.stdout, budget, limit)
    sys.stderr = _CappedStream(sys.stderr, budget, limit)
    shell = _kernel_shell()
    shell.events.register("pre_run_cell", lambda *args: budget.update(used=0))


def clear_namespace() -> None:
    """Delete what the previous notebook defined (a cheap ``%reset -f``: no history flush, no gc pass)."""
    shell = _kernel_shell()
    hidden = shell.user_ns_hidden
    for name in [name for name in shell.user_ns if not name.startswith("_") and name not in hidden]:
        del shell.user_ns[name]


def _kernel_shell() -> InteractiveShell:
    shell = get_ipython()
    if shell is None:
        raise RuntimeError("kernel_guard runs in the cells the grader adds to a notebook, inside an IPython kernel")
    return shell
