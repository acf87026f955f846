"""``import course_lib`` in a fresh interpreter, median of several runs (target < 0.3 s).

Each run starts a new Python, so the figure includes loading numpy but not the
interpreter's own start (measured inside the child with perf_counter). The
child also reports whether matplotlib or ipywidgets were loaded, which the
house rules forbid for ``import course_lib``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np

TARGET_SECONDS = 0.3

_CHILD = """
import json, sys, time
start = time.perf_counter()
import course_lib
seconds = time.perf_counter() - start
heavy = sorted(m for m in ("matplotlib", "ipywidgets", "torch", "scipy") if m in sys.modules)
print(json.dumps({"seconds": seconds, "heavy_modules": heavy}))
"""


def _one_import(python: str) -> dict[str, Any]:
    out = subprocess.run([python, "-c", _CHILD], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False, repeats: int | None = None, python: str = sys.executable) -> dict[str, Any]:
    """Time ``import course_lib`` ``repeats`` times (10, or 5 with quick); return median and rows."""
    repeats = repeats or (5 if quick else 10)
    runs = [_one_import(python) for _ in range(repeats)]
    seconds = [r["seconds"] for r in runs]
    median = float(np.median(seconds))
    heavy = sorted({m for r in runs for m in r["heavy_modules"]})
    rows = [
        {"figure": "import course_lib (fresh interpreter, median)", "value": f"{median:.3f} s",
         "target": f"< {TARGET_SECONDS} s", "met": median < TARGET_SECONDS},
        {"figure": "import course_lib loads no heavy module", "value": ", ".join(heavy) or "none",
         "target": "none of matplotlib, ipywidgets, torch, scipy", "met": not heavy},
    ]
    return {"seconds": seconds, "median_seconds": median, "heavy_modules": heavy, "rows": rows}
