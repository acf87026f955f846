"""The class report: known mistakes counted from the judge's data, skipped exercises, times; and the PNG.

Unit tests build a ClassResult by hand; one slow test grades a class of four from
the corpus through the command line (with a Canvas export and the progress lines).
"""

from __future__ import annotations

import csv
import json
import shutil
import struct
import sys
from pathlib import Path

import pytest

from course_lib.exercises import SPECS
from course_lib.grading import assemble
from course_lib.grading.attempts import skipped_exercises
from course_lib.grading.class_report import report_figure, report_markdown, summarise, write_class_report
from course_lib.grading.cli import main
from course_lib.grading.grade import ClassResult, SubmissionResult

sys.path.insert(0, str(Path(__file__).parent))
from corpus import EXERCISES, MISTAKES, SOLUTIONS, _answer, _student, build_class  # noqa: E402

POINTS = {exercise: spec.points for exercise, spec in SPECS.items()}
EPS = MISTAKES["eps_inside_sqrt"][2]


def _result(student: str, lost: dict[str, str | None] = (), skipped=(), nbval=2.0) -> SubmissionResult:
    """A student with full points except ``lost`` (exercise -> known mistake or None) and ``skipped``."""
    lost = dict(lost)
    points = {e: 0 if e in lost or e in skipped else p for e, p in POINTS.items()}
    mistakes = {e: m for e, m in lost.items() if m}
    return SubmissionResult(student, points=points, mistakes=mistakes, skipped=list(skipped),
                            timings={"nbval": nbval, "total": nbval + 0.5})


def _class() -> ClassResult:
    return ClassResult(POINTS, [
        _result("a", {"4.1": EPS}, nbval=1.0),
        _result("b", {"4.1": EPS, "7.1": "missing bias correction"}, nbval=2.0),
        _result("c", {"4.1": None}, skipped=("7.2",), nbval=3.0),
        _result("d", skipped=("7.2", "6.2"), nbval=10.0),
    ], seed=5, seconds=9.0)


def test_each_exercise_counts_passed_known_mistakes_other_failures_and_skips():
    by_id = {s.exercise: s for s in summarise(_class())}
    assert by_id["4.1"].outcomes == {"passed": 1, "known mistake": 2, "other wrong answer": 1}
    assert by_id["4.1"].mistakes == {EPS: 2}
    assert by_id["4.1"].scores == {3: 1, 0: 3}
    assert by_id["7.2"].outcomes == {"passed": 2, "skipped": 2}
    assert by_id["1.1"].outcomes == {"passed": 4}


def test_the_markdown_names_the_mistakes_the_skips_and_the_median_times():
    text = report_markdown(_class())
    assert f"- **4.1** {EPS}: 2 of 4" in text
    assert "- **7.1** missing bias correction: 1 of 4" in text
    assert text.index(EPS) < text.index("missing bias correction")  # most frequent first
    skipped = text.split("## Most often skipped")[1].split("##")[0]
    assert "1. **7.2** the bias-correction factor: 2 of 4" in skipped and "2. **6.2**" in skipped
    assert "notebooks run under nbval 2.5 s, whole grading 3.0 s" in text  # medians of 1, 2, 3, 10
    assert "| 4.1 AdaGrad update rule | 3 | 1 | 2 | 1 | 0 | 3: 1, 0: 3 |" in text
    assert "](class-report.png)" in text


def test_no_student_is_named_in_the_report():
    result = _class()
    for student, name in zip(result.results, ("Zed Secretname", "Ynes Private", "Xu Hidden", "Wu Quiet")):
        student.student = name
    text = report_markdown(result)
    assert not any(name.split()[1] in text for name in ("Zed Secretname", "Ynes Private", "Xu Hidden"))


