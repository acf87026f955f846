"""Tests for course_lib.experiments.adaptive and course_lib.experiments.choosing (chapters 04-08)."""

import numpy as np
import pytest

from course_lib import (
    AdaDelta,
    AdaGrad,
    Adam,
    GradientDescent,
    LinearRegression,
    RMSprop,
    SparseLogisticRegression,
    descend,
    get_landscape,
)
from course_lib.descent import Trajectory
from course_lib.experiments import adaptive, choosing


def _trajectory(params, losses):
    params, losses = np.asarray(params, float), np.asarray(losses, float)
    return Trajectory(
        label="t", optimizer="gd", hyperparams={}, problem="p", params=params, losses=losses,
        times=np.zeros(len(losses)), final=params[-1],
    )


# ---- cliff_and_plain ---------------------------------------------------------------


def test_cliff_gradient_matches_finite_differences():
    cliff = adaptive.cliff_and_plain()
    h = 1e-6
    for w in ([-19.0, 1.0], [-16.2, -0.3], [-15.0, 0.5], [-3.0, 0.2]):
        w = np.array(w)
        numeric = [(cliff.loss(w + h * e) - cliff.loss(w - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(cliff.grad(w), numeric, rtol=1e-6, atol=1e-8)


def test_cliff_minimum_and_grid_are_clean():
    cliff = adaptive.cliff_and_plain()
    # The tanh term leaves a tiny slope at x = 0 (sech^2(32) ~ 5e-28): zero to double precision.
    np.testing.assert_allclose(cliff.grad(np.zeros(2)), 0.0, atol=1e-20)
    assert cliff.loss(cliff.start) > cliff.loss(np.zeros(2)) + 5
    X, Y, Z = cliff.grid(50)
    assert np.all(np.isfinite(Z))


def test_adagrad_stalls_on_the_plain_where_rmsprop_arrives():
    """The claim of chapters 04 and 05, at the chapter's settings."""
    cliff = adaptive.cliff_and_plain()
    adagrad = descend(AdaGrad(lr=0.1), cliff, steps=500)
    rmsprop = descend(RMSprop(lr=0.1), cliff, steps=500)
    assert adagrad.params[-1, 0] < -10  # still far out on the plain
    assert abs(rmsprop.params[-1, 0]) < 0.5
    # AdaGrad's x learning rate shrank a lot; RMSprop's grew as the gradients shrank.
    lr_adagrad, lr_rmsprop = adagrad.diagnostics["effective_lr"][:, 0], rmsprop.diagnostics["effective_lr"][:, 0]
    assert lr_adagrad[-1] < lr_adagrad[5] / 10
    assert lr_rmsprop[-1] > lr_rmsprop[5]


# ---- sweep and reading trajectories ------------------------------------------------------


def test_sweep_varies_one_hyperparameter_and_labels_runs():
    runs = adaptive.sweep(RMSprop(lr=0.05), get_landscape("bowl"), "gamma", [0.5, 0.9, 0.99], steps=20)
    assert [r.hyperparams["gamma"] for r in runs] == [0.5, 0.9, 0.99]
    assert [r.hyperparams["lr"] for r in runs] == [0.05] * 3
    assert [r.label for r in runs] == ["gamma=0.5", "gamma=0.9", "gamma=0.99"]
    assert len({r.final_loss for r in runs}) == 3


def test_sweep_rejects_unknown_hyperparameter_and_empty_values():
    with pytest.raises(ValueError, match="name must be a hyperparameter of AdaGrad, got 'gamma'"):
        adaptive.sweep(AdaGrad(), get_landscape("bowl"), "gamma", [0.9])
    with pytest.raises(ValueError, match="values must hold at least one value"):
        adaptive.sweep(AdaGrad(), get_landscape("bowl"), "lr", [])


def test_steps_to_reach_and_step_lengths():
    run = _trajectory([[0, 0], [3, 4], [3, 4], [0, 0]], [5.0, 2.0, 0.5, 0.1])
    assert adaptive.steps_to_reach(run, 0.5) == 2
    assert adaptive.steps_to_reach(run, 10.0) == 0
    assert adaptive.steps_to_reach(run, 0.01) is None
    np.testing.assert_allclose(adaptive.step_lengths(run), [5.0, 0.0, 5.0])
    with pytest.raises(TypeError, match="loss_below must be a real number"):
        adaptive.steps_to_reach(run, "low")


def test_feature_errors_splits_rare_and_common():
    run = _trajectory([[0, 0, 0], [1, 2, 4]], [1.0, 0.5])
    errors = adaptive.feature_errors(run, w_true=np.array([1.0, 1.0, 1.0]), is_rare=np.array([False, True, True]))
    np.testing.assert_allclose(errors["common"], [1.0, 0.0])
    np.testing.assert_allclose(errors["rare"], [1.0, 2.0])  # mean of |2-1| and |4-1|
    with pytest.raises(ValueError, match="must match"):
        adaptive.feature_errors(run, np.ones(2), np.array([True, False]))
    with pytest.raises(ValueError, match="some features rare and some common"):
        adaptive.feature_errors(run, np.ones(3), np.ones(3, bool))


def test_adagrad_learns_rare_features_faster_than_sgd():
    """Chapter 04's claim, at its settings: each optimizer at its best learning rate of the sweep."""
    problem = SparseLogisticRegression()
    sgd = descend(GradientDescent(lr=0.1), problem, steps=2000, batch_size=1, record_diagnostics=False)
    adagrad = descend(AdaGrad(lr=1.0), problem, steps=2000, batch_size=1, record_diagnostics=False)
    rare_sgd = adaptive.feature_errors(sgd, problem.w_true, problem.is_rare)["rare"][-1]
    rare_adagrad = adaptive.feature_errors(adagrad, problem.w_true, problem.is_rare)["rare"][-1]
    assert rare_adagrad < rare_sgd / 2
    assert problem.test_loss(adagrad.final) < problem.test_loss(sgd.final)


# ---- basins -----------------------------------------------------------------------------


def test_start_grid_covers_the_box_inside_the_margin():
    bowl = get_landscape("bowl")  # x in [-5, 5], y in [-4, 4]
    grid = adaptive.start_grid(bowl, n=5, margin=0.1)
    assert grid.shape == (25, 2)
    np.testing.assert_allclose(grid[:, 0].min(), -4.0)
    np.testing.assert_allclose(grid[:, 1].max(), 3.2)
    with pytest.raises(ValueError, match=r"margin must be in \[0, 0.5\), got 0.5"):
        adaptive.start_grid(bowl, margin=0.5)


def test_basin_fractions_on_the_saddle_follow_the_sign_of_y():
    saddle = get_landscape("saddle")  # minima at (0, 1) then (0, -1)
    starts = np.array([[1.0, 0.5], [-1.0, 0.2], [0.5, -0.3]])
    result = adaptive.basin_fractions(GradientDescent(lr=0.2), saddle, starts, steps=300)
    assert result["ends"].tolist() == [0, 0, 1]
    assert result["global"] == pytest.approx(2 / 3)
    assert sum(result["fractions"].values()) == pytest.approx(1.0)


def test_basin_fractions_counts_unfinished_runs_as_none():
    result = adaptive.basin_fractions(GradientDescent(lr=1e-3), get_landscape("bowl"), np.array([[4.0, 3.0]]), steps=5)
    assert result["ends"].tolist() == [-1]
    assert result["fractions"]["none"] == 1.0
    with pytest.raises(ValueError, match=r"starts must be a \(k, 2\) array"):
        adaptive.basin_fractions(GradientDescent(), get_landscape("bowl"), np.zeros(3))


# ---- units --------------------------------------------------------------------------------


def test_scaled_bowl_has_curvature_one_over_scale_squared():
    bowl = adaptive.scaled_bowl(10.0)
    # One gradient step with the ideal learning rate scale^2 lands on the minimum.
    run = descend(GradientDescent(lr=100.0), bowl, steps=1)
    np.testing.assert_allclose(run.params[-1], 0.0, atol=1e-12)
    np.testing.assert_allclose(bowl.start, [-40.0, 30.0])


def test_update_scaling_shows_which_steps_carry_the_units_of_w():
    ratios = adaptive.update_scaling(10.0)
    assert ratios["gradient descent"] == pytest.approx(0.1)
    assert ratios["RMSprop"] == pytest.approx(1.0, rel=1e-6)
    assert ratios["Adam"] == pytest.approx(1.0, rel=1e-6)
    assert ratios["AdaDelta"] == pytest.approx(10.0, rel=0.05)
    with pytest.raises(ValueError, match="scale must be > 0"):
        adaptive.update_scaling(-1.0)


# ---- choosing ---------------------------------------------------------------------------------


def test_side_by_side_runs_every_optimizer_from_the_same_start():
    bowl = get_landscape("bowl")
    runs = choosing.side_by_side([GradientDescent(lr=0.1), Adam(lr=0.1)], bowl, steps=10)
    assert [r.label for r in runs] == ["Gradient descent", "Adam"]
    assert all(np.array_equal(r.params[0], bowl.start) for r in runs)


def test_side_by_side_with_labels_and_batch_sizes():
    problem = LinearRegression(n_samples=100)
    gd = GradientDescent(lr=0.05)
    runs = choosing.side_by_side([gd, gd, gd], problem, steps=5, labels=["GD", "SGD", "mini"],
                                 batch_sizes=[None, 1, 10])
    assert [(r.label, r.batch_size) for r in runs] == [("GD", None), ("SGD", 1), ("mini", 10)]
    with pytest.raises(ValueError, match="labels has 1 entries, but there are 2 optimizers"):
        choosing.side_by_side([gd, gd], problem, labels=["a"])
    with pytest.raises(ValueError, match="optimizers must hold at least one"):
        choosing.side_by_side([], problem)


def test_setting_sweep_on_a_landscape_gives_the_runs_of_descend():
    # On a landscape the sweep steps all values together (course_lib.many); each run must be descend's.
    ravine, values = get_landscape("ravine"), [0.01, 1.0, 100.0]
    sweep = choosing.setting_sweep(Adam(), ravine, "lr", values, steps=100, target_gap=1e-3, keep_runs=True)
    for lr, run, gap in zip(values, sweep["runs"], sweep["gaps"]):
        alone = descend(Adam(lr=lr), ravine, steps=100, record_diagnostics=False)
        np.testing.assert_array_equal(run.params, alone.params)
        np.testing.assert_array_equal(run.losses, alone.losses)
        assert gap == choosing.final_gap(alone, ravine)


def test_best_known_loss_and_final_gap():
    valley = get_landscape("foggy_valley")
    assert choosing.best_known_loss(valley) == valley.minima[0].value
    problem = LinearRegression(n_samples=200)
    assert choosing.best_known_loss(problem) == pytest.approx(problem.loss(problem.w_best))
    assert choosing.best_known_loss(SparseLogisticRegression(n_samples=50)) == 0.0
    diverged = descend(GradientDescent(lr=10.0), get_landscape("ravine"), steps=50)
    assert diverged.diverged and choosing.final_gap(diverged, get_landscape("ravine")) == float("inf")
    good = descend(GradientDescent(lr=1.0), get_landscape("bowl"), steps=3)
    assert choosing.final_gap(good, get_landscape("bowl")) == pytest.approx(0.0)


def test_lr_sensitivity_and_window_on_the_bowl():
    bowl = get_landscape("bowl")  # curvature 1: GD converges for lr < 2 and diverges above
    lrs = [0.01, 0.5, 1.0, 3.0]
    gaps = choosing.lr_sensitivity([GradientDescent()], bowl, lrs, steps=50)["Gradient descent"]
    assert gaps[-1] == float("inf")
    assert gaps[2] == pytest.approx(0.0) and gaps[1] < 1e-20 and gaps[0] > 1
    window = choosing.lr_window(gaps, lrs, good_gap=1e-3)
    # lr = 0.5 and lr = 1 both solve it (gaps 1e-23 and 0): round-off must not pick, the smaller lr wins.
    assert window == {"best_lr": 0.5, "best_gap": gaps[1], "n_good": 2, "good_lrs": [0.5, 1.0]}
    assert choosing.lr_window(np.array([0.5, 1e-4, 2e-4]), [1, 2, 3], good_gap=1e-3)["best_lr"] == 2.0
    with pytest.raises(ValueError, match="must match"):
        choosing.lr_window(gaps, lrs[:2], good_gap=1e-3)
    with pytest.raises(ValueError, match="lrs\\[...\\] must be > 0"):
        choosing.lr_sensitivity([GradientDescent()], bowl, [0.1, -1.0])


def test_adadelta_needs_no_learning_rate_but_starts_slowly():
    """Chapter 06: AdaDelta's first steps are about sqrt(eps / (1 - gamma)) long, whatever the gradient."""
    bowl = get_landscape("bowl")
    first = adaptive.step_lengths(descend(AdaDelta(), bowl, steps=5))
    rmsprop_first = adaptive.step_lengths(descend(RMSprop(), bowl, steps=5))
    np.testing.assert_allclose(first[0], np.sqrt(2) * np.sqrt(1e-6) / np.sqrt(0.1), rtol=1e-3)
    assert np.all(first < rmsprop_first / 10)


def test_scaled_loss_multiplies_loss_and_gradient_but_not_rmsprops_path():
    ravine = get_landscape("ravine")
    steep = adaptive.scaled_loss(ravine, 100.0)
    w = np.array([1.5, -0.3])
    assert steep.loss(w) == pytest.approx(100 * ravine.loss(w))
    np.testing.assert_allclose(steep.grad(w), 100 * ravine.grad(w))
    assert steep.minima[0].w.tolist() == ravine.minima[0].w.tolist()
    on_steep, on_ravine = (descend(RMSprop(lr=0.05), land, steps=100).params for land in (steep, ravine))
    assert np.abs(on_steep - on_ravine).max() < 1e-5  # only eps tells the two apart
    assert descend(GradientDescent(lr=0.05), steep, steps=100).diverged
    with pytest.raises(ValueError, match="factor must be > 0, got 0.0"):
        adaptive.scaled_loss(ravine, 0.0)


def test_losses_at_recomputes_the_full_loss_of_a_network_run():
    from course_lib import DigitsMLP

    digits = DigitsMLP(hidden=8, n_train=200)
    run = descend(Adam(lr=0.01), digits, steps=20, batch_size=16, batch_loss=True, record_diagnostics=False)
    full = descend(Adam(lr=0.01), digits, steps=20, batch_size=16, record_diagnostics=False)
    np.testing.assert_allclose(adaptive.losses_at(run, digits, [0, 5, 20]), full.losses[[0, 5, 20]], rtol=1e-12)
    assert not np.allclose(run.losses[[5, 20]], full.losses[[5, 20]])  # the recorded ones were batch losses
    with pytest.raises(ValueError, match="steps must lie between 0 and 20"):
        adaptive.losses_at(run, digits, [21])


def test_format_gap_hides_round_off_and_names_divergence():
    assert choosing.format_gap(float("inf")) == "diverged"
    assert choosing.format_gap(3.2e-40) == "< 1e-09"
    assert choosing.format_gap(0.0) == "< 1e-09"
    assert choosing.format_gap(0.0123) == "1.2e-02"
    assert choosing.format_gap(1e-9, width=9) == "  1.0e-09"
    with pytest.raises(ValueError, match="gap must be >= 0 or inf, got -1.0"):
        choosing.format_gap(-1.0)


# ---- setting_sweep and fastest_setting (chapter 08) ------------------------------------------


def test_settled_at_needs_the_gap_to_stay_below_the_target():
    gaps = np.array([5.0, 0.5, 2.0, 0.5, 0.1])
    assert choosing._settled_at(gaps, 1.0) == 3  # dipped at step 1, climbed out at 2, stayed from 3
    assert choosing._settled_at(gaps, 10.0) == 0
    assert choosing._settled_at(np.array([5.0, 0.1, 3.0]), 1.0) == -1


def test_setting_sweep_records_gaps_and_settling_steps_per_value():
    ravine = get_landscape("ravine")
    sweep = choosing.setting_sweep(GradientDescent(), ravine, "lr", [0.01, 0.19, 0.25], steps=300, target_gap=1e-3)
    np.testing.assert_array_equal(sweep["values"], [0.01, 0.19, 0.25])
    assert np.isinf(sweep["gaps"][2])  # above 2 / 10 gradient descent diverges on the ravine
    assert sweep["steps_to_target"][0] == -1 and sweep["steps_to_target"][2] == -1
    run = descend(GradientDescent(lr=0.19), ravine, steps=300)
    first = int(np.flatnonzero(run.losses <= 1e-3)[0])
    assert sweep["steps_to_target"][1] == first  # gradient descent's loss falls monotonically here
    best = choosing.fastest_setting(sweep)
    assert best == {"value": 0.19, "index": 1, "steps": first, "gap": sweep["gaps"][1]}


def test_setting_sweep_sweeps_adadelta_eps():
    bowl = get_landscape("bowl")
    sweep = choosing.setting_sweep(AdaDelta(), bowl, "eps", [1e-6, 1e-4], steps=300, keep_runs=True)
    assert [run.hyperparams["eps"] for run in sweep["runs"]] == [1e-6, 1e-4]
    assert sweep["gaps"][1] < 1e-3 < sweep["gaps"][0]  # a larger eps is a larger step: it solves the bowl


def test_fastest_setting_falls_back_to_the_smallest_gap_and_breaks_ties_low():
    sweep = {"values": np.array([0.1, 1.0, 10.0]), "gaps": np.array([0.5, 0.2, np.inf]),
             "steps_to_target": np.array([-1, -1, -1])}
    assert choosing.fastest_setting(sweep) == {"value": 1.0, "index": 1, "steps": None, "gap": 0.2}
    sweep["steps_to_target"] = np.array([7, 7, -1])
    assert choosing.fastest_setting(sweep)["value"] == 0.1


def test_setting_sweep_rejects_bad_arguments():
    bowl = get_landscape("bowl")
    with pytest.raises(ValueError, match="name must be a hyperparameter of GradientDescent, got 'eps'"):
        choosing.setting_sweep(GradientDescent(), bowl, "eps", [1e-4])
    with pytest.raises(ValueError, match="values must hold at least one value"):
        choosing.setting_sweep(GradientDescent(), bowl, "lr", [])
    with pytest.raises(ValueError, match=r"values\[...\] \(lr\) must be > 0, got -1"):
        choosing.setting_sweep(GradientDescent(), bowl, "lr", [-1])
    with pytest.raises(ValueError, match="target_gap needs full-batch losses"):
        choosing.setting_sweep(GradientDescent(), bowl, "lr", [0.1], target_gap=1e-3, batch_loss=True)
    with pytest.raises(ValueError, match="run setting_sweep with target_gap"):
        choosing.fastest_setting({"values": np.ones(1), "gaps": np.ones(1)})


# ---- rare features over seeds (chapter 04) -----------------------------------------------


def test_rare_features_over_seeds_tunes_each_optimizer_per_seed():
    lrs = [0.1, 1.0]
    result = adaptive.rare_features_over_seeds([GradientDescent(), AdaGrad()], seeds=[0, 1], lrs=lrs, steps=200)
    assert set(result) == {"Gradient descent", "AdaGrad"}
    for seed in (0, 1):
        problem = SparseLogisticRegression(seed=seed)
        runs = [descend(AdaGrad(lr=lr), problem, steps=200, batch_size=1, seed=seed, record_diagnostics=False)
                for lr in lrs]
        held_out = [problem.test_loss(run.final) for run in runs]
        best = int(np.argmin(held_out))
        row = result["AdaGrad"]
        assert row["best_lr"][seed] == lrs[best]
        assert row["held_out"][seed] == pytest.approx(held_out[best])
        error = np.abs(runs[best].final - problem.w_true)
        assert row["rare"][seed] == pytest.approx(error[problem.is_rare].mean())
        assert row["common"][seed] == pytest.approx(error[~problem.is_rare].mean())
    # Different seeds are different data sets, so the results differ.
    assert result["AdaGrad"]["rare"][0] != result["AdaGrad"]["rare"][1]


def test_rare_features_over_seeds_with_a_grid_per_optimizer():
    grids = {"Gradient descent": [0.1, 0.3], "AdaGrad": [1.0]}
    result = adaptive.rare_features_over_seeds([GradientDescent(), AdaGrad()], seeds=[0], lrs=grids, steps=200)
    alone = adaptive.rare_features_over_seeds([GradientDescent()], seeds=[0], lrs=grids["Gradient descent"], steps=200)
    assert result["AdaGrad"]["best_lr"].tolist() == [1.0]
    for key, values in alone["Gradient descent"].items():
        np.testing.assert_array_equal(result["Gradient descent"][key], values)
    with pytest.raises(ValueError, match="lrs has no learning rates for AdaGrad"):
        adaptive.rare_features_over_seeds([AdaGrad()], seeds=[0], lrs={"Adam": [0.1]}, steps=10)


def test_rare_features_over_seeds_rejects_empty_inputs():
    with pytest.raises(ValueError, match="seeds and optimizers must each hold at least one entry"):
        adaptive.rare_features_over_seeds([AdaGrad()], seeds=[], lrs=[0.1])


def test_share_of_batches_with_feature():
    shares = adaptive.share_of_batches_with_feature(0.03, [1, 32])
    assert shares[1] == pytest.approx(0.03)
    assert shares[32] == pytest.approx(0.62, abs=0.005)
    # Measured on the sparse problem's data: batches of 32 drawn at random contain a given rare feature as often.
    problem = SparseLogisticRegression()
    rng = np.random.default_rng(0)
    active = [problem.X[rng.choice(problem.n_samples, 32, replace=False), 5].any() for _ in range(4000)]
    assert np.mean(active) == pytest.approx(shares[32], abs=0.05)
    with pytest.raises(ValueError, match=r"rate must be in \(0, 1\], got 0"):
        adaptive.share_of_batches_with_feature(0, [1])


# ---- RMSprop's start-up bias (chapters 05, 06) -------------------------------------------


def _bias_corrected_rmsprop_by_hand(w, grad, steps, lr, gamma, eps):
    """The equations written out: v <- gamma v + (1 - gamma) g^2; w <- w - lr g / (sqrt(v / (1 - gamma^t)) + eps)."""
    v = np.zeros_like(w)
    path = [w]
    for t in range(1, steps + 1):
        g = grad(w)
        v = gamma * v + (1 - gamma) * g * g
        w = w - lr * g / (np.sqrt(v / (1 - gamma**t)) + eps)
        path.append(w)
    return np.array(path)


def test_rmsprop_with_bias_correction_follows_its_equations():
    ravine = get_landscape("ravine")
    run = descend(RMSprop(lr=0.1, gamma=0.99, bias_correction=True), ravine, steps=50)
    expected = _bias_corrected_rmsprop_by_hand(ravine.start, ravine.grad, 50, 0.1, 0.99, 1e-8)
    np.testing.assert_allclose(run.params, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("gamma", [0.9, 0.99, 0.999])
def test_plain_rmsprop_first_step_is_lr_over_sqrt_one_minus_gamma(gamma):
    ravine = get_landscape("ravine")
    plain = descend(RMSprop(lr=0.1, gamma=gamma), ravine, steps=1)
    corrected = descend(RMSprop(lr=0.1, gamma=gamma, bias_correction=True), ravine, steps=1)
    np.testing.assert_allclose(np.abs(plain.params[1] - plain.params[0]), 0.1 / np.sqrt(1 - gamma), rtol=1e-6)
    np.testing.assert_allclose(np.abs(corrected.params[1] - corrected.params[0]), 0.1, rtol=1e-6)


def test_rmsprop_startup_runs_both_variants_per_gamma():
    cliff = adaptive.cliff_and_plain()
    rows = adaptive.rmsprop_startup(cliff, lr=0.1, gammas=[0.9, 0.999], steps=100)
    assert [(r["gamma"], r["variant"]) for r in rows] == [(0.9, "plain"), (0.9, "corrected"),
                                                         (0.999, "plain"), (0.999, "corrected")]
    plain, corrected = rows[2], rows[3]
    # sqrt(2) coordinates times lr / sqrt(1 - gamma) on the first step, plain; sqrt(2) lr corrected.
    assert plain["first_steps"][0] == pytest.approx(np.sqrt(2) * 0.1 / np.sqrt(0.001), rel=1e-6)
    assert corrected["first_steps"][0] == pytest.approx(np.sqrt(2) * 0.1, rel=1e-6)
    assert corrected["final_x"] == pytest.approx(corrected["run"].params[-1, 0])
    with pytest.raises(ValueError, match="lr must be > 0"):
        adaptive.rmsprop_startup(cliff, lr=0, gammas=[0.9])


# ---- Adam's bias correction (chapter 07) ----------------------------------------------------


@pytest.mark.parametrize("beta", [0.9, 0.999])
def test_average_weight_is_one_minus_beta_to_the_t(beta):
    for t in (1, 10, 1000):
        assert adaptive.average_weight(beta, t) == pytest.approx(1 - beta**t, rel=1e-9)
    # The running average of a constant gradient, started at 0, is exactly that fraction of it.
    m = 0.0
    for _ in range(10):
        m = beta * m + (1 - beta) * 3.0
    assert m == pytest.approx(3.0 * adaptive.average_weight(beta, 10))


def test_adam_startup_ratios_without_correction_scale_like_the_betas():
    ravine = get_landscape("ravine")
    rows = adaptive.adam_startup(ravine, lr=0.1, beta2s=[0.99, 0.999, 0.9999], steps=5)
    first = {(r["beta2"], r["corrected"]): r["ratio"][0] for r in rows}
    for beta2 in (0.99, 0.999, 0.9999):
        assert first[(beta2, True)] == pytest.approx(1.0, rel=1e-6)
        # Without correction the first step is (1 - beta1) / sqrt(1 - beta2) times lr.
        assert first[(beta2, False)] == pytest.approx(0.1 / np.sqrt(1 - beta2), rel=1e-6)


def test_adam_beta_grid_matches_single_runs():
    problem = LinearRegression()
    grid = adaptive.adam_beta_grid(problem, [0.0, 0.9], [0.99, 0.999], lr=0.05, steps=30, batch_size=None)
    assert grid.shape == (2, 2)
    run = descend(Adam(lr=0.05, beta1=0.9, beta2=0.99), problem, steps=30, record_diagnostics=False)
    assert grid[1, 0] == pytest.approx(problem.loss(run.final))
    assert len({float(x) for x in grid.ravel()}) == 4


def test_adadelta_cold_start_is_the_same_in_every_unit_system():
    rows = adaptive.adadelta_cold_start([1.0, 10.0], steps=1000)
    assert rows[0]["first_step"] == pytest.approx(rows[1]["first_step"], rel=1e-4)
    assert rows[0]["first_step"] == pytest.approx(np.sqrt(2) * np.sqrt(1e-6 / 0.1), rel=1e-3)
    assert rows[1]["left"] > 100 * rows[0]["left"]  # the cold stride is 10 times too short on the x10 bowl
    assert [r["newton"] for r in rows] == [1.0, 100.0]
    run = descend(AdaDelta(), adaptive.scaled_bowl(10.0), steps=1000)
    assert rows[1]["ratio"] == pytest.approx(run.diagnostics["effective_lr"][-1, 0])


# ---- step cost (chapter 07) ----------------------------------------------------------------


def test_bytes_per_parameter_counts_reads_and_writes():
    assert adaptive.bytes_per_parameter(Adam()) == 8 * (4 + 3)  # read w, g, m, v; write w, m, v
    assert adaptive.bytes_per_parameter(GradientDescent()) == 8 * (2 + 1)
    assert adaptive.bytes_per_parameter(AdaDelta(), itemsize=4) == 4 * (4 + 3)


def test_step_and_gradient_cost_times_the_same_model():
    from course_lib import DigitsMLP

    costs = adaptive.step_and_gradient_cost(DigitsMLP(), [GradientDescent(), Adam()], batch_size=8, repeats=2)
    assert set(costs) == {"gradient, batch of 8", "gradient, full batch", "Gradient descent", "Adam", "parameters"}
    assert costs["parameters"] == 2410
    assert all(seconds > 0 for name, seconds in costs.items() if name != "parameters")


def test_per_parameter_step_cost_leaves_the_optimizer_usable():
    optimizer = Adam()
    costs = adaptive.per_parameter_step_cost(optimizer, [100, 1000], repeats=1)
    assert list(costs) == [100, 1000] and all(ns > 0 for ns in costs.values())
    assert optimizer.state["m"].shape == (1000,)  # it really stepped the last vector
    with pytest.raises(ValueError, match="repeats must be"):
        adaptive.median_seconds(lambda: None, repeats=0)


def test_adam_with_beta2_near_one_and_decaying_rate_is_adagrad():
    ravine = get_landscape("ravine")
    close = adaptive.adam_as_adagrad(ravine, lr=0.5, steps=100)
    assert close["largest_difference"] < 1e-6
    assert close["adam"].shape == (101, 2)
    far = adaptive.adam_as_adagrad(ravine, lr=0.5, steps=100, beta2=0.9)
    assert far["largest_difference"] > 1e-3  # an average that forgets is not AdaGrad's sum


def test_fastest_runs_are_the_runs_of_the_fastest_settings():
    ravine = get_landscape("ravine")
    sweeps = {opt.label: choosing.setting_sweep(opt, ravine, "lr", [0.01, 0.1, 1.0], steps=200, target_gap=1e-3,
                                                keep_runs=True) for opt in (GradientDescent(), Adam())}
    runs = choosing.fastest_runs(sweeps)
    for run, sweep in zip(runs, sweeps.values()):
        assert run is sweep["runs"][choosing.fastest_setting(sweep)["index"]]
    with pytest.raises(ValueError, match="the sweep of 'GD' has no runs"):
        choosing.fastest_runs({"GD": choosing.setting_sweep(GradientDescent(), ravine, "lr", [0.1], target_gap=1e-3)})


def test_tuned_race_gives_each_entry_its_best_value_and_batch_size():
    problem = LinearRegression(n_samples=100)
    lrs, eps = [0.01, 0.1, 0.3], [1e-6, 1e-2]
    entries = [("GD", GradientDescent(), None), ("SGD", GradientDescent(), 1), ("AdaDelta", AdaDelta(), 10)]
    runs = choosing.tuned_race(entries, problem, lrs=lrs, eps=eps, steps=50)
    assert [(r.label, r.batch_size, r.steps) for r in runs] == [("GD", None, 50), ("SGD", 1, 50), ("AdaDelta", 10, 50)]
    for (label, optimizer, batch_size), run in zip(entries, runs):
        knob, values = ("eps", eps) if label == "AdaDelta" else ("lr", lrs)
        gaps = [choosing.final_gap(descend(optimizer.clone(**{knob: v}), problem, steps=50, batch_size=batch_size,
                                           record_diagnostics=False, batch_loss=True), problem) for v in values]
        assert run.hyperparams[knob] == values[int(np.argmin(gaps))]


def test_rare_features_over_seeds_reuses_matching_runs_and_gets_the_same_numbers():
    lrs = [0.1, 1.0]
    fresh = adaptive.rare_features_over_seeds([AdaGrad()], seeds=[0, 1], lrs=lrs, steps=150)
    # Seed 0's sweep made beforehand, as chapter 04 does (with diagnostics and full-batch losses this time).
    earlier = adaptive.sweep(AdaGrad(), SparseLogisticRegression(seed=0), "lr", lrs, steps=150, batch_size=1)
    reused = adaptive.rare_features_over_seeds([AdaGrad()], seeds=[0, 1], lrs=lrs, steps=150, reuse=earlier)
    for key, values in fresh["AdaGrad"].items():
        np.testing.assert_array_equal(reused["AdaGrad"][key], values)


def test_rare_features_over_seeds_takes_a_reused_run_in_place_of_running_it():
    # A run with the same key but other final weights shows that the reused run, not a new one, is read.
    earlier = adaptive.sweep(AdaGrad(), SparseLogisticRegression(seed=0), "lr", [1.0], steps=50, batch_size=1)
    earlier[0].final = SparseLogisticRegression(seed=0).w_true.copy()
    result = adaptive.rare_features_over_seeds([AdaGrad()], seeds=[0], lrs=[1.0], steps=50, reuse=earlier)
    assert result["AdaGrad"]["rare"].tolist() == [0.0]
    # Another seed, batch size, step count or optimizer is not the same run, so it is run afresh.
    for other in (dict(seeds=[1]), dict(batch_size=2), dict(steps=60)):
        options = dict(seeds=[0], lrs=[1.0], steps=50, reuse=earlier) | other
        assert adaptive.rare_features_over_seeds([AdaGrad()], **options)["AdaGrad"]["rare"][0] > 0.1
    assert adaptive.rare_features_over_seeds([Adam(lr=1.0)], seeds=[0], lrs=[1.0], steps=50,
                                             reuse=earlier)["Adam"]["rare"][0] > 0.1
    with pytest.raises(TypeError, match="reuse must hold Trajectories"):
        adaptive.rare_features_over_seeds([AdaGrad()], seeds=[0], lrs=[1.0], steps=50, reuse=[0.5])
    with pytest.raises(ValueError, match="lrs for AdaGrad is empty"):
        adaptive.rare_features_over_seeds([AdaGrad()], seeds=[0], lrs=[], steps=50)
