"""The grader on a class: right, wrong, tampered and broken submissions graded in one run.

The corpus (tests/grading/corpus.py) is graded once, through the command line,
with --jobs 2; each test then reads grades.csv and the feedback files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import pytest

from course_lib.exercise_specs import SPECS
from course_lib.grading import assemble
from course_lib.grading.cli import main
from course_lib.grading.grade import grade_class

sys.path.insert(0, str(Path(__file__).parent))
from corpus import EXERCISES, MISTAKES, SOLUTIONS, build_class  # noqa: E402

ALL_POINTS = {spec_id: spec.points for spec_id, spec in SPECS.items()}
MAX_TOTAL = sum(ALL_POINTS.values())


def _tree_digest(root: Path) -> dict[str, str]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    expected = build_class(submissions)
    before = _tree_digest(submissions)
    out = root / "out" / "grades.csv"
    code = main([str(submissions), "--out", str(out), "--jobs", "2", "--timeout", "60", "--cell-timeout", "4",
                 "--seed", "20261129"])
    assert code == 0
    with open(out, newline="", encoding="utf-8") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    return {"expected": expected, "rows": rows, "out": out, "before": before, "submissions": submissions}


def _feedback(graded, student: str) -> str:
    return (graded["out"].parent / "feedback" / f"{student}.md").read_text(encoding="utf-8")


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
        count = sum(e.lost[:1] == (exercise,) and e.feedback in hint for e in graded["expected"].values())
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


def test_feedback_file_says_total_and_seed(graded):
    text = _feedback(graded, "mistake_sign_error")
    assert f"Total: {MAX_TOTAL - ALL_POINTS['1.1']} / {MAX_TOTAL} points" in text
    assert "seed 20261129" in text


# ---- without running anything ----------------------------------------------------------


@pytest.mark.parametrize("argv, named", [
    (["/no/such/folder"], "SUBMISSIONS"),
    (["{tmp}", "--jobs", "0"], "--jobs"),
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
