"""One optimizer step on 1e6 and 1e7 parameters: course_lib vs torch.optim vs the memory bound.

For each rule, dtype and size, in interleaved rounds (so that a noisy machine
slows every implementation alike), one step of each implementation is timed:

- ``readable``: ``Optimizer.step`` (whole-array rule, returns new arrays);
- ``fast``: ``course_lib.fast.step_inplace`` (the same rule, block by block, in place);
- ``torch``: torch.optim's default CPU step (the for-loop implementation),
  ``torch_foreach`` (foreach=True) and ``torch_fused`` (fused=True, SGD, Adagrad and Adam only);
- ``add``: numpy's in-place ``a += b`` (read a, b, write a: 3 transfers), which gives the bandwidth.

The bound of a rule is (element transfers it must make) x N x itemsize / bandwidth.
Medians of the rounds are reported. numpy ufuncs run on one thread whatever the
OPENBLAS_NUM_THREADS / OMP settings (those only affect BLAS calls, none here);
torch uses ``torch.get_num_threads()`` threads.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from course_lib import make_optimizer
from course_lib.fast import step_inplace

RULES = ("gd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")

# Elements each rule must read + write per parameter (w, g and its state read; w and its state written).
TRANSFERS = {"gd": 3, "momentum": 5, "adagrad": 5, "rmsprop": 5, "adadelta": 7, "adam": 7}

# course_lib hyperparameters, and the torch.optim constructor that computes the same step.
HYPERPARAMS = {
    "gd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "beta": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "gamma": 0.99, "eps": 1e-8},
    "adadelta": {"lr": 1.0, "gamma": 0.9, "eps": 1e-6},
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
TORCH_HAS_FUSED = {"gd", "momentum", "adagrad", "adam"}


def _torch_optimizer(rule: str, params: list, variant: str) -> Any:
    import torch

    h = HYPERPARAMS[rule]
    flags = {"torch": {}, "torch_foreach": {"foreach": True}, "torch_fused": {"fused": True}}[variant]
    if rule == "gd":
        return torch.optim.SGD(params, lr=h["lr"], **flags)
    if rule == "momentum":
        return torch.optim.SGD(params, lr=h["lr"], momentum=h["beta"], **flags)
    if rule == "adagrad":
        return torch.optim.Adagrad(params, lr=h["lr"], eps=h["eps"], **flags)
    if rule == "rmsprop":
        return torch.optim.RMSprop(params, lr=h["lr"], alpha=h["gamma"], eps=h["eps"], **flags)
    if rule == "adadelta":
        return torch.optim.Adadelta(params, lr=h["lr"], rho=h["gamma"], eps=h["eps"], **flags)
    return torch.optim.Adam(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], **flags)


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _implementations(
    rule: str, size: int, dtype: type[np.floating], with_torch: bool
) -> dict[str, Callable[[], object]]:
    """One zero-argument callable per implementation; each performs one step on its own arrays."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(size).astype(dtype)
    g = (0.1 * rng.standard_normal(size)).astype(dtype)
    steps: dict[str, Callable[[], object]] = {}

    readable_opt = make_optimizer(rule, **HYPERPARAMS[rule])
    readable = {"w": w0.copy()}

    def readable_step() -> None:
        readable["w"] = readable_opt.step(readable["w"], g)

    steps["readable"] = readable_step

    fast_opt, fast_w = make_optimizer(rule, **HYPERPARAMS[rule]), w0.copy()
    steps["fast"] = lambda: step_inplace(fast_opt, fast_w, g)

    a, b = np.ones(size, dtype), np.full(size, 1e-9, dtype)

    def add_step() -> None:
        nonlocal a
        a += b

    steps["add"] = add_step

    if with_torch:
        import torch

        variants = ["torch", "torch_foreach"] + (["torch_fused"] if rule in TORCH_HAS_FUSED else [])
        for variant in variants:
            p = torch.nn.Parameter(torch.from_numpy(w0.copy()))
            p.grad = torch.from_numpy(g.copy())
            steps[variant] = _torch_optimizer(rule, [p], variant).step
    return steps


