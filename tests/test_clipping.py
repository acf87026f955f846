"""Gradient clipping by global norm: by hand, structures, bad input, and in the descent loop.

Its agreement with torch.nn.utils.clip_grad_norm_ is in tests/test_parity_torch.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import GradientDescent, descend
from course_lib.clipping import NORM_EPS, clip_by_global_norm, global_norm


def test_a_long_gradient_is_shortened_to_max_norm():
    # |(3, 4)| = 5; max_norm 1: coefficient 1 / (5 + 1e-6)
    clipped, norm = clip_by_global_norm(np.array([3.0, 4.0]), 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped, np.array([3.0, 4.0]) / (5.0 + NORM_EPS), rtol=1e-15)
    assert np.linalg.norm(clipped) == pytest.approx(1.0, abs=1e-6) and np.linalg.norm(clipped) < 1.0


def test_a_short_gradient_passes_unchanged():
    g = np.array([0.3, -0.4])
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(0.5) and np.array_equal(clipped, g)


def test_the_norm_is_global_over_every_array():
    # Each array alone is shorter than 2, together they are 5 long: all are scaled by the same factor.
    grads = {"W": np.array([[3.0]]), "b": np.array([0.0, 4.0])}
    before = {k: v.copy() for k, v in grads.items()}
    clipped, norm = clip_by_global_norm(grads, 2.0)
    assert norm == 5.0 == global_norm(grads)
    factor = 2.0 / (5.0 + NORM_EPS)
    np.testing.assert_allclose(clipped["W"], before["W"] * factor, rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], before["b"] * factor, rtol=1e-15)
    for key in grads:
        np.testing.assert_array_equal(grads[key], before[key])  # the caller's arrays are untouched


def test_dtype_and_structure_are_kept():
    grads = [np.ones(3, np.float32) * 10, np.ones(2, np.float32)]
    clipped, _ = clip_by_global_norm(grads, 1.0)
    assert isinstance(clipped, list) and [g.dtype for g in clipped] == [np.float32, np.float32]


def test_a_zero_gradient_gives_no_division_by_zero():
    clipped, norm = clip_by_global_norm(np.zeros(2), 1.0)
    assert norm == 0.0 and np.array_equal(clipped, np.zeros(2))


@pytest.mark.parametrize("max_norm, error, message", [
    (0.0, ValueError, "max_norm must be > 0, got 0.0"),
    (-1.0, ValueError, "max_norm must be > 0, got -1.0"),
    ("1", TypeError, "max_norm must be a real number, got '1'"),
])
def test_bad_max_norm_is_named(max_norm, error, message):
    with pytest.raises(error, match=message):
        clip_by_global_norm(np.ones(2), max_norm)


class Cliff:
    """J(w) = 50 w^2: at w = 1 the gradient is 100, so a plain step of lr 0.1 overshoots to -9."""

    n_samples = None
    start = np.array([1.0])

    def loss(self, w, batch=None):
        return float(50 * w[0] ** 2)

    def grad(self, w, batch=None):
        return 100 * w

    def loss_and_grad(self, w, batch=None):
        return self.loss(w), self.grad(w)


def test_descend_clips_each_gradient_so_a_step_is_at_most_lr_times_max_norm():
    plain = descend(GradientDescent(lr=0.1), Cliff(), steps=20)
    clipped = descend(GradientDescent(lr=0.1), Cliff(), steps=20, clip_norm=1.0)
    assert plain.diverged
    steps = np.abs(np.diff(clipped.params[:, 0]))
    assert steps.max() <= 0.1 * 1.0 and steps[0] == pytest.approx(0.1, rel=1e-5)
    assert not clipped.diverged and abs(clipped.params[-1, 0]) < 0.1


def test_descend_checks_clip_norm():
    with pytest.raises(ValueError, match="clip_norm must be > 0, got -1"):
        descend(GradientDescent(), Cliff(), steps=2, clip_norm=-1)
