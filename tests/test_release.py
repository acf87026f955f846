"""`python -m course_lib release`: exercises/ is generated from solutions/, deterministically, without leaks.

Released notebooks show no verdict until the learner runs a check, and self-checking them with
`pytest --nbval-lax` passes for right answers and fails, with the checker's message, for wrong ones.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_lib.exercises import SPECS, release, specs_for

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
        if "check" in tags:
            assert ex.metadata.tags == ["check"] and ex.metadata.course == sol.metadata.course
        else:
            assert ex.metadata == sol.metadata
        assert "BEGIN SOLUTION" not in ex.source and "END SOLUTION" not in ex.source
        if "solution" in tags:
            exercise_id = sol.metadata["course"]["exercise"]
            hidden = sol.source.split(release.BEGIN)[1].split(release.END)[0].strip().splitlines()
            assert not any(line.strip() in ex.source for line in hidden if line.strip())
            assert f'raise NotImplementedError("Exercise {exercise_id}: ' in ex.source.replace("'", '"')
            assert ex.outputs == [] and ex.execution_count is None
        elif "check" in tags:
            # No stored verdict; nbval runs the check and fails the cell when it raises.
            assert ex.outputs == [] and ex.execution_count is None
            assert sol.outputs[0]["text"].startswith(f"Exercise {sol.metadata['course']['exercise']} passed: ")
        elif sol.cell_type == "code":
            assert ex.source == sol.source and ex.outputs == []
        else:
            assert ex.source == sol.source


@pytest.mark.parametrize("name", NAMES)
def test_an_untouched_release_shows_no_verdict_and_no_run(name):
    for path in (EXERCISES / f"{name}.ipynb", EXERCISES / f"{name}.md"):
        assert not re.search(r"Exercise \d\.\d (passed|failed)", path.read_text(encoding="utf-8")), path.name
    for cell in read(EXERCISES / f"{name}.ipynb").cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


def test_the_grader_reads_no_claim_of_passing_in_an_untouched_release(tmp_path):
    from course_lib.grading import assemble

    shutil.copytree(EXERCISES, tmp_path / "student")
    submission = assemble.find_submission(tmp_path / "student", assemble.load_release(EXERCISES))
    assert sorted(submission.notebooks) == NAMES
    assert all(student_nb.claimed == set() for student_nb in submission.notebooks.values())
    assert not [note for note in submission.notes if "check cell" in note], submission.notes


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


def _args(course_copy):
    return ["--solutions", str(course_copy / "solutions"), "--exercises", str(course_copy / "exercises")]


def test_release_is_deterministic_and_writes_each_notebook_with_its_md(course_copy, capsys):
    args = _args(course_copy)
    targets = [course_copy / "exercises" / f"04_adagrad{suffix}" for suffix in (".ipynb", ".md")]
    before = [target.read_bytes() for target in targets]
    for target in targets:
        target.unlink()
    assert release.main(args + ["--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: " in out and "04_adagrad.ipynb" in out and "04_adagrad.md" in out

    assert release.main(args + ["04_adagrad"]) == 0
    assert [target.read_bytes() for target in targets] == before
    assert release.main(args) == 0
    assert "0 file(s) changed" in capsys.readouterr().out
    assert release.main(args + ["--check"]) == 0


def test_check_reports_a_stale_exercise_md_alone(course_copy, capsys):
    md = course_copy / "exercises" / "05_rmsprop.md"
    md.write_text(md.read_text(encoding="utf-8").replace("RMSprop", "RMSProp", 1), encoding="utf-8")
    assert release.main(_args(course_copy) + ["--check"]) == 1
    assert capsys.readouterr().out.splitlines()[0].endswith("05_rmsprop.md (run `python -m course_lib release`)")


def test_another_jupytext_version_alone_is_not_a_change(course_copy, capsys):
    md = course_copy / "exercises" / "05_rmsprop.md"
    text = md.read_text(encoding="utf-8")
    assert re.search(r"jupytext_version: \S+", text)
    md.write_text(re.sub(r"jupytext_version: \S+", "jupytext_version: 9.9.9", text), encoding="utf-8")
    assert release.main(_args(course_copy) + ["--check"]) == 0


def test_a_solution_not_rebuilt_from_its_md_is_refused(course_copy, capsys):
    source = course_copy / "solutions" / "04_adagrad.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    assert release.main(_args(course_copy)) == 1
    err = capsys.readouterr().err
    assert "04_adagrad.ipynb is not built from its source 04_adagrad.md" in err
    assert "make notebooks NB=04" in err
    assert release.main(_args(course_copy) + ["--check"]) == 1


def test_release_refuses_unknown_notebooks(course_copy, capsys):
    assert release.main(_args(course_copy) + ["09_nothing"]) == 1
    assert "unknown notebook" in capsys.readouterr().err


def test_without_a_checkout_the_error_names_the_folder_and_the_option(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(release, "CHECKOUT", tmp_path / "site-packages")  # an installed copy: no solutions/
    monkeypatch.chdir(tmp_path)
    assert release.default_folder("solutions") == tmp_path / "solutions"
    assert release.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert f"the solutions folder {tmp_path / 'solutions'} does not exist" in err and "--solutions DIR" in err


def test_from_a_checkout_the_defaults_are_its_folders():
    assert release.default_folder("solutions") == SOLUTIONS
    assert release.default_folder("exercises") == EXERCISES


def test_the_md_keeps_the_metadata_jupytext_toml_keeps():
    toml = (ROOT / "jupytext.toml").read_text(encoding="utf-8")
    assert f'notebook_metadata_filter = "{release.NOTEBOOK_METADATA_FILTER}"' in toml


# ---- self-checking the released notebooks with nbval ------------------------------------------


def _with_answers(name, replace=None):
    """The released notebook with the solutions' answers pasted in (and ``replace``: cell id -> source)."""
    solution = read(SOLUTIONS / f"{name}.ipynb")
    answers = {c.id: c.source for c in solution.cells if "solution" in c.metadata.get("tags", [])}
    answers.update(replace or {})
    nb = read(EXERCISES / f"{name}.ipynb")
    for cell in nb.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return nb


