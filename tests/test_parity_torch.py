"""course_lib reproduces torch.optim to float64 round-off over 500 steps.

Against live torch when it is importable, and always against the trajectories
stored by tests/reference/make_torch_references.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from parity_cases import CASES, SEEDS, STEPS, make_problem

from course_lib import make_optimizer

REFERENCE = Path(__file__).parent / "reference" / "torch_trajectories.npz"
RTOL, ATOL = 1e-12, 1e-14
HAS_TORCH = importlib.util.find_spec("torch") is not None


def course_lib_trajectory(optimizer_name: str, hyperparams: dict, seed: int) -> np.ndarray:
    grad, w = make_problem(seed)
    opt = make_optimizer(optimizer_name, **hyperparams)
    rows = [w]
    for _ in range(STEPS):
        w = opt.step(w, grad(w))
        rows.append(w)
    return np.array(rows)


def assert_same_trajectory(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.shape == theirs.shape == (STEPS + 1, ours.shape[1])
    # The runs must actually move, or agreement would mean nothing.
    assert np.abs(theirs[-1] - theirs[0]).max() > 1e-2
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_stored_torch_trajectory(case, seed):
    name, optimizer_name, hyperparams, _, _ = case
    with np.load(REFERENCE) as stored:
        theirs = stored[f"{name}/{seed}"]
    assert_same_trajectory(course_lib_trajectory(optimizer_name, hyperparams, seed), theirs)


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_live_torch(case, seed):
    from reference.make_torch_references import torch_trajectory

    name, optimizer_name, hyperparams, torch_class, torch_kwargs = case
    theirs = torch_trajectory(torch_class, torch_kwargs, seed)
    assert_same_trajectory(course_lib_trajectory(optimizer_name, hyperparams, seed), theirs)


def test_stored_references_cover_every_optimizer():
    covered = {optimizer_name for _, optimizer_name, _, _, _ in CASES}
    assert covered == {"gd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"}
