"""Regenerate tests/reference/torch_trajectories.npz from torch.optim.

Run from the repository root with torch installed (here: pip install torch==2.13.0):

    .venv/bin/python tests/reference/make_torch_references.py [--practice-only]

The stored trajectories let the parity tests run where torch is not installed. It also writes
tests/reference/torch_practice.npz: chapter 9's optimizer variants (Nesterov, Adam with L2, AdamW),
the lr of each update under torch's schedulers, clip_grad_norm_'s results, and the descent loop
with a schedule and clipping.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from parity_cases import (  # noqa: E402
    CASES,
    CLIP_CASES,
    LOOP_CASE,
    PRACTICE_CASES,
    SCHEDULE_CASES,
    SCHEDULE_LR,
    SCHEDULE_STEPS,
    SEEDS,
    STEPS,
    ParityProblem,
    clip_gradients,
    make_problem,
)

OUT = Path(__file__).with_name("torch_trajectories.npz")
PRACTICE_OUT = Path(__file__).with_name("torch_practice.npz")  # schedules, clipping, the loop with both


def torch_trajectory(torch_class: str, torch_kwargs: dict, seed: int) -> np.ndarray:
    """Run torch.optim in float64 for STEPS steps; return the (STEPS + 1, DIM) iterates."""
    import torch

    grad, w0 = make_problem(seed)
    p = torch.tensor(w0, dtype=torch.float64)
    opt = getattr(torch.optim, torch_class)([p], **torch_kwargs)
    rows = [p.detach().numpy().copy()]
    for _ in range(STEPS):
        p.grad = torch.from_numpy(grad(p.detach().numpy()))
        opt.step()
        rows.append(p.detach().numpy().copy())
    return np.array(rows)


def _scheduler(optimizer, spec):
    import torch

    name, *arguments = spec
    if name == "SequentialLR":
        inner, milestones = arguments
        schedulers = [getattr(torch.optim.lr_scheduler, n)(optimizer, **kw) for n, kw in inner]
        return torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones=milestones)
    return getattr(torch.optim.lr_scheduler, name)(optimizer, **arguments[0])


def torch_schedule_rates(spec, lr: float = SCHEDULE_LR, steps: int = SCHEDULE_STEPS) -> np.ndarray:
    """The lr of each of ``steps`` updates under a torch scheduler (read before each optimizer step)."""
    import torch

    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=lr)
    scheduler = _scheduler(optimizer, spec)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


def torch_clipped(max_norm: float, seed: int) -> tuple[list[np.ndarray], float]:
    """torch.nn.utils.clip_grad_norm_ on clip_gradients(seed): the clipped arrays and the norm it returns."""
    import torch

    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in clip_gradients(seed)]
    for t, g in zip(tensors, clip_gradients(seed)):
        t.grad = torch.from_numpy(g.copy())
    norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return [t.grad.numpy().copy() for t in tensors], float(norm)


def torch_loop(seed: int) -> np.ndarray:
    """SGD with momentum, warm-up then cosine, and clipping by global norm, for LOOP_CASE["total_steps"] steps."""
    import torch

    case, problem = LOOP_CASE, ParityProblem(seed)
    p = torch.tensor(problem.start, dtype=torch.float64)
    optimizer = torch.optim.SGD([p], lr=case["lr"], momentum=case["beta"])
    scheduler = _scheduler(optimizer, (
        "SequentialLR",
        [("LinearLR", {"total_iters": case["warmup_steps"]}),
         ("CosineAnnealingLR", {"T_max": case["total_steps"] - case["warmup_steps"]})],
        [case["warmup_steps"]]))
    rows = [p.detach().numpy().copy()]
    for _ in range(case["total_steps"]):
        p.grad = torch.from_numpy(problem.grad(p.detach().numpy()))
        torch.nn.utils.clip_grad_norm_([p], case["max_norm"])
        optimizer.step()
        scheduler.step()
        rows.append(p.detach().numpy().copy())
    return np.array(rows)


def practice_arrays() -> dict[str, np.ndarray]:
    arrays = {
        f"{name}/{seed}": torch_trajectory(torch_class, torch_kwargs, seed)
        for name, _, _, torch_class, torch_kwargs in PRACTICE_CASES
        for seed in SEEDS
    }
    arrays.update({f"schedule/{name}": torch_schedule_rates(spec) for name, _, spec in SCHEDULE_CASES})
    for name, max_norm, seed in CLIP_CASES:
        clipped, norm = torch_clipped(max_norm, seed)
        arrays.update({f"clip/{name}/{i}": g for i, g in enumerate(clipped)})
        arrays[f"clip/{name}/norm"] = np.array(norm)
    arrays.update({f"loop/{seed}": torch_loop(seed) for seed in SEEDS})
    return arrays


def main() -> None:
    import torch

    if "--practice-only" not in sys.argv[1:]:  # --practice-only: leave torch_trajectories.npz as it is
        write_trajectories()
    practice = practice_arrays()
    np.savez_compressed(PRACTICE_OUT, torch_version=np.array(torch.__version__), **practice)
    print(f"wrote {len(practice)} optimizer, schedule, clipping and loop references with torch {torch.__version__} "
          f"to {PRACTICE_OUT}")


def write_trajectories() -> None:
    import torch

    arrays = {
        f"{name}/{seed}": torch_trajectory(torch_class, torch_kwargs, seed)
        for name, _, _, torch_class, torch_kwargs in CASES
        for seed in SEEDS
    }
    np.savez_compressed(OUT, torch_version=np.array(torch.__version__), **arrays)
    print(f"wrote {len(arrays)} trajectories with torch {torch.__version__} to {OUT}")


if __name__ == "__main__":
    main()
