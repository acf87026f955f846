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
(a network's layers, see ``course_lib.params``); ``step`` returns new arrays in
the same structure and never modifies the caller's arrays. A step that fails
its checks changes nothing. ``reset()`` forgets the state so the same
optimizer can be replayed from another start point.

Each optimizer declares its hyperparameters once, in a table
(``Adam.hyperparameters``: name, default, allowed values, meaning). The checks,
``clone``, ``repr``, the ``opt.lr`` attributes and the class docstring are all
read from it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from . import _validate as check
from . import rules
from .params import Key, Params, layout, leaves, like, pair

# ---- the hyperparameter table ---------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """Allowed values of a numeric hyperparameter: low < x (or <=), x < high (or <=); None is unbounded."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def describe(self) -> str:
        """``> 0`` or ``in [0, 1)``: what an error message says is allowed."""
        if self.high is None:
            return f"{'>' if self.low_open else '>='} {self.low:g}" if self.low is not None else "a finite number"
        if self.low is None:
            return f"{'<' if self.high_open else '<='} {self.high:g}"
        return f"in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}{')' if self.high_open else ']'}"

    def check(self, name: str, value: Any) -> float:
        value = check.check_number(name, value)
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and (value >= self.high if self.high_open else value > self.high)
        if too_low or too_high:
            raise ValueError(f"{name} must be {self.describe()}, got {value!r}")
        return value

    def summary(self) -> str:
        """The type and range, for docstrings and tables: ``float in [0, 1)``."""
        return f"float {self.describe()}"


@dataclass(frozen=True)
class Flag:
    """A switch: True or False."""

    def describe(self) -> str:
        return "True or False"

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        return bool(value)

    def summary(self) -> str:
        return "bool"


POSITIVE = Interval(low=0.0, low_open=True)  # learning rates, eps
DECAY = Interval(low=0.0, high=1.0, high_open=True)  # gamma, beta, beta1, beta2: 0 forgets at once, 1 never
SWITCH = Flag()


@dataclass(frozen=True)
class Hyperparameter:
    """One row of an optimizer's table: its name (the rule's keyword), default, allowed values and meaning."""

    name: str
    default: Any
    allowed: Interval | Flag
    doc: str = ""

    def check(self, value: Any) -> Any:
        """``value`` converted (float or bool), or an error naming the hyperparameter, the value and what is allowed."""
        return self.allowed.check(self.name, value)


def _read_only_view(h: Hyperparameter) -> property:
    """opt.lr, opt.beta1, ...: a read-only view of the checked value of ``h``.

    The type checker cannot see properties made at run time, so the classes also annotate the
    hyperparameters (``beta1: float``; ``lr`` on the base class, since every optimizer has one);
    tests/test_optimizers.py checks that those agree with the tables.
    """

    def get(self: Optimizer) -> Any:
        return self._hyperparams[h.name]

    return property(get, doc=h.doc)


# ---- the base class -----------------------------------------------------------------------


class Optimizer:
    """Base class: state holding, checks and replay around one update rule.

    Subclasses set ``name``, ``label``, ``rule`` (a function of ``course_lib.rules``),
    ``hyperparameters`` (the table), ``state_names`` (the per-array state the rule
    carries, in the rule's argument order) and ``_effective_lr``. The table must name
    exactly the rule's keyword arguments; this is checked when the class is defined.
    """

    name: ClassVar[str] = "optimizer"
    label: ClassVar[str] = "Optimizer"
    hyperparameters: ClassVar[tuple[Hyperparameter, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}  # {name: default}, read from the table
    state_names: ClassVar[tuple[str, ...]] = ()
    # State whose value from *before* the last step the diagnostics need (AdaDelta's u).
    previous_state_names: ClassVar[tuple[str, ...]] = ()
    rule: ClassVar[Callable[..., Any]]
    lr: float  # every optimizer's table has an lr row (declared here for the type checker, see _read_only_view)
    _rule_takes_t: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.hyperparameters
        cls.defaults = {h.name: h.default for h in table}
        rule = cls.__dict__.get("rule")
        if rule is not None:
            cls._check_rule_matches_table(inspect.signature(rule.__func__ if hasattr(rule, "__func__") else rule))
        for h in table:
            h.check(h.default)  # a default outside its own range is a bug in the table
            existing = getattr(cls, h.name, None)
            if existing is not None and not isinstance(existing, property):
                raise TypeError(f"{cls.__name__}: hyperparameter {h.name} would hide the attribute {h.name}")
            setattr(cls, h.name, _read_only_view(h))
        if table and cls.__doc__ and "Hyperparameters\n" not in cls.__doc__:
            rows = "".join(
                f"    {h.name} : {h.allowed.summary()}, default {h.default!r}\n        {h.doc}\n"
                for h in table
            )
            cls.__doc__ = f"{cls.__doc__.rstrip()}\n\n    Hyperparameters\n    ---------------\n{rows}"

    @classmethod
    def _check_rule_matches_table(cls, signature: inspect.Signature) -> None:
        names = list(signature.parameters)
        leading = ["w", "g", *cls.state_names]
        if names[: len(leading)] != leading:
            raise TypeError(f"{cls.__name__}: the rule must take {', '.join(leading)} first, got {', '.join(names)}")
        rest = names[len(leading) :]
        cls._rule_takes_t = bool(rest) and rest[0] == "t"
        keywords = rest[1:] if cls._rule_takes_t else rest
        declared = [h.name for h in cls.hyperparameters]
        for name in keywords:
            if name not in declared:
                raise TypeError(f"{cls.__name__}: the rule takes {name}, which hyperparameters does not declare")
        for name in declared:
            if name not in keywords:
                raise TypeError(f"{cls.__name__}: hyperparameters declares {name}, which the rule does not take")

    def __init__(self, **hyperparams: Any) -> None:
        unknown = sorted(set(hyperparams) - set(self.defaults))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown hyperparameter(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(self.defaults)}"
            )
        self._hyperparams = {h.name: h.check(hyperparams.get(h.name, h.default)) for h in self.hyperparameters}
        self.reset()

    # ---- hyperparameters -------------------------------------------------
    @property
    def hyperparams(self) -> Mapping[str, Any]:
        """The checked hyperparameters, read-only (``clone`` makes an optimizer with others)."""
        return MappingProxyType(self._hyperparams)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyperparams.items())
        return f"{type(self).__name__}({args})"

    def clone(self, **changes: Any) -> Optimizer:
        """A fresh optimizer (no state) with the same hyperparameters, some changed."""
        return type(self)(**{**self._hyperparams, **changes})

    # ---- state -------------------------------------------------------------
    def reset(self) -> None:
        """Forget all state: the next ``step`` is step t = 1 again, on parameters of any structure."""
        self.t = 0
        self._template: Params = None  # parameters of the structure the state was built for
        self._layout: Any = None  # their kind and each array's shape and dtype (params.layout)
        self._state: dict[Key, dict[str, np.ndarray]] = {}
        self._previous: dict[Key, dict[str, np.ndarray]] = {}

    @property
    def state(self) -> dict[str, Any]:
        """The step counter ``t`` and each state array, in the parameters' structure."""
        out: dict[str, Any] = {"t": self.t}
        if self._template is None:
            return out
        for name in self.state_names:
            out[name] = like(self._template, [self._state[key][name] for key in self._keys()])
        return out

    @property
    def previous_state(self) -> dict[str, Any]:
        """The arrays of ``previous_state_names`` as the most recent step found them, in the parameters' structure."""
        if self._template is None:
            return {}
        keys = self._keys()
        return {name: like(self._template, [self._previous[key][name] for key in keys])
                for name in self.previous_state_names}

    def state_for(self, params: Params) -> dict[Key, dict[str, np.ndarray]]:
        """The state the next step on ``params`` starts from: {key: {state name: array}}.

        Before the first step (or after ``reset``) that is fresh zeros, which are not kept;
        afterwards the stored arrays themselves. Nothing is changed. Raises if ``params``
        do not have the structure the state was built for.
        """
        if self._template is None:
            return {key: {name: np.zeros_like(w) for name in self.state_names} for key, w in leaves(params)}
        if layout(params) != self._layout:
            raise ValueError(
                "params do not have the structure this optimizer's state was built for; "
                "call reset() before optimizing different parameters"
            )
        return {key: dict(slot) for key, slot in self._state.items()}

    def record_step(
        self, params: Params, state: dict[Key, dict[str, np.ndarray]], previous: dict[Key, dict[str, np.ndarray]]
    ) -> None:
        """Keep the state after one more step (t + 1), and the state it started from (for diagnostics).

        ``step`` calls this once everything has been computed; ``course_lib.fast`` calls it
        after its in-place step. ``previous`` needs only ``previous_state_names``.
        """
        if self._template is None:
            self._template, self._layout = params, layout(params)
        self._state = {key: {name: np.asarray(state[key][name]) for name in self.state_names} for key in state}
        self._previous = {key: {name: previous[key][name] for name in self.previous_state_names} for key in previous}
        self.t += 1

    def _keys(self) -> list[Key]:
        """The arrays' keys in the order of the parameters the state was built for."""
        return list(self._layout[1])

    # ---- the step ----------------------------------------------------------
    def update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], t: int
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The rule on one array at step ``t``: the new ``w`` and the new state arrays. Pure, unchecked."""
        counter = {"t": t} if self._rule_takes_t else {}
        result = type(self).rule(w, g, *(state[n] for n in self.state_names), **counter, **self._hyperparams)
        if not self.state_names:
            return np.asarray(result), {}
        new_w, *new_state = result
        # np.asarray: the rules turn 0-d arrays into numpy scalars; parameters stay arrays.
        return np.asarray(new_w), {name: np.asarray(s) for name, s in zip(self.state_names, new_state)}

    def step(self, params: Params, grads: Params) -> Params:
        """Apply one update; return new parameters in the same structure as ``params``.

        Everything (structure, keys, shapes, dtypes, finite gradients) is checked before
        the state is touched, so a step that raises leaves the optimizer as it was.
        """
        pairs = pair(params, grads)
        before = self.state_for(params)
        new_arrays, after = [], {}
        for key, w, g in pairs:
            new_w, after[key] = self.update(w, g, before[key], self.t + 1)
            new_arrays.append(new_w)
        self.record_step(params, after, before)
        return like(params, new_arrays)

    # ---- diagnostics for plots --------------------------------------------
    def effective_lr(self) -> Params:
        """The per-parameter learning rate of the most recent step, in the parameters' structure.

        It is the factor that multiplied the gradient (or, for momentum, the velocity m and,
        for Adam, m_hat) in that step: lr for gradient descent, lr / (sqrt(G) + eps) for
        AdaGrad, lr * sqrt(u + eps) / sqrt(v + eps) with the u from before the step for AdaDelta.
        """
        self._require_a_step("effective_lr()")
        return like(self._template, self._effective_lrs())

    def _effective_lrs(self) -> list[np.ndarray]:
        return [
            np.asarray(self._effective_lr(self._state[key], self._previous.get(key, {}), shape, dtype))
            for key, (shape, dtype) in self._layout[1].items()  # in the order of self._keys()
        ]

    def _effective_lr(self, state: dict, previous: dict, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        raise NotImplementedError

    def diagnostics(self) -> dict[str, np.ndarray]:
        """State and effective learning rate, each flattened into one vector (for recording)."""
        if self._template is None:
            return {}
        keys = self._keys()
        out = {name: np.concatenate([self._state[key][name].ravel() for key in keys]) for name in self.state_names}
        out["effective_lr"] = np.concatenate([a.ravel() for a in self._effective_lrs()])
        return out

    def _require_a_step(self, what: str) -> None:
        if self._template is None:
            raise RuntimeError(f"{what} is defined after the first step()")


# ---- the six optimizers ----------------------------------------------------------------------

LR_DOC = "learning rate: the step is lr times the gradient (or its rescaled form)"
EPS_DOC = "added to the root so that the division stays finite"
EPS_INSIDE_DOC = "True: sqrt(x + eps), the source article's form; False: sqrt(x) + eps, torch's"


class GradientDescent(Optimizer):
    """Gradient descent (also SGD and mini-batch GD): ``rules.gd_update``."""

    name = "gd"
    label = "Gradient descent"
    hyperparameters = (Hyperparameter("lr", 0.1, POSITIVE, LR_DOC),)
    rule = staticmethod(rules.gd_update)

    def _effective_lr(self, state, previous, shape, dtype):
        return np.full(shape, self.lr, dtype=dtype)


class Momentum(Optimizer):
    """Gradient descent with momentum: ``rules.momentum_update``."""

    name = "momentum"
    label = "Momentum"
    hyperparameters = (
        Hyperparameter("lr", 0.1, POSITIVE, LR_DOC),
        Hyperparameter("beta", 0.9, DECAY, "decay of the velocity m (0: plain gradient descent)"),
    )
    state_names = ("m",)
    rule = staticmethod(rules.momentum_update)
    # The table's values as attributes, declared for the type checker.
    beta: float

    def _effective_lr(self, state, previous, shape, dtype):
        return np.full(shape, self.lr, dtype=dtype)


class AdaGrad(Optimizer):
    """AdaGrad: ``rules.adagrad_update``. Default eps outside the root, as torch."""

    name = "adagrad"
    label = "AdaGrad"
    hyperparameters = (
        Hyperparameter("lr", 1e-2, POSITIVE, LR_DOC),
        Hyperparameter("eps", 1e-10, POSITIVE, EPS_DOC),
        Hyperparameter("eps_inside_sqrt", False, SWITCH, EPS_INSIDE_DOC),
    )
    state_names = ("G",)
    rule = staticmethod(rules.adagrad_update)
    # The table's values as attributes, declared for the type checker.
    eps: float
    eps_inside_sqrt: bool

    def _effective_lr(self, state, previous, shape, dtype):
        return self.lr / rules.root_with_eps(state["G"], self.eps, self.eps_inside_sqrt)


class RMSprop(Optimizer):
    """RMSprop: ``rules.rmsprop_update``. Default eps outside the root and no bias correction, as torch."""

    name = "rmsprop"
    label = "RMSprop"
    hyperparameters = (
        Hyperparameter("lr", 1e-2, POSITIVE, LR_DOC),
        Hyperparameter("gamma", 0.99, DECAY, "decay of the running average v of g^2 (torch's alpha)"),
        Hyperparameter("eps", 1e-8, POSITIVE, EPS_DOC),
        Hyperparameter("eps_inside_sqrt", False, SWITCH, EPS_INSIDE_DOC),
        Hyperparameter("bias_correction", False, SWITCH, "divide v by 1 - gamma^t before the root, as Adam "
                       "(and optax's bias_correction=True) do"),
    )
    state_names = ("v",)
    rule = staticmethod(rules.rmsprop_update)
    # The table's values as attributes, declared for the type checker.
    gamma: float
    eps: float
    eps_inside_sqrt: bool
    bias_correction: bool

    def _effective_lr(self, state, previous, shape, dtype):
        v = state["v"]
        v_hat = rules.debiased(v, self.gamma, self.t) if self.bias_correction else v  # as in the rule
        return self.lr / rules.root_with_eps(v_hat, self.eps, self.eps_inside_sqrt)


class AdaDelta(Optimizer):
    """AdaDelta: ``rules.adadelta_update``."""

    name = "adadelta"
    label = "AdaDelta"
    hyperparameters = (
        Hyperparameter("lr", 1.0, POSITIVE, "scales the applied step only (1: Zeiler's algorithm)"),
        Hyperparameter("gamma", 0.9, DECAY, "decay of the running averages v of g^2 and u of dw^2 (torch's rho)"),
        Hyperparameter("eps", 1e-6, POSITIVE, "added inside both roots; also sets the size of the first steps"),
    )
    state_names = ("v", "u")
    previous_state_names = ("u",)  # the step used the u of the step before
    rule = staticmethod(rules.adadelta_update)
    # The table's values as attributes, declared for the type checker.
    gamma: float
    eps: float

    def _effective_lr(self, state, previous, shape, dtype):
        return self.lr * rules.rms_ratio(previous["u"], state["v"], self.eps)


class Adam(Optimizer):
    """Adam: ``rules.adam_update``."""

    name = "adam"
    label = "Adam"
    hyperparameters: ClassVar[tuple[Hyperparameter, ...]] = (  # any length: a subclass may extend it
        Hyperparameter("lr", 1e-3, POSITIVE, LR_DOC),
        Hyperparameter("beta1", 0.9, DECAY, "decay of the first moment m"),
        Hyperparameter("beta2", 0.999, DECAY, "decay of the second moment v"),
        Hyperparameter("eps", 1e-8, POSITIVE, "added to sqrt(v_hat)"),
        Hyperparameter("bias_correction", True, SWITCH, "divide m and v by 1 - beta^t (False: to see why it is there)"),
    )
    state_names = ("m", "v")
    rule = staticmethod(rules.adam_update)
    # The table's values as attributes, declared for the type checker.
    beta1: float
    beta2: float
    eps: float
    bias_correction: bool

    def _bias_corrected(self, state: dict) -> tuple[np.ndarray, np.ndarray]:
        return rules.bias_corrected(state["m"], state["v"], self.t, self.beta1, self.beta2, self.bias_correction)

    def bias_corrected(self) -> dict[str, Params]:
        """Adam's m_hat and v_hat after the most recent step (they are not stored in the state)."""
        self._require_a_step("bias_corrected()")
        corrected = [self._bias_corrected(self._state[key]) for key in self._keys()]
        return {
            "m_hat": like(self._template, [m_hat for m_hat, _ in corrected]),
            "v_hat": like(self._template, [v_hat for _, v_hat in corrected]),
        }

    def _effective_lr(self, state, previous, shape, dtype):
        # lr / (sqrt(v_hat) + eps): the factor that multiplies m_hat in the step.
        return self.lr / rules.root_with_eps(self._bias_corrected(state)[1], self.eps)

    def diagnostics(self):
        out = super().diagnostics()
        if self._template is not None:
            for name, corrected in self.bias_corrected().items():
                out[name] = np.concatenate([a.ravel() for _, a in leaves(corrected, name)])
        return out


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, AdaGrad, RMSprop, AdaDelta, Adam)
}


def make_optimizer(name: str, **hyperparams: Any) -> Optimizer:
    """Build an optimizer by name: 'gd', 'momentum', 'adagrad', 'rmsprop', 'adadelta' or 'adam'."""
    check.check_choice("optimizer name", name, tuple(OPTIMIZERS))
    return OPTIMIZERS[name](**hyperparams)
