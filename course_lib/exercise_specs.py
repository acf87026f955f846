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
from .descent import descend
from .landscapes import bowl, get_landscape
from .optimizers import GradientDescent, make_optimizer
from .problems import LinearRegression

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
    int_args: tuple[str, ...] = ()  # per-step lists passed as integer arrays (indices)
    n_cases: int = N_CASES
    pass_text: str = ""
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def cases(self, seed: int = DEFAULT_SEED) -> list[dict]:
        rng = np.random.default_rng([seed, *map(int, self.id.split("."))])
        return [self.make_case(rng, k) for k in range(self.n_cases)]

    # -- the student half --

    def collect(self, answer: Any, seed: int = DEFAULT_SEED, time_limited: bool = True) -> dict:
        """Run ``answer`` on the cases; ``time_limited=False`` for trusted code (the reference, the mistakes)."""
        out: dict[str, Any] = {"exercise": self.id, "seed": seed}
        if not callable(answer):
            out["error"] = f"{self.symbol} must be a function, got {type(answer).__name__}"
            return out
        if not time_limited:
            answer = _Untimed(answer)
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
                if isinstance(value, list):
                    value = np.array(value, dtype=np.int64 if name in self.int_args else case["dtype"])
                inputs[name] = value
            if self.counter:
                inputs[self.counter] = counter + s
            originals = {n: v.copy() for n, v in inputs.items() if isinstance(v, np.ndarray)}
            call_inputs = {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in inputs.items()}
            args = tuple(call_inputs[name] for name in self.args)
            limit = min(CALL_TIME_LIMIT, deadline - time.monotonic())
            try:
                if limit <= 0:
                    raise _TimeLimit()
                kwargs = dict(case.get("kwargs", {}))
                if isinstance(function, _Untimed):
                    result = function.function(*args, **kwargs)
                else:
                    result = _call_with_time_limit(function, args, kwargs, limit)
            except _TimeLimit:
                if limit < CALL_TIME_LIMIT:
                    raise _StudentError(
                        f"{self.symbol} took more than {TOTAL_TIME_LIMIT:g} s in total for the cases (at {where})"
                    ) from None
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
            # float64 results for float32 inputs are accepted (np.sqrt of a Python number is a float64
            # scalar, which upcasts); they are compared with float32 tolerance.
            if value.dtype not in (np.float32, np.float64):
                raise _StudentError(
                    f"{self.symbol} returned {name} as {value.dtype} on {where}; return float32 or float64 arrays"
                )
        return values

    # -- the judge half --

    def _reference_outputs(self, function: Callable, seed: int) -> list[list[np.ndarray]]:
        """Outputs of a trusted function (the reference or a mistake) on the cases, decoded; cached."""
        key = (id(function), seed)
        if key not in self._cache:
            collected = self.collect(function, seed, time_limited=False)
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
                f"{self.symbol} modifies its input {', '.join(names)} in place on {self._where(cases[k], k, s)}. "
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


@dataclass(frozen=True)
class _Untimed:
    """A trusted function (reference or known mistake), called without the time limit's thread or alarm."""

    function: Callable


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
        if np.all(np.isfinite(expected)):
            return "max difference: NaN or inf where the reference is finite"
        return "max difference: finite values where the reference has NaN or inf"
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


# ---- property-checked exercise: mini-batches of one epoch ---------------------------


