"""The descent loop: records, batches, divergence, replay and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_lib import (
    AdaGrad,
    Adam,
    GradientDescent,
    LinearRegression,
    RMSprop,
    StochasticLandscape,
    descend,
    get_landscape,
)
from course_lib.descent import batch_indices


def test_trajectory_records_every_step():
    bowl = get_landscape("bowl")
    run = descend(AdaGrad(lr=0.5), bowl, steps=30)
    assert run.steps == 30 and not run.diverged
    assert run.params.shape == (31, 2) and run.losses.shape == (31,) and run.times.shape == (31,)
    np.testing.assert_array_equal(run.params[0], bowl.start)
    assert run.losses[0] == bowl.loss(bowl.start)
    assert run.losses[-1] == pytest.approx(bowl.loss(run.params[-1]))
    assert np.all(np.diff(run.times) >= 0)
    assert run.diagnostics["G"].shape == (30, 2) and run.diagnostics["effective_lr"].shape == (30, 2)
    assert run.label == "AdaGrad" and run.optimizer == "adagrad" and run.hyperparams["lr"] == 0.5


def test_each_step_is_the_optimizer_step():
    ravine = get_landscape("ravine")
    run = descend(GradientDescent(lr=0.05), ravine, steps=5)
    for k in range(5):
        w = run.params[k]
        np.testing.assert_allclose(run.params[k + 1], w - 0.05 * ravine.grad(w), rtol=1e-15)


def test_divergence_is_recorded_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = descend(GradientDescent(lr=3.0), get_landscape("bowl"), steps=500)
    assert run.diverged and run.diverged_at is not None and run.diverged_at < 500
    assert run.steps == run.diverged_at - 1  # drawn up to where it diverged
    assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.params))
    assert "diverged at step" in repr(run)


def test_non_finite_gradients_stop_the_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = descend(GradientDescent(lr=0.01), get_landscape("rosenbrock"), start=np.array([1e80, 1e80]), steps=10)
    assert run.diverged_at == 1 and run.steps == 0


def test_replaying_gives_the_same_run():
    problem = LinearRegression(n_samples=100, seed=0)
    opt = Adam(lr=0.05)
    first = descend(opt, problem, steps=40, batch_size=8, seed=3)
    second = descend(opt, problem, steps=40, batch_size=8, seed=3)
    other_seed = descend(opt, problem, steps=40, batch_size=8, seed=4)
    np.testing.assert_array_equal(first.params, second.params)
    assert not np.array_equal(first.params, other_seed.params)


def test_batches_visit_every_example_once_per_epoch():
    batches = batch_indices(10, 3, np.random.default_rng(0))
    epoch = np.concatenate([next(batches) for _ in range(3)])  # 3 batches of 3; one example left over
    assert len(set(epoch.tolist())) == 9
    assert all(len(next(batches)) == 3 for _ in range(10))


def test_full_batch_and_sgd_on_a_stochastic_landscape():
    valley = get_landscape("foggy_valley")
    noisy = StochasticLandscape(valley, n_samples=100, noise=1.0, seed=0)
    full = descend(GradientDescent(lr=0.1), noisy, steps=20)
    plain = descend(GradientDescent(lr=0.1), valley, steps=20)
    np.testing.assert_allclose(full.params, plain.params, atol=1e-12)
    sgd = descend(GradientDescent(lr=0.1), noisy, steps=20, batch_size=1)
    assert not np.allclose(sgd.params, plain.params)


def test_test_loss_and_batch_loss_recording():
    problem = LinearRegression(n_samples=100, seed=0)
    run = descend(RMSprop(lr=0.05), problem, steps=10, batch_size=10, record_test_loss=True, batch_loss=True)
    assert run.test_losses.shape == (11,)
    assert run.test_losses[-1] < run.test_losses[0]


def test_dict_parameters_are_flattened_in_the_record():
    from course_lib import DigitsMLP

    mlp = DigitsMLP(hidden=4, n_train=100)
    run = descend(Adam(lr=0.01), mlp, steps=3, batch_size=10)
    n_params = 64 * 4 + 4 + 4 * 10 + 10
    assert run.params.shape == (4, n_params)
    assert set(run.final) == {"W1", "b1", "W2", "b2"}


def test_start_is_not_modified():
    start = np.array([1.0, 1.0])
    descend(Adam(lr=0.1), get_landscape("bowl"), start=start, steps=5)
    np.testing.assert_array_equal(start, [1.0, 1.0])


def test_bad_arguments_are_named():
    bowl = get_landscape("bowl")
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        descend(Adam(), bowl, steps=0)
    with pytest.raises(ValueError, match="batch_size must be None for bowl"):
        descend(Adam(), bowl, batch_size=4)
    with pytest.raises(ValueError, match="batch_size must be between 1 and n_samples=100, got 101"):
        descend(Adam(), LinearRegression(n_samples=100), batch_size=101)
    with pytest.raises(TypeError, match="optimizer must be a course_lib Optimizer, got str"):
        descend("adam", bowl)


@pytest.mark.parametrize("start", [[1.0, 2.0], (1.0, 2.0), [1, 2]], ids=["list", "tuple", "ints"])
def test_a_start_given_as_a_list_or_tuple_of_numbers_is_a_point(start):
    bowl = get_landscape("bowl")
    run = descend(GradientDescent(lr=0.1), bowl, start=start, steps=3)
    reference = descend(GradientDescent(lr=0.1), bowl, start=np.array([1.0, 2.0]), steps=3)
    np.testing.assert_array_equal(run.params, reference.params)
    assert isinstance(run.final, np.ndarray) and run.final.dtype == np.float64
