"""How answers are run and judged: the spec classes every chapter's exercises are made of.

Checking an answer has two halves that can run in different processes (the
grader runs them apart, so that the comparison never shares a process with
student code):

1. ``spec.collect(answer, seed)`` runs the student's function on the spec's
   seeded cases (or reads the student's value) and returns plain, JSON-able
   data. Whatever the student's code does (raise, return the wrong shape, loop
   forever) ends up as an ``{"error": ...}`` entry, never a traceback.
2. ``spec.judge(outputs, seed)`` compares that data with the reference on the
   same cases and returns a ``Verdict`` whose message is one deterministic line.
   It never runs student code and accepts any JSON shape: malformed data is a
   failed verdict, not an exception.

When a function is wrong, the judge also runs the spec's known-buggy variants
(``Mistake``) on the same cases and names the one the student's outputs match.

- ``FunctionSpec``: a function with the signature of a ``course_lib.rules`` rule,
  called on chained steps and compared with the reference;
- ``ValueSpec``: a number or a choice, assessed as is;
- ``BatchingSpec``: a function with many right answers (a shuffle), judged by
  the properties every right answer has.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import sandbox
from .sandbox import StudentError, TimeLimit, call_before_deadline, decode_array, encode_array, silenced

DEFAULT_SEED = 0
N_CASES = 50
# Relative tolerance, per dtype, scaled by the largest entry of the expected array.
TOLERANCE = {"float64": 1e-9, "float32": 2e-5}
MATCH_FRACTION = 0.9  # share of cases a buggy variant must reproduce to be named
# Known mistakes recognised by a property rather than by a buggy variant (their names, as in Mistake.name).
IN_PLACE = "inputs modified in place"
IGNORING_RNG = "ignoring rng"
WITH_REPLACEMENT = "sampling with replacement"
LAST_BATCH_KEPT = "keeping the last, incomplete batch"
NOT_SHUFFLED = "not shuffled"


@dataclass(frozen=True)
class Verdict:
    """The judge's decision, its one-line message and the known mistake it named (None if none)."""

    passed: bool
    message: str
    mistake: str | None = None  # a Mistake's short name, as data: the class report counts these


