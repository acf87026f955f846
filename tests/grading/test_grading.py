"""The grader on a class: right, wrong, tampered, broken and attacking submissions graded in one run.

The corpus (tests/grading/corpus.py) is graded once, through the command line,
with --jobs 2, in the sandbox; each test then reads grades.csv, the feedback files
and what is left on the machine afterwards.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from course_lib.exercises import SPECS
from course_lib.grading import assemble
from course_lib.grading.cli import main
from course_lib.grading.grade import grade_class

sys.path.insert(0, str(Path(__file__).parent))
from attacks import ATTACKS  # noqa: E402
from corpus import EXERCISES, FORMULA_NAME, MISTAKES, SOLUTIONS, build_class  # noqa: E402

from course_lib.grading.report import FORMULA_START, NOTES_CHARS, feedback_names  # noqa: E402
from course_lib.grading.sandbox import UID_BLOCK, SandboxUnavailable, find_sandbox  # noqa: E402

ALL_POINTS = {spec_id: spec.points for spec_id, spec in SPECS.items()}
MAX_TOTAL = sum(ALL_POINTS.values())

# The whole corpus is the `grading` tier (left out of `make test-quick`).
pytestmark = pytest.mark.grading


def _tree_digest(root: Path) -> dict[str, str]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _sandbox_processes(uids: range | None = None, wait: float = 10.0) -> list[int]:
    """Processes that run as one of this grader's sandbox uids (a student's), once the killed ones are gone.

    A SIGKILLed process runs no more code, but leaves /proc only when reaped: give that ``wait`` seconds.
    """
    first = find_sandbox().first_uid
    uids = uids or range(first, first + UID_BLOCK)
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                uid = entry.stat().st_uid if entry.name.isdigit() else None
            except OSError:
                continue
            if uid in uids:
                found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    try:
        find_sandbox()
    except SandboxUnavailable as exc:
        pytest.skip(f"the grader needs its sandbox: {exc}")
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    out = root / "out" / "grades.csv"
    expected = build_class(submissions, grader_pid=os.getpid(), out=out)
    out.parent.mkdir()  # the output folder exists while the class is graded, as an instructor's would
    before = _tree_digest(submissions)
    private_temp = root / "tmp"  # the grader's own temp folders go here, so we can see that none is left
    private_temp.mkdir()
    saved_temp, tempfile.tempdir = tempfile.tempdir, str(private_temp)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            code = main([str(submissions), "--out", str(out), "--jobs", "2", "--timeout", "60", "--cell-timeout", "4",
                         "--seed", "20261129"])
    finally:
        tempfile.tempdir = saved_temp
    assert code == 0
    with open(out, newline="", encoding="utf-8") as stream:  # the csv module's default field limit holds
        rows = {_unquote(row["student"]): row for row in csv.DictReader(stream)}
    return {"expected": expected, "rows": rows, "out": out, "before": before, "submissions": submissions,
            "printed": printed.getvalue(), "csv": out.read_bytes(), "temp": private_temp}


def _feedback(graded, student: str) -> str:
    name = feedback_names(list(graded["rows"]))[student]
    return (graded["out"].parent / "feedback" / f"{name}.md").read_text(encoding="utf-8")


def _feedback_line(graded, student: str, exercise: str) -> str:
    return next(line for line in _feedback(graded, student).splitlines() if f"**Exercise {exercise}**" in line)


def test_every_student_has_a_row_and_the_columns_cover_every_exercise(graded):
    assert set(graded["rows"]) == set(graded["expected"])
    header = next(csv.reader(open(graded["out"], encoding="utf-8")))
    assert header == ["student", *ALL_POINTS, "total", "max_total", "notes"]
    assert all(row["max_total"] == str(MAX_TOTAL) for row in graded["rows"].values())
    assert [p.name for p in graded["out"].parent.iterdir() if p.name.endswith(".tmp")] == []


def test_each_student_gets_exactly_the_expected_points(graded):
    wrong = {}
    for student, expected in graded["expected"].items():
        row = graded["rows"][student]
        want = {e: 0 if expected.all_lost or e in expected.lost else p for e, p in ALL_POINTS.items()}
        got = {e: int(row[e]) for e in ALL_POINTS}
        if got != want or int(row["total"]) != sum(want.values()):
            wrong[student] = {e: (got[e], want[e]) for e in want if got[e] != want[e]}
    assert wrong == {}


def test_solutions_score_full_marks_and_untouched_exercises_zero_in_every_chapter(graded):
    for student in ("full", "full_renamed"):
        assert graded["rows"][student]["total"] == str(MAX_TOTAL)
        assert "disagreement" not in graded["rows"][student]["notes"]
        for exercise in ALL_POINTS:
            assert f"Exercise {exercise} passed" in _feedback_line(graded, student, exercise)
    assert graded["rows"]["blank"]["total"] == "0"
    assert "NotImplementedError" in _feedback_line(graded, "blank", "4.1")


@pytest.mark.parametrize("student", [
    "mistake_eps_inside_sqrt", "mistake_accumulate_after_step", "mistake_v_with_g", "mistake_in_place",
    "mistake_adadelta_old_v", "mistake_adadelta_lr_scaled", "mistake_no_bias_correction",
    "mistake_partial_bias_correction", "mistake_t_from_zero", "mistake_sign_error",
])
def test_a_known_mistake_loses_that_exercise_with_its_hint(graded, student):
    expected = graded["expected"][student]
    line = _feedback_line(graded, student, expected.lost[0])
    assert "failed" in line and "Known mistake:" in line and expected.feedback in line
    assert "disagreement" not in graded["rows"][student]["notes"]


def test_the_class_report_counts_every_known_mistake_of_the_corpus(graded):
    report = (graded["out"].parent / "class-report.md").read_text(encoding="utf-8")
    n = len(graded["expected"])
    mistakes = report.split("## Known mistakes")[1].split("## Most often skipped")[0]
    for exercise, _, hint in MISTAKES.values():  # a hint is (part of) the mistake's name
        count = sum(e.lost[:1] == (exercise,) and bool(e.feedback) and e.feedback in hint
                    for e in graded["expected"].values())
        lines = [line for line in mistakes.splitlines() if line.startswith(f"- **{exercise}** ") and hint in line]
        assert len(lines) == 1 and lines[0].endswith(f": {count} of {n}"), (hint, lines)
    skipped = report.split("## Most often skipped")[1].split("##")[0]
    # 4.2 is skipped by blank, broken_empty_folder, tamper_fake_output (it answers 4.1 only) and the three
    # students whose 04_adagrad is unreadable; 4.1 by the same but tamper_fake_output.
    assert f"1. **4.2** {SPECS['4.2'].title}: 6 of {n}" in skipped
    assert f"2. **4.1** {SPECS['4.1'].title}: 5 of {n}" in skipped
    assert (graded["out"].parent / "class-report.png").stat().st_size > 10_000


@pytest.mark.parametrize("student", [
    "tamper_fake_output", "tamper_edited_check", "tamper_deleted_check", "tamper_nbval_skip",
    "tamper_marker_in_answer", "tamper_monkeypatched_check", "tamper_infinite_loop", "tamper_slow_function",
    "tamper_memory_bomb", "tamper_os_exit", "tamper_output_flood", "tamper_judge_channel",
    "broken_malformed_json", "broken_wrong_file_type", "broken_empty_file", "broken_empty_folder",
    "broken_deep_json", "broken_huge_file", "broken_metadata_not_a_dict", FORMULA_NAME, "pollution_check_tags_flood",
    "format_nbformat_4_0", "format_nbformat_4_4", "format_colab", "format_recreated_cells", "format_no_ids_extra_cell",
])
def test_tampering_and_broken_files_are_graded_with_a_note(graded, student):
    expected = graded["expected"][student]
    notes = graded["rows"][student]["notes"]
    for phrase in expected.notes:
        assert phrase in notes, f"{student}: {phrase!r} not in notes {notes!r}"
    if expected.lost and expected.feedback:
        assert expected.feedback in _feedback_line(graded, student, expected.lost[0])


def test_submissions_are_never_modified(graded):
    assert _tree_digest(graded["submissions"]) == graded["before"]


# ---- attacks (tests/grading/attacks.py): each would gain 1.1's points if it worked -----------------


@pytest.mark.parametrize("student", sorted(ATTACKS))
def test_every_attack_fails_in_nbval_and_in_the_judge(graded, student):
    expected = graded["expected"][student]
    row = graded["rows"][student]
    assert row["1.1"] == "0", f"{student} escaped the sandbox (it earned 1.1)"
    assert expected.feedback in _feedback_line(graded, student, "1.1")
    for phrase in expected.notes:
        assert phrase in row["notes"]
    if not expected.notes and student != "attack_grader_outcome_channel":  # that one fakes nbval's report
        assert "disagreement" not in row["notes"], f"{student} worked in one of the two sandboxes"


def test_the_summary_line_is_printed_and_stdout_is_left_as_it_was(graded):
    # --jobs 2 used to leave sys.stdout pointing at a stream that drops everything (no summary line).
    assert graded["printed"].startswith(f"graded {len(graded['expected'])} submissions in ")
    assert "bubblewrap sandbox" in graded["printed"]


def test_no_process_of_any_student_outlives_the_grading(graded):
    assert _sandbox_processes() == []


def test_the_gradebook_is_not_rewritten_after_the_fact_and_feedback_is_a_folder(graded):
    time.sleep(1.0)  # the gradebook daemon retried every 0.05 s, had it survived
    assert graded["out"].read_bytes() == graded["csv"]
    feedback = graded["out"].parent / "feedback"
    assert feedback.is_dir() and not feedback.is_symlink()
    assert len(list(feedback.glob("*.md"))) == len(graded["expected"])
    assert sorted(p.name for p in graded["out"].parent.iterdir()) == [
        "class-report.md", "class-report.png", "feedback", "grades.csv"]


def test_nothing_is_left_in_site_packages_or_the_temp_folder(graded):
    site = Path(sysconfig.get_paths()["purelib"])
    assert not (site / "zz_poison.pth").exists() and not (site / "sitecustomize.py").exists()
    assert list(graded["temp"].iterdir()) == []


# ---- gradebook pollution ----------------------------------------------------------------------------


def test_no_cell_of_the_gradebook_is_a_spreadsheet_formula_and_notes_are_capped(graded):
    cells = [cell for row in csv.reader(io.StringIO(graded["csv"].decode("utf-8"))) for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_START)] == []
    assert f"'{FORMULA_NAME}" in cells
    assert max(len(row["notes"]) for row in graded["rows"].values()) <= NOTES_CHARS


def test_students_whose_names_fold_alike_get_a_feedback_file_each(graded):
    zoe_diaeresis, zoe_acute = _feedback(graded, "Zo\u00eb"), _feedback(graded, "Zo\u00e9")
    assert zoe_diaeresis.startswith("# Feedback for Zo\u00eb") and zoe_acute.startswith("# Feedback for Zo\u00e9")


def test_feedback_file_says_total_and_seed(graded):
    text = _feedback(graded, "mistake_sign_error")
    assert f"Total: {MAX_TOTAL - ALL_POINTS['1.1']} / {MAX_TOTAL} points" in text
    assert "seed 20261129" in text


# ---- without running anything ----------------------------------------------------------


@pytest.mark.parametrize("argv, named", [
    (["/no/such/folder"], "SUBMISSIONS"),
    (["{tmp}", "--jobs", "0"], "--jobs"),
    (["{tmp}", "--jobs", "65"], "--jobs"),
    (["{tmp}", "--timeout", "0"], "--timeout"),
    (["{tmp}", "--timeout", "-5"], "--timeout"),
    (["{tmp}", "--cell-timeout", "0"], "--cell-timeout"),
])
def test_bad_command_line_input_names_the_argument(tmp_path, capsys, argv, named):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv + ["--out", str(tmp_path / "g.csv")]) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


def test_grade_class_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="submissions"):
        grade_class(tmp_path / "missing")
    with pytest.raises(ValueError, match="jobs"):
        grade_class(tmp_path, jobs=0)
    with pytest.raises(ValueError, match="at most 64"):
        grade_class(tmp_path, jobs=65)
    with pytest.raises(ValueError, match="timeout"):
        grade_class(tmp_path, timeout=0)


def test_a_notebook_is_identified_by_metadata_then_by_file_name(tmp_path):
    release = assemble.load_release(EXERCISES)
    nb = json.loads((SOLUTIONS / "04_adagrad.ipynb").read_text())
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "whatever.ipynb").write_text(json.dumps(nb))
    del nb["metadata"]["course"]
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "Copy of 04_adagrad (2).ipynb").write_text(json.dumps(nb))
    (tmp_path / "bob" / "notes.txt").write_text("not a notebook")
    for student in ("alice", "bob"):
        submission = assemble.find_submission(tmp_path / student, release)
        assert list(submission.notebooks) == ["04_adagrad"]
        assert "ex4-1-answer" in submission.notebooks["04_adagrad"].answers
    assert any("notes.txt: not a notebook" in note for note in submission.notes)


def test_rebuild_takes_only_the_answer_sources(tmp_path):
    release = assemble.load_release(EXERCISES)
    released = release["04_adagrad"]
    answers = {"ex4-1-answer": "adagrad_update = 1", "ex4-1-check": "print('hacked')"}
    rebuilt = assemble.rebuild(released, {k: v for k, v in answers.items() if k in released.answer_ids})
    cells = {cell["id"]: cell for cell in rebuilt["cells"]}
    assert cells["ex4-1-answer"]["source"] == "adagrad_update = 1"
    assert "".join(cells["ex4-1-check"]["source"]) == "".join(
        next(c for c in released.nb["cells"] if c["id"] == "ex4-1-check")["source"]
    )
    assert rebuilt["metadata"] == released.nb["metadata"]


def test_check_cells_the_release_ships_without_output_are_judged_by_raising(tmp_path):
    release = assemble.load_release(EXERCISES)
    released = release["04_adagrad"]
    for check in released.checks:
        released.nb["cells"][check.index].update(outputs=[], execution_count=None)
    rebuilt = assemble.rebuild(released, {})
    checks = [rebuilt["cells"][check.index] for check in released.checks]
    assert checks and all("nbval-check-output" not in cell["metadata"]["tags"] for cell in checks)
    fresh = assemble.load_release(EXERCISES)["04_adagrad"]
    shipped = assemble.rebuild(fresh, {})
    for check in fresh.checks:  # a check cell shipped with its output keeps the comparison
        original = fresh.nb["cells"][check.index]
        if original.get("outputs") and "nbval-check-output" in original["metadata"].get("tags", []):
            assert "nbval-check-output" in shipped["cells"][check.index]["metadata"]["tags"]
