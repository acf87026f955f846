"""course_lib reproduces torch.optim to float64 round-off over 500 steps.

Against live torch when it is importable, and always against the trajectories
stored by tests/reference/make_torch_references.py. The same for chapter 9's
pieces: the optimizer variants, the learning-rate schedules (bit for bit),
clipping by global norm, and the descent loop with a schedule and clipping.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from parity_cases import (
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

from course_lib import Momentum, descend, make_optimizer, schedules
from course_lib.clipping import clip_by_global_norm

REFERENCE = Path(__file__).parent / "reference" / "torch_trajectories.npz"
PRACTICE_REFERENCE = Path(__file__).parent / "reference" / "torch_practice.npz"
ALL_CASES = CASES + PRACTICE_CASES
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
@pytest.mark.parametrize("case", ALL_CASES, ids=[c[0] for c in ALL_CASES])
def test_matches_stored_torch_trajectory(case, seed):
    name, optimizer_name, hyperparams, _, _ = case
    with np.load(REFERENCE if case in CASES else PRACTICE_REFERENCE) as stored:
        theirs = stored[f"{name}/{seed}"]
    assert_same_trajectory(course_lib_trajectory(optimizer_name, hyperparams, seed), theirs)


needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (pip install torch==2.13.0)")


@needs_torch
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", ALL_CASES, ids=[c[0] for c in ALL_CASES])
def test_matches_live_torch(case, seed):
    from reference.make_torch_references import torch_trajectory

    name, optimizer_name, hyperparams, torch_class, torch_kwargs = case
    theirs = torch_trajectory(torch_class, torch_kwargs, seed)
    assert_same_trajectory(course_lib_trajectory(optimizer_name, hyperparams, seed), theirs)


def test_stored_references_cover_every_optimizer():
    covered = {optimizer_name for _, optimizer_name, _, _, _ in ALL_CASES}
    assert covered == {"gd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamw"}
    # ... and every switch and decay of chapter 9.
    assert any(h.get("nesterov") for _, _, h, _, _ in PRACTICE_CASES)
    assert any(h.get("weight_decay") and name == "adam" for _, name, h, _, _ in PRACTICE_CASES)


# ---- learning-rate schedules: the lr of every update, bit for bit --------------------------------


def course_lib_rates(schedule_spec) -> np.ndarray:
    class_name, arguments = schedule_spec
    return getattr(schedules, class_name)(**arguments).rates(SCHEDULE_LR, SCHEDULE_STEPS)


def assert_same_rates(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.shape == theirs.shape == (SCHEDULE_STEPS,)
    assert theirs.max() > 2 * theirs.min()  # the schedule changes the rate, or agreement would mean nothing
    np.testing.assert_array_equal(ours, theirs)  # to the last bit: both compute each rate from the previous one


@pytest.mark.parametrize("case", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_schedule_matches_stored_torch_rates(case):
    name, ours, _ = case
    with np.load(PRACTICE_REFERENCE) as stored:
        theirs = stored[f"schedule/{name}"]
    assert_same_rates(course_lib_rates(ours), theirs)


@needs_torch
@pytest.mark.parametrize("case", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_schedule_matches_live_torch(case):
    from reference.make_torch_references import torch_schedule_rates

    name, ours, spec = case
    assert_same_rates(course_lib_rates(ours), torch_schedule_rates(spec))


def test_stored_schedules_cover_every_schedule():
    covered = {class_name for _, (class_name, _), _ in SCHEDULE_CASES}
    assert covered == {"StepDecay", "CosineAnnealing", "LinearWarmup", "WarmupCosine"}


# ---- clipping by global norm ------------------------------------------------------------------------


def assert_same_clipping(max_norm: float, seed: int, theirs: list[np.ndarray], their_norm: float) -> None:
    grads = clip_gradients(seed)
    clipped, norm = clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(their_norm, rel=1e-14)
    for ours, expected in zip(clipped, theirs):
        np.testing.assert_allclose(ours, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("case", CLIP_CASES, ids=[c[0] for c in CLIP_CASES])
def test_clipping_matches_stored_torch(case):
    name, max_norm, seed = case
    with np.load(PRACTICE_REFERENCE) as stored:
        theirs = [stored[f"clip/{name}/{i}"] for i in range(len(clip_gradients(seed)))]
        their_norm = float(stored[f"clip/{name}/norm"])
    assert_same_clipping(max_norm, seed, theirs, their_norm)


@needs_torch
@pytest.mark.parametrize("case", CLIP_CASES, ids=[c[0] for c in CLIP_CASES])
def test_clipping_matches_live_torch(case):
    from reference.make_torch_references import torch_clipped

    name, max_norm, seed = case
    assert_same_clipping(max_norm, seed, *torch_clipped(max_norm, seed))


def test_clip_cases_clip_and_do_not_clip():
    norms = [float(np.sqrt(sum(np.sum(g * g) for g in clip_gradients(seed)))) for _, _, seed in CLIP_CASES]
    assert [max_norm < norm for (_, max_norm, _), norm in zip(CLIP_CASES, norms)] == [True, True, False]


# ---- the descent loop with a schedule and clipping ----------------------------------------------------


def course_lib_loop(seed: int) -> np.ndarray:
    case = LOOP_CASE
    schedule = schedules.WarmupCosine(case["warmup_steps"], case["total_steps"])
    run = descend(Momentum(lr=case["lr"], beta=case["beta"]), ParityProblem(seed), steps=case["total_steps"],
                  schedule=schedule, clip_norm=case["max_norm"], record_diagnostics=False)
    return run.params


def assert_same_loop(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.shape == theirs.shape == (LOOP_CASE["total_steps"] + 1, ours.shape[1])
    assert np.abs(theirs[-1] - theirs[0]).max() > 1e-2
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_descent_loop_with_schedule_and_clipping_matches_stored_torch(seed):
    with np.load(PRACTICE_REFERENCE) as stored:
        theirs = stored[f"loop/{seed}"]
    assert_same_loop(course_lib_loop(seed), theirs)


@needs_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_descent_loop_with_schedule_and_clipping_matches_live_torch(seed):
    from reference.make_torch_references import torch_loop

    assert_same_loop(course_lib_loop(seed), torch_loop(seed))


def test_the_loop_case_clips():
    # The clipping must act in the compared run, or the loop comparison would not test it.
    problem = ParityProblem(0)
    assert np.linalg.norm(problem.grad(problem.start)) > LOOP_CASE["max_norm"]
