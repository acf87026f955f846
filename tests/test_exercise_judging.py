"""course_lib/exercises/judging.py: how answers are run on cases and judged, on a toy spec and on 4.1.

Whatever an answer does (raise, loop, return the wrong thing) becomes a one-line
failed verdict; whatever JSON reaches the judge, it answers with a verdict and
never raises.
"""

import json
import sys
import threading
import time

import numpy as np
import pytest

import course_lib.exercises as exercises
from course_lib.exercises import judging, sandbox
from course_lib.exercises.check import run_check
from course_lib.exercises.judging import FunctionSpec, Mistake


def _toy_case(rng, k):
    return {
        "dtype": "float64", "shape": [2], "state": {"w": rng.normal(size=2).tolist()},
        "steps": [{"g": rng.normal(size=2).tolist()}], "kwargs": {},
    }


TOY = FunctionSpec(
    id="9.1", notebook="99_toy", points=1, symbol="step", title="a toy step", hint="write step",
    args=("w", "g"), returns=("w",), reference=lambda w, g: w - g, make_case=_toy_case, n_cases=20,
    mistakes=(Mistake("plus instead of minus", "subtract g", lambda w, g: w + g),),
)


def _verdict(spec, answer, seed=0):
    return spec.judge(judging.collect_outputs(spec, answer, seed), seed)


def test_a_right_answer_passes_with_the_default_pass_text():
    assert _verdict(TOY, lambda w, g: -g + w) == judging.Verdict(
        True, "Exercise 9.1 passed: step matches the reference on 20 cases"
    )


def test_a_mistake_reproduced_on_every_case_is_named():
    message = _verdict(TOY, lambda w, g: g + w).message
    assert message.startswith("Exercise 9.1 failed: wrong w on case 1 of 20 (float64, step 1 of 1) with w=")
    assert message.endswith("Known mistake: plus instead of minus: subtract g")


def test_a_mistake_reproduced_on_only_some_cases_is_not_named():
    def sometimes_plus(w, g):
        return w + g if w[0] > 0 else w - g

    verdict = _verdict(TOY, sometimes_plus)
    assert not verdict.passed and "wrong w" in verdict.message and "Known mistake" not in verdict.message


def test_trusted_outputs_are_decoded_per_case_step_and_value():
    outputs = TOY.trusted_outputs(TOY.reference, 0)
    cases = TOY.cases(0)
    assert len(outputs) == 20 and len(outputs[0]) == 1 and len(outputs[0][0]) == 1
    np.testing.assert_array_equal(outputs[0][0][0], np.subtract(cases[0]["state"]["w"], cases[0]["steps"][0]["g"]))


@pytest.mark.parametrize(
    "got, expected, dtype, loose, close",
    [
        ([1.0, 2.0], [1.0, 2.0 + 1e-9], "float64", False, True),
        ([1.0, 2.0], [1.0, 2.0 + 1e-8], "float64", False, False),
        ([1.0, 2.0], [1.0, 2.0 + 1e-8], "float64", True, True),
        ([1.0, 2.0], [1.0, 2.0 + 1e-5], "float32", False, True),
        ([1.0, np.nan], [1.0, np.nan], "float64", False, True),
        ([1.0, 2.0], [1.0, np.inf], "float64", False, False),
        ([1.0], [1.0, 1.0], "float64", False, False),
    ],
)
def test_values_are_close_within_the_dtype_tolerance_relative_to_the_largest_entry(got, expected, dtype, loose, close):
    assert judging.values_close(np.array(got), np.array(expected), dtype, loose=loose) is close


# ---- answers that misbehave (exercise 4.1) -------------------------------------------------------


def adagrad_right(w, g, G, lr=1e-2, eps=1e-10):
    G_new = G + g**2
    return w - (lr / (np.sqrt(G_new) + eps)) * g, G_new


