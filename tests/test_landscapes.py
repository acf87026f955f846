"""Landscapes: gradients against finite differences, listed minima, bad names, stochastic version."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import LANDSCAPES, StochasticLandscape, get_landscape
from course_lib.landscapes import bowl

ALL = [get_landscape(name) for name in LANDSCAPES] + [bowl(condition=25.0)]
IDS = [f"{ls.name}-{i}" for i, ls in enumerate(ALL)]


def finite_difference_gradient(landscape, w, h=1e-6):
    return np.array([(landscape.loss(w + h * e) - landscape.loss(w - h * e)) / (2 * h) for e in np.eye(2)])


def hessian(landscape, w, h=1e-5):
    return np.array([(landscape.grad(w + h * e) - landscape.grad(w - h * e)) / (2 * h) for e in np.eye(2)])


@pytest.mark.parametrize("landscape", ALL, ids=IDS)
def test_gradient_matches_finite_differences(landscape):
    rng = np.random.default_rng(0)
    for _ in range(25):
        w = np.array([rng.uniform(*landscape.xlim), rng.uniform(*landscape.ylim)])
        expected = finite_difference_gradient(landscape, w)
        np.testing.assert_allclose(landscape.grad(w), expected, rtol=1e-6, atol=1e-6 * (1 + np.abs(expected).max()))


@pytest.mark.parametrize("landscape", ALL, ids=IDS)
def test_every_listed_minimum_is_a_minimum(landscape):
    assert landscape.minima, "every landscape lists its minima"
    for minimum in landscape.minima:
        w = minimum.w
        assert np.linalg.norm(landscape.grad(w)) < 1e-10
        assert np.all(np.linalg.eigvalsh(hessian(landscape, w)) > 0)
        assert landscape.loss(w) == pytest.approx(minimum.value, abs=1e-12)
        assert landscape.xlim[0] < w[0] < landscape.xlim[1] and landscape.ylim[0] < w[1] < landscape.ylim[1]
    # The first listed minimum is the global one.
    assert landscape.minima[0].value == min(m.value for m in landscape.minima)


@pytest.mark.parametrize("landscape", ALL, ids=IDS)
def test_saddles_are_saddles(landscape):
    for saddle in landscape.saddles:
        assert np.linalg.norm(landscape.grad(saddle.w)) < 1e-10
        eigenvalues = np.linalg.eigvalsh(hessian(landscape, saddle.w))
        assert eigenvalues[0] < 0 < eigenvalues[1]


@pytest.mark.slow
def test_listed_minima_are_all_the_minima_of_the_foggy_valley():
    # Start plain gradient descent from a grid of points: every run must end at a listed minimum.
    from course_lib import GradientDescent, descend

    valley = get_landscape("foggy_valley")
    ends = set()
    for x in np.linspace(*valley.xlim, 9):
        for y in np.linspace(*valley.ylim, 9):
            run = descend(GradientDescent(lr=0.2), valley, start=np.array([x, y]), steps=2000,
                          record_diagnostics=False)
            distances = [np.linalg.norm(run.params[-1] - m.w) for m in valley.minima]
            assert min(distances) < 1e-3, (x, y, run.params[-1])
            ends.add(int(np.argmin(distances)))
    assert ends == {0, 1, 2}


def test_grids_evaluate_elementwise():
    landscape = get_landscape("rosenbrock")
    X, Y, J = landscape.grid(50)
    assert X.shape == Y.shape == J.shape == (50, 50)
    assert J[10, 20] == pytest.approx(landscape.loss(np.array([X[10, 20], Y[10, 20]])))


def test_named_start_points():
    valley = get_landscape("foggy_valley")
    np.testing.assert_array_equal(valley.start_point("east"), [4.0, -3.0])
    np.testing.assert_array_equal(valley.start, valley.start_point("ridge"))
    with pytest.raises(ValueError, match="unknown start 'north'; allowed: 'ridge', 'east', 'south'"):
        valley.start_point("north")


def test_unknown_landscape_and_bad_options_are_named():
    with pytest.raises(ValueError, match="unknown landscape 'himmelblau'; allowed: 'bowl', 'ravine'"):
        get_landscape("himmelblau")
    with pytest.raises(ValueError, match="condition must be > 0, got -1.0"):
        get_landscape("bowl", condition=-1.0)


def test_stochastic_landscape_is_an_exact_finite_sum():
    valley = get_landscape("foggy_valley")
    noisy = StochasticLandscape(valley, n_samples=50, noise=2.0, seed=3)
    w = np.array([0.3, -1.2])
    every_sample = [noisy.grad(w, np.array([i])) for i in range(50)]
    np.testing.assert_allclose(np.mean(every_sample, axis=0), valley.grad(w), atol=1e-12)
    np.testing.assert_allclose(noisy.grad(w, np.arange(50)), valley.grad(w), atol=1e-12)
    assert noisy.loss(w) == valley.loss(w)
    spread = np.std(every_sample, axis=0)
    assert np.all((spread > 1.0) & (spread < 3.0))  # noise = 2 per component


def test_stochastic_landscape_sample_gradients_match_finite_differences():
    noisy = StochasticLandscape(get_landscape("saddle"), n_samples=10, seed=0)
    w, batch = np.array([0.4, 0.7]), np.array([2, 5, 7])
    h = 1e-6
    expected = [(noisy.loss(w + h * e, batch) - noisy.loss(w - h * e, batch)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(noisy.grad(w, batch), expected, rtol=1e-6)


def test_stochastic_landscape_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1, got 0"):
        StochasticLandscape(get_landscape("bowl"), n_samples=0)
    with pytest.raises(ValueError, match="noise must be > 0, got 0.0"):
        StochasticLandscape(get_landscape("bowl"), noise=0.0)


def test_stochastic_landscape_reads_the_picture_through_to_its_landscape():
    valley = get_landscape("foggy_valley")
    noisy = StochasticLandscape(valley, n_samples=20, seed=0)
    assert noisy.landscape is valley
    for attribute in ("name", "title", "minima", "saddles", "starts", "xlim", "ylim", "log_contours", "description"):
        assert getattr(noisy, attribute) == getattr(valley, attribute), attribute
    np.testing.assert_array_equal(noisy.start, valley.start)
    np.testing.assert_array_equal(noisy.start_point("east"), valley.start_point("east"))
    np.testing.assert_array_equal(noisy.grid(5)[2], valley.grid(5)[2])
    assert noisy.n_samples == 20 and valley.n_samples is None
    with pytest.raises(AttributeError, match="no_such_thing"):
        getattr(noisy, "no_such_thing")  # noqa: B009
    with pytest.raises(TypeError, match="landscape must be a Landscape"):
        StochasticLandscape(noisy)


def test_the_chapters_landscapes_are_the_experiments_names():
    from course_lib import landscapes
    from course_lib.experiments import adaptive

    for name in ("cliff_and_plain", "scaled_loss", "scaled_bowl"):
        assert getattr(adaptive, name) is getattr(landscapes, name)
        assert name not in landscapes.LANDSCAPES  # each belongs to one experiment, not to the menus
