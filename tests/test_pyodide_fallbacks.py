"""What the course does in the browser (JupyterLite, Pyodide), simulated here.

Pyodide reports ``sys.platform == "emscripten"`` and cannot start threads or set interval timers.
These tests make the same conditions in CPython: they set ``sys.platform``, make ``threading.Thread``
and ``signal.setitimer`` unusable, and check that the exercise checks still give verdicts, that
timings below the clock's resolution say so, and that the grader and ``release`` refuse to load.
"""

from __future__ import annotations

import importlib
import signal
import sys
import threading
import time

import numpy as np
import pytest

from course_lib.exercises import sandbox as judging
from course_lib.exercises.check import run_check


@pytest.fixture
def pyodide(monkeypatch):
    """sys.platform says emscripten; starting a thread or an interval timer fails as it does there."""

    def no_thread(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    def no_timer(*args, **kwargs):
        raise OSError("setitimer is not available in the browser")

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(threading.Thread, "start", no_thread)
    monkeypatch.setattr(signal, "setitimer", no_timer, raising=False)
    yield


def adagrad_right(w, g, G, lr=1e-2, eps=1e-10):
    G_new = G + g**2
    return w - (lr / (np.sqrt(G_new) + eps)) * g, G_new


def test_the_simulation_breaks_what_the_browser_breaks(pyodide):
    with pytest.raises(RuntimeError, match="can't start new thread"):
        threading.Thread(target=print).start()
    with pytest.raises(OSError):
        signal.setitimer(signal.ITIMER_REAL, 1.0)


def test_a_right_answer_passes_without_threads_or_timers(pyodide):
    verdict = run_check("4.1", adagrad_right)
    assert verdict.passed, verdict.message
    assert verdict.message.startswith("Exercise 4.1 passed")


def test_a_right_answer_passes_outside_the_main_thread_without_threads(pyodide, monkeypatch):
    # Pyodide's only thread is the main one, but the fallback must not depend on that.
    monkeypatch.setattr(threading, "current_thread", lambda: object())
    assert run_check("4.1", adagrad_right).passed


def test_a_wrong_answer_still_names_its_mistake(pyodide):
    def eps_inside(w, g, G, lr=1e-2, eps=1e-10):
        G = G + g**2
        return w - lr * g / np.sqrt(G + eps), G

    verdict = run_check("4.1", eps_inside)
    assert not verdict.passed and "Known mistake: eps on the wrong side of the square root" in verdict.message


def test_a_slow_answer_fails_once_it_returns(pyodide, monkeypatch):
    monkeypatch.setattr(judging, "CALL_TIME_LIMIT", 0.05)

    def slow(w, g, G, lr=1e-2, eps=1e-10):
        time.sleep(0.1)
        return adagrad_right(w, g, G, lr, eps)

    verdict = run_check("4.1", slow)
    assert "did not return within 0.05 s on case 1 (float64), step 1" in verdict.message


def test_the_batching_exercise_runs_without_threads(pyodide):
    def minibatch_indices(n, batch_size, rng):
        order = rng.permutation(n)
        return [order[k : k + batch_size] for k in range(0, n - batch_size + 1, batch_size)]

    verdict = run_check("3.2", minibatch_indices)
    assert verdict.passed, verdict.message


REFUSED = ("course_lib.grading", "course_lib.grading.kernel_guard", "course_lib.exercises.release")


@pytest.mark.parametrize("module", REFUSED)
def test_the_grader_and_release_refuse_to_load_in_the_browser(pyodide, monkeypatch, module):
    for name in [m for m in sys.modules if m == module or m.startswith(("course_lib.grading", REFUSED[2]))]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError, match="not available in the browser") as caught:
        importlib.import_module(module)
    assert "python -m course_lib" in str(caught.value)  # says where to run it instead


def test_the_grader_loads_outside_the_browser():
    importlib.import_module("course_lib.grading.kernel_guard")
    importlib.import_module("course_lib.exercises.release")