@dataclass(frozen=True)
class BatchingSpec(ExerciseSpec):
    """``minibatch_indices(n, batch_size, rng)``: the mini-batches of one epoch, checked by their properties.

    There are many right answers (any shuffle), so the judge checks what every
    right answer has: n // batch_size disjoint batches of batch_size indices in
    range(n) (the last incomplete batch is dropped, as ``course_lib.descend``
    does), a shuffled order, the same batches for the same seed and different
    ones for another seed.
    """

    n_cases: int = 20
    pass_text: str = ""

    def cases(self, seed: int = DEFAULT_SEED) -> list[dict]:
        rng = np.random.default_rng([seed, *map(int, self.id.split("."))])
        cases = []
        for k in range(self.n_cases):
            n = int(rng.integers(10, 41))
            batch_size = [1, n, int(rng.integers(2, n // 2 + 1)), 3][k % 4]
            cases.append({"n": n, "batch_size": batch_size, "seed": int(rng.integers(2**31))})
        return cases

    def collect(self, answer: Any, seed: int = DEFAULT_SEED) -> dict:
        out: dict[str, Any] = {"exercise": self.id, "seed": seed}
        if not callable(answer):
            out["error"] = f"{self.symbol} must be a function, got {type(answer).__name__}"
            return out
        results = []
        deadline = time.monotonic() + TOTAL_TIME_LIMIT
        for k, case in enumerate(self.cases(seed)):
            try:
                runs = [
                    self._run(answer, case, case["seed"] + offset, f"case {k + 1}", deadline) for offset in (0, 0, 1)
                ]
            except _StudentError as exc:
                results.append({"error": str(exc)})
                break
            results.append({"runs": runs})
        out["results"] = results
        return out

    def _run(self, function: Callable, case: dict, rng_seed: int, where: str, deadline: float) -> list[list[int]]:
        args = (case["n"], case["batch_size"], np.random.default_rng(rng_seed))
        limit = min(CALL_TIME_LIMIT, deadline - time.monotonic())
        try:
            if limit <= 0:
                raise _TimeLimit()
            result = _call_with_time_limit(function, args, {}, limit)
        except _TimeLimit:
            budget = f"{TOTAL_TIME_LIMIT:g} s in total" if limit < CALL_TIME_LIMIT else f"{CALL_TIME_LIMIT:g} s"
            raise _StudentError(f"{self.symbol} did not return within {budget} on {where}") from None
        except Exception as exc:  # noqa: BLE001 - the student's exception becomes the message
            raise _StudentError(f"{self.symbol} raised {type(exc).__name__}: {_short(exc, 160)} on {where}") from None
        if not isinstance(result, (list, tuple)):
            raise _StudentError(f"{self.symbol} must return a list of index arrays, got {type(result).__name__}")
        batches = []
        for batch in result[: 2 * case["n"]]:
            batch = np.asarray(batch)
            if batch.ndim != 1 or batch.dtype.kind not in "iu":
                raise _StudentError(
                    f"{self.symbol} must return 1-D integer index arrays, got {batch.dtype} of shape {batch.shape} "
                    f"on {where}"
                )
            batches.append([int(i) for i in batch[: 2 * case["n"]]])
        return batches

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        cases = self.cases(seed)
        results = outputs.get("results")
        if not isinstance(results, list) or len(results) < 1:
            return self._fail("the outputs have no list of results")
        seeds_matter = 0
        for k, case in enumerate(cases):
            if k >= len(results):
                return self._fail(f"only {len(results)} of {len(cases)} cases were run")
            result = results[k]
            if not isinstance(result, dict):
                return self._fail(f"result {k + 1} is not a dict")
            if "error" in result:
                return self._fail(_short(result["error"], 400))
            runs = result.get("runs")
            if not (isinstance(runs, list) and len(runs) == 3 and all(_is_batches(r) for r in runs)):
                return self._fail(f"result {k + 1} is not three lists of integer lists")
            problem = self._problem(runs[0], case)
            where = f"case {k + 1} of {len(cases)} (n={case['n']}, batch_size={case['batch_size']})"
            if problem:
                return self._fail(f"{where}: {problem}")
            if runs[0] != runs[1]:
                return self._fail(
                    f"{where}: two calls with generators of the same seed gave different batches. Known mistake: "
                    "ignoring rng: shuffle with the rng argument (rng.permutation(n)), not np.random"
                )
            if runs[0] != runs[2]:
                seeds_matter += 1
        if seeds_matter < len(cases) // 2:
            return self._fail(
                f"the batches do not depend on the seed of rng in {len(cases) - seeds_matter} of {len(cases)} cases. "
                "Known mistake: ignoring rng: shuffle with the rng argument (rng.permutation(n))"
            )
        return Verdict(True, f"Exercise {self.id} passed: {self.pass_text}")

    @staticmethod
    def _problem(batches: list[list[int]], case: dict) -> str | None:
        n, size = case["n"], case["batch_size"]
        flat = [i for batch in batches for i in batch]
        if any(not 0 <= i < n for i in flat):
            return f"an index is outside range(n): {next(i for i in flat if not 0 <= i < n)}"
        if len(set(flat)) != len(flat):
            return (
                "an example appears twice in one epoch. Known mistake: sampling with replacement "
                "(rng.integers / rng.choice with replace=True); shuffle once with rng.permutation(n) and cut it up"
            )
        if len(batches) == n // size + 1 and n % size and len(batches[-1]) == n % size:
            return (
                f"{len(batches)} batches, the last one with {n % size} examples. Known mistake: keeping the last, "
                f"incomplete batch; drop it, so that every batch has batch_size examples ({n // size} batches)"
            )
        if len(batches) != n // size:
            return f"expected n // batch_size = {n // size} batches, got {len(batches)}"
        if any(len(batch) != size for batch in batches):
            return f"batch sizes {sorted({len(b) for b in batches})}, expected {size} each"
        if len(flat) >= 10 and flat == sorted(flat):
            return (
                "the batches are in order 0, 1, 2, ... Known mistake: not shuffled; visit the examples in random order"
            )
        return None


def _is_batches(run: Any) -> bool:
    return isinstance(run, list) and all(
        isinstance(b, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in b) for b in run
    )


# ---- chapter 1: gradient descent ----------------------------------------------------

SIGN_ERROR = "sign error (ascending)"
SIGN_EXPLANATION = "your step moves w along +g, uphill; subtract the step: w - ..."


def _gd_reference(w, g, lr):
    return rules.gd_update(w, g, lr)


def _gd_ascending(w, g, lr):
    return w + lr * g


def _gd_no_lr(w, g, lr):
    return w - g


LR_TARGET, LR_STEPS, LR_CONDITION = 1e-6, 25, 4.0


def _lr_assess(lr: float) -> str | None:
    if lr <= 0:
        return f"answer_lr = {lr:g}: a learning rate must be > 0 (the step goes against the gradient)"
    run = descend(GradientDescent(lr=lr), bowl(LR_CONDITION), steps=LR_STEPS, record_diagnostics=False)
    if run.diverged:
        return (
            f"with lr = {lr:g} gradient descent diverges on the bowl (the loss blew up at step {run.diverged_at}); "
            "the steep direction overshoots: try a smaller learning rate"
        )
    if run.final_loss >= LR_TARGET:
        direction = "larger" if lr < 0.35 else "smaller"
        return (
            f"with lr = {lr:g} the loss after {LR_STEPS} steps is {run.final_loss:.3g}, not below {LR_TARGET:g}; "
            f"try a {direction} learning rate"
        )
    return None


# ---- chapter 2: stochastic gradient descent -------------------------------------------


def _regression_case(rng: np.random.Generator, k: int, batches: bool) -> dict:
    """Linear-regression data, a weight vector and a few example indices (or mini-batches) to use."""
    dtype = "float32" if k % 4 == 3 else "float64"
    n, d = int(rng.integers(6, 21)), int(rng.integers(1, 5))
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(scale=0.3, size=n)
    steps = []
    for _ in range(1 + k % 3):
        if batches:
            size = int(rng.integers(1, n + 1)) if k % 5 else n
            steps.append({"idx": [int(i) for i in rng.permutation(n)[:size]]})
        else:
            steps.append({"i": int(rng.integers(n))})
    return {
        "dtype": dtype,
        "shape": [d],
        "state": {"w": rng.normal(size=d).astype(dtype).tolist()},
        "fixed": {"X": X.astype(dtype).tolist(), "y": y.astype(dtype).tolist()},
        "steps": steps,
        "kwargs": {} if batches else {"lr": _round(10 ** rng.uniform(-2, -0.5))},
    }


def _sgd_reference(w, X, y, i, lr):
    g = (X[i] @ w - y[i]) * X[i]
    return rules.gd_update(w, g, lr)


def _sgd_ascending(w, X, y, i, lr):
    return w + lr * (X[i] @ w - y[i]) * X[i]


def _sgd_full_batch(w, X, y, i, lr):
    return w - lr * X.T @ (X @ w - y) / len(y)


def _sgd_no_input_factor(w, X, y, i, lr):
    return w - lr * (X[i] @ w - y[i])


SGD_STEPS, GD_STEPS = 5000, 5


def _race_winner(key: str) -> str:
    """'A' or 'B': which of the two runs of a race ends with the lower loss (computed once)."""
    if key not in _RACES:
        if key == "sgd":
            problem = LinearRegression(n_samples=1000)
            a = descend(GradientDescent(lr=0.1), problem, steps=GD_STEPS, record_diagnostics=False)
            b = descend(
                GradientDescent(lr=0.05), problem, steps=SGD_STEPS, batch_size=1, record_diagnostics=False
            )
        else:
            ravine = get_landscape("ravine")
            a = descend(make_optimizer("adagrad", lr=0.1), ravine, steps=300, record_diagnostics=False)
            b = descend(make_optimizer("rmsprop", lr=0.1), ravine, steps=300, record_diagnostics=False)
        _RACES[key] = "A" if a.final_loss < b.final_loss else "B"
    return _RACES[key]


_RACES: dict[str, str] = {}


def _race_assess(key: str, why: str) -> Callable[[str], str | None]:
    def assess(choice: str) -> str | None:
        if choice == _race_winner(key):
            return None
        return f"{choice!r} is not the run that ends with the lower loss. {why}"

    return assess


# ---- chapter 3: mini-batch gradient descent -----------------------------------------------


def _minibatch_reference(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(idx)


def _minibatch_sum(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb)


def _minibatch_over_n(X, y, w, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(y)


def _minibatch_full(X, y, w, idx):
    return X.T @ (X @ w - y) / len(y)


def _minibatch_sign(X, y, w, idx):
    return -_minibatch_reference(X, y, w, idx)


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
    G = G + g * g
    return w + lr * g / (np.sqrt(G) + eps), G


def _adagrad_no_sqrt(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w - lr * g / (G + eps), G


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


# ---- chapter 5: RMSprop ------------------------------------------------------------


def _rmsprop_reference(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    return rules.rmsprop_update(w, g, v, lr=lr, gamma=gamma, eps=eps)


def _rmsprop_eps_inside(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    return rules.rmsprop_update(w, g, v, lr=lr, gamma=gamma, eps=eps, eps_inside_sqrt=True)


def _rmsprop_g_not_squared(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g
    return w - lr * g / (np.sqrt(v) + eps), v


def _rmsprop_swapped(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = (1 - gamma) * v + gamma * g * g
    return w - lr * g / (np.sqrt(v) + eps), v


def _rmsprop_accumulate_after(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    w_new = w - lr * g / (np.sqrt(v) + eps)
    return w_new, gamma * v + (1 - gamma) * g * g


def _rmsprop_ascending(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g * g
    return w + lr * g / (np.sqrt(v) + eps), v


# ---- chapter 6: AdaDelta -----------------------------------------------------------


def _adadelta_reference(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    return rules.adadelta_update(w, g, v, u, lr=lr, gamma=gamma, eps=eps)


def _adadelta_previous_v(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = gamma * v + (1 - gamma) * g * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _adadelta_scaled_accumulation(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - dw, v, u


def _adadelta_no_eps_numerator(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = np.sqrt(u) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _adadelta_g_not_squared(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u


def _adadelta_ascending(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    w_new, v, u = rules.adadelta_update(w, g, v, u, lr=lr, gamma=gamma, eps=eps)
    return w + (w - w_new), v, u


def _first_step_assess(value: float) -> str | None:
    g, gamma, eps = 2.0, 0.9, 1e-6
    expected = math.sqrt(eps) / math.sqrt((1 - gamma) * g * g + eps) * g
    if abs(abs(value) - expected) <= 1e-4 * expected:
        return None
    if value == 0:
        return "0 would mean sqrt(u) with u = 0 in the numerator; AdaDelta uses sqrt(u + eps), so the first step moves"
    if abs(abs(value) - g) <= 1e-4 * g:
        return f"{value:g} is the step of the old E[g^2] = 0; v is updated with this step's gradient first"
    return f"{value:g} is not |dw| = sqrt(u + eps) / sqrt(v + eps) * |g| with v already updated and u = 0"


# ---- chapter 7: Adam ------------------------------------------------------------


def _adam_reference(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return rules.adam_update(w, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def _adam_variant(correct_m=True, correct_v=True, exponent_shift=0, square=True, eps_inside=False,
                  write_back=False, sign=1.0, eps_hat=False):
    """A buggy Adam: which parts of the bias correction it does, and how."""

    def update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g * g if square else g)
        m_hat = m / (1 - beta1 ** (t + exponent_shift)) if correct_m else m
        v_hat = v / (1 - beta2 ** (t + exponent_shift)) if correct_v else v
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        if eps_hat:  # the paper's "efficient" form, with eps added to the uncorrected sqrt(v)
            denominator = (np.sqrt(v) + eps) / math.sqrt(1 - beta2**t)
        w = w - sign * lr * m_hat / denominator
        return (w, m_hat, v_hat) if write_back else (w, m, v)

    return update


def _bias_factor_assess(value: float) -> str | None:
    expected = 1 / (1 - 0.9**3)
    if abs(value - expected) <= 1e-6 * expected:
        return None
    if abs(value - 1 / (1 - 0.9**2)) <= 1e-6 * expected:
        return f"{value:g} is the factor for t = 2; t is 1 at the first step, so the third step has t = 3"
    if abs(value - (1 - 0.9**3)) <= 1e-6:
        return f"{value:g} is 1 - beta1^t, the number m is divided by; the factor that multiplies m is its inverse"
    return f"{value:g} is not the factor 1 / (1 - beta1^t) that turns m into m_hat at t = 3"


# ---- the exercise list --------------------------------------------------------

V_WITH_G = "v updated with g instead of g²"

SPEC_LIST: list[ExerciseSpec] = [
    FunctionSpec(
        id="1.1", notebook="01_gradient_descent", points=2, symbol="gd_update", kind="function",
        title="gradient descent update rule",
        hint="write gd_update: one step of gradient descent from w against g, as a new array",
        args=("w", "g"), returns=("w",), reference=_gd_reference, make_case=_gd_case,
        mistakes=(
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _gd_ascending),
            Mistake("learning rate missing", "the step is lr * g, not g", _gd_no_lr),
        ),
    ),
    ValueSpec(
        id="1.2", notebook="01_gradient_descent", points=2, symbol="answer_lr", kind="value",
        title="a learning rate that reaches the target",
        hint=f"set answer_lr to a learning rate that reaches loss < {LR_TARGET:g} within {LR_STEPS} steps",
        assess=_lr_assess,
        pass_text=f"with this learning rate gradient descent gets below {LR_TARGET:g} within {LR_STEPS} steps",
    ),
    FunctionSpec(
        id="2.1", notebook="02_stochastic_gradient_descent", points=2, symbol="sgd_step", kind="function",
        title="one SGD step on one example",
        hint="write sgd_step: the gradient of example i alone, then one gradient descent step with it",
        args=("w", "X", "y", "i"), returns=("w",), reference=_sgd_reference,
        make_case=lambda rng, k: _regression_case(rng, k, batches=False),
        mistakes=(
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _sgd_ascending),
            Mistake(
                "full-batch gradient", "you use every example; SGD uses example i only: X[i] and y[i]",
                _sgd_full_batch,
            ),
            Mistake(
                "input factor missing", "the gradient of (x.w - y)^2 / 2 is (x.w - y) * x: multiply by X[i]",
                _sgd_no_input_factor,
            ),
        ),
    ),
    ValueSpec(
        id="2.2", notebook="02_stochastic_gradient_descent", points=1, symbol="answer_race", kind="value",
        title="SGD or gradient descent, for the same work",
        hint="set answer_race to 'A' or 'B'",
        choices=("A", "B"),
        assess=_race_assess(
            "sgd", "Count how many examples each run looks at, and how many steps each makes with them."
        ),
        pass_text="that run gets further for the same number of gradient evaluations",
    ),
    FunctionSpec(
        id="3.1", notebook="03_mini_batch_gradient_descent", points=2, symbol="minibatch_gradient", kind="function",
        title="the mini-batch gradient",
        hint="write minibatch_gradient: the mean of the gradients of the examples idx, without a Python loop",
        args=("X", "y", "w", "idx"), returns=("g",), reference=_minibatch_reference,
        make_case=lambda rng, k: _regression_case(rng, k, batches=True), int_args=("idx",),
        mistakes=(
            Mistake("sum instead of mean", "divide the summed gradient by the batch size len(idx)", _minibatch_sum),
            Mistake(
                "divided by the data set size", "divide by the batch size len(idx), not by len(y)", _minibatch_over_n
            ),
            Mistake("full-batch gradient", "use only the rows idx: X[idx] and y[idx]", _minibatch_full),
            Mistake(
                SIGN_ERROR, "your gradient points downhill; the gradient of the loss is X^T (X w - y) / batch size",
                _minibatch_sign,
            ),
        ),
    ),
    BatchingSpec(
        id="3.2", notebook="03_mini_batch_gradient_descent", points=2, symbol="minibatch_indices", kind="function",
        title="the mini-batches of one epoch",
        hint="write minibatch_indices: shuffle range(n) with rng, cut it into n // batch_size batches",
        pass_text="minibatch_indices gives shuffled, disjoint batches of batch_size examples on 20 cases",
    ),
    FunctionSpec(
        id="4.1", notebook="04_adagrad", points=3, symbol="adagrad_update", kind="function",
        title="AdaGrad update rule",
        hint="write adagrad_update: add g**2 to G, then step w against g / (sqrt(G) + eps); return (w, G)",
        args=("w", "g", "G"), returns=("w", "G"), reference=_adagrad_reference, make_case=_adagrad_case,
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
        id="4.2", notebook="04_adagrad", points=1, symbol="answer_effective_lr", kind="value",
        title="AdaGrad's effective learning rate",
        hint="set answer_effective_lr to lr / (sqrt(G) + eps) after the gradients 3 and 4 (a number)",
        assess=_effective_lr_assess,
        pass_text="that is AdaGrad's effective learning rate after the gradients 3 and 4",
    ),
    FunctionSpec(
        id="5.1", notebook="05_rmsprop", points=3, symbol="rmsprop_update", kind="function",
        title="RMSprop update rule",
        hint="write rmsprop_update: v = gamma * v + (1 - gamma) * g**2, then w - lr * g / (sqrt(v) + eps)",
        args=("w", "g", "v"), returns=("w", "v"), reference=_rmsprop_reference, make_case=_rmsprop_case,
        mistakes=(
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(v + eps); the course (and torch) divide by sqrt(v) + eps, "
                "which differs when |g| is tiny",
                _rmsprop_eps_inside,
            ),
            Mistake(V_WITH_G, "average the squares: (1 - gamma) * g * g", _rmsprop_g_not_squared),
            Mistake(
                "gamma and 1 - gamma swapped", "the old average keeps the weight gamma: gamma * v + (1 - gamma) * g**2",
                _rmsprop_swapped,
            ),
            Mistake(
                "accumulating g² after the step",
                "you divide by the old v; update v with this step's g**2 first, then step",
                _rmsprop_accumulate_after,
            ),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _rmsprop_ascending),
        ),
    ),
    ValueSpec(
        id="5.2", notebook="05_rmsprop", points=1, symbol="answer_race", kind="value",
        title="AdaGrad or RMSprop in the ravine",
        hint="set answer_race to 'A' or 'B'",
        choices=("A", "B"),
        assess=_race_assess("ravine", "Think about what happens to each one's effective learning rate over 300 steps."),
        pass_text="that run gets further in 300 steps",
    ),
    FunctionSpec(
        id="6.1", notebook="06_adadelta", points=3, symbol="adadelta_update", kind="function",
        title="AdaDelta update rule",
        hint="write adadelta_update: update v with g**2, dw = sqrt(u + eps) / sqrt(v + eps) * g, "
        "update u with dw**2, return (w - lr * dw, v, u)",
        args=("w", "g", "v", "u"), returns=("w", "v", "u"), reference=_adadelta_reference, make_case=_adadelta_case,
        mistakes=(
            Mistake(
                "AdaDelta using the previous E[g²]",
                "you compute dw before updating v; update v = E[g^2] with this step's gradient first",
                _adadelta_previous_v,
            ),
            Mistake(
                "accumulating the lr-scaled step",
                "u accumulates the unscaled dw**2; lr only scales the step applied to w",
                _adadelta_scaled_accumulation,
            ),
            Mistake(
                "eps missing in the numerator", "use sqrt(u + eps); with sqrt(u) and u = 0 AdaDelta never moves",
                _adadelta_no_eps_numerator,
            ),
            Mistake(V_WITH_G, "average the squares: (1 - gamma) * g * g", _adadelta_g_not_squared),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _adadelta_ascending),
        ),
    ),
    ValueSpec(
        id="6.2", notebook="06_adadelta", points=1, symbol="answer_first_step", kind="value",
        title="the size of AdaDelta's first step",
        hint="set answer_first_step to |dw| of the first step (a number)",
        assess=_first_step_assess,
        pass_text="that is the size of AdaDelta's first step",
    ),
    FunctionSpec(
        id="7.1", notebook="07_adam", points=3, symbol="adam_update", kind="function",
        title="Adam update rule",
        hint="write adam_update: update m and v, bias-correct them with t, step w; return (w, m, v)",
        args=("w", "g", "m", "v", "t"), returns=("w", "m", "v"), reference=_adam_reference, make_case=_adam_case,
        counter="t",
        mistakes=(
            Mistake(
                "missing bias correction", "divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step",
                _adam_variant(correct_m=False, correct_v=False),
            ),
            Mistake(
                "partial bias correction (m only)", "v needs its correction too: v_hat = v / (1 - beta2**t)",
                _adam_variant(correct_v=False),
            ),
            Mistake(
                "partial bias correction (v only)", "m needs its correction too: m_hat = m / (1 - beta1**t)",
                _adam_variant(correct_m=False),
            ),
            Mistake(
                "step counter starting at 0",
                "your correction uses t - 1 (1 - beta**0 = 0 at the first step); t is 1 at the first step",
                _adam_variant(exponent_shift=-1),
            ),
            Mistake(V_WITH_G, "v averages the squares: (1 - beta2) * g * g", _adam_variant(square=False)),
            Mistake(
                "eps on the wrong side of the square root",
                "you divide by sqrt(v_hat + eps); Adam divides by sqrt(v_hat) + eps",
                _adam_variant(eps_inside=True),
            ),
            Mistake(
                "eps added to the uncorrected square root",
                "you divide by (sqrt(v) + eps) / sqrt(1 - beta2**t) (Keras' epsilon-hat form); "
                "add eps after the correction: sqrt(v_hat) + eps",
                _adam_variant(eps_hat=True),
            ),
            Mistake(
                "bias correction written back into the state",
                "return the raw m and v; m_hat and v_hat are used for the step only",
                _adam_variant(write_back=True),
            ),
            Mistake(SIGN_ERROR, SIGN_EXPLANATION, _adam_variant(sign=-1.0)),
        ),
    ),
    ValueSpec(
        id="7.2", notebook="07_adam", points=1, symbol="answer_bias_factor", kind="value",
        title="the bias-correction factor",
        hint="set answer_bias_factor to the factor that multiplies m at t = 3 (a number)",
        assess=_bias_factor_assess,
        pass_text="that is the factor 1 / (1 - beta1^t) at t = 3",
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
