"""Tests for course_lib.quadratics: quadratic landscapes and what their eigenvalues predict."""

import numpy as np
import pytest

from course_lib import GradientDescent, Momentum, descend, get_landscape, quadratics


def test_unrotated_quadratic_is_the_ravine():
    ravine, q = get_landscape("ravine"), quadratics.quadratic((0.1, 10.0))
    for w in ([-9.0, 1.0], [3.0, -0.5], [0.2, 1.7]):
        w = np.array(w)
        assert q.loss(w) == pytest.approx(ravine.loss(w))
        np.testing.assert_allclose(q.grad(w), ravine.grad(w))
    np.testing.assert_allclose(q.start, ravine.start)


def test_rotated_ravine_has_the_same_eigenvalues_and_an_equal_diagonal():
    turned = quadratics.conditioning(quadratics.rotated_ravine(45))
    np.testing.assert_allclose(turned["eigenvalues"], [0.1, 10.0])
    assert turned["kappa"] == pytest.approx(100.0)
    np.testing.assert_allclose(turned["diagonal"], [5.05, 5.05])
    # The eigenvectors are the diagonals.
    np.testing.assert_allclose(np.abs(turned["eigenvectors"]), np.sqrt(0.5))
    # Same problem in turned coordinates: same start loss, and gradient descent's losses are identical.
    ravine, rotated = get_landscape("ravine"), quadratics.rotated_ravine(45)
    a = descend(GradientDescent(lr=0.1), ravine, steps=50)
    b = descend(GradientDescent(lr=0.1), rotated, steps=50)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-9)


def test_gradient_matches_finite_differences_when_rotated():
    land = quadratics.quadratic((2.0, 7.0), angle=30)
    h = 1e-6
    w = np.array([0.7, -1.3])
    numeric = [(land.loss(w + h * e) - land.loss(w - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(land.grad(w), numeric, rtol=1e-6)


def test_gd_and_momentum_measured_rates_match_the_theory():
    land = quadratics.quadratic((1.0, 100.0), start=(1.0, 1.0))
    lo, hi = quadratics.conditioning(land)["eigenvalues"]
    gd, hb = quadratics.gd_theory(lo, hi), quadratics.momentum_theory(lo, hi)
    assert gd == pytest.approx({"step_limit": 0.02, "best_lr": 2 / 101, "rate": 99 / 101})
    assert hb["rate"] == pytest.approx(9 / 11) and hb["best_beta"] == pytest.approx((9 / 11) ** 2)
    gd_run = descend(GradientDescent(lr=gd["best_lr"]), land, steps=400, record_diagnostics=False)
    hb_run = descend(Momentum(lr=hb["best_lr"], beta=hb["best_beta"]), land, steps=400, record_diagnostics=False)
    assert quadratics.measured_rate(gd_run) == pytest.approx(gd["rate"], abs=1e-6)
    assert quadratics.measured_rate(hb_run) == pytest.approx(hb["rate"], abs=0.005)
    # Above the step limit gradient descent diverges.
    assert descend(GradientDescent(lr=1.01 * gd["step_limit"]), land, steps=3000).diverged


def test_measured_rate_stops_before_underflow_and_steps_to_shrink():
    land = quadratics.quadratic((1.0, 1.0), start=(1.0, 0.0))
    run = descend(GradientDescent(lr=0.5), land, steps=600, record_diagnostics=False)  # halves every step
    assert quadratics.measured_rate(run) == pytest.approx(0.5)
    assert quadratics.steps_to_shrink(run, 1000) == 10  # 2^-10 < 1/1000 < 2^-9
    assert quadratics.steps_to_shrink(descend(GradientDescent(lr=1e-3), land, steps=5), 10) is None


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="eigenvalues must hold two positive numbers"):
        quadratics.quadratic((1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match=r"eigenvalues\[...\] must be > 0"):
        quadratics.quadratic((0.0, 2.0))
    with pytest.raises(ValueError, match="is not a quadratic with a symmetric Hessian"):
        quadratics.conditioning(get_landscape("rosenbrock"))
    with pytest.raises(ValueError, match="last must be at most"):
        quadratics.measured_rate(descend(GradientDescent(), get_landscape("bowl"), steps=5), last=10)


def test_nesterov_theory_predicts_the_measured_contraction_and_is_slower_than_heavy_ball():
    lo, hi = 0.1, 10.0
    land = quadratics.quadratic((lo, hi), start=(1.0, 1.0))
    nag, hb = quadratics.nesterov_theory(lo, hi), quadratics.momentum_theory(lo, hi)
    assert nag["best_lr"] == pytest.approx(4 / 30.1) and nag["rate"] == pytest.approx(1 - 2 / np.sqrt(301))
    assert hb["rate"] < nag["rate"] < 1
    run = descend(Momentum(lr=nag["best_lr"], beta=nag["best_beta"], nesterov=True), land, steps=400,
                  record_diagnostics=False)
    assert quadratics.measured_rate(run) == pytest.approx(nag["rate"], abs=0.005)
