"""course_lib/exercises/sandbox.py: time limits, silencing, and the JSON codec between processes."""

import json
import sys
import threading
import time

import numpy as np
import pytest

from course_lib.exercises import sandbox


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def test_a_call_within_the_limit_returns_its_value_and_leaves_no_alarm():
    assert sandbox.call_with_time_limit(lambda a, b=0: a + b, (1,), {"b": 2}, 1.0) == 3
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_call_over_the_limit_is_stopped_in_the_main_thread():
    tic = time.monotonic()
    with pytest.raises(sandbox.TimeLimit):
        sandbox.call_with_time_limit(_spin, (5.0,), {}, 0.2)
    assert time.monotonic() - tic < 2


def test_a_call_over_the_limit_is_abandoned_outside_the_main_thread():
    box = {}

    def run():
        try:
            sandbox.call_with_time_limit(time.sleep, (2.0,), {}, 0.2)
        except sandbox.TimeLimit:
            box["stopped"] = time.monotonic()

    tic = time.monotonic()
    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert box["stopped"] - tic < 1.5


def test_the_student_exception_reaches_the_caller_from_a_thread_too():
    def fails():
        raise KeyError("x")

    box = {}

    def run():
        try:
            sandbox.call_with_time_limit(fails, (), {}, 1.0)
        except KeyError as exc:
            box["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert isinstance(box["error"], KeyError)


def test_the_deadline_of_all_cases_is_told_apart_from_the_limit_of_one_call(monkeypatch):
    monkeypatch.setattr(sandbox, "CALL_TIME_LIMIT", 0.3)
    with pytest.raises(sandbox.TimeLimit) as one_call:
        sandbox.call_before_deadline(_spin, (5.0,), {}, time.monotonic() + 10)
    assert one_call.value.total is False
    with pytest.raises(sandbox.TimeLimit) as all_cases:
        sandbox.call_before_deadline(_spin, (5.0,), {}, time.monotonic() + 0.1)
    assert all_cases.value.total is True
    with pytest.raises(sandbox.TimeLimit) as spent:  # the budget is already spent: not even called
        sandbox.call_before_deadline(pytest.fail, ("called",), {}, time.monotonic() - 1)
    assert spent.value.total is True


def test_silenced_drops_prints_to_both_streams(capsys):
    with sandbox.silenced():
        print("noise")
        print("more", file=sys.stderr)
    print("after")
    assert capsys.readouterr() == ("after\n", "")


def test_arrays_survive_strict_json_with_nan_and_infinities():
    array = np.array([[1.5, np.nan], [np.inf, -np.inf], [-0.0, 1e-300]])
    text = json.dumps(sandbox.encode_array(array), allow_nan=False)
    back = sandbox.decode_array(json.loads(text), (3, 2))
    assert back.dtype == np.float64
    np.testing.assert_array_equal(back, array)
    assert sandbox.decode_array(json.loads(json.dumps(sandbox.encode_array(np.array(2.5)))), ()) == 2.5
    assert sandbox.encode_array(np.array(np.nan)) == "nan"


@pytest.mark.parametrize(
    "data, shape, message",
    [
        ([1.0, 2.0], (3,), "expected shape (3,), got (2,)"),
        ([[1.0], [2.0]], (2,), "expected shape (2,), got (2, 1)"),
        ([True, 1.0], (2,), "entry of type bool"),
        (["x", 1.0], (2,), "entry 'x'"),
        ([None, 1.0], (2,), "entry of type NoneType"),
        ([[1.0, 2.0]], (), "expected shape ()"),
    ],
)
def test_decoding_refuses_what_is_not_an_array_of_the_shape(data, shape, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sandbox.decode_array(data, shape)
