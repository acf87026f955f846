"""Chapter 9's experiments: seed sweeps, momentum grids, decay grids (course_lib.experiments.practice)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import Adam, AdamW, GradientDescent, LinearRegression, Momentum, get_landscape, schedules
from course_lib.experiments import practice


def test_seed_sweep_has_one_row_per_rate_and_one_column_per_seed():
    problem = LinearRegression(n_samples=50, noise=1.0)
    gaps = practice.seed_sweep(GradientDescent(), problem, [0.01, 0.1, 5.0], [0, 1], steps=100, batch_size=1)
    assert gaps.shape == (3, 2)
    assert np.isinf(gaps[2]).all()  # lr 5 diverges on every seed
    assert gaps[1, 0] != gaps[1, 1]  # the seed changes the order of the examples, so the result
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        practice.seed_sweep(GradientDescent(), problem, [0.1], [], steps=10)


def test_a_seed_sweep_with_a_schedule_differs_from_one_without():
    problem = LinearRegression(n_samples=50, noise=1.0)
    plain = practice.seed_sweep(GradientDescent(), problem, [0.05], [0], steps=200, batch_size=1)
    cosine = practice.seed_sweep(GradientDescent(), problem, [0.05], [0], steps=200, batch_size=1,
                                 schedule=schedules.CosineAnnealing(200))
    assert cosine[0, 0] < plain[0, 0]


def test_best_rate_skips_rates_where_a_seed_diverged():
    gaps = np.array([[0.5, 0.6, 0.7], [0.01, np.inf, 0.02], [0.1, 0.2, 0.3]])
    best = practice.best_rate(gaps, [0.01, 0.1, 1.0])
    assert best == {"lr": 1.0, "index": 2, "median": 0.2, "low": 0.1, "high": 0.3, "working": 2}
    with pytest.raises(ValueError, match="every learning rate diverged"):
        practice.best_rate(np.full((2, 2), np.inf), [0.1, 1.0])
    with pytest.raises(ValueError, match=r"one row per learning rate \(3\), got shape \(2, 3\)"):
        practice.best_rate(gaps[:2], [0.01, 0.1, 1.0])


def test_momentum_grid_and_its_best_setting():
    grid = practice.momentum_grid(get_landscape("ravine"), [0.01, 0.1, 1.0], [0.5, 0.8], steps=300, target_gap=1e-6)
    assert grid["steps"].shape == grid["diverged"].shape == (2, 3)
    assert grid["diverged"][:, 2].all() and not grid["diverged"][:, :2].any()  # lr 1 is past the step limit
    best = practice.best_setting(grid)
    assert best["lr"] == 0.1 and best["beta"] == 0.8 and best["steps"] == grid["steps"][1, 1] > 0
    assert best["settings"] == 6 and best["diverged"] == 2
    nesterov = practice.momentum_grid(get_landscape("ravine"), [0.1], [0.8], steps=300, target_gap=1e-6,
                                      nesterov=True)
    assert nesterov["steps"][0, 0] != grid["steps"][1, 1]  # a different method, a different count


def test_best_setting_when_nothing_reaches_the_target():
    grid = {"steps": np.array([[-1, -1]]), "diverged": np.array([[False, True]]),
            "lrs": np.array([0.1, 1.0]), "betas": np.array([0.9])}
    assert practice.best_setting(grid) == {"reached": 0, "diverged": 1, "settings": 2, "lr": None, "beta": None,
                                           "steps": None}


def test_decay_grid_shrinks_weights_and_l2_spares_the_weights_with_large_gradients():
    problem = LinearRegression(n_samples=40, n_features=5, noise=1.0, scales=(1.0, 10.0, 10.0, 0.1, 0.1))
    groups = {"large": slice(1, 3), "small": slice(3, 5)}
    for optimizer in (Adam(), AdamW()):
        result = practice.decay_grid(optimizer, problem, [0.1], [0.0, 1.0], steps=300, batch_size=8)
        assert result["held_out"].shape == (2, 1) and result["weights"].shape == (2, 1, 5)
        plain, decayed = (practice.group_norms(w, groups) for w in result["weights"][:, 0])
        assert decayed["small"] < plain["small"]
        if optimizer.name == "adam":
            assert decayed["large"] > 0.95 * plain["large"]  # divided by a large root, the pull is weak
        else:
            assert decayed["large"] < 0.8 * plain["large"]  # decoupled: every weight shrinks
    with pytest.raises(ValueError, match="optimizer must have a weight_decay"):
        practice.decay_grid(Momentum(), problem, [0.1], [0.0], steps=10)


def test_group_norms():
    assert practice.group_norms(np.array([3.0, 4.0, 0.0, 2.0]), {"a": slice(0, 2), "b": [3]}) == {"a": 5.0, "b": 2.0}
