"""The Gradescope autograder: the zip, the submission staging, results.json against the specification.

The slow tests run the zip's own ``run_autograder`` for real, in a temporary
folder laid out like Gradescope's (source/, submission/, results/), with the
course_lib copy shipped in the zip, and check results.json against the fields
of Gradescope's published specification (gradescope-autograders.readthedocs.io,
"Autograder Specifications": the top level and each test).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from course_lib.exercises import SPECS
from course_lib.grading import gradescope
from course_lib.grading.grade import ClassResult, SubmissionResult

sys.path.insert(0, str(Path(__file__).parent))
from corpus import EXERCISES, MISTAKES, ROOT, SOLUTIONS, _answer  # noqa: E402

POINTS = {exercise: spec.points for exercise, spec in SPECS.items()}

# ---- results.json, as Gradescope's specification describes it -------------------------------------

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)
TOP_LEVEL = {  # field -> check; "score" is required unless every test has one
    "score": lambda v: isinstance(v, NUMBER) and not isinstance(v, bool),
    "execution_time": lambda v: isinstance(v, NUMBER) and not isinstance(v, bool) and v >= 0,
    "output": lambda v: isinstance(v, str),
    "output_format": lambda v: v in FORMATS,
    "test_output_format": lambda v: v in FORMATS,
    "test_name_format": lambda v: v in FORMATS,
    "visibility": lambda v: v in VISIBILITY,
    "stdout_visibility": lambda v: v in VISIBILITY,
    "extra_data": lambda v: isinstance(v, dict),
    "tests": lambda v: isinstance(v, list),
    "leaderboard": lambda v: isinstance(v, list),
}
TEST_FIELDS = {
    "score": lambda v: isinstance(v, NUMBER) and not isinstance(v, bool),
    "max_score": lambda v: isinstance(v, NUMBER) and not isinstance(v, bool) and v >= 0,
    "status": lambda v: v in {"passed", "failed"},
    "name": lambda v: isinstance(v, str),
    "name_format": lambda v: v in FORMATS,
    "number": lambda v: isinstance(v, str),
    "output": lambda v: isinstance(v, str),
    "output_format": lambda v: v in FORMATS,
    "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
    "visibility": lambda v: v in VISIBILITY,
    "extra_data": lambda v: isinstance(v, dict),
}


def spec_problems(results) -> list[str]:
    """What in ``results`` breaks Gradescope's results.json specification (empty when it is valid)."""
    if not isinstance(results, dict):
        return ["results.json is not an object"]
    problems = [f"unknown top-level field {k!r}" for k in results if k not in TOP_LEVEL]
    problems += [f"bad {k}: {results[k]!r}" for k, check in TOP_LEVEL.items() if k in results and not check(results[k])]
    tests = results.get("tests", [])
    for k, test in enumerate(tests if isinstance(tests, list) else []):
        if not isinstance(test, dict):
            problems.append(f"test {k} is not an object")
            continue
        problems += [f"test {k}: unknown field {f!r}" for f in test if f not in TEST_FIELDS]
        problems += [f"test {k}: bad {f}: {test[f]!r}" for f, check in TEST_FIELDS.items()
                     if f in test and not check(test[f])]
    if "score" not in results and not (tests and all(isinstance(t, dict) and "score" in t for t in tests)):
        problems.append("no score: the top level or every test needs one")
    return problems


def check_our_results(results: dict, exercises=POINTS) -> dict[str, dict]:
    """Valid per the spec, one test per exercise with the checker's message; returns the tests by number."""
    assert spec_problems(results) == []
    tests = {test["number"]: test for test in results["tests"]}
    assert list(tests) == list(exercises)
    for number, test in tests.items():
        assert test["max_score"] == exercises[number] and 0 <= test["score"] <= test["max_score"]
        assert test["name"] == f"Exercise {number}: {SPECS[number].title}"
        assert test["output"].startswith(f"Exercise {number}")
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
        assert test["visibility"] == "visible"
    assert results["score"] == sum(test["score"] for test in results["tests"])
    assert results["output"].startswith(f"Total: {results['score']:g} / {sum(exercises.values())} points")
    return tests


