"""The update rules and optimizer objects: hand-computed steps, equivalences, convergence, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import (
    OPTIMIZERS,
    AdaDelta,
    AdaGrad,
    Adam,
    GradientDescent,
    Momentum,
    RMSprop,
    descend,
    get_landscape,
    make_optimizer,
    rules,
)

# One coordinate, w0 = 1, gradients 2 then 1: small enough to follow with pencil and paper.
G1, G2 = 2.0, 1.0


def two_steps(opt):
    w = np.array([1.0])
    w = opt.step(w, np.array([G1]))
    first = float(w[0])
    w = opt.step(w, np.array([G2]))
    return first, float(w[0])


def test_gradient_descent_by_hand():
    # w1 = 1 - 0.1 * 2 = 0.8; w2 = 0.8 - 0.1 * 1 = 0.7
    assert two_steps(GradientDescent(lr=0.1)) == pytest.approx((0.8, 0.7), abs=1e-15)


def test_momentum_by_hand():
    # m1 = 2, w1 = 1 - 0.1 * 2 = 0.8; m2 = 0.9 * 2 + 1 = 2.8, w2 = 0.8 - 0.28 = 0.52
    assert two_steps(Momentum(lr=0.1, beta=0.9)) == pytest.approx((0.8, 0.52), abs=1e-15)


def test_adagrad_by_hand():
    # G1 = 4, w1 = 1 - 0.1 * 2 / 2 = 0.9; G2 = 5, w2 = 0.9 - 0.1 / sqrt(5)
    first, second = two_steps(AdaGrad(lr=0.1, eps=1e-10))
    assert first == pytest.approx(0.9, abs=1e-10)
    assert second == pytest.approx(0.9 - 0.1 / math.sqrt(5), abs=1e-10)


def test_adagrad_eps_inside_and_outside_the_root():
    # With a gradient of 1e-6 and eps = 1e-6 the two placements differ visibly:
    # outside: 1e-6 / (1e-6 + 1e-6) = 0.5; inside: 1e-6 / sqrt(1e-12 + 1e-6) ~ 1e-3.
    w, g = np.array([0.0]), np.array([1e-6])
    outside, _ = rules.adagrad_update(w, g, np.zeros(1), lr=1.0, eps=1e-6)
    inside, _ = rules.adagrad_update(w, g, np.zeros(1), lr=1.0, eps=1e-6, eps_inside_sqrt=True)
    assert outside[0] == pytest.approx(-0.5)
    assert inside[0] == pytest.approx(-1e-6 / math.sqrt(1e-12 + 1e-6))


def test_rmsprop_by_hand():
    # v1 = 0.1 * 4 = 0.4, w1 = 1 - 0.1 * 2 / sqrt(0.4); v2 = 0.9 * 0.4 + 0.1 = 0.46, w2 = w1 - 0.1 / sqrt(0.46)
    first, second = two_steps(RMSprop(lr=0.1, gamma=0.9, eps=1e-12))
    w1 = 1 - 0.2 / math.sqrt(0.4)
    assert first == pytest.approx(w1, abs=1e-11)
    assert second == pytest.approx(w1 - 0.1 / math.sqrt(0.46), abs=1e-11)


def test_rmsprop_eps_inside_the_root():
    w, g = np.array([0.0]), np.array([1e-6])
    inside, v = rules.rmsprop_update(w, g, np.zeros(1), 1, lr=1.0, gamma=0.0, eps=1e-6, eps_inside_sqrt=True)
    assert inside[0] == pytest.approx(-1e-6 / math.sqrt(1e-12 + 1e-6))
    assert v[0] == pytest.approx(1e-12)


def test_rmsprop_with_bias_correction_by_hand():
    # gamma = 0.9, g = 2 then 1, eps = 1e-4 (outside the root):
    # v1 = 0.1 * 4 = 0.4,           v_hat1 = 0.4 / (1 - 0.9) = 4,       w1 = 1 - 0.1 * 2 / (2 + 1e-4)
    # v2 = 0.9 * 0.4 + 0.1 = 0.46,  v_hat2 = 0.46 / (1 - 0.81) = 0.46 / 0.19
    opt = RMSprop(lr=0.1, gamma=0.9, eps=1e-4, bias_correction=True)
    first, second = two_steps(opt)
    w1 = 1 - 0.2 / (2 + 1e-4)
    assert first == pytest.approx(w1, rel=1e-14)
    assert second == pytest.approx(w1 - 0.1 / (math.sqrt(0.46 / 0.19) + 1e-4), rel=1e-14)
    assert opt.state["v"][0] == pytest.approx(0.46, rel=1e-14)  # the state keeps the raw v
    assert opt.effective_lr()[0] == pytest.approx(0.1 / (math.sqrt(0.46 / 0.19) + 1e-4), rel=1e-14)
    # eps inside the root is added to v_hat, after the correction (optax: sqrt(nu_hat + eps)).
    inside = RMSprop(lr=0.1, gamma=0.9, eps=1e-4, eps_inside_sqrt=True, bias_correction=True)
    assert two_steps(inside)[0] == pytest.approx(1 - 0.2 / math.sqrt(4 + 1e-4), rel=1e-14)


@pytest.mark.parametrize("gamma", [0.9, 0.99, 0.999])
def test_rmsprop_with_bias_correction_is_adam_with_beta1_zero_bit_for_bit(gamma):
    # beta1 = 0 makes m = g and m_hat = g exactly; v, v_hat and sqrt(v_hat) + eps are the same
    # operations in the same order, so the runs agree to the last bit (both with eps outside the root).
    rmsprop = RMSprop(lr=0.01, gamma=gamma, eps=1e-8, bias_correction=True)
    adam = Adam(lr=0.01, beta1=0.0, beta2=gamma, eps=1e-8)
    w_r, w_a = W0.copy(), W0.copy()
    for _ in range(100):
        w_r, w_a = rmsprop.step(w_r, quadratic_grad(w_r)), adam.step(w_a, quadratic_grad(w_a))
        assert np.array_equal(w_r, w_a)
        assert np.array_equal(rmsprop.effective_lr(), adam.effective_lr())
    assert np.array_equal(rmsprop.state["v"], adam.state["v"])
    uncorrected = run(RMSprop(lr=0.01, gamma=gamma, eps=1e-8), quadratic_grad, W0, steps=100)
    assert np.abs(w_r - uncorrected).max() > 1e-6  # the switch changes the run


def test_rmsprop_bias_correction_is_a_checked_and_cloned_switch():
    opt = RMSprop(bias_correction=True)
    assert opt.bias_correction is True and RMSprop().bias_correction is False  # torch's RMSprop has none
    assert repr(opt) == "RMSprop(lr=0.01, gamma=0.99, eps=1e-08, eps_inside_sqrt=False, bias_correction=True)"
    assert opt.clone(lr=0.1).bias_correction is True
    assert opt.clone(bias_correction=False).hyperparams["bias_correction"] is False
    with pytest.raises(TypeError, match="bias_correction must be True or False, got 1"):
        RMSprop(bias_correction=1)
    assert "bias_correction : bool, default False" in RMSprop.__doc__


def test_adadelta_by_hand():
    # gamma = 0.5, eps = 1e-2, lr = 1:
    # v1 = 0.5 * 4 = 2;   dw1 = sqrt(0 + .01) / sqrt(2 + .01) * 2;  u1 = 0.5 * dw1^2
    # v2 = 0.5 * 2 + 0.5 * 1 = 1.5;  dw2 = sqrt(u1 + .01) / sqrt(1.5 + .01) * 1
    dw1 = 0.1 / math.sqrt(2.01) * 2
    u1 = 0.5 * dw1**2
    dw2 = math.sqrt(u1 + 0.01) / math.sqrt(1.51)
    first, second = two_steps(AdaDelta(lr=1.0, gamma=0.5, eps=1e-2))
    assert first == pytest.approx(1 - dw1, abs=1e-14)
    assert second == pytest.approx(1 - dw1 - dw2, abs=1e-14)


def test_adadelta_lr_scales_only_the_applied_step():
    # u accumulates the unscaled step, so its value does not depend on lr.
    w, g = np.array([1.0]), np.array([2.0])
    _, _, u_small = rules.adadelta_update(w, g, np.zeros(1), np.zeros(1), lr=1.0)
    w_big, _, u_big = rules.adadelta_update(w, g, np.zeros(1), np.zeros(1), lr=10.0)
    assert u_small == u_big
    w_one, _, _ = rules.adadelta_update(w, g, np.zeros(1), np.zeros(1), lr=1.0)
    assert (1 - w_big[0]) == pytest.approx(10 * (1 - w_one[0]))


def test_adam_by_hand():
    # t=1: m = 0.2, v = 0.004, m_hat = 2, v_hat = 4, w1 = 1 - 0.1 * 2 / (2 + eps) ~ 0.9 (a first step of lr)
    # t=2: m = 0.28, v = 0.004996, m_hat = 0.28 / 0.19, v_hat = 0.004996 / 0.001999
    first, second = two_steps(Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8))
    assert first == pytest.approx(1 - 0.1 * 2 / (2 + 1e-8), abs=1e-15)
    m_hat, v_hat = 0.28 / 0.19, 0.004996 / 0.001999
    assert second == pytest.approx(first - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-12)


def test_adam_keeps_raw_moments_in_state():
    opt = Adam(lr=0.1)
    opt.step(np.array([1.0]), np.array([2.0]))
    assert opt.state["m"][0] == pytest.approx(0.2)
    assert opt.state["v"][0] == pytest.approx(0.004)
    assert opt.bias_corrected()["m_hat"][0] == pytest.approx(2.0)
    assert opt.state["t"] == 1


def test_adam_without_bias_correction_takes_tiny_first_steps():
    opt = Adam(lr=0.1, bias_correction=False)
    w = opt.step(np.array([1.0]), np.array([2.0]))
    # m = 0.2, v = 0.004: the step is 0.1 * 0.2 / sqrt(0.004) = 0.316, not 0.1
    assert 1 - w[0] == pytest.approx(0.1 * 0.2 / (math.sqrt(0.004) + 1e-8))


# ---- equivalences -----------------------------------------------------------


def run(opt, grad, w, steps=50):
    for _ in range(steps):
        w = opt.step(w, grad(w))
    return w


def quadratic_grad(w):
    A = np.array([[5.5, 4.5], [4.5, 5.5]])
    return A @ w


W0 = np.array([1.0, -1.5])


def test_momentum_with_beta_zero_is_gradient_descent():
    np.testing.assert_array_equal(
        run(Momentum(lr=0.05, beta=0.0), quadratic_grad, W0), run(GradientDescent(lr=0.05), quadratic_grad, W0)
    )


def test_adam_with_beta1_zero_and_no_bias_correction_is_rmsprop():
    adam = Adam(lr=0.01, beta1=0.0, beta2=0.9, eps=1e-8, bias_correction=False)
    rmsprop = RMSprop(lr=0.01, gamma=0.9, eps=1e-8)
    np.testing.assert_allclose(run(adam, quadratic_grad, W0), run(rmsprop, quadratic_grad, W0), rtol=1e-14)


def test_adam_with_beta1_zero_is_rmsprop_with_bias_correction():
    # With beta1 = 0, Adam's step is lr * g / (sqrt(v / c) + eps) with c = 1 - beta2^t:
    # RMSprop's step with v divided by c, i.e. RMSprop with bias correction of v.
    beta2, lr, eps = 0.9, 0.01, 1e-8
    adam = Adam(lr=lr, beta1=0.0, beta2=beta2, eps=eps)
    w_adam, w_ref, v = W0.copy(), W0.copy(), np.zeros(2)
    for t in range(1, 51):
        w_adam = adam.step(w_adam, quadratic_grad(w_adam))
        g = quadratic_grad(w_ref)
        v = beta2 * v + (1 - beta2) * g * g
        w_ref = w_ref - lr * g / (np.sqrt(v / (1 - beta2**t)) + eps)
    np.testing.assert_allclose(w_adam, w_ref, rtol=1e-13)


def test_adagrad_and_rmsprop_agree_on_the_first_step_when_gamma_makes_them_equal():
    # RMSprop with gamma = 0 uses only the current g^2, as AdaGrad does on its first step.
    a = AdaGrad(lr=0.1).step(W0, quadratic_grad(W0))
    r = RMSprop(lr=0.1, gamma=0.0, eps=1e-10).step(W0, quadratic_grad(W0))
    np.testing.assert_allclose(a, r, rtol=1e-15)


# ---- convergence --------------------------------------------------------------

TUNED = {
    "gd": {"lr": 0.1},
    "momentum": {"lr": 0.05, "beta": 0.8},
    "adagrad": {"lr": 1.0},
    "rmsprop": {"lr": 0.05, "gamma": 0.9},
    "adadelta": {"lr": 10.0, "gamma": 0.95},
    "adam": {"lr": 0.3},
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_converges_on_the_bowl(name):
    run_ = descend(make_optimizer(name, **TUNED[name]), get_landscape("bowl", condition=4.0), steps=500)
    assert not run_.diverged
    assert run_.final_loss < 1e-2 * run_.losses[0]


@pytest.mark.parametrize(
    "name, hyperparams, steps",
    [("gd", {"lr": 1e-3}, 20000), ("momentum", {"lr": 5e-4, "beta": 0.9}, 5000), ("adam", {"lr": 0.02}, 3000),
     ("rmsprop", {"lr": 1e-3, "gamma": 0.9}, 5000), ("adagrad", {"lr": 1.0}, 5000)],
)
def test_reaches_the_rosenbrock_minimum(name, hyperparams, steps):
    run_ = descend(make_optimizer(name, **hyperparams), get_landscape("rosenbrock"), steps=steps,
                   record_diagnostics=False)
    assert np.linalg.norm(run_.params[-1] - [1.0, 1.0]) < 0.1


# ---- structures, dtypes and state -----------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lists_and_dicts_of_arrays_match_single_arrays(name, dtype):
    rng = np.random.default_rng(0)
    layers = {"W": rng.normal(size=(3, 2)).astype(dtype), "b": rng.normal(size=2).astype(dtype)}
    grads = {k: rng.normal(size=v.shape).astype(dtype) for k, v in layers.items()}
    before = {k: v.copy() for k, v in layers.items()}
    as_dict = make_optimizer(name, lr=0.1).step(layers, grads)
    as_list = make_optimizer(name, lr=0.1).step([layers["W"], layers["b"]], [grads["W"], grads["b"]])
    alone = make_optimizer(name, lr=0.1).step(layers["W"], grads["W"])
    assert set(as_dict) == {"W", "b"} and isinstance(as_list, list)
    for k in layers:
        assert as_dict[k].dtype == dtype
        np.testing.assert_array_equal(layers[k], before[k])  # the caller's arrays are untouched
    np.testing.assert_array_equal(as_dict["W"], as_list[0])
    np.testing.assert_array_equal(as_dict["W"], alone)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_does_not_alias_the_callers_gradients(name):
    opt = make_optimizer(name, lr=0.1)
    w, g = np.ones(3), np.full(3, 2.0)
    opt.step(w, g)
    g[:] = 1e6
    for name, value in opt.state.items():
        assert np.all(np.asarray(value) < 1e5), name


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_reset_replays_the_same_run(name):
    opt = make_optimizer(name, lr=0.05)
    first = run(opt, quadratic_grad, W0, steps=20)
    opt.reset()
    assert opt.t == 0
    np.testing.assert_array_equal(run(opt, quadratic_grad, W0, steps=20), first)


def test_effective_learning_rate_shrinks_for_adagrad_and_not_for_rmsprop():
    adagrad, rmsprop = AdaGrad(lr=0.1), RMSprop(lr=0.1, gamma=0.9)
    w_a = w_r = np.array([1.0])
    rates_a, rates_r = [], []
    for _ in range(200):
        w_a = adagrad.step(w_a, np.array([1.0]))
        w_r = rmsprop.step(w_r, np.array([1.0]))
        rates_a.append(adagrad.effective_lr()[0])
        rates_r.append(rmsprop.effective_lr()[0])
    assert rates_a[-1] == pytest.approx(0.1 / math.sqrt(200), rel=1e-6)
    assert rates_r[-1] == pytest.approx(0.1, rel=1e-6)  # v -> 1 for a constant gradient of 1


def test_diagnostics_flatten_state_and_effective_lr():
    opt = Adam(lr=0.1)
    opt.step({"a": np.ones(2), "b": np.ones((2, 2))}, {"a": np.ones(2), "b": np.ones((2, 2))})
    d = opt.diagnostics()
    assert set(d) == {"m", "v", "effective_lr", "m_hat", "v_hat"}
    assert all(v.shape == (6,) for v in d.values())


def test_effective_lr_before_any_step_is_an_error():
    with pytest.raises(RuntimeError, match="after the first step"):
        Adam().effective_lr()


def test_clone_copies_hyperparameters_without_state():
    opt = Adam(lr=0.2, beta1=0.5)
    opt.step(np.ones(1), np.ones(1))
    twin = opt.clone(lr=0.3)
    assert twin.t == 0 and twin.beta1 == 0.5 and twin.lr == 0.3


# ---- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("adam", {"lr": 0.0}, "lr must be > 0, got 0.0"),
        ("adam", {"lr": -0.1}, "lr must be > 0, got -0.1"),
        ("gd", {"lr": float("nan")}, "lr must be a finite number, got nan"),
        ("gd", {"lr": float("inf")}, "lr must be a finite number, got inf"),
        ("rmsprop", {"gamma": 1.0}, r"gamma must be in \[0, 1\), got 1.0"),
        ("adadelta", {"gamma": -0.1}, r"gamma must be in \[0, 1\), got -0.1"),
        ("adam", {"beta1": 1.5}, r"beta1 must be in \[0, 1\), got 1.5"),
        ("adam", {"beta2": float("nan")}, "beta2 must be a finite number, got nan"),
        ("momentum", {"beta": 1.0}, r"beta must be in \[0, 1\), got 1.0"),
        ("adagrad", {"eps": 0.0}, "eps must be > 0, got 0.0"),
        ("adam", {"eps": -1e-8}, "eps must be > 0, got -1e-08"),
    ],
)
def test_invalid_hyperparameters_are_named(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_optimizer(name, **kwargs)


def test_wrong_types_and_names_are_named():
    with pytest.raises(TypeError, match="lr must be a real number, got '0.1'"):
        Adam(lr="0.1")
    with pytest.raises(TypeError, match="unknown hyperparameter.*alpha.*allowed: lr, gamma, eps"):
        RMSprop(alpha=0.9)
    with pytest.raises(ValueError, match="unknown optimizer name 'adamw'; allowed: 'gd'"):
        make_optimizer("adamw")
    with pytest.raises(TypeError, match="bias_correction must be True or False"):
        Adam(bias_correction="yes")


def test_gradient_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r"grads has shape \(3,\), but params has shape \(2,\)"):
        Adam().step(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"grads\['b'\] has shape \(1,\), but params\['b'\] has shape \(2,\)"):
        Adam().step({"a": np.ones(2), "b": np.ones(2)}, {"a": np.ones(2), "b": np.ones(1)})
    with pytest.raises(ValueError, match="grads has 1 array"):
        Adam().step([np.ones(2), np.ones(2)], [np.ones(2)])


def test_non_float_and_non_finite_inputs_are_named():
    with pytest.raises(TypeError, match="params must have dtype float32 or float64, got dtype int64"):
        Adam().step(np.array([1, 2]), np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"params\[0\] must be a numpy array of float32 or float64, got float"):
        Adam().step([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"grads contains 1 non-finite value\(s\)"):
        Adam().step(np.ones(2), np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="grads has dtype float32, but params has dtype float64"):
        Adam().step(np.ones(2), np.ones(2, dtype=np.float32))


def test_a_failed_step_changes_nothing():
    opt = Adam(lr=0.1)
    w = opt.step(np.ones(2), np.ones(2))
    state_before = {k: np.copy(v) for k, v in opt.state.items()}
    with pytest.raises(ValueError):
        opt.step(w, np.array([1.0, np.inf]))
    assert opt.t == 1
    for k, v in opt.state.items():
        np.testing.assert_array_equal(v, state_before[k])


def test_changing_parameter_structure_needs_reset():
    opt = Adam()
    opt.step(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="call reset"):
        opt.step(np.ones(3), np.ones(3))
    opt.reset()
    opt.step(np.ones(3), np.ones(3))


# ---- edge cases (issue 9) ---------------------------------------------------------


def test_dict_gradients_are_paired_with_parameters_by_key():
    params = {"a": np.ones(2), "b": np.zeros(2)}
    new = GradientDescent(lr=0.1).step(params, {"b": np.full(2, 5.0), "a": np.ones(2)})
    assert list(new) == ["a", "b"]
    np.testing.assert_array_equal(new["a"], [0.9, 0.9])
    np.testing.assert_array_equal(new["b"], [-0.5, -0.5])


@pytest.mark.parametrize(
    "grads, message",
    [
        ({"a": np.ones(2), "c": np.ones(2)},
         r"grads has key 'c', which params does not have; params has keys 'a', 'b'"),
        ({"a": np.ones(2)}, r"grads is missing key 'b' of params"),
        ([np.ones(2), np.ones(2)], r"grads must be a dict with the keys of params \('a', 'b'\), got list"),
    ],
)
def test_dict_gradients_with_unknown_or_missing_keys_are_named(grads, message):
    opt = Adam()
    with pytest.raises(ValueError, match=message):
        opt.step({"a": np.ones(2), "b": np.ones(2)}, grads)
    assert opt.state == {"t": 0}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_zero_dimensional_parameters_work_like_one_element_arrays(name):
    scalar_opt, vector_opt = make_optimizer(name, lr=0.1), make_optimizer(name, lr=0.1)
    w, v = np.array(1.0), np.array([1.0])
    for g in (0.5, -2.0, 1.5):
        w = scalar_opt.step(w, np.array(g))
        v = vector_opt.step(v, np.array([g]))
        assert isinstance(w, np.ndarray) and w.shape == () and w.dtype == np.float64
        assert w == v[0]
    for state_name in scalar_opt.state_names:
        state = scalar_opt.state[state_name]
        assert isinstance(state, np.ndarray) and state.shape == ()
        assert state == vector_opt.state[state_name][0]
    effective = scalar_opt.effective_lr()
    assert isinstance(effective, np.ndarray) and effective.shape == () and effective == vector_opt.effective_lr()[0]


@pytest.mark.parametrize(
    "params, grads, error",
    [
        (np.ones(2, np.float32), np.ones(2), TypeError),
        (np.ones(2), np.array([1.0, np.nan]), ValueError),
        ({"a": np.ones(2), "b": np.ones(3)}, {"a": np.ones(2), "b": np.array([1.0, np.inf, 1.0])}, ValueError),
        ([np.ones(2), np.ones(3)], [np.ones(2), np.ones(2)], ValueError),
    ],
    ids=["dtype", "nan", "inf-in-second-array", "shape-of-second-array"],
)
def test_a_failed_first_step_leaves_no_layout_or_state(params, grads, error):
    opt = Adam(lr=0.1)
    with pytest.raises(error):
        opt.step(params, grads)
    assert opt.state == {"t": 0} and opt.diagnostics() == {}
    with pytest.raises(RuntimeError, match="after the first step"):
        opt.effective_lr()
    # Any structure may follow, as after reset().
    w = opt.step(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(w, Adam(lr=0.1).step(np.ones(2), np.ones(2)))
    assert opt.t == 1


def _what_effective_lr_multiplies(opt, g):
    """The quantity that the effective learning rate multiplies in the step just taken."""
    if opt.name in ("momentum",):
        return opt.state["m"]
    if opt.name == "adam":
        return opt.bias_corrected()["m_hat"]
    return g


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_effective_lr_is_the_factor_the_last_step_applied(name):
    opt = make_optimizer(name, **TUNED[name])
    w = np.array([1.0, -2.0, 0.5])
    for k in range(6):
        g = np.array([2.0, -1.0, 3.0]) * (0.7 ** k) + np.array([0.1, 0.2, -0.3])
        new_w = opt.step(w, g)
        applied = (w - new_w) / _what_effective_lr_multiplies(opt, g)
        np.testing.assert_allclose(opt.effective_lr(), applied, rtol=1e-9)
        w = new_w


def test_adadelta_effective_lr_uses_the_u_of_before_the_step():
    # gamma = 0.5, eps = 1e-2, g = 2 then 1 (see test_adadelta_by_hand): the factor of step 2
    # is sqrt(u1 + eps) / sqrt(v2 + eps), with u1 from step 1, not u2.
    opt = AdaDelta(lr=1.0, gamma=0.5, eps=1e-2)
    opt.step(opt.step(np.array([1.0]), np.array([2.0])), np.array([1.0]))
    dw1 = 0.1 / math.sqrt(2.01) * 2
    u1 = 0.5 * dw1**2
    assert opt.effective_lr()[0] == pytest.approx(math.sqrt(u1 + 0.01) / math.sqrt(1.51), rel=1e-14)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_hyperparameter_is_validated_and_named(name):
    cls = OPTIMIZERS[name]
    for hyperparameter in cls.hyperparameters:
        bad = "x" if isinstance(hyperparameter.default, bool) else -1.0
        with pytest.raises((TypeError, ValueError), match=rf"{hyperparameter.name} must .*got {bad!r}"):
            cls(**{hyperparameter.name: bad})


def test_a_hyperparameter_must_be_declared_with_its_constraint():
    from course_lib.optimizers import Hyperparameter, Interval, Optimizer

    def rule(w, g, lr, decay):
        return w - lr * decay * g

    lr = Hyperparameter("lr", 0.1, Interval(low=0, low_open=True))
    with pytest.raises(TypeError, match="rule takes decay, which hyperparameters does not declare"):
        type("Decayed", (Optimizer,), {"name": "decayed", "rule": staticmethod(rule), "hyperparameters": (lr,)})
    decayed = type("Decayed", (Optimizer,), {
        "name": "decayed", "rule": staticmethod(rule),
        "hyperparameters": (Hyperparameter("lr", 0.1, Interval(low=0, low_open=True)),
                            Hyperparameter("decay", 0.5, Interval(low=0, high=1)))})
    with pytest.raises(ValueError, match=r"decay must be in \[0, 1\], got 2.0"):
        decayed(decay=2.0)
    assert decayed(decay=0.25).step(np.ones(1), np.ones(1))[0] == pytest.approx(0.975)
    assert repr(decayed(decay=0.25)) == "Decayed(lr=0.1, decay=0.25)"


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_attributes_declared_for_the_type_checker_agree_with_the_table(name):
    # `lr: float` in a class body only informs mypy; the value comes from the table. An annotation
    # naming no row, or a float annotated for a switch, would mislead the type checker. (A row used
    # as self.name without an annotation is a mypy error, so every row the code reads is annotated.)
    from course_lib.optimizers import Flag, Optimizer

    cls = OPTIMIZERS[name]
    declared = {}
    for klass in reversed(cls.__mro__):
        if issubclass(klass, Optimizer):
            declared.update({k: v for k, v in vars(klass).get("__annotations__", {}).items()
                             if "ClassVar" not in v and not k.startswith("_")})
    table = {h.name: ("bool" if isinstance(h.allowed, Flag) else "float") for h in cls.hyperparameters}
    assert "lr" in table  # the base class declares lr for every optimizer
    assert {name: table.get(name) for name in declared} == declared