def test_modifying_an_input_in_place_is_named_even_when_the_values_are_right():
    def adagrad_in_place(w, g, G, lr=1e-2, eps=1e-10):
        G += g * g
        w -= lr * g / (np.sqrt(G) + eps)
        return w, G

    verdict = run_check("4.1", adagrad_in_place)
    assert not verdict.passed
    assert "modifies its input G, w in place" in verdict.message
    assert "Known mistake: inputs modified in place" in verdict.message
    assert verdict.mistake == "inputs modified in place"


def test_a_raising_answer_gets_a_message_not_a_traceback():
    def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
        raise NotImplementedError("Exercise 4.1: write it")

    assert run_check("4.1", adagrad_update).message == (
        "Exercise 4.1 failed: adagrad_update raised NotImplementedError: Exercise 4.1: write it "
        "on case 1 (float64), step 1"
    )


@pytest.mark.parametrize(
    "function, expected",
    [
        (lambda w, g, G, lr=1e-2, eps=1e-10: w, "must return (w, G), got ndarray"),
        (lambda w, g, G, lr=1e-2, eps=1e-10: (w, G, G), "must return (w, G), got 3 values"),
        (lambda w, g, G, lr=1e-2, eps=1e-10: (w.tolist(), G), "must return w as a numpy array, got list"),
        (lambda w, g, G, lr=1e-2, eps=1e-10: (w[:1], G), "returned w with shape (1,), expected (3,)"),
        (lambda w, g, G, lr=1e-2, eps=1e-10: (w, G.astype(int)), "returned G as int64 on case 1 (float64), step 1"),
    ],
    ids=["one value", "three values", "list", "shape", "dtype"],
)
def test_wrong_return_values_are_reported(function, expected):
    verdict = run_check("4.1", function)
    assert not verdict.passed
    assert expected in verdict.message


def test_not_a_function_is_reported():
    assert run_check("4.1", 3.0).message == "Exercise 4.1 failed: adagrad_update must be a function, got float"


def test_a_slow_answer_is_stopped(monkeypatch):
    monkeypatch.setattr(sandbox, "CALL_TIME_LIMIT", 0.2)

    def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
        while True:
            pass

    tic = time.monotonic()
    verdict = run_check("4.1", adagrad_update)
    assert time.monotonic() - tic < 5
    assert "did not return within 0.2 s on case 1 (float64), step 1" in verdict.message


def test_a_slow_answer_is_stopped_outside_the_main_thread(monkeypatch):
    monkeypatch.setattr(sandbox, "CALL_TIME_LIMIT", 0.2)
    box = {}

    def slow(w, g, G, lr=1e-2, eps=1e-10):
        time.sleep(1.0)
        return w, G

    worker = threading.Thread(target=lambda: box.setdefault("verdict", run_check("4.1", slow)))
    worker.start()
    worker.join(10)
    assert "did not return within 0.2 s" in box["verdict"].message


def test_time_budget_for_all_cases(monkeypatch):
    monkeypatch.setattr(sandbox, "TOTAL_TIME_LIMIT", 0.3)

    def sluggish(w, g, G, lr=1e-2, eps=1e-10):
        time.sleep(0.05)
        return adagrad_right(w, g, G, lr, eps)

    assert "took more than 0.3 s in total for the cases" in run_check("4.1", sluggish).message


def test_float64_results_for_float32_inputs_are_accepted():
    def upcasting(w, g, G, lr=1e-2, eps=1e-10):
        G = G + g * g
        return w - np.float64(lr) * g / (np.sqrt(G) + eps), G

    assert run_check("4.1", upcasting).passed


def test_an_answer_that_raises_on_conversion_becomes_an_error_entry():
    class Weird:
        def __float__(self):
            raise RuntimeError("no")

    out = judging.collect_outputs(exercises.SPECS["4.2"], Weird())
    assert out["error"].startswith("answer_effective_lr must be a number")


def test_the_comparison_is_tight():
    """An answer off by one part in a million (a slightly wrong lr) fails in float64."""

    def almost(w, g, G, lr=1e-2, eps=1e-10):
        return adagrad_right(w, g, G, lr * (1 + 1e-6), eps)

    verdict = run_check("4.1", almost)
    assert not verdict.passed and "(float64, " in verdict.message and "Known mistake" not in verdict.message


