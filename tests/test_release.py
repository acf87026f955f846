"""`python -m course_lib release`: exercises/ is generated from solutions/, deterministically, without leaks."""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_lib import release
from course_lib.exercise_specs import SPECS, specs_for

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
NAMES = [p.stem for p in release.solution_paths(SOLUTIONS)]


def read(path):
    return nbformat.read(path, as_version=4)


def test_exercises_are_up_to_date_with_solutions():
    stale = release.out_of_date(SOLUTIONS, EXERCISES)
    assert stale == [], f"exercises/ is out of date for {stale}: run `python -m course_lib release` (make release)"


def test_all_seven_chapters_are_released():
    assert NAMES == [
        "01_gradient_descent", "02_stochastic_gradient_descent", "03_mini_batch_gradient_descent",
        "04_adagrad", "05_rmsprop", "06_adadelta", "07_adam",
    ]
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_released_notebook_hides_the_solutions_and_keeps_the_rest(name):
    solution, exercise = read(SOLUTIONS / f"{name}.ipynb"), read(EXERCISES / f"{name}.ipynb")
    assert exercise.metadata == solution.metadata and exercise.metadata["course"] == {"notebook": name}
    assert [c.id for c in exercise.cells] == [c.id for c in solution.cells]
    for sol, ex in zip(solution.cells, exercise.cells):
        tags = sol.metadata.get("tags", [])
        assert ex.metadata == sol.metadata
        assert "BEGIN SOLUTION" not in ex.source and "END SOLUTION" not in ex.source
        if "solution" in tags:
            exercise_id = sol.metadata["course"]["exercise"]
            hidden = sol.source.split(release.BEGIN)[1].split(release.END)[0].strip().splitlines()
            assert not any(line.strip() in ex.source for line in hidden if line.strip())
            assert f'raise NotImplementedError("Exercise {exercise_id}: ' in ex.source.replace("'", '"')
            assert ex.outputs == [] and ex.execution_count is None
        elif "check" in tags:
            exercise_id = sol.metadata["course"]["exercise"]
            assert ex.outputs == sol.outputs
            assert ex.outputs[0]["text"].startswith(f"Exercise {exercise_id} passed: ")
            # Kept, so nbval accepts the stored output when a student self-checks.
            assert ex.execution_count == sol.execution_count
        elif sol.cell_type == "code":
            assert ex.source == sol.source and ex.outputs == []
        else:
            assert ex.source == sol.source


@pytest.mark.parametrize("name", NAMES)
def test_each_exercise_notebook_says_how_to_self_check_and_links_its_chapter(name):
    intro = read(EXERCISES / f"{name}.ipynb").cells[0].source
    assert f"pytest --nbval-lax exercises/{name}.ipynb" in intro
    assert "make check-exercises" in intro
    assert f"(../notebooks/{name}.ipynb)" in intro


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_of_the_notebook_has_its_check_cell(name):
    cells = read(SOLUTIONS / f"{name}.ipynb").cells
    checks = {c.metadata["course"]["exercise"]: c for c in cells if "check" in c.metadata.get("tags", [])}
    assert sorted(checks) == [s.id for s in specs_for(name)]
    for exercise_id, cell in checks.items():
        assert cell.metadata["course"]["points"] == SPECS[exercise_id].points
        assert "nbval-check-output" in cell.metadata["tags"]


# ---- hiding solutions ------------------------------------------------------------------


def test_hide_solution_keeps_the_lines_outside_and_the_indentation():
    source = "def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\nprint(1)"
    assert release.hide_solution(source, "Exercise 9.1: double it", "here") == (
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    raise NotImplementedError('Exercise 9.1: double it')\nprint(1)"
    )


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "never opened"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another one"),
    ],
)
def test_unbalanced_markers_are_errors(source, message):
    with pytest.raises(release.ReleaseError, match=message):
        release.hide_solution(source, "hint", "here")


def _adagrad():
    return read(SOLUTIONS / "04_adagrad.ipynb")