def test_the_schema_check_catches_what_the_spec_forbids():
    assert spec_problems({"score": 1.0}) == []
    assert spec_problems({"tests": [{"score": 1, "name": "a"}]}) == []
    assert spec_problems({"tests": [{"name": "a"}]}) == ["no score: the top level or every test needs one"]
    assert spec_problems({"score": "27"}) == ["bad score: '27'"]
    assert spec_problems({"score": 1, "visibility": "public"}) == ["bad visibility: 'public'"]
    assert spec_problems({"score": 1, "tests": [{"score": 1, "status": "ok"}]}) == ["test 0: bad status: 'ok'"]
    assert spec_problems({"score": 1, "grade": 3}) == ["unknown top-level field 'grade'"]
    assert spec_problems({"score": 1, "tests": [{"score": 1, "max": 2}]}) == ["test 0: unknown field 'max'"]


def test_results_json_has_one_test_per_exercise_and_follows_the_spec():
    student = SubmissionResult("submission", points={e: (0 if e == "4.1" else p) for e, p in POINTS.items()},
                               feedback={e: f"Exercise {e} passed: fine" for e in POINTS},
                               notes=["several notebooks for 04_adagrad: graded a.ipynb, ignored b.ipynb"])
    student.feedback["4.1"] = "Exercise 4.1 failed: wrong w ... Known mistake: sign error (ascending): ..."
    result = ClassResult(POINTS, [student], seed=42, seconds=12.6)
    results = gradescope.results_json(result, student, notes=["work.zip: member '../x' points outside the zip"])
    tests = check_our_results(results)
    assert tests["4.1"]["score"] == 0 and "Known mistake: sign error" in tests["4.1"]["output"]
    assert results["execution_time"] == 13 and results["extra_data"]["seed"] == 42
    assert "seed 42" in results["output"] and "points outside the zip" in results["output"]
    assert "several notebooks" in results["output"]
    json.dumps(results, allow_nan=False)


# ---- the zip ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return gradescope.build_autograder(tmp_path_factory.mktemp("zip") / "autograder.zip")


