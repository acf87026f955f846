"""The in-notebook checker (course_lib/exercises/check.py) and its stable student-facing name, course_lib.checks.

What each exercise recognises is tested chapter by chapter (tests/test_exercise_chNN_*.py).
"""

import numpy as np
import pytest

import course_lib.checks
import course_lib.exercises.check
from course_lib.checks import ExerciseFailed, check, run_check


def adagrad_right(w, g, G, lr=1e-2, eps=1e-10):
    G_new = G + g**2
    return w - (lr / (np.sqrt(G_new) + eps)) * g, G_new


def adagrad_eps_inside(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g**2
    return w - lr * g / np.sqrt(G + eps), G


def test_the_student_facing_import_is_the_exercises_checker():
    for name in ("check", "run_check", "ExerciseFailed"):
        assert getattr(course_lib.checks, name) is getattr(course_lib.exercises.check, name)


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
    assert str(info.value) == run_check("4.1", adagrad_eps_inside).message
    assert str(info.value).startswith("Exercise 4.1 failed: wrong w on case ")
    assert isinstance(info.value, AssertionError)  # pytest and nbval report it as a failure
    assert capsys.readouterr().out == ""


def test_the_same_answer_gets_the_same_message_in_a_fresh_process():
    import subprocess
    import sys

    code = (
        "import numpy as np\nfrom course_lib.checks import run_check\n"
        "def f(w, g, G, lr=1e-2, eps=1e-10):\n    G = G + g**2\n    return w - lr * g / np.sqrt(G + eps), G\n"
        "print(run_check('4.1', f).message)"
    )
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert fresh == run_check("4.1", adagrad_eps_inside).message + "\n"


def test_unknown_exercise_id_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown exercise_id '9.9'; known exercises: 1.1, 1.2, 2.1"):
        run_check("9.9", adagrad_right)