def _cell(nb, cell_id):
    return next(c for c in nb.cells if c.id == cell_id)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda nb: _cell(nb, "ex4-1-answer").metadata.update(tags=[]), "is not tagged 'solution'"),
        (lambda nb: nb.cells.remove(_cell(nb, "ex4-2-check")), "needs exactly one 'solution' and one 'check' cell"),
        (lambda nb: _cell(nb, "ex4-1-check").metadata["course"].update(points=5), "worth 3"),
        (lambda nb: setattr(_cell(nb, "ex4-1-check"), "source", "print('passed')"), "check cell's source must be"),
        (lambda nb: _cell(nb, "ex4-1-check").metadata.update(tags=["check"]), "nbval-check-output"),
        (lambda nb: nb.metadata["course"].update(notebook="05_rmsprop"), "expected '04_adagrad'"),
        (lambda nb: _cell(nb, "ex4-2-answer").metadata["course"].update(exercise="7.1"), r"not in \['4.1', '4.2'\]"),
    ],
    ids=["untagged answer", "missing check", "points", "check source", "nbval tag", "notebook id", "exercise id"],
)
def test_malformed_solutions_are_refused(change, message):
    nb = _adagrad()
    change(nb)
    with pytest.raises(release.ReleaseError, match=message):
        release.build_exercise(nb, "04_adagrad")


def test_a_failing_solution_is_refused():
    nb = _adagrad()
    check_cell = _cell(nb, "ex4-1-check")
    check_cell.outputs = [nbformat.v4.new_output("error", ename="ExerciseFailed", evalue="Exercise 4.1 failed: x")]
    with pytest.raises(release.ReleaseError, match="the solution of exercise 4.1 does not pass: ExerciseFailed"):
        release.check_outputs(nb, "04_adagrad")


# ---- the command, on a copy ----------------------------------------------------------------


@pytest.fixture
def course_copy(tmp_path):
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    return tmp_path


@pytest.mark.slow
def test_release_command_is_deterministic_and_check_detects_stale_exercises(course_copy, capsys):
    solutions, exercises = course_copy / "solutions", course_copy / "exercises"
    args = ["--solutions", str(solutions), "--exercises", str(exercises)]
    target = exercises / "04_adagrad.ipynb"
    before = target.read_bytes()
    target.unlink()
    assert release.main(args + ["--check"]) == 1
    assert "out of date: " in capsys.readouterr().out

    assert release.main(args + ["04_adagrad"]) == 0  # executes the solutions notebook in a fresh kernel
    assert target.read_bytes() == before
    assert (solutions / "04_adagrad.ipynb").read_bytes() == (SOLUTIONS / "04_adagrad.ipynb").read_bytes()
    assert release.main(args + ["04_adagrad"]) == 0
    assert "0 file(s) changed" in capsys.readouterr().out
    assert release.main(args + ["--check"]) == 0

    nb = read(solutions / "04_adagrad.ipynb")  # an instructor edits a solution and forgets to release
    _cell(nb, "ex4-2-text").source += "\n\nA new sentence."
    nbformat.write(nb, solutions / "04_adagrad.ipynb")
    assert release.main(args + ["--check"]) == 1


def test_release_refuses_unknown_notebooks(course_copy, capsys):
    args = ["--solutions", str(course_copy / "solutions"), "--exercises", str(course_copy / "exercises")]
    assert release.main(args + ["09_nothing"]) == 1
    assert "unknown notebook" in capsys.readouterr().err


@pytest.mark.slow
def test_untouched_exercises_fail_every_check_cell():
    for name in NAMES:
        nb = read(EXERCISES / f"{name}.ipynb")
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(EXERCISES)}}).execute()
        for cell in nb.cells:
            if "check" in cell.metadata.get("tags", []):
                errors = [o for o in cell.outputs if o.output_type == "error"]
                exercise_id = cell.metadata["course"]["exercise"]
                assert errors and errors[0].ename == "ExerciseFailed", (name, exercise_id)
                assert errors[0].evalue.startswith(f"Exercise {exercise_id} failed: "), errors[0].evalue
