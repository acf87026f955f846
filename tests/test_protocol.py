"""Landscapes, stochastic landscapes and data problems share one protocol, which descend checks."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import (
    LANDSCAPES,
    PROBLEMS,
    Adam,
    LinearRegression,
    StochasticLandscape,
    descend,
    get_landscape,
    get_problem,
)
from course_lib.landscapes import cliff_and_plain, scaled_bowl, scaled_loss
from course_lib.params import ravel
from course_lib.protocol import Problem

EVERY_PROBLEM = (
    [get_landscape(name) for name in LANDSCAPES]
    + [cliff_and_plain(), scaled_bowl(10.0), scaled_loss(get_landscape("ravine"), 3.0)]
    + [StochasticLandscape(get_landscape("bowl"), n_samples=10)]
    + [get_problem(name, **({"n_train": 100} if name == "digits_mlp" else {})) for name in PROBLEMS]
)


@pytest.mark.parametrize("problem", EVERY_PROBLEM, ids=lambda p: p.name)
def test_every_problem_follows_the_protocol(problem):
    assert isinstance(problem, Problem)
    loss, g = problem.loss_and_grad(problem.start, None)
    assert loss == pytest.approx(problem.loss(problem.start))
    assert (problem.n_samples is None) == (problem in EVERY_PROBLEM[:8])
    np.testing.assert_array_equal(ravel(g), ravel(problem.grad(problem.start)))


def test_a_data_problems_start_is_its_unseeded_init():
    problem = LinearRegression(n_samples=20)
    np.testing.assert_array_equal(problem.start, problem.init_params(0))


@pytest.mark.parametrize("problem, missing", [("bowl", "n_samples, loss, grad, loss_and_grad, start"),
                                              (object(), "n_samples, loss, grad, loss_and_grad, start")])
def test_descend_names_what_a_non_problem_lacks(problem, missing):
    with pytest.raises(TypeError, match=f"problem must be a landscape or a data problem .* without {missing}"):
        descend(Adam(), problem, steps=1)