def test_the_zip_has_the_two_scripts_at_its_root_executable(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        config = json.loads(archive.read("autograder.json"))
    assert {"setup.sh", "run_autograder"} <= set(names)
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_ISREG(modes[script]) and modes[script] & 0o111
    assert config == {"notebooks": [p.stem for p in sorted(EXERCISES.glob("0*.ipynb"))], "visibility": "visible",
                      "timeout": 240.0, "cell_timeout": 30.0}


def test_the_zip_ships_the_release_and_course_lib_but_never_the_solutions(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        for path in sorted(EXERCISES.glob("0*.ipynb")):
            assert archive.read(f"exercises/{path.name}") == path.read_bytes()
        assert archive.read("course_lib-src/pyproject.toml") == (ROOT / "pyproject.toml").read_bytes()
    assert "course_lib-src/course_lib/grading/gradescope.py" in names
    assert "course_lib-src/course_lib/data/digits.npz" in names
    solutions = {path.name for path in SOLUTIONS.glob("*.ipynb")}
    assert not [n for n in names if "solutions" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("exercises/") and Path(n).name not in solutions]


def test_the_same_sources_give_the_same_zip(autograder_zip, tmp_path):
    again = gradescope.build_autograder(tmp_path / "again.zip")
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_setup_sh_is_valid_bash_that_installs_the_shipped_course_lib_and_bubblewrap(autograder_zip, tmp_path):
    with zipfile.ZipFile(autograder_zip) as archive:
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    for name, text in (("setup.sh", setup), ("run_autograder", run)):
        (tmp_path / name).write_text(text)
        assert subprocess.run(["bash", "-n", str(tmp_path / name)], capture_output=True).returncode == 0, name
    assert "bubblewrap" in setup and "python3-venv" in setup
    assert '"$here/course_lib-src[grade]"' in setup and "--self-check" in setup
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI (a test extra)
        import tomli as tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {r.split(">")[0] for r in extras["grade"]} == {"pytest", "nbval", "nbclient"}


def test_one_chapter_assignments_ship_only_that_notebook(tmp_path):
    out = gradescope.build_autograder(tmp_path / "ch4.zip", notebooks=["04_adagrad"], visibility="after_due_date")
    with zipfile.ZipFile(out) as archive:
        assert [n for n in archive.namelist() if n.startswith("exercises/")] == ["exercises/04_adagrad.ipynb"]
        assert json.loads(archive.read("autograder.json"))["visibility"] == "after_due_date"


@pytest.mark.parametrize("argv, named", [
    (["--notebooks", "04_adagard"], "'04_adagard'"),
    (["--visibility", "public"], "--visibility"),
    (["--timeout", "0"], "timeout"),
    (["--exercises", "/no/such/folder"], "--exercises"),
])
def test_bad_build_options_are_named(tmp_path, capsys, argv, named):
    try:
        code = gradescope.build_main(["--out", str(tmp_path / "a.zip"), *argv])
    except SystemExit as exit_:  # argparse refuses a value outside the choices
        code = exit_.code
    assert code == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


# ---- staging a submission ------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], links: dict[str, str] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in dict(links).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def test_nested_folders_and_zips_are_staged_and_nothing_escapes(tmp_path):
    submission = tmp_path / "submission"
    (submission / "hw" / "week4").mkdir(parents=True)
    (submission / "hw" / "week4" / "04_adagrad.ipynb").write_text("{}")
    (submission / "top.ipynb").write_text("{}")
    (submission / "link.ipynb").symlink_to(ROOT / "solutions" / "04_adagrad.ipynb")
    _zip(submission / "work.zip", {"work/ch5/05_rmsprop.ipynb": b"{}", "../../escaped.ipynb": b"{}",
                                   "/abs.ipynb": b"{}"}, links={"work/secret.ipynb": "/etc/passwd"})
    (submission / "report.docx").write_bytes(b"PK\x03\x04 a zip by another name: copied, not unpacked")
    before = sorted(str(p.relative_to(submission)) for p in submission.rglob("*"))
    staged = tmp_path / "staged"
    notes = gradescope.stage_submission(submission, staged)
    files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file())
    assert files == ["hw/week4/04_adagrad.ipynb", "report.docx", "top.ipynb", "work.zip.d/work/ch5/05_rmsprop.ipynb"]
    assert not (tmp_path / "escaped.ipynb").exists() and not list(tmp_path.glob("**/abs.ipynb"))
    assert any("link.ipynb: not a regular file" in n for n in notes)
    assert any("'../../escaped.ipynb' points outside the zip" in n for n in notes)
    assert any("'/abs.ipynb' points outside the zip" in n for n in notes)
    assert any("'work/secret.ipynb' is a link" in n for n in notes)
    assert sorted(str(p.relative_to(submission)) for p in submission.rglob("*")) == before  # only read


def test_staging_stops_at_the_file_and_size_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(gradescope, "MAX_SUBMISSION_FILES", 3)
    monkeypatch.setattr(gradescope, "MAX_SUBMISSION_BYTES", 1000)
    submission = tmp_path / "submission"
    submission.mkdir()
    _zip(submission / "many.zip", {f"n{k}.ipynb": b"{}" for k in range(10)})
    (submission / "zz_big.ipynb").write_bytes(b" " * 5000)
    staged = tmp_path / "staged"
    notes = gradescope.stage_submission(submission, staged)
    assert len(list(staged.rglob("*.ipynb"))) == 3
    assert any("many.zip: over the submission's limit of 3 files" in n for n in notes)
    assert any("zz_big.ipynb: over the submission's limit" in n for n in notes)


def test_a_corrupt_zip_is_a_note_and_the_rest_is_staged(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    data = bytearray(_zip(tmp_path / "good.zip", {"a.ipynb": b"0123456789" * 50}).read_bytes())
    start = data.index(b"0123456789")
    data[start : start + 10] = b"9876543210"  # the member's bytes no longer match its CRC
    (submission / "broken.zip").write_bytes(bytes(data))
    (submission / "04_adagrad.ipynb").write_text("{}")
    notes = gradescope.stage_submission(submission, tmp_path / "staged")
    assert notes == ["broken.zip: zip file could not be unpacked (BadZipFile: Bad CRC-32 for file 'a.ipynb')"]
    assert (tmp_path / "staged" / "04_adagrad.ipynb").exists()


# ---- run_autograder, for real, in a folder laid out like Gradescope's --------------------------------


def _gradescope_root(tmp_path: Path, autograder_zip: Path) -> Path:
    """source/ (the zip, unpacked), submission/, results/, and a venv that imports the shipped course_lib.

    setup.sh would pip-install course_lib-src with its dependencies from PyPI; here the
    venv gets the shipped copy first on its path, and this environment's site-packages
    for the dependencies (a plain path: the editable install of the checkout is not
    activated, so ``import course_lib`` finds the shipped copy).
    """
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for info in zipfile.ZipFile(autograder_zip).infolist():  # extractall drops the modes
        os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    venv_site = subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip()
    Path(venv_site, "shipped.pth").write_text(f"{root / 'source' / 'course_lib-src'}\n"
                                              f"{sysconfig.get_paths()['purelib']}\n")
    return root


def _run_autograder(root: Path) -> tuple[dict, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "AUTOGRADER"))}
    env["AUTOGRADER_ROOT"] = str(root)
    finished = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return json.loads((root / "results" / "results.json").read_text()), finished.stdout


