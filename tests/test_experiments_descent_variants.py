"""Tests for course_lib.experiments.descent_variants (chapters 01-03)."""

import numpy as np
import pytest

from course_lib import DigitsMLP, GradientDescent, LinearRegression, descend, get_landscape
from course_lib.descent import Trajectory
from course_lib.experiments import descent_variants as dv


def _trajectory(params, losses, test_losses=None, batch_size=None):
    params, losses = np.asarray(params, float), np.asarray(losses, float)
    return Trajectory(
        label="t", optimizer="gd", hyperparams={}, problem="p", params=params, losses=losses,
        times=np.zeros(len(losses)), final=params[-1], batch_size=batch_size,
        test_losses=None if test_losses is None else np.asarray(test_losses, float),
    )


# ---- steps_near_saddle ---------------------------------------------------------------


def test_steps_near_saddle_counts_points_inside_the_radius():
    run = _trajectory([[1.0, 0.0], [0.05, 0.0], [0.0, 0.09], [0.0, 0.2]], [0, 0, 0, 0])
    assert dv.steps_near_saddle(run, np.zeros(2), radius=0.1) == 2


def test_gd_from_the_ridge_lingers_longer_at_the_saddle_than_from_the_side():
    saddle = get_landscape("saddle")
    ridge = descend(GradientDescent(lr=0.1), saddle, start=saddle.start_point("ridge"), steps=300)
    side = descend(GradientDescent(lr=0.1), saddle, start=saddle.start_point("side"), steps=300)
    assert dv.steps_near_saddle(ridge, np.zeros(2), 0.3) > 20
    assert dv.steps_near_saddle(side, np.zeros(2), 0.3) == 0


def test_steps_near_saddle_rejects_a_point_of_the_wrong_size():
    run = _trajectory([[1.0, 0.0]], [0.0])
    with pytest.raises(ValueError, match="saddle must have 2 coordinates"):
        dv.steps_near_saddle(run, np.zeros(3))


# ---- cost_per_step -----------------------------------------------------------------


def test_cost_per_step_returns_one_positive_time_per_size_and_batch():
    result = dv.cost_per_step(sizes=(100, 2000), n_features=3, steps=5)
    assert list(result) == ["sizes", "full batch", "batch of 1"]
    np.testing.assert_array_equal(result["sizes"], [100, 2000])
    for key in ("full batch", "batch of 1"):
        assert result[key].shape == (2,) and np.all(result[key] > 0)


def test_cost_per_step_rejects_a_bad_size():
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1"):
        dv.cost_per_step(sizes=(100, 0))


# ---- settle, basin_of, escape_fraction -----------------------------------------------


def test_settle_ends_at_the_minima_of_the_foggy_valley():
    valley = get_landscape("foggy_valley")
    minima = np.array([m.w for m in valley.minima])
    settled = dv.settle(valley, minima + 0.2)
    np.testing.assert_allclose(settled, minima, atol=1e-6)
    np.testing.assert_array_equal(dv.basin_of(valley, minima + 0.2), [0, 1, 2])


def test_gd_from_the_ridge_stays_in_the_shallow_hollow_but_most_sgd_runs_escape():
    valley = get_landscape("foggy_valley")
    result = dv.escape_fraction(valley, valley.start_point("ridge"), lr=0.1, noise=1.5, steps=300, seeds=20)
    shallow = 2
    assert result.start_basin == shallow and result.gd_basin == shallow
    assert len(result.runs) == 20 and result.basins.shape == (20,)
    assert 0.5 <= result.escaped_fraction < 1.0  # most, not all: the noise is real, not forced
    assert result.fractions(3).sum() == pytest.approx(1.0)
    assert result.escaped_fraction == pytest.approx(1.0 - result.fractions(3)[shallow])


def test_escape_fraction_is_reproducible():
    valley = get_landscape("foggy_valley")
    first = dv.escape_fraction(valley, valley.start_point("ridge"), steps=100, seeds=5)
    second = dv.escape_fraction(valley, valley.start_point("ridge"), steps=100, seeds=5)
    np.testing.assert_array_equal(first.basins, second.basins)
    np.testing.assert_array_equal(first.runs[3].params, second.runs[3].params)


def test_tiny_noise_does_not_escape():
    valley = get_landscape("foggy_valley")
    result = dv.escape_fraction(valley, valley.start_point("ridge"), noise=1e-3, steps=200, seeds=5)
    assert result.escaped_fraction == 0.0


