"""The in-notebook checker: right answers pass, each known mistake is named, bad answers get a message.

The buggy implementations below are written the way a student would write
them, independently of the variants in course_lib/exercise_specs.py: each must
be diagnosed with exactly the name of its mistake.
"""

import json
import sys
import threading
import time

import numpy as np
import pytest

from course_lib import exercise_judging as judging
from course_lib import exercise_specs as specs
from course_lib.checks import ExerciseFailed, check, run_check

# ---- student-style implementations -------------------------------------------------


def adagrad_right(w, g, G, lr=1e-2, eps=1e-10):
    G_new = G + g**2
    return w - (lr / (np.sqrt(G_new) + eps)) * g, G_new


def adagrad_eps_inside(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g**2
    return w - lr * g / np.sqrt(G + eps), G


def adagrad_accumulate_after(w, g, G, lr=1e-2, eps=1e-10):
    step = lr * g / (np.sqrt(G) + eps)
    G = G + g**2
    return w - step, G


def adagrad_ascending(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g**2
    return w + lr * g / (np.sqrt(G) + eps), G


def adagrad_in_place(w, g, G, lr=1e-2, eps=1e-10):
    G += g * g
    w -= lr * g / (np.sqrt(G) + eps)
    return w, G


def rmsprop_right(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1.0 - gamma) * np.square(g)
    return w - lr * g / (np.sqrt(v) + eps), v


def rmsprop_eps_inside(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g**2
    return w - lr * g / np.sqrt(v + eps), v


def rmsprop_v_with_g(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g
    return w - lr * g / (np.sqrt(v) + eps), v


def adadelta_right(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v_new = gamma * v + (1 - gamma) * g**2
    delta = np.sqrt((u + eps) / (v_new + eps)) * g  # one root of the ratio: the same algorithm
    u_new = gamma * u + (1 - gamma) * delta**2
    return w - lr * delta, v_new, u_new


def adadelta_previous_v(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = gamma * v + (1 - gamma) * g**2
    u = gamma * u + (1 - gamma) * delta**2
    return w - lr * delta, v, u


def adadelta_scaled_step(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g**2
    step = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * step**2
    return w - step, v, u


def _adam(correct_m=True, correct_v=True, t_offset=0, squared=True, eps_inside=False, sign=-1):
    def adam_update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g**2 if squared else g)
        step = t + t_offset
        m_hat = m / (1 - beta1**step) if correct_m else m
        v_hat = v / (1 - beta2**step) if correct_v else v
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return w + sign * lr * m_hat / denominator, m, v

    return adam_update


def adam_right_efficient_order(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m + (1 - beta1) * (g - m)
    v = v + (1 - beta2) * (g * g - v)
    step_size = lr / (1 - beta1**t)
    denominator = np.sqrt(v) / np.sqrt(1 - beta2**t) + eps
    return w - step_size * m / denominator, m, v


MISTAKES = [
    ("4.1", adagrad_eps_inside, "eps on the wrong side of the square root"),
    ("4.1", adagrad_accumulate_after, "accumulating g² after the step"),
    ("4.1", adagrad_ascending, "sign error (ascending)"),
    ("5.1", rmsprop_eps_inside, "eps on the wrong side of the square root"),
    ("5.1", rmsprop_v_with_g, "v updated with g instead of g²"),
    ("6.1", adadelta_previous_v, "AdaDelta using the previous E[g²]"),
    ("6.1", adadelta_scaled_step, "accumulating the lr-scaled step"),
    ("7.1", _adam(correct_m=False, correct_v=False), "missing bias correction"),
    ("7.1", _adam(correct_v=False), "partial bias correction (m only)"),
    ("7.1", _adam(correct_m=False), "partial bias correction (v only)"),
    ("7.1", _adam(t_offset=-1), "step counter starting at 0"),
    ("7.1", _adam(squared=False), "v updated with g instead of g²"),
    ("7.1", _adam(eps_inside=True), "eps on the wrong side of the square root"),
    ("7.1", _adam(sign=+1), "sign error (ascending)"),
    ("1.1", lambda w, g, lr: w + lr * g, "sign error (ascending)"),
    ("2.1", lambda w, X, y, i, lr: w - lr * (X[i] @ w - y[i]) * X[i] * -1, "sign error (ascending)"),
    ("3.1", lambda X, y, w, idx: X[idx].T @ (X[idx] @ w - y[idx]), "sum instead of mean"),
]


@pytest.mark.parametrize("exercise_id, function, mistake", MISTAKES, ids=[f"{e}-{m}" for e, _, m in MISTAKES])
def test_each_known_mistake_is_named(exercise_id, function, mistake):
    verdict = run_check(exercise_id, function)
    assert not verdict.passed
    assert verdict.message.startswith(f"Exercise {exercise_id} failed: wrong ")
    assert f"Known mistake: {mistake}:" in verdict.message
    assert verdict.mistake == mistake  # the name as data too, for the class report
    assert "expected" in verdict.message and "got" in verdict.message and "difference" in verdict.message


def test_in_place_modification_is_named_even_when_the_values_are_right():
    verdict = run_check("4.1", adagrad_in_place)
    assert not verdict.passed
    assert "modifies its input G, w in place" in verdict.message
    assert "Known mistake: inputs modified in place" in verdict.message
    assert verdict.mistake == "inputs modified in place"


RIGHT = [
    ("1.1", lambda w, g, lr: w - g * lr),
    ("2.1", lambda w, X, y, i, lr: w - lr * X[i] * (np.dot(X[i], w) - y[i])),
    ("3.1", lambda X, y, w, idx: np.mean((X[idx] @ w - y[idx])[:, None] * X[idx], axis=0)),
    ("4.1", adagrad_right),
    ("5.1", rmsprop_right),
    ("6.1", adadelta_right),
    ("7.1", adam_right_efficient_order),
]


@pytest.mark.parametrize("exercise_id, function", RIGHT, ids=[e for e, _ in RIGHT])
def test_right_answers_written_differently_pass(exercise_id, function):
    verdict = run_check(exercise_id, function)
    assert verdict.passed, verdict.message
    assert verdict.mistake is None
    symbol = specs.SPECS[exercise_id].symbol
    assert verdict.message == f"Exercise {exercise_id} passed: {symbol} matches the reference on 50 cases"


@pytest.mark.parametrize("spec", [s for s in specs.SPEC_LIST if isinstance(s, specs.FunctionSpec)], ids=lambda s: s.id)
def test_every_listed_variant_is_recognised(spec):
    assert spec.mistakes, f"exercise {spec.id} lists no known mistakes"
    for mistake in spec.mistakes:
        verdict = run_check(spec.id, mistake.function)
        assert f"Known mistake: {mistake.name}:" in verdict.message, (mistake.name, verdict.message)
        assert verdict.mistake == mistake.name


def test_check_prints_the_pass_line(capsys):
    check("4.1", adagrad_right)
    assert capsys.readouterr().out == "Exercise 4.1 passed: adagrad_update matches the reference on 50 cases\n"


def test_what_the_answer_prints_is_not_shown(capsys):
    def chatty(w, g, G, lr=1e-2, eps=1e-10):
        print("debugging", w)
        return adagrad_right(w, g, G, lr, eps)

    check("4.1", chatty)
    assert capsys.readouterr() == ("Exercise 4.1 passed: adagrad_update matches the reference on 50 cases\n", "")


def test_check_raises_with_the_failure_line_and_prints_nothing(capsys):
    with pytest.raises(ExerciseFailed) as info:
        check("4.1", adagrad_eps_inside)
    assert str(info.value).startswith("Exercise 4.1 failed: wrong w on case ")
    assert isinstance(info.value, AssertionError)
    assert capsys.readouterr().out == ""


def test_messages_are_deterministic():
    first = run_check("7.1", _adam(correct_v=False)).message
    assert run_check("7.1", _adam(correct_v=False)).message == first


def test_unknown_exercise_id_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown exercise_id '9.9'; known exercises: 1.1, 1.2, 2.1"):
        run_check("9.9", adagrad_right)


# ---- answers that misbehave ----------------------------------------------------------


def test_a_raising_answer_gets_a_message_not_a_traceback():
    def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
        raise NotImplementedError("Exercise 4.1: write it")

    verdict = run_check("4.1", adagrad_update)
    assert verdict.message == (
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
    monkeypatch.setattr(judging, "CALL_TIME_LIMIT", 0.2)

    def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
        while True:
            pass

    tic = time.monotonic()
    verdict = run_check("4.1", adagrad_update)
    assert time.monotonic() - tic < 5
    assert "did not return within 0.2 s on case 1 (float64), step 1" in verdict.message


def test_a_slow_answer_is_stopped_outside_the_main_thread(monkeypatch):
    monkeypatch.setattr(judging, "CALL_TIME_LIMIT", 0.2)
    box = {}

    def slow(w, g, G, lr=1e-2, eps=1e-10):
        time.sleep(1.0)
        return w, G

    worker = threading.Thread(target=lambda: box.setdefault("verdict", run_check("4.1", slow)))
    worker.start()
    worker.join(10)
    assert "did not return within 0.2 s" in box["verdict"].message


def test_time_budget_for_all_cases(monkeypatch):
    monkeypatch.setattr(judging, "TOTAL_TIME_LIMIT", 0.3)

    def sluggish(w, g, G, lr=1e-2, eps=1e-10):
        time.sleep(0.05)
        return adagrad_right(w, g, G, lr, eps)

    assert "took more than 0.3 s in total for the cases" in run_check("4.1", sluggish).message


def test_float64_results_for_float32_inputs_are_accepted():
    def upcasting(w, g, G, lr=1e-2, eps=1e-10):
        G = G + g * g
        return w - np.float64(lr) * g / (np.sqrt(G) + eps), G

    assert run_check("4.1", upcasting).passed


# ---- value and choice exercises ---------------------------------------------------------


@pytest.mark.parametrize(
    "exercise_id, answer, passed, fragment",
    [
        ("1.2", 0.4, True, "gets below 1e-06 within 25 steps"),
        ("1.2", 0.1, False, "try a larger learning rate"),
        ("1.2", 0.6, False, "diverges"),
        ("1.2", -0.1, False, "must be > 0"),
        ("1.2", None, False, "answer_lr is None: set it to a number"),
        ("1.2", "0.4", False, "must be a number, got str"),
        ("1.2", True, False, "must be a number, got bool"),
        ("1.2", float("nan"), False, "not a finite number"),
        ("4.2", 0.1, True, "effective learning rate"),
        ("4.2", 0.02, False, "lr / G"),
        ("6.2", 0.0031623, True, "first step"),
        ("6.2", 0.0, False, "sqrt(u + eps)"),
        ("6.2", 2.0, False, "old E[g^2]"),
        ("7.2", 1 / (1 - 0.9**3), True, "1 / (1 - beta1^t)"),
        ("7.2", 1 / (1 - 0.9**2), False, "factor for t = 2"),
        ("2.2", "B", True, "same number of gradient evaluations"),
        ("2.2", " b ", True, "same number"),
        ("2.2", "A", False, "'A' is not the run"),
        ("2.2", "C", False, "must be 'A' or 'B'"),
        ("5.2", "B", True, "300 steps"),
        ("5.2", "A", False, "effective learning rate"),
    ],
)
def test_value_exercises(exercise_id, answer, passed, fragment):
    verdict = run_check(exercise_id, answer)
    assert verdict.passed is passed
    assert fragment in verdict.message


# ---- property-checked batching ----------------------------------------------------------


def batches_right(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[k * batch_size : (k + 1) * batch_size] for k in range(n // batch_size)]


@pytest.mark.parametrize(
    "function, fragment",
    [
        (batches_right, "passed"),
        (lambda n, b, rng: [np.arange(n)[k : k + b] for k in range(0, n - b + 1, b)], "Known mistake: not shuffled"),
        (lambda n, b, rng: [rng.integers(0, n, b) for _ in range(n // b)], "Known mistake: sampling with replacement"),
        (
            lambda n, b, rng: [o[k : k + b] for o in [rng.permutation(n)] for k in range(0, n, b)],
            "Known mistake: keeping the last, incomplete batch",
        ),
        (
            lambda n, b, rng: batches_right(n, b, np.random.default_rng(1)),
            "Known mistake: ignoring rng",
        ),
        (
            lambda n, b, rng: [o[k : k + b] for o in [np.random.permutation(n)] for k in range(0, n - b + 1, b)],
            "Known mistake: ignoring rng",
        ),
        (lambda n, b, rng: np.arange(n), "must return a list of index arrays"),
        (lambda n, b, rng: [np.zeros(b)], "integer index arrays"),
    ],
    ids=["right", "in order", "replacement", "last batch", "fixed seed", "np.random", "array", "floats"],
)
def test_batching_exercise(function, fragment):
    verdict = run_check("3.2", function)
    assert fragment in verdict.message
    named = fragment.removeprefix("Known mistake: ") if fragment.startswith("Known mistake: ") else None
    assert verdict.mistake == named


# ---- the judge on data from elsewhere ---------------------------------------------------


def test_outputs_survive_strict_json_even_with_nan():
    spec = specs.SPECS["7.1"]
    outputs = specs.collect_outputs(spec, _adam(t_offset=-1))  # NaN and inf at t = 1
    text = json.dumps(outputs, allow_nan=False)
    assert '"nan"' in text or '"inf"' in text
    verdict = spec.judge(json.loads(text))
    assert "Known mistake: step counter starting at 0" in verdict.message


def test_grading_seed_gives_other_cases_and_must_match():
    spec = specs.SPECS["4.1"]
    assert spec.cases(123) != spec.cases(0)
    outputs = json.loads(json.dumps(specs.collect_outputs(spec, adagrad_right, seed=123)))
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


@pytest.mark.parametrize("spec", specs.SPEC_LIST, ids=lambda s: s.id)
def test_the_judge_fails_malformed_outputs_without_raising(spec):
    for outputs in MALFORMED:
        verdict = spec.judge(outputs)
        assert verdict.passed is False, outputs
        assert verdict.message.startswith(f"Exercise {spec.id} failed: ")
        assert "\n" not in verdict.message and len(verdict.message) < 1000


def test_the_judge_does_not_accept_a_forged_pass():
    spec = specs.SPECS["4.1"]
    outputs = specs.collect_outputs(spec, adagrad_right)
    outputs["results"] = outputs["results"][:10]  # only the first cases
    assert "only 10 of 50 cases were run" in spec.judge(outputs).message


def test_the_comparison_is_tight():
    """An answer off by one part in a million (a slightly wrong lr) fails in float64."""

    def almost(w, g, G, lr=1e-2, eps=1e-10):
        return adagrad_right(w, g, G, lr * (1 + 1e-6), eps)

    verdict = run_check("4.1", almost)
    assert not verdict.passed and "(float64, " in verdict.message and "Known mistake" not in verdict.message


def test_judging_in_threads_leaves_the_process_stdout_alone():
    # Regression: the judge ran the trusted reference under contextlib.redirect_stdout, a process-wide
    # swap; the grader's worker threads (--jobs 2) interleaved it and left sys.stdout a discard stream,
    # so the grader's summary line vanished (issue 10, "it can lose its own report").
    before = sys.stdout
    spec = specs.SPECS["7.1"]
    outputs = {seed: specs.collect_outputs(spec, spec.reference, seed) for seed in range(100, 108)}
    verdicts = {}
    threads = [threading.Thread(target=lambda s=s: verdicts.update({s: spec.judge(outputs[s], s)})) for s in outputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sys.stdout is before
    assert all(verdict.passed for verdict in verdicts.values())
