"""Optimizer objects: the update rules of ``course_lib.rules`` with their state.

An optimizer checks its hyperparameters once, keeps one state per parameter
array (AdaGrad's G, Adam's m and v, ...) and the step counter t, and applies
its rule in ``step``::

    opt = Adam(lr=0.1)
    w = np.array([1.0, -1.5])
    for _ in range(100):
        w = opt.step(w, grad(w))
    opt.state["v"], opt.t, opt.effective_lr()

Parameters may be one float array, or a list, tuple or dict of float arrays
(a network's layers); ``step`` returns new arrays in the same structure and
never modifies the caller's arrays. ``reset()`` forgets the state so the same
optimizer can be replayed from another start point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from . import _validate as check
from . import rules

Params = Any  # an ndarray, or a list / tuple / dict of ndarrays


def _as_items(params: Params, name: str) -> list[tuple[Any, np.ndarray]]:
    """Split a parameter structure into (key, array) pairs."""
    if isinstance(params, np.ndarray):
        items = [(None, params)]
    elif isinstance(params, dict):
        items = list(params.items())
    elif isinstance(params, (list, tuple)):
        items = list(enumerate(params))
    else:
        raise TypeError(
            f"{name} must be a numpy array or a list, tuple or dict of numpy arrays, got {type(params).__name__}"
        )
    for key, array in items:
        check.check_float_array(name if key is None else f"{name}[{key!r}]", array)
    return items


def _rebuild(template: Params, arrays: list[np.ndarray]) -> Params:
    """Put arrays back into the structure of ``template``."""
    if isinstance(template, np.ndarray):
        return arrays[0]
    if isinstance(template, dict):
        return dict(zip(template.keys(), arrays))
    return type(template)(arrays)


class Optimizer:
    """Base class: state holding, checks and replay around one update rule.

    Subclasses set ``name``, ``defaults`` (the rule's hyperparameters),
    ``state_names`` (the per-array state the rule carries) and implement
    ``_rule`` and ``_effective_lr``.
    """

    name: ClassVar[str] = "optimizer"
    label: ClassVar[str] = "Optimizer"
    defaults: ClassVar[dict[str, Any]] = {}
    state_names: ClassVar[tuple[str, ...]] = ()
    rule: ClassVar[Callable[..., Any]]

    def __init__(self, **hyperparams: Any) -> None:
        unknown = sorted(set(hyperparams) - set(self.defaults))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown hyperparameter(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(self.defaults)}"
            )
        self.hyperparams = self._check_hyperparams({**self.defaults, **hyperparams})
        self.reset()

    # ---- hyperparameters -------------------------------------------------
    @staticmethod
    def _check_hyperparams(h: dict[str, Any]) -> dict[str, Any]:
        for key, value in h.items():
            if key in ("lr", "eps"):
                h[key] = check.check_positive(key, value)
            elif key in ("gamma", "beta", "beta1", "beta2"):
                h[key] = check.check_unit_interval(key, value)
            elif key in ("eps_inside_sqrt", "bias_correction"):
                if not isinstance(value, (bool, np.bool_)):
                    raise TypeError(f"{key} must be True or False, got {value!r}")
                h[key] = bool(value)
        return h

    def __getattr__(self, key: str) -> Any:
        # opt.lr, opt.beta1, ... read the hyperparameters.
        hyperparams = self.__dict__.get("hyperparams", {})
        if key in hyperparams:
            return hyperparams[key]
        raise AttributeError(f"{type(self).__name__} has no attribute {key!r}")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        return f"{type(self).__name__}({args})"

    def clone(self, **changes: Any) -> Optimizer:
        """A fresh optimizer (no state) with the same hyperparameters, some changed."""
        return type(self)(**{**self.hyperparams, **changes})

    # ---- state -------------------------------------------------------------
    def reset(self) -> None:
        """Forget all state: the next ``step`` is step t = 1 again."""
        self.t = 0
        self._template: Params = None
        self._slots: list[dict[str, np.ndarray]] = []
        self._layout: list[tuple[tuple[int, ...], np.dtype]] = []

    @property
    def state(self) -> dict[str, Any]:
        """The step counter ``t`` and each state array, in the parameters' structure."""
        out: dict[str, Any] = {"t": self.t}
        if self._template is None:
            return out
        for name in self.state_names:
            out[name] = _rebuild(self._template, [slot[name] for slot in self._slots])
        return out

    def _init_slots(self, items: list[tuple[Any, np.ndarray]], params: Params) -> None:
        self._template = params
        self._layout = [(w.shape, w.dtype) for _, w in items]
        self._slots = [{name: np.zeros_like(w) for name in self.state_names} for _, w in items]

    # ---- the step ----------------------------------------------------------
    def step(self, params: Params, grads: Params) -> Params:
        """Apply one update; return new parameters in the same structure as ``params``."""
        items = _as_items(params, "params")
        grad_items = _as_items(grads, "grads")
        if len(grad_items) != len(items):
            raise ValueError(f"grads has {len(grad_items)} array(s), but params has {len(items)}; they must match")
        if self._template is None:
            self._init_slots(items, params)
        elif [(w.shape, w.dtype) for _, w in items] != self._layout:
            raise ValueError(
                "params do not have the structure this optimizer's state was built for; "
                "call reset() before optimizing different parameters"
            )
        for (key, w), (_, g) in zip(items, grad_items):
            where = "" if key is None else f"[{key!r}]"
            check.check_same_shape(f"grads{where}", g, f"params{where}", w)
            if g.dtype != w.dtype:
                raise TypeError(
                    f"grads{where} has dtype {g.dtype}, but params{where} has dtype {w.dtype}; they must match"
                )
            check.check_finite_array(f"grads{where}", g)
        self.t += 1
        new_arrays = []
        for slot, (_, w), (_, g) in zip(self._slots, items, grad_items):
            new_w, new_state = self._apply(w, g, slot)
            slot.update(new_state)
            new_arrays.append(new_w)
        return _rebuild(params, new_arrays)

    def _apply(self, w: np.ndarray, g: np.ndarray, slot: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
        """Call the rule on one array; return the new w and the new state arrays."""
        result = type(self).rule(w, g, *(slot[n] for n in self.state_names), **self.hyperparams)
        if not self.state_names:
            return result, {}
        new_w, *new_state = result
        return new_w, dict(zip(self.state_names, new_state))

    # ---- diagnostics for plots --------------------------------------------
    def effective_lr(self) -> Params:
        """The per-parameter learning rate of the most recent step, in the parameters' structure.

        It is the factor that multiplies the gradient (or, for momentum and
        Adam, the first moment) in the update: lr for gradient descent,
        lr / (sqrt(G) + eps) for AdaGrad, and so on.
        """
        if self._template is None:
            raise RuntimeError("effective_lr() is defined after the first step()")
        return _rebuild(self._template, [self._effective_lr(s, lay) for s, lay in zip(self._slots, self._layout)])

    def _effective_lr(self, slot: dict[str, np.ndarray], layout: tuple) -> np.ndarray:
        raise NotImplementedError

    def diagnostics(self) -> dict[str, np.ndarray]:
        """State and effective learning rate, each flattened into one vector (for recording)."""
        if self._template is None:
            return {}
        out = {name: np.concatenate([slot[name].ravel() for slot in self._slots]) for name in self.state_names}
        out["effective_lr"] = np.concatenate(
            [self._effective_lr(s, lay).ravel() for s, lay in zip(self._slots, self._layout)]
        )
        return out


def _sqrt_with_eps(x: np.ndarray, eps: float, inside: bool) -> np.ndarray:
    return np.sqrt(x + eps) if inside else np.sqrt(x) + eps


class GradientDescent(Optimizer):
    """Gradient descent (also SGD and mini-batch GD): ``rules.gd_update``."""

    name = "gd"
    label = "Gradient descent"
    defaults = {"lr": 0.1}
    rule = staticmethod(rules.gd_update)

    def _effective_lr(self, slot, layout):
        return np.full(layout[0], self.lr, dtype=layout[1])


class Momentum(Optimizer):
    """Gradient descent with momentum: ``rules.momentum_update``."""

    name = "momentum"
    label = "Momentum"
    defaults = {"lr": 0.1, "beta": 0.9}
    state_names = ("m",)
    rule = staticmethod(rules.momentum_update)

    def _effective_lr(self, slot, layout):
        return np.full_like(slot["m"], self.lr)


class AdaGrad(Optimizer):
    """AdaGrad: ``rules.adagrad_update``. Default eps outside the root, as torch."""

    name = "adagrad"
    label = "AdaGrad"
    defaults = {"lr": 1e-2, "eps": 1e-10, "eps_inside_sqrt": False}
    state_names = ("G",)
    rule = staticmethod(rules.adagrad_update)

    def _effective_lr(self, slot, layout):
        return self.lr / _sqrt_with_eps(slot["G"], self.eps, self.eps_inside_sqrt)


class RMSprop(Optimizer):
    """RMSprop: ``rules.rmsprop_update``. Default eps outside the root, as torch."""

    name = "rmsprop"
    label = "RMSprop"
    defaults = {"lr": 1e-2, "gamma": 0.99, "eps": 1e-8, "eps_inside_sqrt": False}
    state_names = ("v",)
    rule = staticmethod(rules.rmsprop_update)

    def _effective_lr(self, slot, layout):
        return self.lr / _sqrt_with_eps(slot["v"], self.eps, self.eps_inside_sqrt)


class AdaDelta(Optimizer):
    """AdaDelta: ``rules.adadelta_update``."""

    name = "adadelta"
    label = "AdaDelta"
    defaults = {"lr": 1.0, "gamma": 0.9, "eps": 1e-6}
    state_names = ("v", "u")
    rule = staticmethod(rules.adadelta_update)

    def _effective_lr(self, slot, layout):
        # The factor that multiplied g in the last step. u already includes that
        # step, so this is the factor the *next* step would use with the same v.
        return self.lr * np.sqrt(slot["u"] + self.eps) / np.sqrt(slot["v"] + self.eps)


class Adam(Optimizer):
    """Adam: ``rules.adam_update``."""

    name = "adam"
    label = "Adam"
    defaults = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "bias_correction": True}
    state_names = ("m", "v")
    rule = staticmethod(rules.adam_update)

    def _apply(self, w, g, slot):
        new_w, m, v = rules.adam_update(w, g, slot["m"], slot["v"], self.t, **self.hyperparams)
        return new_w, {"m": m, "v": v}

    def bias_corrected(self) -> dict[str, Params]:
        """Adam's m_hat and v_hat after the most recent step (they are not stored in the state)."""
        c1, c2 = (1 - self.beta1**self.t, 1 - self.beta2**self.t) if self.bias_correction else (1.0, 1.0)
        return {
            "m_hat": _rebuild(self._template, [s["m"] / c1 for s in self._slots]),
            "v_hat": _rebuild(self._template, [s["v"] / c2 for s in self._slots]),
        }

    def _effective_lr(self, slot, layout):
        # lr / (sqrt(v_hat) + eps): the factor that multiplies m_hat in the step.
        c2 = 1 - self.beta2**self.t if self.bias_correction else 1.0
        return self.lr / (np.sqrt(slot["v"] / c2) + self.eps)

    def diagnostics(self):
        out = super().diagnostics()
        if self._template is not None:
            corrected = self.bias_corrected()
            for name in ("m_hat", "v_hat"):
                out[name] = np.concatenate([a.ravel() for _, a in _as_items(corrected[name], name)])
        return out


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, AdaGrad, RMSprop, AdaDelta, Adam)
}


def make_optimizer(name: str, **hyperparams: Any) -> Optimizer:
    """Build an optimizer by name: 'gd', 'momentum', 'adagrad', 'rmsprop', 'adadelta' or 'adam'."""
    check.check_choice("optimizer name", name, tuple(OPTIMIZERS))
    return OPTIMIZERS[name](**hyperparams)