def test_an_empty_class_gets_a_report_too(tmp_path):
    empty = ClassResult(POINTS, [], seed=1, seconds=0.0)
    assert "No submissions were graded." in report_markdown(empty)
    markdown, picture = write_class_report(empty, tmp_path)
    assert markdown.exists() and picture.stat().st_size > 0


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_picture_draws_every_exercise_and_mistake_with_hatches_not_only_colour(tmp_path):
    figure = report_figure(_class())
    outcomes, totals, mistakes = figure.axes
    assert len(outcomes.get_yticklabels()) == len(POINTS)
    assert {patch.get_hatch() for patch in outcomes.patches} >= {"///", "..."}  # readable in greyscale
    assert [label.get_text() for label in mistakes.get_yticklabels()] == [f"4.1: {EPS}",
                                                                          "7.1: missing bias correction"]
    assert sum(patch.get_height() for patch in totals.patches) == 4  # one count per student
    _, picture = write_class_report(_class(), tmp_path)
    width, height = _png_size(picture)
    assert width == 1300 and height >= 500


# ---- skipped exercises, read from the submission ---------------------------------------------


def test_skipped_means_left_as_released_still_raising_or_not_handed_in(tmp_path):
    release = assemble.load_release(EXERCISES)
    _student(tmp_path, "full")
    _student(tmp_path, "blank", EXERCISES)
    half = _student(tmp_path, "half_done")  # wrote code for 4.1 but kept the raise; dropped chapter 7
    right = "".join(next(c for c in json.loads((SOLUTIONS / "04_adagrad.ipynb").read_text())["cells"]
                         if c.get("id") == "ex4-1-answer")["source"])
    _answer(half, "4.1", right + "\nraise NotImplementedError('Exercise 4.1: ...')\n")
    (half / "07_adam.ipynb").unlink()
    skipped = {name: skipped_exercises(assemble.find_submission(tmp_path / name, release), release)
               for name in ("full", "blank", "half_done")}
    assert skipped["full"] == []
    assert skipped["blank"] == list(POINTS)
    assert skipped["half_done"] == ["4.1", "7.1", "7.2"]


# ---- a real class, through the command line ------------------------------------------------------

CLASS = ("full", "blank", "mistake_eps_inside_sqrt", "mistake_no_bias_correction")


@pytest.mark.slow
def test_a_graded_class_gets_a_report_naming_its_mistakes_and_a_canvas_gradebook(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    build_class(corpus)
    submissions = tmp_path / "class"
    for name in CLASS:
        shutil.copytree(corpus / name, submissions / name)
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,id,name\n" + "".join(f"{name},{k},Student {k}\n" for k, name in enumerate(CLASS))
                      + "absent,99,Nobody\n", encoding="utf-8")
    out = tmp_path / "out" / "grades.csv"
    code = main([str(submissions), "--out", str(out), "--jobs", "2", "--timeout", "60", "--cell-timeout", "10",
                 "--seed", "11", "--format", "canvas", "--roster", str(roster), "--progress-every", "3"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "graded 3/4" in captured.err and "graded 4/4  100%" in captured.err  # plain lines: not a terminal
    assert "1 roster student(s) without a submission folder" in captured.err and "'absent'" in captured.err

    report = (out.parent / "class-report.md").read_text(encoding="utf-8")
    assert f"- **4.1** {EPS}: 1 of 4" in report
    assert "- **7.1** missing bias correction: 1 of 4" in report
    assert "full marks: 1 of 4" in report
    skipped = report.split("## Most often skipped")[1].split("##")[0]
    assert "1. **1.1** gradient descent update rule: 1 of 4" in skipped  # the blank submission skipped all
    assert "notebooks run under nbval" in report and "n/a" not in report
    assert _png_size(out.parent / "class-report.png")[0] == 1300

    with open(out.parent / "canvas.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    total = sum(POINTS.values())
    assert rows[1][-1] == str(total)
    assert {row[1]: row[-1] for row in rows[2:]} == {
        "0": str(total), "1": "0", "2": str(total - 3), "3": str(total - 3), "99": "",
    }
    assert str(out.parent / "canvas.csv") in captured.out