# ---- the judge on data from elsewhere ---------------------------------------------------


def test_outputs_are_plain_data_that_survive_strict_json_even_with_nan():
    spec = exercises.SPECS["7.1"]

    def t_from_zero(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):  # NaN and inf at t = 1
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        return w - lr * (m / (1 - beta1 ** (t - 1))) / (np.sqrt(v / (1 - beta2 ** (t - 1))) + eps), m, v

    outputs = judging.collect_outputs(spec, t_from_zero)
    assert outputs["exercise"] == "7.1" and outputs["seed"] == 0 and len(outputs["results"]) == 50
    text = json.dumps(outputs, allow_nan=False)
    assert '"nan"' in text or '"inf"' in text
    assert "Known mistake: step counter starting at 0" in spec.judge(json.loads(text)).message


def test_grading_seed_gives_other_cases_and_must_match():
    spec = exercises.SPECS["4.1"]
    assert spec.cases(123) != spec.cases(0)
    outputs = json.loads(json.dumps(judging.collect_outputs(spec, adagrad_right, seed=123)))
    assert spec.judge(outputs, seed=123).passed
    assert not spec.judge(outputs, seed=0).passed
    assert "is not the checking seed 0" in spec.judge(outputs, seed=0).message


MALFORMED = [
    None, 3, "text", [], {}, {"seed": "0"}, {"seed": 0}, {"seed": 0, "results": None},
    {"seed": 0, "results": [None]}, {"seed": 0, "results": [{}]}, {"seed": 0, "results": [{"steps": [{}]}]},
    {"seed": 0, "results": [{"steps": [{"values": [[1e308] * 3, [[1]] * 3]}]}]},
    {"seed": 0, "results": [{"steps": [{"values": [["x"] * 3, [1] * 3]}]}]},
    {"seed": 0, "results": [{"steps": [{"values": [[True] * 3, [1] * 3]}]}]},
    {"seed": 0, "results": [{"runs": [[[1]], [[1]], {"a": 1}]}]},
    {"seed": 0, "results": [{"error": ["not", "a", "string"] * 1000}]},
    {"seed": 0, "value": [1, 2]}, {"seed": 0, "value": "nan"}, {"seed": 0, "value": {"x": 1}},
    {"seed": True}, {"seed": 0, "results": [{"steps": "x" * 10_000}]},
]


@pytest.mark.parametrize("spec", exercises.SPEC_LIST, ids=lambda s: s.id)
def test_the_judge_fails_malformed_outputs_without_raising(spec):
    for outputs in MALFORMED:
        verdict = spec.judge(outputs)
        assert verdict.passed is False, outputs
        assert verdict.message.startswith(f"Exercise {spec.id} failed: ")
        assert "\n" not in verdict.message and len(verdict.message) < 1000


def test_the_judge_does_not_accept_outputs_for_only_some_cases():
    spec = exercises.SPECS["4.1"]
    outputs = judging.collect_outputs(spec, adagrad_right)
    outputs["results"] = outputs["results"][:10]  # only the first cases
    assert "only 10 of 50 cases were run" in spec.judge(outputs).message


def test_judging_in_threads_leaves_the_process_stdout_alone():
    # Regression: the judge ran the trusted reference under contextlib.redirect_stdout, a process-wide
    # swap; the grader's worker threads (--jobs 2) interleaved it and left sys.stdout a discard stream,
    # so the grader's summary line vanished (issue 10, "it can lose its own report").
    before = sys.stdout
    spec = exercises.SPECS["7.1"]
    outputs = {seed: exercises.collect_outputs(spec, spec.reference, seed) for seed in range(100, 108)}
    verdicts = {}
    threads = [threading.Thread(target=lambda s=s: verdicts.update({s: spec.judge(outputs[s], s)})) for s in outputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sys.stdout is before
    assert all(verdict.passed for verdict in verdicts.values())
