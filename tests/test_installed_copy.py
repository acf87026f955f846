"""course_lib installed as a package (no checkout around it): the commands that need the checkout's
folders say so and name the argument to pass, and work when it is passed.

The installed copy is the package folder alone, put first on the path of a fresh interpreter that
runs in an empty folder: what ``pip install course_lib`` leaves in site-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Run ``python -m course_lib ...`` from an installed copy; returns (exit code, stdout, stderr)."""
    base = tmp_path_factory.mktemp("installed")
    site = base / "site-packages"
    shutil.copytree(ROOT / "course_lib", site / "course_lib", ignore=shutil.ignore_patterns("__pycache__"))
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> tuple[int, str, str]:
        done = subprocess.run([sys.executable, "-m", "course_lib", *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout, " ".join(done.stderr.split())

    code, out, _ = run("--help")
    assert code == 0 and "commands:" in out
    where = subprocess.run([sys.executable, "-c", "import course_lib; print(course_lib.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(site), where  # the copy, not the checkout's editable install
    return run, elsewhere


def test_grade_without_exercises_says_a_checkout_is_needed_and_names_the_option(installed):
    run, elsewhere = installed
    (elsewhere / "submissions").mkdir(exist_ok=True)
    code, _, err = run("grade", "submissions", "--out", "grades.csv")
    assert code == 2
    assert "checkout of the course" in err and "installed copy" in err and "pass --exercises FOLDER" in err


def test_grade_from_an_installed_copy_works_with_exercises_given(installed):
    run, elsewhere = installed
    (elsewhere / "submissions").mkdir(exist_ok=True)  # an empty class: nothing to run, the release is loaded
    code, out, err = run("grade", "submissions", "--out", "grades.csv", "--exercises", str(ROOT / "exercises"),
                         "--unsafe-no-sandbox")
    assert code == 0, err
    assert out.startswith("graded 0 submissions")


def test_gradescope_build_without_exercises_says_a_checkout_is_needed(installed):
    run, _ = installed
    code, _, err = run("gradescope", "--out", "autograder.zip")
    assert code == 2
    assert "checkout of the course" in err and "pass --exercises FOLDER" in err


def test_release_without_a_checkout_names_the_option_and_works_when_given_it(installed):
    run, _ = installed
    code, _, err = run("release", "--check")
    assert code == 1
    assert "does not exist" in err and "--solutions DIR" in err
    code, out, err = run("release", "--check", "--solutions", str(ROOT / "solutions"),
                         "--exercises", str(ROOT / "exercises"))
    assert code == 0, err
    assert "exercises/ is up to date with solutions/" in out
