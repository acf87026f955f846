"""Learning-rate schedules: hand-computed rates, the closed forms, bad input, and the descent loop with a schedule.

Their agreement with torch.optim.lr_scheduler, bit for bit, is in tests/test_parity_torch.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import GradientDescent, Momentum, descend, get_landscape
from course_lib.schedules import CosineAnnealing, LinearWarmup, Schedule, StepDecay, WarmupCosine


def test_step_decay_by_hand():
    # updates 1-3 at 0.4, 4-6 at 0.2, 7 at 0.1
    np.testing.assert_allclose(StepDecay(step_size=3, gamma=0.5).rates(0.4, 7), [0.4] * 3 + [0.2] * 3 + [0.1])


def test_cosine_by_hand():
    # total 4: k = 0..4 -> (1 + cos(k pi / 4)) / 2 = 1, 0.854, 0.5, 0.146, 0
    rates = CosineAnnealing(total_steps=4).rates(1.0, 5)
    np.testing.assert_allclose(rates, [1, (1 + math.sqrt(0.5)) / 2, 0.5, (1 - math.sqrt(0.5)) / 2, 0], atol=1e-15)


def test_cosine_ends_at_min_lr_and_rises_again_after_total_steps():
    rates = CosineAnnealing(total_steps=10, min_lr=0.01).rates(0.1, 21)
    assert rates[10] == pytest.approx(0.01) and rates.min() == pytest.approx(0.01)
    assert rates[20] == pytest.approx(0.1)  # a full period later, as torch's cosine does


def test_linear_warmup_by_hand():
    # start at 0.25 of the rate, reach it after 3 scheduler steps, then stay
    np.testing.assert_allclose(LinearWarmup(warmup_steps=3, start_factor=0.25).rates(0.8, 6),
                               [0.2, 0.4, 0.6, 0.8, 0.8, 0.8], rtol=1e-15)


def test_warmup_cosine_is_warmup_then_cosine():
    schedule = WarmupCosine(warmup_steps=5, total_steps=25, start_factor=0.2)
    rates = schedule.rates(0.5, 30)
    np.testing.assert_allclose(rates[:5], LinearWarmup(5, 0.2).rates(0.5, 5), rtol=1e-15)
    np.testing.assert_allclose(rates[5:], CosineAnnealing(20).rates(0.5, 25), rtol=1e-14)
    assert rates[5] == 0.5 and rates[25] == pytest.approx(0.0, abs=1e-16)


@pytest.mark.parametrize("schedule, closed_form", [
    (StepDecay(7, 0.5), lambda k: 0.3 * 0.5 ** (k // 7)),
    (CosineAnnealing(100, 1e-3), lambda k: 1e-3 + (0.3 - 1e-3) * (1 + math.cos(math.pi * k / 100)) / 2),
    (LinearWarmup(10, 0.01), lambda k: 0.3 * (0.01 + 0.99 * min(k, 10) / 10)),
], ids=["step", "cosine", "warmup"])
def test_the_chained_rates_are_the_closed_forms(schedule, closed_form):
    # Computed each from the previous one (as torch does), the rates stay within a few units in the
    # last place of the equation in the module docstring.
    np.testing.assert_allclose(schedule.rates(0.3, 150), [closed_form(k) for k in range(150)], rtol=1e-14)


def test_call_is_the_rate_of_update_t():
    schedule = CosineAnnealing(50)
    assert schedule(1, 0.2) == 0.2
    assert schedule(26, 0.2) == schedule.rates(0.2, 26)[-1] == pytest.approx(0.1)


@pytest.mark.parametrize("make, message", [
    (lambda: StepDecay(0), r"step_size must be an integer >= 1, got 0"),
    (lambda: StepDecay(10, gamma=1.5), r"gamma must be in \(0, 1\], got 1.5"),
    (lambda: StepDecay(2.5), r"step_size must be an integer >= 1, got 2.5"),
    (lambda: CosineAnnealing(100, min_lr=-0.1), r"min_lr must be >= 0, got -0.1"),
    (lambda: LinearWarmup(5, start_factor=0.0), r"start_factor must be in \(0, 1\], got 0.0"),
    (lambda: WarmupCosine(10, 10), r"total_steps must be larger than warmup_steps=10, got 10"),
    (lambda: CosineAnnealing(10).rates(-0.1, 5), r"lr must be > 0, got -0.1"),
    (lambda: CosineAnnealing(10).rates(0.1, 0), r"steps must be an integer >= 1, got 0"),
    (lambda: CosineAnnealing(10)(0, 0.1), r"t must be an integer >= 1, got 0"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def test_schedules_are_immutable_values():
    schedule = StepDecay(10)
    with pytest.raises(AttributeError):
        schedule.gamma = 0.5  # type: ignore[misc]
    assert StepDecay(10) == schedule and isinstance(schedule, Schedule)


# ---- the descent loop with a schedule -----------------------------------------------------------


class Line:
    """J(w) = w: the gradient is always 1, so each step is exactly that update's rate."""

    n_samples = None
    start = np.array([0.0])

    def loss(self, w, batch=None):
        return float(w[0])

    def grad(self, w, batch=None):
        return np.ones_like(w)

    def loss_and_grad(self, w, batch=None):
        return self.loss(w), self.grad(w)


def test_descend_applies_the_rate_of_each_update():
    schedule = StepDecay(step_size=2, gamma=0.5)
    run = descend(GradientDescent(lr=0.4), Line(), steps=5, schedule=schedule)
    np.testing.assert_allclose(-np.diff(run.params[:, 0]), schedule.rates(0.4, 5), rtol=1e-15)


def test_descend_keeps_the_optimizers_rate_and_state_semantics():
    opt = Momentum(lr=0.1)
    run = descend(opt, get_landscape("ravine"), steps=30, schedule=CosineAnnealing(30))
    assert opt.lr == 0.1 and run.hyperparams["lr"] == 0.1  # the peak is what is recorded
    plain = descend(Momentum(lr=0.1), get_landscape("ravine"), steps=30)
    assert not np.array_equal(run.params, plain.params)
    # Without a schedule nothing changes.
    again = descend(opt, get_landscape("ravine"), steps=30)
    np.testing.assert_array_equal(again.params, plain.params)


def test_a_decaying_rate_reaches_closer_on_a_noisy_problem():
    # SGD at a constant rate hovers at a noise floor; halving the rate every 100 steps goes below it.
    from course_lib import LinearRegression

    problem = LinearRegression(n_samples=200, noise=1.0)
    gap = lambda run: run.final_loss - problem.loss(problem.w_best)  # noqa: E731
    constant = descend(GradientDescent(lr=0.05), problem, steps=600, batch_size=1, record_diagnostics=False)
    decayed = descend(GradientDescent(lr=0.05), problem, steps=600, batch_size=1, record_diagnostics=False,
                      schedule=StepDecay(100, 0.5))
    assert gap(decayed) < 0.5 * gap(constant)


def test_descend_refuses_a_schedule_that_is_not_one():
    with pytest.raises(TypeError, match="schedule must be a course_lib.schedules Schedule or None, got function"):
        descend(GradientDescent(), Line(), steps=3, schedule=lambda t, lr: lr)