def _time_interleaved(steps: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds per call of each callable, calling them in turn, round after round."""
    for step in steps.values():  # warm up: state allocation, first-touch page faults, lazy imports
        step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def _writeback_share(size: int, dtype: type[np.floating], rounds: int) -> dict[str, float]:
    """Adam, fast path: time with and without writing the block results back (the copies' share)."""
    from course_lib.fast import DEFAULT_BLOCK_SIZE

    rng = np.random.default_rng(0)
    w, g = rng.standard_normal(size).astype(dtype), rng.standard_normal(size).astype(dtype)
    opt = make_optimizer("adam")
    step_inplace(opt, w, g)
    (state,) = opt.state_for(w).values()

    def rule_only() -> None:
        for start in range(0, size, DEFAULT_BLOCK_SIZE):
            block = slice(start, start + DEFAULT_BLOCK_SIZE)
            opt.update(w[block], g[block], {name: state[name][block] for name in opt.state_names}, opt.t + 1)

    medians = _time_interleaved({"with_writeback": lambda: step_inplace(opt, w, g), "rule_only": rule_only}, rounds)
    return {**medians, "writeback_share": 1 - medians["rule_only"] / medians["with_writeback"]}


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, rounds: int | None = None) -> dict[str, Any]:
    """Measure every rule; return the raw medians, derived ratios and the table rows."""
    sizes = sizes or ((1_000_000,) if quick else (1_000_000, 10_000_000))
    rounds = rounds or (3 if quick else 11)
    with_torch = _torch_available()
    load_before = os.getloadavg()
    if with_torch:
        import torch

        torch.manual_seed(0)
    results: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for size in sizes:
        for dtype in (np.float32, np.float64):
            for rule in RULES:
                medians = _time_interleaved(_implementations(rule, size, dtype, with_torch), rounds)
                gc.collect()
                itemsize = np.dtype(dtype).itemsize
                bandwidth = 3 * size * itemsize / medians["add"]
                bound = TRANSFERS[rule] * size * itemsize / bandwidth
                entry: dict[str, Any] = {
                    "rule": rule, "size": size, "dtype": np.dtype(dtype).name, "seconds": medians,
                    "bandwidth_GBps": bandwidth / 1e9, "bound_seconds": bound,
                    "fast_over_bound": medians["fast"] / bound,
                }
                torch_names = [k for k in medians if k.startswith("torch")]
                if torch_names:
                    fastest = min(torch_names, key=lambda name: medians[name])
                    entry["speedup_vs_torch_default"] = medians["torch"] / medians["fast"]
                    entry["fastest_torch"] = fastest
                    entry["speedup_vs_fastest_torch"] = medians[fastest] / medians["fast"]
                results.append(entry)
                entry["speedup_vs_readable"] = medians["readable"] / medians["fast"]
                label = f"{rule} {size:.0e} {entry['dtype']}"
                if rule == "adam":  # measured with or without torch
                    rows.append({
                        "figure": f"step {label}: fast vs readable opt.step",
                        "value": f"{medians['fast'] * 1e3:.2f} ms vs {medians['readable'] * 1e3:.2f} ms "
                                 f"({entry['speedup_vs_readable']:.2f}x)",
                        "target": "faster (>1x)",
                        "met": entry["speedup_vs_readable"] > 1,
                    })
                if torch_names:
                    rows.append({
                        "figure": f"step {label}: fast vs torch default",
                        "value": f"{medians['fast'] * 1e3:.2f} ms vs {medians['torch'] * 1e3:.2f} ms "
                                 f"({entry['speedup_vs_torch_default']:.2f}x)",
                        "target": "faster (>1x)",
                        "met": entry["speedup_vs_torch_default"] > 1,
                    })
                if rule == "adam" and dtype is np.float32 and size >= 10_000_000:
                    rows.append({
                        "figure": f"step {label}: fast / bandwidth bound",
                        "value": f"{entry['fast_over_bound']:.2f}x (bound {bound * 1e3:.2f} ms "
                                 f"at {bandwidth / 1e9:.0f} GB/s)",
                        "target": "<= 2x",
                        "met": entry["fast_over_bound"] <= 2,
                    })
    writeback = _writeback_share(max(sizes), np.float32, rounds)
    # Other processes on the cores slow torch's 2-thread kernels far more than numpy's single thread.
    return {"with_torch": with_torch, "rounds": rounds, "load_average": [load_before, os.getloadavg()],
            "results": results, "adam_writeback": writeback, "rows": rows, "details": _detail_table(results)}


def _detail_table(results: list[dict[str, Any]]) -> str:
    """A markdown table of every implementation's time, the ratios and the bound."""
    header = ("| rule | N | dtype | readable | fast | torch default | torch foreach | torch fused | "
              "fast vs torch default | fast vs fastest torch | fast / bound |")
    lines = [header, "|" + "---|" * 11]

    def ms(entry: dict[str, Any], key: str) -> str:
        value = entry["seconds"].get(key)
        return "-" if value is None else f"{value * 1e3:.2f} ms"

    for e in results:
        vs_default = f"{e['speedup_vs_torch_default']:.2f}x" if "speedup_vs_torch_default" in e else "-"
        vs_fastest = (f"{e['speedup_vs_fastest_torch']:.2f}x ({e['fastest_torch']})"
                      if "speedup_vs_fastest_torch" in e else "-")
        lines.append(
            f"| {e['rule']} | {e['size']:.0e} | {e['dtype']} | {ms(e, 'readable')} | {ms(e, 'fast')} | "
            f"{ms(e, 'torch')} | {ms(e, 'torch_foreach')} | {ms(e, 'torch_fused')} | {vs_default} | "
            f"{vs_fastest} | {e['fast_over_bound']:.2f}x |"
        )
    return "\n".join(lines)