def one_line(text: Any, limit: int = 200) -> str:
    """One line of at most ``limit`` characters (for messages that quote student text)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    title : a few words for gradebooks and feedback files.
    hint : what to write; the released notebook raises NotImplementedError with it.
    """

    id: str
    notebook: str
    points: int
    symbol: str
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
                return self._fail(one_line(outputs["error"], 400))
            return self._judge(outputs, self._seed(outputs, seed))
        except Exception as exc:  # noqa: BLE001 - any malformed data is a failed verdict
            return self._fail(f"the outputs could not be read ({type(exc).__name__}: {one_line(exc, 120)})")

    def _seed(self, outputs: dict, seed: int | None) -> int:
        got = outputs.get("seed", DEFAULT_SEED)
        if seed is None:
            seed = got
        if not isinstance(got, int) or isinstance(got, bool) or got != seed:
            raise ValueError(f"the outputs' seed {one_line(repr(got), 30)} is not the checking seed {seed!r}")
        return seed

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        raise NotImplementedError

    def _case_result(self, results: list, k: int, n_cases: int) -> tuple[Any, Verdict | None]:
        """Result k of untrusted JSON results, or a failed verdict saying why it is unusable."""
        if k >= len(results):
            return None, self._fail(f"only {len(results)} of {n_cases} cases were run")
        result = results[k]
        if not isinstance(result, dict):
            return None, self._fail(f"result {k + 1} is not a dict")
        if "error" in result:
            return None, self._fail(one_line(result["error"], 400))
        return result, None

    def _fail(self, reason: str, mistake: str | None = None) -> Verdict:
        return Verdict(False, f"Exercise {self.id} failed: {reason}", mistake)


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
        deadline = time.monotonic() + sandbox.TOTAL_TIME_LIMIT
        # Only the student's code is silenced. The trusted functions run in the grader, in worker threads
        # (--jobs 2): redirecting the process-wide sys.stdout there raced, and left it pointing at a
        # discard stream, so the grader's own summary line vanished.
        quiet = silenced() if time_limited else contextlib.nullcontext()
        with np.errstate(all="ignore"), quiet:
            for k, case in enumerate(self.cases(seed)):
                try:
                    results.append({"steps": self._run_case(answer, case, k, deadline)})
                except StudentError as exc:
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
        steps = []
        for s, per_step in enumerate(case["steps"]):
            where = f"case {k + 1} ({case['dtype']}), step {s + 1}"
            inputs = {**state, **fixed}
            for name, value in per_step.items():
                if isinstance(value, list):
                    value = np.array(value, dtype=np.int64 if name in self.int_args else case["dtype"])
                inputs[name] = value
            if self.counter:
                inputs[self.counter] = case["counter"] + s
            originals = {n: v.copy() for n, v in inputs.items() if isinstance(v, np.ndarray)}
            call_inputs = {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in inputs.items()}
            args = tuple(call_inputs[name] for name in self.args)
            try:
                kwargs = dict(case.get("kwargs", {}))
                if isinstance(function, _Untimed):
                    result = function.function(*args, **kwargs)
                else:
                    result = call_before_deadline(function, args, kwargs, deadline)
            except TimeLimit as stopped:
                if stopped.total:
                    raise StudentError(
                        f"{self.symbol} took more than {sandbox.TOTAL_TIME_LIMIT:g} s in total for the cases "
                        f"(at {where})"
                    ) from None
                raise StudentError(
                    f"{self.symbol} did not return within {sandbox.CALL_TIME_LIMIT:g} s on {where} (an endless loop?)"
                ) from None
            except Exception as exc:  # noqa: BLE001 - the student's exception becomes the message
                raise StudentError(
                    f"{self.symbol} raised {type(exc).__name__}: {one_line(exc, 160)} on {where}"
                ) from None
            values = self._check_returned(result, case, where)
            modified = sorted(n for n, v in call_inputs.items() if n in originals and not _same(v, originals[n]))
            steps.append({"values": [encode_array(v) for v in values], "modified": modified})
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
            raise StudentError(f"{self.symbol} must return ({expected_names}), got {got} on {where}")
        shape = tuple(case["shape"])
        for name, value in zip(self.returns, values):
            if not isinstance(value, np.ndarray):
                raise StudentError(
                    f"{self.symbol} must return {name} as a numpy array, got {type(value).__name__} on {where}"
                )
            if value.shape != shape:
                raise StudentError(
                    f"{self.symbol} returned {name} with shape {value.shape}, expected {shape} on {where}"
                )
            # float64 results for float32 inputs are accepted (np.sqrt of a Python number is a float64
            # scalar, which upcasts); they are compared with float32 tolerance.
            if value.dtype not in (np.float32, np.float64):
                raise StudentError(
                    f"{self.symbol} returned {name} as {value.dtype} on {where}; return float32 or float64 arrays"
                )
        return values

    # -- the judge half --

    def trusted_outputs(self, function: Callable, seed: int) -> list[list[np.ndarray]]:
        """Outputs of a trusted function (the reference or a mistake) on the cases, decoded; cached.

        One list per case, one list per step, one array per returned value.
        """
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
        return [decode_array(v, shape) for v in values]

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        cases = self.cases(seed)
        results = outputs.get("results")
        if not isinstance(results, list):
            return self._fail("the outputs have no list of results")
        expected = self.trusted_outputs(self.reference, seed)
        got_all: list[list[list[np.ndarray]] | None] = []
        first_wrong: tuple[int, int, str, Any, Any] | None = None
        first_modified: tuple[int, int, list[str]] | None = None
        for k, case in enumerate(cases):
            result, failure = self._case_result(results, k, len(cases))
            if failure is not None:
                return failure
            steps = result.get("steps")
            if not isinstance(steps, list) or len(steps) != len(case["steps"]):
                return self._fail(f"case {k + 1} has the wrong number of steps")
            got = [self._decode_step(step, case) for step in steps]
            got_all.append(got)
            for s, (step, got_values, exp_values) in enumerate(zip(steps, got, expected[k])):
                modified = step.get("modified", [])
                if modified and first_modified is None:
                    first_modified = (k, s, [one_line(m, 20) for m in modified][:5])
                if first_wrong is None:
                    for name, g_value, e_value in zip(self.returns, got_values, exp_values):
                        if not values_close(g_value, e_value, case["dtype"]):
                            first_wrong = (k, s, name, e_value, g_value)
                            break
        if first_wrong is None and first_modified is None:
            return Verdict(True, f"Exercise {self.id} passed: {self.pass_text or self._default_pass_text()}")
        if first_modified is not None and first_wrong is None:
            k, s, names = first_modified
            return self._fail(
                f"{self.symbol} modifies its input {', '.join(names)} in place on {self._where(cases[k], k, s)}. "
                f"Known mistake: {IN_PLACE}; build new arrays (w = w - ..., not w -= ...).",
                IN_PLACE,
            )
        assert first_wrong is not None  # both None returned above, first_modified alone too
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
        return self._fail(message, mistake.name if mistake is not None else None)

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
            variant = self.trusted_outputs(mistake.function, seed)
            matches = sum(
                all(
                    values_close(g, v, case["dtype"], loose=True)
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


def values_close(got: np.ndarray, expected: np.ndarray, dtype: str, loose: bool = False) -> bool:
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
                out["error"] = f"{self.symbol} must be {allowed}, got {one_line(repr(answer), 60)}"
            else:
                out["value"] = answer.strip().upper()
            return out
        if answer is None:
            out["error"] = f"{self.symbol} is None: set it to a number"
        elif isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
            out["error"] = f"{self.symbol} must be a number, got {type(answer).__name__} {one_line(repr(answer), 60)}"
        else:
            out["value"] = encode_array(np.array(float(answer)))
        return out

    def _judge(self, outputs: dict, seed: int) -> Verdict:
        if "value" not in outputs:
            return self._fail(f"the outputs have no value for {self.symbol}")
        value = outputs["value"]
        if self.choices:
            if value not in self.choices:
                return self._fail(f"{self.symbol} must be one of {', '.join(self.choices)}")
        else:
            value = float(decode_array(value, ()))
            if not math.isfinite(value):
                return self._fail(f"{self.symbol} = {value} is not a finite number")
        reason = self.assess(value)
        if reason is not None:
            return self._fail(reason)
        return Verdict(True, f"Exercise {self.id} passed: {self.pass_text}")


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
        results: list[dict[str, Any]] = []
        deadline = time.monotonic() + sandbox.TOTAL_TIME_LIMIT
        for k, case in enumerate(self.cases(seed)):
            try:
                with silenced():
                    runs = [
                        self._run(answer, case, case["seed"] + offset, f"case {k + 1}", deadline)
                        for offset in (0, 0, 1)
                    ]
            except StudentError as exc:
                results.append({"error": str(exc)})
                break
            results.append({"runs": runs})
        out["results"] = results
        return out

    def _run(self, function: Callable, case: dict, rng_seed: int, where: str, deadline: float) -> list[list[int]]:
        args = (case["n"], case["batch_size"], np.random.default_rng(rng_seed))
        try:
            result = call_before_deadline(function, args, {}, deadline)
        except TimeLimit as stopped:
            budget = f"{sandbox.TOTAL_TIME_LIMIT:g} s in total" if stopped.total else f"{sandbox.CALL_TIME_LIMIT:g} s"
            raise StudentError(f"{self.symbol} did not return within {budget} on {where}") from None
        except Exception as exc:  # noqa: BLE001 - the student's exception becomes the message
            raise StudentError(f"{self.symbol} raised {type(exc).__name__}: {one_line(exc, 160)} on {where}") from None
        if not isinstance(result, (list, tuple)):
            raise StudentError(f"{self.symbol} must return a list of index arrays, got {type(result).__name__}")
        batches = []
        for batch in result[: 2 * case["n"]]:
            batch = np.asarray(batch)
            if batch.ndim != 1 or batch.dtype.kind not in "iu":
                raise StudentError(
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
            result, failure = self._case_result(results, k, len(cases))
            if failure is not None:
                return failure
            runs = result.get("runs")
            if not (isinstance(runs, list) and len(runs) == 3 and all(_is_batches(r) for r in runs)):
                return self._fail(f"result {k + 1} is not three lists of integer lists")
            problem, mistake = self._problem(runs[0], case)
            where = f"case {k + 1} of {len(cases)} (n={case['n']}, batch_size={case['batch_size']})"
            if problem:
                return self._fail(f"{where}: {problem}", mistake)
            if runs[0] != runs[1]:
                return self._fail(
                    f"{where}: two calls with generators of the same seed gave different batches. Known mistake: "
                    f"{IGNORING_RNG}: shuffle with the rng argument (rng.permutation(n)), not np.random",
                    IGNORING_RNG,
                )
            if runs[0] != runs[2]:
                seeds_matter += 1
        if seeds_matter < len(cases) // 2:
            return self._fail(
                f"the batches do not depend on the seed of rng in {len(cases) - seeds_matter} of {len(cases)} cases. "
                f"Known mistake: {IGNORING_RNG}: shuffle with the rng argument (rng.permutation(n))",
                IGNORING_RNG,
            )
        return Verdict(True, f"Exercise {self.id} passed: {self.pass_text}")

    @staticmethod
    def _problem(batches: list[list[int]], case: dict) -> tuple[str | None, str | None]:
        """What is wrong with one epoch's batches, and the known mistake it is (None, None if nothing)."""
        n, size = case["n"], case["batch_size"]
        flat = [i for batch in batches for i in batch]
        if any(not 0 <= i < n for i in flat):
            return f"an index is outside range(n): {next(i for i in flat if not 0 <= i < n)}", None
        if len(set(flat)) != len(flat):
            return (
                f"an example appears twice in one epoch. Known mistake: {WITH_REPLACEMENT} "
                "(rng.integers / rng.choice with replace=True); shuffle once with rng.permutation(n) and cut it up"
            ), WITH_REPLACEMENT
        if len(batches) == n // size + 1 and n % size and len(batches[-1]) == n % size:
            return (
                f"{len(batches)} batches, the last one with {n % size} examples. Known mistake: {LAST_BATCH_KEPT}; "
                f"drop it, so that every batch has batch_size examples ({n // size} batches)"
            ), LAST_BATCH_KEPT
        if len(batches) != n // size:
            return f"expected n // batch_size = {n // size} batches, got {len(batches)}", None
        if any(len(batch) != size for batch in batches):
            return f"batch sizes {sorted({len(b) for b in batches})}, expected {size} each", None
        if len(flat) >= 10 and flat == sorted(flat):
            return (
                f"the batches are in order 0, 1, 2, ... Known mistake: {NOT_SHUFFLED}; "
                "visit the examples in random order"
            ), NOT_SHUFFLED
        return None, None


def _is_batches(run: Any) -> bool:
    return isinstance(run, list) and all(
        isinstance(b, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in b) for b in run
    )


def collect_outputs(spec: ExerciseSpec, answer: Any, seed: int = DEFAULT_SEED) -> dict:
    """Run (or read) the student's ``answer`` for ``spec``: JSON-able outputs, never an exception.

    Errors in the student's code, wrong types or shapes, and time-outs become an
    ``"error"`` entry with a message for the student.
    """
    try:
        return spec.collect(answer, seed)
    except Exception as exc:  # noqa: BLE001 - e.g. an answer whose __eq__ or __float__ raises
        return {"exercise": spec.id, "seed": seed, "error": f"{spec.symbol} could not be checked: {one_line(exc, 160)}"}
