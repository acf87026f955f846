"""Explorer responsiveness: kernel time per slider update, split into replay and redraw.

For each landscape, an Adam explorer replaying 200 steps, and the race explorer
(four optimizers, 200 steps each), receive a series of slider moves through
``update(...)``, the function a slider move runs in the kernel. For every move
we time the whole update, then (separately, same control values) the replay
alone (``widgets.replay``: the descents) and the redraw alone (the explorer's
``redraw``: blit the paths and encode the picture). Target: median update < 50 ms.

In the browser (``make bench``; skipped with ``--quick`` or when Chromium or Playwright is
missing): the demo notebook runs in JupyterLab in headless Chromium and the lr slider is
dragged with the mouse, back and forth. Measured per drag: redraws of the picture per
second while the hand moves (target >= 15/s) and the time from release to the last picture
(target: median < 100 ms). These include the browser's time to receive and show each PNG.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

TARGET_MEDIAN_SECONDS = 0.050
TARGET_DRAG_REDRAWS_PER_SECOND = 15.0
TARGET_RELEASE_MS = 100.0
BROWSER_DRAGS = 6
STEPS = 200
LR_FACTORS = (0.5, 0.7, 1.0, 1.4, 2.0, 1.2, 0.8, 0.6)  # slider positions visited, relative to the start value


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def _summary(seconds: list[float]) -> dict[str, float]:
    return {"median": float(np.median(seconds)), "p95": float(np.percentile(seconds, 95)), "n": len(seconds)}


def _measure(explorer: Any, moves: list[dict[str, Any]], replay_once: Callable[[Any], Any]) -> dict:
    """Time ``explorer.update(**move)`` for each move, then replay and redraw alone at the same controls.

    Replays are remembered (``widgets.replay``), so each move is timed twice: at a position the slider
    has not been at (remembered replays forgotten first: the first pass of a drag) and again at the
    same position (the way back of a drag). The replay alone is timed with nothing remembered.
    """
    from course_lib.widgets import forget_replays

    update, revisit, replay, redraw = [], [], [], []
    for move in moves:
        forget_replays()
        seconds, _ = _timed(functools.partial(explorer.update, **move))
        update.append(seconds)
        seconds, _ = _timed(functools.partial(explorer.update, **move))
        revisit.append(seconds)
        forget_replays()
        seconds, results = _timed(functools.partial(replay_once, explorer))
        replay.append(seconds)
        seconds, _ = _timed(functools.partial(explorer.redraw, results))
        redraw.append(seconds)
    return {"update": _summary(update), "revisit": _summary(revisit), "replay": _summary(replay),
            "redraw": _summary(redraw)}


def browser_drags(drags: int = BROWSER_DRAGS) -> dict[str, Any]:
    """Drag the demo explorer's lr slider in JupyterLab (headless Chromium); see the module docstring."""
    import sys
    from pathlib import Path

    browser_tests = Path(__file__).resolve().parents[1] / "tests" / "browser"
    sys.path.insert(0, str(browser_tests))
    try:
        from explorer_page import drag, summary, watch_redraws
        from lab_server import CHROMIUM, notebook_run_in_lab
    finally:
        sys.path.remove(str(browser_tests))
    if not CHROMIUM.exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}")
    with notebook_run_in_lab(browser_tests / "explorer_demo.ipynb", explorers=2, viewport=(1280, 800)) as (page, _):
        output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".course-explorer-figure")).first
        output.scroll_into_view_if_needed()
        watch_redraws(output)
        # End to end of the lr track (about 50 slider steps) in 1.5 s, back and forth.
        measured = [drag(page, output, "lr (learning rate)", to=0.05 if i % 2 else 0.95) for i in range(drags)]
    return {"drags": measured, **summary(measured)}


def _browser_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    rate, release = result["redraws_per_second_median"], result["release_to_final_ms_median"]
    return [
        {"figure": f"slider drag in the browser, redraws per second (median of {result['n_drags']} drags)",
         "value": f"{rate:.1f} /s (slowest drag {result['redraws_per_second_min']:.1f} /s)",
         "target": f">= {TARGET_DRAG_REDRAWS_PER_SECOND:.0f} /s", "met": rate >= TARGET_DRAG_REDRAWS_PER_SECOND},
        {"figure": "slider release to final picture in the browser (median)",
         "value": f"{release:.0f} ms (max {result['release_to_final_ms_max']:.0f} ms)",
         "target": f"< {TARGET_RELEASE_MS:.0f} ms", "met": release < TARGET_RELEASE_MS},
    ]


def run(quick: bool = False, moves_per_explorer: int | None = None, landscapes: tuple[str, ...] | None = None,
        steps: int = STEPS, browser: bool | None = None) -> dict[str, Any]:
    """Measure every landscape's Adam explorer and the race explorer; return timings and rows.

    ``browser`` adds the drag measured in Chromium; by default only in a full run (not quick, default sizes).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    from course_lib import LANDSCAPES
    from course_lib.widgets import explore, race, replay, replay_race

    count = moves_per_explorer or (8 if quick else 24)
    factors = [LR_FACTORS[i % len(LR_FACTORS)] for i in range(count)]
    measured: dict[str, Any] = {}
    for name in landscapes or tuple(LANDSCAPES):
        explorer = explore("adam", name, steps=steps)
        lr = explorer.hyperparams["lr"]
        measured[f"adam on {name}"] = _measure(
            explorer, [{"lr": lr * f} for f in factors],
            lambda e: [replay(e.setting, e.optimizer, e.hyperparams)],
        )
    racer = race(landscape=(landscapes or ("rosenbrock",))[0], steps=steps)
    measured["race (4 optimizers)"] = _measure(
        racer, [{"lr_multiplier": f} for f in factors],
        lambda e: replay_race(e.setting, e.optimizers, e.hyperparams, e.lr_multiplier),
    )
    rows = []
    for label, m in measured.items():
        u, r, d, again = m["update"], m["replay"], m["redraw"], m["revisit"]
        rows.append({
            "figure": f"slider update, {label}, {steps} steps",
            "value": f"median {u['median'] * 1e3:.0f} ms, p95 {u['p95'] * 1e3:.0f} ms "
                     f"(replay {r['median'] * 1e3:.0f} ms + redraw {d['median'] * 1e3:.0f} ms); "
                     f"at a position visited before {again['median'] * 1e3:.0f} ms",
            "target": f"median < {TARGET_MEDIAN_SECONDS * 1e3:.0f} ms",
            "met": u["median"] < TARGET_MEDIAN_SECONDS,
        })
    result: dict[str, Any] = {"steps": steps, "moves_per_explorer": count, "explorers": measured, "rows": rows}
    if browser if browser is not None else not quick and moves_per_explorer is None and landscapes is None:
        try:
            result["browser"] = browser_drags()
            rows += _browser_rows(result["browser"])
        except Exception as exc:  # no Chromium or Playwright here: say so in the table, keep the other rows
            rows.append({"figure": "slider drag in the browser", "value": f"not measured: {type(exc).__name__}: "
                         f"{exc}"[:200], "target": f">= {TARGET_DRAG_REDRAWS_PER_SECOND:.0f} /s", "met": None})
    return result