def test_sgd_end_points_are_the_ends_of_descends_runs():
    valley = get_landscape("foggy_valley")
    start = valley.start_point("ridge")
    reference = dv.escape_fraction(valley, start, lr=0.1, noise=1.5, steps=300, seeds=8)
    together = dv.sgd_end_points(valley, start, lr=0.1, noise=1.5, steps=300, seeds=8)
    np.testing.assert_allclose(together, [run.params[-1] for run in reference.runs], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(dv.basin_of(valley, together), reference.basins)


def test_dose_response_agrees_with_escape_fraction_and_grows_with_the_noise():
    valley = get_landscape("foggy_valley")
    start = valley.start_point("ridge")
    result = dv.escape_dose_response(valley, start, noises=(1e-3, 1.5), lrs=(0.05, 0.1), steps=300, seeds=10)
    assert result.escaped.shape == (2, 2) and result.seeds == 10
    reference = dv.escape_fraction(valley, start, lr=0.1, noise=1.5, steps=300, seeds=10)
    assert result.escaped[1, 1] == reference.escaped_fraction
    np.testing.assert_array_equal(result.escaped[0], [0.0, 0.0])  # no noise, no escape
    np.testing.assert_array_equal(result.gd_escaped, [False, False])  # GD stays, as in escape_fraction
    assert reference.gd_basin == reference.start_basin
    p = result.escaped
    np.testing.assert_allclose(result.standard_error, np.sqrt(p * (1 - p) / 10))


def test_dose_response_rejects_a_bad_rate():
    valley = get_landscape("foggy_valley")
    with pytest.raises(ValueError, match=r"lrs\[1\] must be"):
        dv.escape_dose_response(valley, valley.start_point("ridge"), noises=(1.0,), lrs=(0.1, -0.1))


# ---- the drifting stream ---------------------------------------------------------------


def test_stream_weights_turn_on_a_circle_and_labels_follow_them():
    stream = dv.DriftingStream(length=1000, turn=np.pi / 2, radius=2.0, noise=0.1, seed=1)
    np.testing.assert_allclose(np.linalg.norm(stream.w_true, axis=1), 2.0)
    np.testing.assert_allclose(stream.w_true[0], [2.0, 0.0])
    residual = stream.y - np.einsum("ij,ij->i", stream.X, stream.w_true)
    assert abs(residual.std() - 0.1) < 0.01


def test_online_sgd_step_is_the_gradient_of_the_squared_error():
    stream = dv.DriftingStream(length=3, seed=2)
    run = dv.online_run(stream, GradientDescent(lr=0.1))
    x, y = stream.X[0], stream.y[0]
    np.testing.assert_allclose(run.weights[1], -0.1 * (0.0 - y) * x)  # from w = 0
    assert run.losses[0] == pytest.approx(0.5 * y**2)


def test_online_learning_tracks_the_drift_and_a_frozen_fit_does_not():
    stream = dv.DriftingStream(length=3000, seed=0)
    online = dv.online_run(stream, GradientDescent(lr=0.05))
    frozen = dv.frozen_run(stream, n_first=300)
    last = slice(-500, None)
    assert online.losses[last].mean() < 0.05
    assert frozen.losses[last].mean() > 1.0
    assert online.weight_error(stream)[last].mean() < 0.2 < frozen.weight_error(stream)[last].mean()


def test_frozen_run_rejects_more_examples_than_the_stream_has():
    with pytest.raises(ValueError, match="n_first must be at most the stream length 10"):
        dv.frozen_run(dv.DriftingStream(length=10), n_first=11)


def test_online_run_rejects_a_non_optimizer():
    with pytest.raises(TypeError, match="optimizer must be a course_lib Optimizer"):
        dv.online_run(dv.DriftingStream(length=10), "sgd")


def test_window_means():
    np.testing.assert_allclose(dv.window_means(np.arange(7.0), 3), [1.0, 4.0])
    with pytest.raises(ValueError, match="window must be at most the number of values 2"):
        dv.window_means(np.ones(2), 3)


# ---- batch size ------------------------------------------------------------------------


def test_gradient_error_shrinks_like_one_over_sqrt_batch_and_vanishes_for_the_full_batch():
    problem = LinearRegression(n_samples=4000, n_features=4, seed=0)
    w = np.zeros(4)
    e1, e100 = dv.gradient_error(problem, w, 1, draws=400), dv.gradient_error(problem, w, 100, draws=400)
    assert 7 < e1 / e100 < 13  # sqrt(100) = 10, within sampling error
    assert dv.gradient_error(problem, w, 4000, draws=3) == pytest.approx(0.0, abs=1e-12)


def test_gradient_error_rejects_a_batch_larger_than_the_data():
    problem = LinearRegression(n_samples=10, n_features=2)
    with pytest.raises(ValueError, match="batch_size must be between 1 and n_samples=10, got 11"):
        dv.gradient_error(problem, np.zeros(2), 11)


def test_held_out_at_training_loss_finds_the_first_step_below_each_level():
    run = _trajectory(np.zeros((5, 1)), [2.0, 1.0, 0.6, 0.4, 0.3], test_losses=[2.1, 1.2, 0.9, 0.8, 0.85],
                      batch_size=5)
    rows = dv.held_out_at_training_loss(run, n_samples=10, levels=(0.5, 0.1))
    assert rows[0] == {"level": 0.5, "step": 3, "epochs": 1.5, "test_loss": 0.8}
    assert rows[1]["step"] is None and np.isnan(rows[1]["test_loss"])


def test_held_out_at_training_loss_needs_test_losses():
    with pytest.raises(ValueError, match="record_test_loss=True"):
        dv.held_out_at_training_loss(_trajectory(np.zeros((2, 1)), [1.0, 0.5]), 10, (0.5,))


# ---- tuning per batch size ---------------------------------------------------------------


class LogisticMap:
    """A toy problem on which gradient descent is the logistic map x <- 4 x (1 - x) at lr = 1 (chaotic).

    At lr = 0.1 the same gradient converges to the fixed point 0.75, whatever round-off does. The start
    is 0.1 because from there a one-ulp change survives the first steps' rounding (from 0.3 it is rounded
    away at once, and both runs are then the same floats).
    """

    n_samples = 50

    def init_params(self, seed=0):
        return np.array([0.1 + 0.01 * seed])

    def loss(self, w, batch=None):
        return float((w[0] - 0.75) ** 2)

    def start(self, seed=0):
        return self.init_params(seed)

    def grad(self, w, batch=None):
        return w - 4 * w * (1 - w)

    def loss_and_grad(self, w, batch=None):
        return self.loss(w), self.grad(w, batch)


def test_nudged_moves_every_entry_by_one_ulp():
    w = {"a": np.array([1.0, -2.0]), "b": np.array([[0.0]])}
    moved = dv.nudged(w)
    for name in w:
        assert np.all(moved[name] > w[name])
        np.testing.assert_array_equal(np.nextafter(moved[name], -np.inf), w[name])  # exactly one float apart
    np.testing.assert_array_equal(dv.nudged(np.array([1.0])), [1.0 + np.finfo(float).eps])


def test_final_loss_is_inf_when_the_run_diverges():
    problem = LinearRegression(n_samples=50, n_features=3, seed=0)
    assert dv.final_loss(problem, lr=10.0, steps=50) == float("inf")
    assert dv.final_loss(problem, lr=0.1, steps=200) < problem.loss(np.zeros(3))


def test_tuning_flags_a_chaotic_rate_and_never_picks_it():
    tuning = dv.tune_batch_sizes(LogisticMap(), {1: (0.1, 1.0)}, epochs=2, seeds=3)
    np.testing.assert_array_equal(tuning.chaotic(1), [False, True])
    assert tuning.round_off[1][1] > 1e-3  # the logistic map has amplified one ulp a trillion-fold
    assert tuning.best_lr[1] == 0.1 and tuning.losses[1][0] < 1e-12
    assert tuning.seed_losses[1].shape == (3,) and tuning.seed_losses[1][0] == tuning.losses[1][0]


def test_tuning_picks_the_lowest_loss_per_batch_size_with_the_same_epochs():
    problem = DigitsMLP(hidden=8, n_train=200)
    tuning = dv.tune_batch_sizes(problem, {1: (0.01, 0.1, 1.0), 200: (0.3, 1.0, 100.0)}, epochs=1, seeds=2)
    for b in (1, 200):
        assert not tuning.chaotic(b).any()
        assert tuning.best_lr[b] == tuning.grids[b][np.argmin(tuning.losses[b])]
    assert tuning.best_lr[1] == 0.1 and tuning.best_lr[200] == 1.0  # both failure edges lie inside the grids
    # The spread over seeds comes from real, different runs.
    assert tuning.seed_losses[1][0] != tuning.seed_losses[1][1]
    # Seed 0 is the grid's run at the best rate, not run twice: the same number as running it again.
    assert tuning.seed_losses[1][0] == dv.final_loss(problem, 0.1, steps=200, batch_size=1, seed=0)
    again = dv.tune_batch_sizes(problem, {1: (0.01, 0.1, 1.0)}, epochs=1, seeds=2)
    np.testing.assert_array_equal(again.losses[1], tuning.losses[1])


def test_tuning_rejects_a_grid_with_nothing_usable():
    with pytest.raises(ValueError, match=r"grids\[1\] has no rate that converges without chaos"):
        dv.tune_batch_sizes(LogisticMap(), {1: (1.0,)}, epochs=2, seeds=1)


def test_loss_against_time_reads_the_loss_within_each_budget():
    problem = DigitsMLP(hidden=8, n_train=200)
    result = dv.loss_against_time(problem, {1: 0.1, 200: 1.0}, budgets=(1e-3, 0.05))
    np.testing.assert_array_equal(result["batch_sizes"], [1, 200])
    assert result["loss"].shape == (2, 2) and np.all(np.isfinite(result["loss"]))
    assert np.all(result["seconds_per_epoch"] > 0)
    start = problem.loss(problem.init_params(0))
    assert np.all(result["loss"][:, 1] < start)  # 50 ms is many steps on any machine
