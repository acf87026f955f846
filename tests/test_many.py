"""descend_many steps many runs together; each of its runs must be the run descend records, number for number."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import LANDSCAPES, AdaDelta, AdaGrad, Adam, GradientDescent, Momentum, RMSprop, descend, get_landscape
from course_lib.experiments.adaptive import cliff_and_plain, scaled_bowl, start_grid
from course_lib.many import descend_many

# Rates from far too small to far too large, so that some runs diverge (early or late) and some do not.
SWEEPS = {
    GradientDescent: ("lr", [0.001, 0.1, 1.0, 3.0, 100.0]),
    Momentum: ("lr", [0.001, 0.1, 1.0, 30.0]),
    AdaGrad: ("lr", [0.01, 1.0, 100.0]),
    RMSprop: ("lr", [0.001, 0.1, 100.0]),
    AdaDelta: ("eps", [1e-10, 1e-6, 1e-2, 1.0]),
    Adam: ("lr", [0.001, 0.1, 10.0, 100.0]),
}
PROBLEMS = [get_landscape(name) for name in LANDSCAPES] + [cliff_and_plain(), scaled_bowl(10.0)]


def assert_same_run(together, alone):
    assert together.diverged_at == alone.diverged_at
    assert together.steps == alone.steps
    np.testing.assert_array_equal(together.params, alone.params)  # bit for bit, not approximately
    np.testing.assert_array_equal(together.losses, alone.losses)
    np.testing.assert_array_equal(together.final, alone.final)
    assert (together.label, together.optimizer, together.hyperparams, together.problem) == (
        alone.label, alone.optimizer, alone.hyperparams, alone.problem)


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p.name for p in PROBLEMS])
@pytest.mark.parametrize("kind", list(SWEEPS), ids=[k.__name__ for k in SWEEPS])
@pytest.mark.parametrize("batch_loss", [False, True])
def test_a_sweep_together_is_each_run_alone(problem, kind, batch_loss):
    name, values = SWEEPS[kind]
    optimizers = [kind(**{name: value}) for value in values]
    together = descend_many(optimizers, problem, steps=150, batch_loss=batch_loss)
    for optimizer, run in zip(optimizers, together):
        assert_same_run(run, descend(optimizer, problem, steps=150, record_diagnostics=False, batch_loss=batch_loss))


def test_the_sweeps_include_runs_that_diverge_and_runs_that_do_not():
    runs = descend_many([GradientDescent(lr=lr) for lr in SWEEPS[GradientDescent][1]], get_landscape("ravine"),
                        steps=150)
    assert [run.diverged for run in runs] == [False, False, True, True, True]
    assert runs[2].diverged_at > runs[4].diverged_at  # a later divergence, so the runs stop at different steps


def test_many_starts_with_one_optimizer():
    valley = get_landscape("foggy_valley")
    starts = start_grid(valley, n=5)
    optimizer = RMSprop(lr=0.05)
    together = descend_many([optimizer] * len(starts), valley, starts=starts, steps=200)
    for start, run in zip(starts, together):
        assert_same_run(run, descend(optimizer, valley, start=start, steps=200, record_diagnostics=False))


def test_arguments_are_checked():
    bowl = get_landscape("bowl")
    with pytest.raises(TypeError, match=r"optimizers\[1\] a Adam"):
        descend_many([GradientDescent(), Adam()], bowl)
    with pytest.raises(ValueError, match="eps_inside_sqrt must be the same for all runs"):
        descend_many([AdaGrad(), AdaGrad(eps_inside_sqrt=True)], bowl)
    with pytest.raises(ValueError, match=r"starts must be None, one point \(x, y\) or 2 points"):
        descend_many([Adam(), Adam()], bowl, starts=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="labels has 1 entries"):
        descend_many([Adam(), Adam()], bowl, labels=["one"])
    with pytest.raises(TypeError, match="landscape must be a Landscape"):
        descend_many([Adam()], object())
    with pytest.raises(ValueError, match="at least one optimizer"):
        descend_many([], bowl)


def test_a_landscape_whose_formulas_return_constants():
    # A tilted plane: its gradient is the same number everywhere, which grad_xy may return as a plain float.
    from course_lib.landscapes import Landscape, Point
    plane = Landscape(name="plane", title="A tilted plane", f=lambda x, y: 0.5 * x + 0.0 * y + 3.0,
                      grad_xy=lambda x, y: (0.5, 0.0), minima=(Point(0.0, 0.0, 0.0),), starts={"o": (1.0, 2.0)},
                      xlim=(-1.0, 1.0), ylim=(-1.0, 1.0))
    flat = Landscape(name="flat", title="Flat", f=lambda x, y: 1.0, grad_xy=lambda x, y: (0.0, 0.0),
                     minima=(Point(0.0, 0.0, 1.0),), starts={"o": (1.0, 2.0)}, xlim=(-1.0, 1.0), ylim=(-1.0, 1.0))
    for landscape in (plane, flat):
        optimizers = [GradientDescent(lr=lr) for lr in (0.1, 1.0)]
        for optimizer, run in zip(optimizers, descend_many(optimizers, landscape, steps=20)):
            assert_same_run(run, descend(optimizer, landscape, steps=20, record_diagnostics=False))
    np.testing.assert_array_equal(plane.grad(np.array([1.0, 2.0])), [0.5, 0.0])
    assert flat.loss(np.array([1.0, 2.0])) == 1.0
