"""The exercises: what each one asks, the cases it is checked on, and how it is judged.

Each exercise is an ``ExerciseSpec``. Checking an answer has two halves that
can run in different processes (the grader runs them apart, so that the
comparison never shares a process with student code):

1. ``collect_outputs(spec, answer, seed)`` runs the student's function on the
   spec's seeded cases (or reads the student's value) and returns plain,
   JSON-able data. Whatever the student's code does (raise, return the wrong
   shape, loop forever) ends up as an ``{"error": ...}`` entry, never a traceback.
2. ``spec.judge(outputs, seed)`` compares that data with the reference rule of
   ``course_lib.rules`` on the same cases, and returns a ``Verdict`` whose
   message is one deterministic line. It never runs student code and accepts
   any JSON shape: malformed data is a failed verdict, not an exception.

When an answer is wrong, the judge also runs known-buggy variants of the rule
(the mistakes of section 5 of the optimizer reference: eps on the wrong side of
the square root, missing bias correction, ...) on the same cases and names the
one the student's outputs match.

In a notebook, ``course_lib.checks.check("4.1", adagrad_update)`` does both halves.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import rules

DEFAULT_SEED = 0
N_CASES = 50
CALL_TIME_LIMIT = 2.0  # seconds for one call of the student's function
TOTAL_TIME_LIMIT = 20.0  # seconds for all the cases of one exercise
# Relative tolerance, per dtype, scaled by the largest entry of the expected array.
TOLERANCE = {"float64": 1e-9, "float32": 2e-5}
MATCH_FRACTION = 0.9  # share of cases a buggy variant must reproduce to be named


@dataclass(frozen=True)
class Verdict:
    """The judge's decision and its one-line message."""

    passed: bool
    message: str


class _StudentError(Exception):
    """Something the student's code did wrong; its message is shown to the student."""


class _TimeLimit(BaseException):
    """Raised by the alarm inside a student call that takes too long (BaseException: harder to swallow)."""


# ---- running student code safely ----------------------------------------------


def _call_with_time_limit(function: Callable, args: tuple, kwargs: dict, seconds: float) -> Any:
    """Call ``function``; raise _TimeLimit if it runs longer than ``seconds``.

    In the main thread (a notebook kernel, the grader's child process) a
    SIGALRM interrupts the call. Elsewhere the call runs in a daemon thread that
    is abandoned when it overruns.
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def on_alarm(signum, frame):
            raise _TimeLimit()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box: dict[str, Any] = {}

    def target():
        try:
            box["value"] = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimeLimit()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _short(text: Any, limit: int = 200) -> str:
    """One line of at most ``limit`` characters (for messages that quote student text)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _encode(array: np.ndarray) -> Any:
    """An array as nested lists of floats; NaN and infinities as strings (valid JSON)."""

    def number(x: float) -> Any:
        return x if math.isfinite(x) else str(x)

    flat = [number(float(x)) for x in np.ravel(array)]
    return np.array(flat, dtype=object).reshape(array.shape).tolist() if array.ndim else flat[0]


