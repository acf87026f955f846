"""Explorer responsiveness: kernel time per slider update, split into replay and redraw.

For each landscape, an Adam explorer replaying 200 steps, and the race explorer
(four optimizers, 200 steps each), receive a series of slider moves through
``update(...)``, the function a slider move runs in the kernel. For every move
we time the whole update, then (separately, same control values) the replay
alone (``widgets.replay``: the descents) and the redraw alone (the explorer's
``_show``: blit the paths and encode the PNG). Target: median update < 50 ms.
The browser's own time to show the PNG is not included.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

TARGET_MEDIAN_SECONDS = 0.050
STEPS = 200
LR_FACTORS = (0.5, 0.7, 1.0, 1.4, 2.0, 1.2, 0.8, 0.6)  # slider positions visited, relative to the start value


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def _summary(seconds: list[float]) -> dict[str, float]:
    return {"median": float(np.median(seconds)), "p95": float(np.percentile(seconds, 95)), "n": len(seconds)}


def _measure(explorer: Any, moves: list[dict[str, Any]], replay_once: Callable[[dict[str, Any]], Any]) -> dict:
    """Time ``explorer.update(**move)`` for each move, then replay and redraw alone at the same controls."""
    update, replay, redraw = [], [], []
    for move in moves:
        seconds, _ = _timed(lambda move=move: explorer.update(**move))
        update.append(seconds)
        seconds, results = _timed(lambda: replay_once(explorer))
        replay.append(seconds)
        seconds, _ = _timed(lambda results=results: explorer._show(results))
        redraw.append(seconds)
    return {"update": _summary(update), "replay": _summary(replay), "redraw": _summary(redraw)}


def run(quick: bool = False, moves_per_explorer: int | None = None, landscapes: tuple[str, ...] | None = None,
        steps: int = STEPS) -> dict[str, Any]:
    """Measure every landscape's Adam explorer and the race explorer; return timings and rows."""
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
            lambda e: [replay({**e.controls, "optimizer": e.optimizer, "hyperparams": dict(e.hyperparams)})],
        )
    racer = race(landscape=(landscapes or ("rosenbrock",))[0], steps=steps)
    measured["race (4 optimizers)"] = _measure(
        racer, [{"lr_multiplier": f} for f in factors],
        lambda e: replay_race({**e.controls, "optimizers": e.optimizers, "hyperparams": e.hyperparams}),
    )
    rows = []
    for label, m in measured.items():
        u, r, d = m["update"], m["replay"], m["redraw"]
        rows.append({
            "figure": f"slider update, {label}, {steps} steps",
            "value": f"median {u['median'] * 1e3:.0f} ms, p95 {u['p95'] * 1e3:.0f} ms "
                     f"(replay {r['median'] * 1e3:.0f} ms + redraw {d['median'] * 1e3:.0f} ms)",
            "target": f"median < {TARGET_MEDIAN_SECONDS * 1e3:.0f} ms",
            "met": u["median"] < TARGET_MEDIAN_SECONDS,
        })
    return {"steps": steps, "moves_per_explorer": count, "explorers": measured, "rows": rows}
