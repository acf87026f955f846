"""Run the benchmarks, print one table (figure, value, target, met) and write the results as JSON.

    python -m benchmarks.run                     # everything (under 10 minutes on 2 cores)
    python -m benchmarks.run --quick             # smaller sizes, fewer repeats (under 2 minutes)
    python -m benchmarks.run --only step_throughput --out /tmp/bench

Timings on a shared machine are noisy: each benchmark interleaves what it
compares, and the table records the load average at the start.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import machine

BENCHMARKS = ("import_time", "step_throughput", "explorer", "grading", "notebooks")
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (< 2 minutes)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, metavar="NAME",
                        help=f"run only this benchmark (repeatable); one of {', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder for the JSON (default {DEFAULT_OUT})")
    return parser.parse_args(argv)


def _met_text(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "n/a"}[met]


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a markdown table: figure | measured | target | met."""
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {r['figure']} | {r['value']} | {r['target']} | {_met_text(r['met'])} |" for r in rows]
    return "\n".join(lines)


def run_benchmarks(names: tuple[str, ...], quick: bool) -> dict[str, Any]:
    """Run each named benchmark; a benchmark that fails becomes a row saying so, the others still run."""
    results: dict[str, Any] = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            result = module.run(quick=quick)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            result = {"error": traceback.format_exc(),
                      "rows": [{"figure": name, "value": f"failed: {type(exc).__name__}: {exc}"[:200],
                                "target": "-", "met": False}]}
        result["benchmark_seconds"] = time.perf_counter() - start
        print(f"  {name}: {result['benchmark_seconds']:.1f} s", file=sys.stderr, flush=True)
        results[name] = result
    return results


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    names = tuple(args.only) if args.only else BENCHMARKS
    info = machine.describe()
    started = datetime.now(timezone.utc)
    command = "python -m benchmarks.run" + (" --quick" if args.quick else "") + "".join(
        f" --only {n}" for n in (args.only or []))
    results = run_benchmarks(names, args.quick)
    rows = [row for name in names for row in results[name]["rows"]]

    print(f"\nBenchmarks, {started:%Y-%m-%d %H:%M} UTC, `{command}`")
    print(f"Machine: {machine.one_line(info)}\n")
    print(markdown_table(rows))
    if "step_throughput" in results and "details" in results["step_throughput"]:
        print("\nStep throughput, all implementations (medians):\n")
        print(results["step_throughput"]["details"])

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{started:%Y%m%d-%H%M%S}{'-quick' if args.quick else ''}.json"
    payload = {"date": started.isoformat(), "command": command, "machine": info, "quick": args.quick,
               "rows": rows, "results": results}
    path.write_text(json.dumps(payload, indent=1, default=str))
    print(f"\nResults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