def _decode(data: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Nested lists from JSON back to a float64 array of the given shape (ValueError if it is not one)."""
    if isinstance(data, (str, int, float)) and shape == ():
        data = [data]
        shape_out: tuple[int, ...] = ()
    else:
        shape_out = shape
    array = np.array(data, dtype=object)
    if array.shape != (shape if shape else (1,)):
        raise ValueError(f"expected shape {shape}, got {array.shape}")
    values = np.empty(array.size)
    for k, x in enumerate(array.ravel()):
        if isinstance(x, bool) or not isinstance(x, (int, float, str)):
            raise ValueError(f"entry of type {type(x).__name__}")
        if isinstance(x, str) and x not in ("nan", "inf", "-inf"):
            raise ValueError(f"entry {x!r}")
        values[k] = float(x)
    return values.reshape(shape_out)


def _fmt_array(array: np.ndarray, limit: int = 4, digits: int = 6) -> str:
    flat = np.ravel(array)
    shown = ", ".join(f"{x:.{digits}g}" for x in flat[:limit])
    return f"[{shown}{', ...' if flat.size > limit else ''}]"


def _fmt_value(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return _fmt_array(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


# ---- the spec classes --------------------------------------------------------


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise: where it lives, what it is worth, and what the student defines.

    Attributes
    ----------
    id : "4.1": chapter number and exercise number.
    notebook : the exercise notebook's id, e.g. "04_adagrad".
    points : points awarded when the check passes.
    symbol : the name the student's answer cell defines ("adagrad_update", "answer_lr").
    kind : "function" (called on cases) or "value" (a number or a choice, read as is).
    title : a few words for gradebooks and feedback files.
    hint : what to write; the released notebook raises NotImplementedError with it.
    """

    id: str
    notebook: str
    points: int
    symbol: str
    kind: str
    title: str
    hint: str

    def cases(self, seed: int = DEFAULT_SEED) -> list[dict]:
        """The seeded, JSON-able cases the answer is run on (none for a value exercise)."""
        return []

    def collect(self, answer: Any, seed: int = DEFAULT_SEED) -> dict:
        raise NotImplementedError

    def judge(self, outputs: Any, seed: int | None = None) -> Verdict:
        """Decide on JSON-decoded ``outputs``; never raises, never runs student code."""
        try:
            if not isinstance(outputs, dict):
                return self._fail(f"the outputs are a {type(outputs).__name__}, not a dict")
            if "error" in outputs:
                return self._fail(_short(outputs["error"], 400))
            return self._judge(outputs, self._seed(outputs, seed))
        except Exception as exc:  # noqa: BLE001 - any malformed data is a failed verdict
            return self._fail(f"the outputs could not be read ({type(exc).__name__}: {_short(exc, 120)})")

    def _seed(self, outputs: dict, seed: int | None) -> int:
        got = outputs.get("seed", DEFAULT_SEED)
        if seed is None:
            seed = got
        if not isinstance(got, int) or isinstance(got, bool) or got != seed:
            raise ValueError(f"the outputs' seed {_short(repr(got), 30)} is not the checking seed {seed!r}")
        return seed

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        raise NotImplementedError

    def _fail(self, reason: str) -> Verdict:
        return Verdict(False, f"Exercise {self.id} failed: {reason}")


@dataclass(frozen=True)
class Mistake:
    """A known-buggy variant of a reference function, and how to describe it."""

    name: str  # short, stable: "eps inside the square root"
    explanation: str  # what the student's code seems to do, and what to change
    function: Callable


@dataclass(frozen=True)
class FunctionSpec(ExerciseSpec):
    """An exercise whose answer is a function with the same signature as ``reference``.

    A case calls the function ``len(case["steps"])`` times in a row. The
    arguments are, in the order of ``args``: the threaded state (``case["state"]``,
    replaced after each call by the returned values of the same names),
    fixed arrays (``case["fixed"]``) and per-step values (``case["steps"][s]``);
    then ``case["kwargs"]`` as keyword arguments. ``counter`` names an integer
    argument (Adam's t) that starts at ``case["counter"]`` and grows by one per call.
    """

    args: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    reference: Callable = None  # type: ignore[assignment]
    make_case: Callable[[np.random.Generator, int], dict] = None  # type: ignore[assignment]
    mistakes: tuple[Mistake, ...] = ()
    counter: str | None = None
    n_cases: int = N_CASES
    pass_text: str = ""
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def cases(self, seed: int = DEFAULT_SEED) -> list[dict]:
        rng = np.random.default_rng([seed, *map(int, self.id.split("."))])
        return [self.make_case(rng, k) for k in range(self.n_cases)]

    # -- the student half --

    def collect(self, answer: Any, seed: int = DEFAULT_SEED) -> dict:
        out: dict[str, Any] = {"exercise": self.id, "seed": seed}
        if not callable(answer):
            out["error"] = f"{self.symbol} must be a function, got {type(answer).__name__}"
            return out
        results: list[dict] = []
        deadline = time.monotonic() + TOTAL_TIME_LIMIT
        with np.errstate(all="ignore"):
            for k, case in enumerate(self.cases(seed)):
                try:
                    results.append({"steps": self._run_case(answer, case, k, deadline)})
                except _StudentError as exc:
                    results.append({"error": str(exc)})
                    break
        out["results"] = results
        return out

    def _inputs(self, case: dict) -> tuple[dict, dict]:
        dtype = np.dtype(case["dtype"])
        state = {name: np.array(value, dtype=dtype) for name, value in case["state"].items()}
        fixed = {name: np.array(value, dtype=dtype) for name, value in case.get("fixed", {}).items()}
        return state, fixed

    def _run_case(self, function: Callable, case: dict, k: int, deadline: float) -> list[dict]:
        state, fixed = self._inputs(case)
        counter = case.get("counter")
        steps = []
        for s, per_step in enumerate(case["steps"]):
            where = f"case {k + 1} ({case['dtype']}), step {s + 1}"
            inputs = {**state, **fixed}
            for name, value in per_step.items():
                inputs[name] = np.array(value, dtype=case["dtype"]) if isinstance(value, list) else value
            if self.counter:
                inputs[self.counter] = counter + s
            originals = {n: v.copy() for n, v in inputs.items() if isinstance(v, np.ndarray)}
            call_inputs = {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in inputs.items()}
            args = tuple(call_inputs[name] for name in self.args)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _StudentError(f"{self.symbol} took more than {TOTAL_TIME_LIMIT:g} s in total (at {where})")
            try:
                result = _call_with_time_limit(
                    function, args, dict(case.get("kwargs", {})), min(CALL_TIME_LIMIT, remaining)
                )
            except _TimeLimit:
                raise _StudentError(
                    f"{self.symbol} did not return within {CALL_TIME_LIMIT:g} s on {where} (an endless loop?)"
                ) from None
            except Exception as exc:  # noqa: BLE001 - the student's exception becomes the message
                raise _StudentError(
                    f"{self.symbol} raised {type(exc).__name__}: {_short(exc, 160)} on {where}"
                ) from None
            values = self._check_returned(result, case, where)
            modified = sorted(n for n, v in call_inputs.items() if n in originals and not _same(v, originals[n]))
            steps.append({"values": [_encode(v) for v in values], "modified": modified})
            state.update({name: value for name, value in zip(self.returns, values) if name in state})
        return steps

    def _check_returned(self, result: Any, case: dict, where: str) -> list[np.ndarray]:
        expected_names = ", ".join(self.returns)
        if len(self.returns) == 1:
            values = [result]
        elif isinstance(result, (tuple, list)) and len(result) == len(self.returns):
            values = list(result)
        else:
            got = f"{len(result)} values" if isinstance(result, (tuple, list)) else type(result).__name__
            raise _StudentError(f"{self.symbol} must return ({expected_names}), got {got} on {where}")
        shape = tuple(case["shape"])
        for name, value in zip(self.returns, values):
            if not isinstance(value, np.ndarray):
                raise _StudentError(
                    f"{self.symbol} must return {name} as a numpy array, got {type(value).__name__} on {where}"
                )
            if value.shape != shape:
                raise _StudentError(
                    f"{self.symbol} returned {name} with shape {value.shape}, expected {shape} on {where}"
                )
            if value.dtype != np.dtype(case["dtype"]):
                raise _StudentError(
                    f"{self.symbol} returned {name} as {value.dtype} for {case['dtype']} inputs on {where}; "
                    "keep the dtype of the inputs"
                )
        return values

    # -- the judge half --

    def _reference_outputs(self, function: Callable, seed: int) -> list[list[np.ndarray]]:
        """Outputs of a trusted function (the reference or a mistake) on the cases, decoded; cached."""
        key = (id(function), seed)
        if key not in self._cache:
            collected = self.collect(function, seed)
            if "error" in collected or len(collected["results"]) != self.n_cases:
                raise RuntimeError(f"trusted function failed on exercise {self.id}: {collected}")
            cases = self.cases(seed)
            self._cache[key] = [
                [self._decode_step(step, case) for step in result["steps"]]
                for result, case in zip(collected["results"], cases)
            ]
        return self._cache[key]

    def _decode_step(self, step: Any, case: dict) -> list[np.ndarray]:
        shape = tuple(case["shape"])
        values = step["values"]
        if not isinstance(values, list) or len(values) != len(self.returns):
            raise ValueError(f"expected {len(self.returns)} returned values")
        return [_decode(v, shape) for v in values]

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        cases = self.cases(seed)
        results = outputs.get("results")
        if not isinstance(results, list):
            return self._fail("the outputs have no list of results")
        expected = self._reference_outputs(self.reference, seed)
        got_all: list[list[list[np.ndarray]] | None] = []
        first_wrong = None
        first_modified = None
        for k, case in enumerate(cases):
            if k >= len(results):
                return self._fail(f"only {len(results)} of {len(cases)} cases were run")
            result = results[k]
            if not isinstance(result, dict):
                return self._fail(f"result {k + 1} is not a dict")
            if "error" in result:
                return self._fail(_short(result["error"], 400))
            steps = result.get("steps")
            if not isinstance(steps, list) or len(steps) != len(case["steps"]):
                return self._fail(f"case {k + 1} has the wrong number of steps")
            got = [self._decode_step(step, case) for step in steps]
            got_all.append(got)
            for s, (step, got_values, exp_values) in enumerate(zip(steps, got, expected[k])):
                modified = step.get("modified", [])
                if modified and first_modified is None:
                    first_modified = (k, s, [_short(m, 20) for m in modified][:5])
                if first_wrong is None:
                    for name, g_value, e_value in zip(self.returns, got_values, exp_values):
                        if not _close(g_value, e_value, case["dtype"]):
                            first_wrong = (k, s, name, e_value, g_value)
                            break
        if first_wrong is None and first_modified is None:
            return Verdict(True, f"Exercise {self.id} passed: {self.pass_text or self._default_pass_text()}")
        if first_wrong is None:
            k, s, names = first_modified
            return self._fail(
                f"{self.symbol} modifies its input {', '.join(names)} in place ({self._where(cases[k], k, s)}). "
                "Known mistake: inputs modified in place; build new arrays (w = w - ..., not w -= ...)."
            )
        k, s, name, e_value, g_value = first_wrong
        mistake = self._recognise(got_all, seed)
        digits = _digits_to_show(g_value, e_value)
        message = (
            f"wrong {name} on {self._where(cases[k], k, s)} with {self._describe_inputs(cases[k], s)}: "
            f"expected {name} = {_fmt_array(e_value, digits=digits)}, got {_fmt_array(g_value, digits=digits)} "
            f"({_max_difference(g_value, e_value)})."
        )
        if mistake is not None:
            message += f" Known mistake: {mistake.name}: {mistake.explanation}"
        return self._fail(message)

    def _default_pass_text(self) -> str:
        return f"{self.symbol} matches the reference on {self.n_cases} cases"

    def _where(self, case: dict, k: int, s: int) -> str:
        return f"case {k + 1} of {self.n_cases} ({case['dtype']}, step {s + 1} of {len(case['steps'])})"

    def _describe_inputs(self, case: dict, s: int) -> str:
        if s > 0:
            return "the state returned by your previous step"
        state, fixed = self._inputs(case)
        parts = [f"{n}={_fmt_array(v)}" for n, v in {**state, **fixed}.items()]
        for name, value in case["steps"][0].items():
            parts.append(f"{name}={_fmt_value(np.array(value) if isinstance(value, list) else value)}")
        if self.counter:
            parts.append(f"{self.counter}={case['counter']}")
        kwargs = case.get("kwargs", {})
        parts += [f"{n}={_fmt_value(v)}" for n, v in kwargs.items()] or ["default keyword arguments"]
        return ", ".join(parts)

    def _recognise(self, got_all: list, seed: int) -> Mistake | None:
        """The known mistake whose outputs the student's reproduce on most cases, if any."""
        cases = self.cases(seed)
        best, best_share = None, 0.0
        for mistake in self.mistakes:
            variant = self._reference_outputs(mistake.function, seed)
            matches = sum(
                all(
                    _close(g, v, case["dtype"], loose=True)
                    for got_step, var_step in zip(got, var)
                    for g, v in zip(got_step, var_step)
                )
                for got, var, case in zip(got_all, variant, cases)
            )
            share = matches / len(cases)
            if share > best_share:
                best, best_share = mistake, share
        return best if best_share >= MATCH_FRACTION else None


def _same(a: Any, b: np.ndarray) -> bool:
    return isinstance(a, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _close(got: np.ndarray, expected: np.ndarray, dtype: str, loose: bool = False) -> bool:
    """Equal within the dtype's tolerance, relative to the largest finite expected entry; NaN equals NaN."""
    if got.shape != expected.shape:
        return False
    rtol = TOLERANCE[dtype] * (100 if loose else 1)
    finite = np.isfinite(expected)
    if not np.array_equal(np.isfinite(got), finite):
        return False
    if not np.array_equal(got[~finite], expected[~finite], equal_nan=True):
        return False
    if not finite.any():
        return True
    scale = float(np.max(np.abs(expected[finite])))
    return bool(np.all(np.abs(got[finite] - expected[finite]) <= rtol * max(scale, 1e-300)))


def _max_difference(got: np.ndarray, expected: np.ndarray) -> str:
    if not np.array_equal(np.isfinite(got), np.isfinite(expected)):
        return "NaN or inf where the reference has finite values" if np.all(np.isfinite(expected)) else (
            "finite values where the reference has NaN or inf"
        )
    with np.errstate(all="ignore"):
        return f"max difference {float(np.nanmax(np.abs(got - expected))):.3g}"


def _digits_to_show(got: np.ndarray, expected: np.ndarray) -> int:
    """Enough significant digits for the difference to be visible (6 to 17)."""
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)
        scale = np.max(np.abs(expected[np.isfinite(expected)]), initial=0.0)
        worst = np.nanmax(diff[np.isfinite(diff)], initial=0.0)
    if worst == 0 or scale == 0:
        return 6
    return int(min(17, max(6, math.ceil(-math.log10(worst / scale)) + 2)))


@dataclass(frozen=True)
class ValueSpec(ExerciseSpec):
    """An exercise whose answer is a number (``choices`` empty) or one of ``choices``.

    ``assess(value)`` returns None when the value is right, or the reason it is not.
    """

    assess: Callable[[Any], str | None] = None  # type: ignore[assignment]
    choices: tuple[str, ...] = ()
    pass_text: str = ""

    def collect(self, answer: Any, seed: int = DEFAULT_SEED) -> dict:
        out: dict[str, Any] = {"exercise": self.id, "seed": seed}
        if self.choices:
            if not isinstance(answer, str) or answer.strip().upper() not in self.choices:
                allowed = " or ".join(repr(c) for c in self.choices)
                out["error"] = f"{self.symbol} must be {allowed}, got {_short(repr(answer), 60)}"
            else:
                out["value"] = answer.strip().upper()
            return out
        if answer is None:
            out["error"] = f"{self.symbol} is None: set it to a number"
        elif isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
            out["error"] = f"{self.symbol} must be a number, got {type(answer).__name__} {_short(repr(answer), 60)}"
        else:
            out["value"] = _encode(np.array(float(answer)))
        return out

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        if "value" not in outputs:
            return self._fail(f"the outputs have no value for {self.symbol}")
        value = outputs["value"]
        if self.choices:
            if value not in self.choices:
                return self._fail(f"{self.symbol} must be one of {', '.join(self.choices)}")
        else:
            value = float(_decode(value, ()))
            if not math.isfinite(value):
                return self._fail(f"{self.symbol} = {value} is not a finite number")
        reason = self.assess(value)
        if reason is not None:
            return self._fail(reason)
        return Verdict(True, f"Exercise {self.id} passed: {self.pass_text}")


# ---- case makers ---------------------------------------------------------------

_SHAPES = ((3,), (1,), (2, 3), (5,))


def _update_case(
    rng: np.random.Generator, k: int, state_names: tuple[str, ...], kwargs: dict, counter: bool = False
) -> dict:
    """A case for an update rule: a few chained steps from a fresh or mid-run state.

    Every fifth case has tiny gradients (|g| ~ 1e-8), where the placement of eps
    matters; every fourth is float32; even cases start from a zero state (t = 1).
    """
    dtype = "float32" if k % 4 == 3 else "float64"
    shape = _SHAPES[k % len(_SHAPES)]
    scale = 1e-8 if k % 5 == 1 else 10 ** rng.uniform(-2, 1)
    fresh = k % 2 == 0
    n_steps = 1 + k % 4
    state = {"w": rng.normal(size=shape)}
    for name in state_names:
        if fresh:
            state[name] = np.zeros(shape)
        elif name == "m":
            state[name] = rng.normal(size=shape) * scale
        else:  # G, v, u: sums and averages of squares are positive
            state[name] = rng.uniform(0.1, 2.0, size=shape) * scale**2
    case = {
        "dtype": dtype,
        "shape": list(shape),
        "state": {n: v.astype(dtype).tolist() for n, v in state.items()},
        "steps": [{"g": (rng.normal(size=shape) * scale).astype(dtype).tolist()} for _ in range(n_steps)],
        "kwargs": kwargs,
    }
    if counter:
        case["counter"] = 1 if fresh else int(rng.integers(2, 60))
    return case


def _round(x: float) -> float:
    return float(f"{x:.3g}")


def _gd_case(rng, k):
    return _update_case(rng, k, (), {"lr": _round(10 ** rng.uniform(-3, 0))})


def _adagrad_case(rng, k):
    kwargs = {} if k % 7 == 3 else {"lr": _round(10 ** rng.uniform(-2, 0)), "eps": [1e-10, 1e-8][k % 2]}
    return _update_case(rng, k, ("G",), kwargs)


def _rmsprop_case(rng, k):
    kwargs = {} if k % 7 == 3 else {
        "lr": _round(10 ** rng.uniform(-3, -1)), "gamma": [0.9, 0.99, 0.5][k % 3], "eps": [1e-8, 1e-6][k % 2]
    }
    return _update_case(rng, k, ("v",), kwargs)


def _adadelta_case(rng, k):
    # lr != 1 in most cases, so accumulating the lr-scaled step shows.
    kwargs = {} if k % 7 == 3 else {"lr": [1.0, 0.5, 2.0, 10.0][k % 4], "gamma": [0.9, 0.95][k % 2], "eps": 1e-6}
    return _update_case(rng, k, ("v", "u"), kwargs)


def _adam_case(rng, k):
    kwargs = {} if k % 7 == 3 else {
        "lr": _round(10 ** rng.uniform(-3, -1)), "beta1": [0.9, 0.8][k % 2], "beta2": [0.999, 0.99][k % 3 // 2],
        "eps": 1e-8,
    }
    return _update_case(rng, k, ("m", "v"), kwargs, counter=True)


# ---- chapter 4: AdaGrad ---------------------------------------------------------


def _adagrad_reference(w, g, G, lr=1e-2, eps=1e-10):
    return rules.adagrad_update(w, g, G, lr=lr, eps=eps)


def _adagrad_eps_inside(w, g, G, lr=1e-2, eps=1e-10):
    return rules.adagrad_update(w, g, G, lr=lr, eps=eps, eps_inside_sqrt=True)


def _adagrad_accumulate_after(w, g, G, lr=1e-2, eps=1e-10):
    w_new = w - lr * g / (np.sqrt(G) + eps)
    return w_new, G + g * g


def _adagrad_g_not_squared(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g
    return w - lr * g / (np.sqrt(G) + eps), G


def _adagrad_ascending(w, g, G, lr=1e-2, eps=1e-10):
    w_new, G = rules.adagrad_update(w, g, G, lr=lr, eps=eps)
    return 2 * w - w_new, G


def _adagrad_no_sqrt(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w - lr * g / (G + eps), G


SIGN_ERROR = "sign error (ascending)"
SIGN_EXPLANATION = "your step moves w along +g, uphill; subtract the step: w - ..."


def _effective_lr_assess(value: float) -> str | None:
    G = 3.0**2 + 4.0**2
    expected = 0.5 / (math.sqrt(G) + 1e-10)
    if abs(value - expected) <= 1e-6 * expected:
        return None
    if abs(value - 0.5 / G) <= 1e-6 * expected:
        return f"{value:g} is lr / G; the effective learning rate divides by the square root of G"
    if abs(value - 0.5 / 4.0) <= 1e-6 * expected:
        return f"{value:g} uses only the last gradient; G sums the squares of both gradients"
    return f"{value:g} is not lr / (sqrt(G) + eps) after the two gradients 3 and 4"


# ---- the exercise list --------------------------------------------------------

SPEC_LIST: list[ExerciseSpec] = [
    FunctionSpec(
        id="4.1",
        notebook="04_adagrad",
        points=3,
        symbol="adagrad_update",
        kind="function",
        title="AdaGrad update rule",
        hint="write adagrad_update: add g**2 to G, then step w against g / (sqrt(G) + eps); return (w, G)",
        args=("w", "g", "G"),
        returns=("w", "G"),
        reference=_adagrad_reference,
        make_case=_adagrad_case,
        mistakes=(
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(G + eps); the course (and torch) divide by sqrt(G) + eps, "
                "which differs when |g| is tiny",
                _adagrad_eps_inside,
            ),
            Mistake(
                "accumulating g² after the step",
                "you divide by the old G (G_{t-1}); add g**2 to G first, then step",
                _adagrad_accumulate_after,
            ),
            Mistake("G accumulates g instead of g²", "add g * g (the square) to G", _adagrad_g_not_squared),
            Mistake("no square root of G", "divide by sqrt(G) + eps, not by G + eps", _adagrad_no_sqrt),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _adagrad_ascending),
        ),
    ),
    ValueSpec(
        id="4.2",
        notebook="04_adagrad",
        points=1,
        symbol="answer_effective_lr",
        kind="value",
        title="AdaGrad's effective learning rate",
        hint="set answer_effective_lr to lr / (sqrt(G) + eps) after the gradients 3 and 4 (a number)",
        assess=_effective_lr_assess,
        pass_text="that is AdaGrad's effective learning rate after the gradients 3 and 4",
    ),
]

SPECS: dict[str, ExerciseSpec] = {spec.id: spec for spec in SPEC_LIST}


def specs_for(notebook: str) -> list[ExerciseSpec]:
    """The exercises of one exercise notebook ("04_adagrad"), in order; [] for an unknown notebook."""
    return [spec for spec in SPEC_LIST if spec.notebook == notebook]


def collect_outputs(spec: ExerciseSpec, answer: Any, seed: int = DEFAULT_SEED) -> dict:
    """Run (or read) the student's ``answer`` for ``spec``: JSON-able outputs, never an exception.

    Errors in the student's code, wrong types or shapes, and time-outs become an
    ``"error"`` entry with a message for the student.
    """
    try:
        return spec.collect(answer, seed)
    except Exception as exc:  # noqa: BLE001 - e.g. an answer whose __eq__ or __float__ raises
        return {"exercise": spec.id, "seed": seed, "error": f"{spec.symbol} could not be checked: {_short(exc, 160)}"}