@pytest.mark.slow
def test_run_autograder_grades_several_notebooks_with_the_shipped_course_lib(tmp_path, autograder_zip):
    root = _gradescope_root(tmp_path, autograder_zip)
    for path in SOLUTIONS.glob("0*.ipynb"):
        shutil.copy(path, root / "submission" / path.name)
    exercise, source, hint = MISTAKES["no_bias_correction"]
    _answer(root / "submission", exercise, source)
    results, stdout = _run_autograder(root)
    assert f"course_lib from {root / 'source' / 'course_lib-src' / 'course_lib'}" in stdout
    tests = check_our_results(results)
    assert results["score"] == sum(POINTS.values()) - POINTS["7.1"]
    assert tests["7.1"]["score"] == 0 and f"Known mistake: {hint}" in tests["7.1"]["output"]
    assert results["extra_data"]["mistakes"] == {"7.1": hint}
    assert results["execution_time"] >= 1


@pytest.mark.slow
def test_run_autograder_grades_one_notebook_or_a_zip_of_nested_folders(tmp_path, autograder_zip):
    root = _gradescope_root(tmp_path, autograder_zip)
    shutil.copy(SOLUTIONS / "04_adagrad.ipynb", root / "submission" / "my adagrad.ipynb")
    results, _ = _run_autograder(root)
    tests = check_our_results(results)
    assert results["score"] == POINTS["4.1"] + POINTS["4.2"]
    assert tests["5.1"]["output"] == "Exercise 5.1: not graded, notebook 05_rmsprop is missing"

    (root / "submission" / "my adagrad.ipynb").unlink()
    _zip(root / "submission" / "homework.zip", {
        "homework/week5/05_rmsprop.ipynb": (SOLUTIONS / "05_rmsprop.ipynb").read_bytes(),
        "homework/week6/deeper/06_adadelta.ipynb": (SOLUTIONS / "06_adadelta.ipynb").read_bytes(),
    })
    results, _ = _run_autograder(root)
    tests = check_our_results(results)
    assert results["score"] == sum(POINTS[e] for e in ("5.1", "5.2", "6.1", "6.2"))
    assert tests["6.1"]["status"] == "passed"


ORPHAN = '''import os, time
if os.fork() == 0:  # a double fork: the grandchild leaves the grader's process tree
    if os.fork() == 0:
        os.setsid()
        os.closerange(0, 4096)  # holds no pipe of the grader's, so nothing waits for it
        for _ in range(900):
            if os.path.exists({results!r}):
                time.sleep(0.3)
                with open({results!r}, "w") as stream:
                    stream.write('{{"score": 999.0}}')
                break
            time.sleep(0.1)
    os._exit(0)
'''


@pytest.mark.slow
def test_a_process_left_behind_cannot_rewrite_results_json(tmp_path, autograder_zip):
    root = _gradescope_root(tmp_path, autograder_zip)
    shutil.copy(SOLUTIONS / "01_gradient_descent.ipynb", root / "submission")
    right = "".join(next(cell for cell in json.loads((SOLUTIONS / "01_gradient_descent.ipynb").read_text())["cells"]
                         if cell.get("id") == "ex1-1-answer")["source"])
    _answer(root / "submission", "1.1", ORPHAN.format(results=str(root / "results" / "results.json")) + right)
    results, _ = _run_autograder(root)
    assert results["score"] == POINTS["1.1"] + POINTS["1.2"]
    time.sleep(3)  # the orphan would have rewritten the file by now, had it survived
    assert json.loads((root / "results" / "results.json").read_text()) == results


@pytest.mark.parametrize("planted", ["folder", "link"])
def test_results_json_replaces_what_was_planted_in_its_place(tmp_path, planted):
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text("keep")
    if planted == "folder":
        (results_dir / "results.json").mkdir()
        (results_dir / "results.json" / "x").write_text("x")
    else:
        (results_dir / "results.json").symlink_to(target)
    path = gradescope._write_results(results_dir, {"score": 1.0})
    assert not path.is_symlink() and json.loads(path.read_text()) == {"score": 1.0}
    assert target.read_text() == "keep"  # the link was replaced, not followed
    assert [p.name for p in results_dir.iterdir()] == ["results.json"]
