"""Data problems: gradients against finite differences, batches, reproducibility, learning."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import Adam, DigitsMLP, LinearRegression, SparseLogisticRegression, descend, get_problem
from course_lib.params import leaves, pair

PROBLEMS = [
    LinearRegression(n_samples=200, n_features=4, seed=1),
    LinearRegression(n_samples=200, n_features=3, scales=(1.0, 10.0, 0.1), seed=2),
    SparseLogisticRegression(n_samples=300, n_common=3, n_rare=6, seed=3),
    DigitsMLP(hidden=8, n_train=200, seed=4),
]
IDS = ["linear", "linear-scaled", "sparse-logistic", "mlp"]


def random_params(problem, seed):
    params = problem.init_params(seed)
    rng = np.random.default_rng(seed)
    if isinstance(params, dict):
        return {k: v + 0.3 * rng.normal(size=v.shape) for k, v in params.items()}
    return params + rng.normal(size=params.shape)


def perturbed(params, key, index, h):
    if isinstance(params, dict):
        out = {k: v.copy() for k, v in params.items()}
        out[key].flat[index] += h
        return out
    out = params.copy()
    out.flat[index] += h
    return out


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
@pytest.mark.parametrize("batch", [None, np.array([7]), np.array([3, 11, 19, 42, 5])], ids=["full", "one", "mini"])
def test_gradient_matches_finite_differences(problem, batch):
    params = random_params(problem, 0)
    grads = problem.grad(params, batch)
    rng = np.random.default_rng(1)
    h = 1e-6
    for key, w, g in pair(params, grads):
        assert g.shape == w.shape
        for index in rng.choice(w.size, size=min(w.size, 6), replace=False):
            plus = problem.loss(perturbed(params, key, index, h), batch)
            minus = problem.loss(perturbed(params, key, index, -h), batch)
            assert g.flat[index] == pytest.approx((plus - minus) / (2 * h), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_full_gradient_is_the_mean_of_sample_gradients(problem):
    params = random_params(problem, 2)
    full = leaves(problem.grad(params), "g")
    samples = [leaves(problem.grad(params, np.array([i])), "g") for i in range(problem.n_samples)]
    for j, (_, g) in enumerate(full):
        np.testing.assert_allclose(np.mean([s[j][1] for s in samples], axis=0), g, atol=1e-12)


def test_same_seed_same_data_and_different_seed_different_data():
    a, b, c = (SparseLogisticRegression(n_samples=100, seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_rare_features_are_rare():
    problem = SparseLogisticRegression(n_samples=4000, rare_rate=0.02, seed=0)
    activity = problem.X.mean(axis=0)
    assert np.all(activity[~problem.is_rare] > 0.4)
    assert np.all(activity[problem.is_rare] < 0.04)


def test_float32_parameters_get_float32_gradients():
    problem = LinearRegression(n_samples=50, seed=0)
    assert problem.grad(np.zeros(5, dtype=np.float32)).dtype == np.float32
    mlp = DigitsMLP(hidden=4, n_train=50)
    params32 = {k: v.astype(np.float32) for k, v in mlp.init_params().items()}
    assert all(g.dtype == np.float32 for g in mlp.grad(params32, np.arange(10)).values())


def test_the_digits_mlp_learns():
    mlp = DigitsMLP(seed=0)
    assert mlp.X.shape == (1200, 64) and mlp.X_test.shape == (597, 64)
    assert 0.0 <= mlp.X.min() and mlp.X.max() <= 1.0
    run = descend(Adam(lr=0.01), mlp, steps=150, batch_size=32, record_diagnostics=False, record_test_loss=True)
    assert run.final_loss < 0.5 * run.losses[0]
    assert run.test_losses[-1] < 0.6 * run.test_losses[0]
    assert mlp.accuracy(run.final) > 0.85


def test_linear_regression_best_fit_is_the_least_squares_solution():
    problem = LinearRegression(n_samples=300, seed=0)
    g = problem.grad(problem.w_best)
    assert np.abs(g).max() < 1e-10


def test_bad_problem_arguments_are_named():
    with pytest.raises(ValueError, match="unknown problem 'mnist'; allowed: 'linear_regression'"):
        get_problem("mnist")
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1, got 0"):
        LinearRegression(n_samples=0)
    with pytest.raises(ValueError, match="scales has 2 entries, but n_features is 5"):
        LinearRegression(scales=(1.0, 2.0))
    with pytest.raises(ValueError, match=r"rare_rate must be in \(0, 1\], got 0"):
        SparseLogisticRegression(rare_rate=0)
    with pytest.raises(ValueError, match="n_train must be between 1 and 1796, got 5000"):
        DigitsMLP(n_train=5000)


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
@pytest.mark.parametrize("batch", [None, np.array([4, 9])], ids=["full", "mini"])
def test_loss_alone_equals_the_loss_of_loss_and_grad(problem, batch):
    params = random_params(problem, 3)
    assert problem.loss(params, batch) == problem.loss_and_grad(params, batch)[0]
