"""The fast in-place step gives exactly the results of the readable Optimizer.step."""

import numpy as np
import pytest

from course_lib import OPTIMIZERS, Adam, GradientDescent, make_optimizer
from course_lib.fast import step_inplace

# Hyperparameters that make every rule move visibly (and use the non-default branches too).
SETTINGS = {
    "gd": {"lr": 0.05},
    "momentum": {"lr": 0.05, "beta": 0.8},
    "adagrad": {"lr": 0.1},
    "rmsprop": {"lr": 0.01, "eps_inside_sqrt": True},
    "adadelta": {"lr": 1.0},
    "adam": {"lr": 0.01},
    "adamw": {"lr": 0.01, "weight_decay": 0.1},
}


def _gradient(w: np.ndarray, step: int, rng: np.random.Generator) -> np.ndarray:
    """A gradient that depends on w (so differences would compound) plus noise."""
    return (w * np.float64(0.5 + 0.01 * step)).astype(w.dtype) + rng.standard_normal(w.shape).astype(w.dtype)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size, block_size", [(1001, 64), (70_001, 65_536), (7, 3)])
def test_fast_path_is_bitwise_identical_to_step(name, dtype, size, block_size):
    readable = make_optimizer(name, **SETTINGS[name])
    fast = make_optimizer(name, **SETTINGS[name])
    start = np.random.default_rng(0).standard_normal(size).astype(dtype)
    w_readable, w_fast = start.copy(), start.copy()
    rng_readable, rng_fast = np.random.default_rng(1), np.random.default_rng(1)
    for step in range(60):
        w_readable = readable.step(w_readable, _gradient(w_readable, step, rng_readable))
        returned = step_inplace(fast, w_fast, _gradient(w_fast, step, rng_fast), block_size=block_size)
        assert returned is w_fast
    assert w_fast.dtype == dtype
    assert np.array_equal(w_fast, w_readable)
    assert fast.t == readable.t == 60
    for state_name in readable.state_names:
        assert np.array_equal(fast.state[state_name], readable.state[state_name]), state_name
    assert not np.array_equal(w_fast, start)


def test_readable_step_then_fast_step_continue_one_run():
    a, b = Adam(lr=0.1), Adam(lr=0.1)
    w = np.linspace(-1, 1, 11)
    g = np.cos(w)
    wa = a.step(a.step(w, g), g)
    wb = b.step(w, g)
    step_inplace(b, wb, g, block_size=4)
    assert np.array_equal(wa, wb)


def test_gradient_is_not_modified():
    g = np.arange(10.0)
    copy = g.copy()
    step_inplace(Adam(), np.zeros(10), g, block_size=3)
    assert np.array_equal(g, copy)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((np.zeros(3), np.zeros(3)), {"block_size": 0}, ValueError, "block_size must be a positive integer"),
        ((np.zeros(3), np.zeros(3)), {"block_size": 2.5}, ValueError, "block_size must be a positive integer"),
        (([0.0, 1.0], np.zeros(2)), {}, TypeError, "w must be one numpy array"),
        ((np.zeros(3), np.zeros(4)), {}, ValueError, "g has shape"),
        ((np.zeros(3), np.zeros(3, dtype=np.float32)), {}, TypeError, "g has dtype float32"),
        ((np.zeros(6)[::2], np.zeros(3)), {}, ValueError, "C-contiguous"),
        ((np.zeros(3), np.array([0.0, np.nan, 1.0])), {}, ValueError, "g contains 1 non-finite"),
    ],
)
def test_bad_input_is_named(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        step_inplace(Adam(), *args, **kwargs)


def test_bad_input_leaves_w_and_state_untouched():
    opt = Adam()
    w = np.ones(4)
    step_inplace(opt, w, np.ones(4))
    before_w, before_m = w.copy(), opt.state["m"].copy()
    with pytest.raises(ValueError, match="non-finite"):
        step_inplace(opt, w, np.array([1.0, 1.0, np.inf, 1.0]), block_size=1)
    assert np.array_equal(w, before_w) and np.array_equal(opt.state["m"], before_m) and opt.t == 1


def test_overflowing_but_finite_gradient_is_accepted():
    # The quick finite check sums g; a finite g whose sum overflows must still pass.
    w = np.zeros(2, dtype=np.float32)
    step_inplace(GradientDescent(lr=1e-30), w, np.full(2, 3e38, dtype=np.float32))
    assert np.allclose(w, -3e8)


def test_other_shape_needs_reset():
    opt = Adam()
    step_inplace(opt, np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="call reset"):
        step_inplace(opt, np.zeros(4), np.ones(4))



@pytest.mark.parametrize(
    "w, g, error",
    [(np.ones(3, np.float32), np.ones(3), TypeError), (np.ones(3), np.array([1.0, np.nan, 1.0]), ValueError)],
    ids=["dtype", "nan"],
)
def test_a_failed_first_step_leaves_no_layout_or_state(w, g, error):
    opt = Adam(lr=0.1)
    with pytest.raises(error):
        step_inplace(opt, w, g)
    assert opt.state == {"t": 0}
    w = np.ones(5)  # another shape: nothing was fixed by the failed step
    step_inplace(opt, w, np.ones(5))
    assert np.array_equal(w, Adam(lr=0.1).step(np.ones(5), np.ones(5))) and opt.t == 1


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_diagnostics_after_fast_steps_equal_those_after_readable_steps(name):
    readable, fast = make_optimizer(name, **SETTINGS[name]), make_optimizer(name, **SETTINGS[name])
    w_readable, w_fast = np.linspace(-1, 1, 10), np.linspace(-1, 1, 10)
    for step in range(5):
        g = np.cos(w_readable * (step + 1))
        w_readable = readable.step(w_readable, g)
        step_inplace(fast, w_fast, g, block_size=3)
    for key, value in readable.diagnostics().items():
        assert np.array_equal(fast.diagnostics()[key], value), key


def test_rejects_a_non_optimizer():
    with pytest.raises(TypeError, match="optimizer must be a course_lib Optimizer"):
        step_inplace("adam", np.zeros(2), np.ones(2))


def test_adadelta_keeps_the_u_of_before_the_step_without_allocating_after_the_first_steps():
    opt, w = make_optimizer("adadelta"), np.linspace(-1, 1, 9)
    buffers = set()
    for step in range(6):
        step_inplace(opt, w, np.cos(w + step), block_size=4)
        buffers.add(id(opt.state["u"]))
        assert not np.shares_memory(opt.state["u"], opt.previous_state["u"])
    assert len(buffers) == 2  # two buffers, used in turn
