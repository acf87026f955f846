"""Regenerate tests/reference/torch_trajectories.npz from torch.optim.

Run from the repository root with torch installed (here: pip install torch==2.13.0):

    .venv/bin/python tests/reference/make_torch_references.py

The stored trajectories let the parity tests run where torch is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from parity_cases import CASES, SEEDS, STEPS, make_problem  # noqa: E402

OUT = Path(__file__).with_name("torch_trajectories.npz")


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


def main() -> None:
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