def _nbval(folder):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", "-o", "addopts=",
         "--rootdir", str(folder), str(folder)],
        capture_output=True, text=True, timeout=600, cwd=folder,
    )


@pytest.mark.slow
def test_released_notebooks_with_right_answers_pass_nbval(tmp_path):
    for name in NAMES:
        nbformat.write(_with_answers(name), tmp_path / f"{name}.ipynb")
    run = _nbval(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


@pytest.mark.slow
def test_a_right_answer_passes_nbval_over_a_stale_failure_saved_in_the_check_cell(tmp_path):
    """A learner ran a check with a wrong answer, fixed the answer and saved without rerunning the check."""
    nb = _with_answers("04_adagrad")
    check_cell = next(c for c in nb.cells if c.id == "ex4-1-check")
    check_cell.execution_count = 3
    check_cell.outputs = [nbformat.v4.new_output("error", ename="ExerciseFailed", evalue="Exercise 4.1 failed: x")]
    nbformat.write(nb, tmp_path / "04_adagrad.ipynb")
    run = _nbval(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]


ADAGRAD_EPS_INSIDE = """def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w - lr * g / np.sqrt(G + eps), G
"""


@pytest.mark.slow
def test_a_wrong_answer_fails_nbval_with_the_checkers_message(tmp_path):
    nbformat.write(_with_answers("04_adagrad", replace={"ex4-1-answer": ADAGRAD_EPS_INSIDE}), tmp_path / "ex.ipynb")
    run = _nbval(tmp_path)
    assert run.returncode == 1
    assert re.search(r"\b1 failed, \d+ passed", run.stdout), run.stdout[-3000:]  # only the 4.1 check fails
    assert "Exercise 4.1 failed: wrong w on case" in run.stdout
    assert "Known mistake: eps on the wrong side of the square root" in run.stdout


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


def test_each_released_md_is_not_older_than_its_notebook(course_copy):
    # jupytext (in the test extras) refuses to open a paired .ipynb that is newer than its .md.
    exercises = course_copy / "exercises"
    notebook, source = exercises / "04_adagrad.ipynb", exercises / "04_adagrad.md"
    os.utime(source, (1_000_000, 1_000_000))
    notebook.unlink()  # only the .ipynb is written again
    assert release.main(_args(course_copy) + ["04_adagrad"]) == 0
    assert source.stat().st_mtime_ns >= notebook.stat().st_mtime_ns
