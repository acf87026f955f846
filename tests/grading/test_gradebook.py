"""LMS gradebooks from a roster: Canvas and Moodle CSV, clear roster errors, formula cells neutralised.

These tests build a ClassResult by hand (no kernels); the command line's roster
checks run before any grading, so they are fast too. The exports of a real
graded class are checked in test_class_report.py.
"""

from __future__ import annotations

import csv
import io

import pytest

from course_lib.exercises import SPECS
from course_lib.grading import gradebook
from course_lib.grading.cli import main
from course_lib.grading.grade import ClassResult, SubmissionResult

EXERCISES = {"4.1": 3, "4.2": 1, "5.1": 3}


def _class() -> ClassResult:
    return ClassResult(EXERCISES, [
        SubmissionResult("alice", points={"4.1": 3, "4.2": 1, "5.1": 3}),
        SubmissionResult("bob", points={"4.1": 0, "4.2": 1, "5.1": 3}),
        SubmissionResult("=cmd|' /C calc'!A0", points={"4.1": 3, "4.2": 0, "5.1": 0}),
    ], seed=7, seconds=1.0)


ROSTER = """folder,id,name,email,sis_user_id,sis_login_id,section
alice,1001,"Lovelace, Ada",ada@example.edu,S1001,ada,A
bob,1002,@SUM(1+1),bob@example.edu,S1002,bob,B
"=cmd|' /C calc'!A0",1003,-Eve,eve@example.edu,S1003,eve,B
carol,1004,Carol,carol@example.edu,S1004,carol,A
"""


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return gradebook.read_roster(path)


def test_canvas_has_the_identity_columns_a_points_row_and_one_row_per_roster_student(roster):
    rows = _rows(gradebook.canvas_csv(_class(), roster))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Exercises"]
    assert rows[1] == ["Points Possible", "", "", "", "", "7"]
    assert rows[2] == ["Lovelace, Ada", "1001", "S1001", "ada", "A", "7"]
    assert rows[3][1:] == ["1002", "S1002", "bob", "B", "4"]
    assert rows[4][1:] == ["1003", "S1003", "eve", "B", "3"]
    assert rows[5] == ["Carol", "1004", "S1004", "carol", "A", ""]  # no submission: Canvas leaves the grade alone


def test_one_column_per_chapter_sums_that_chapters_exercises(roster):
    rows = _rows(gradebook.canvas_csv(_class(), roster, columns="chapter", assignment="Homework 3"))
    assert rows[0][5:] == ["Homework 3: 04_adagrad", "Homework 3: 05_rmsprop"]
    assert rows[1][5:] == ["4", "3"]
    assert [row[5:] for row in rows[2:]] == [["4", "3"], ["1", "3"], ["3", "0"], ["", ""]]
    assert SPECS["4.2"].notebook == "04_adagrad"


def test_moodle_has_id_number_and_email_to_map_from_then_the_grade_items(roster):
    rows = _rows(gradebook.moodle_csv(_class(), roster))
    assert rows[0] == ["ID number", "Email address", "Full name", "Exercises"]
    assert rows[1] == ["1001", "ada@example.edu", "Lovelace, Ada", "7"]
    assert rows[4] == ["1004", "carol@example.edu", "Carol", ""]
    chapters = _rows(gradebook.moodle_csv(_class(), roster, columns="chapter"))
    assert chapters[0][3:] == ["Exercises: 04_adagrad", "Exercises: 05_rmsprop"]


@pytest.mark.parametrize("fmt", ["canvas", "moodle"])
def test_no_cell_starts_a_formula(roster, fmt):
    text = gradebook.export(_class(), roster, fmt)
    cells = [cell for row in _rows(text) for cell in row]
    assert "'@SUM(1+1)" in cells and "'-Eve" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_neutralise_quotes_formula_starts_only():
    assert gradebook.neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert gradebook.neutralise("\tx") == "'\tx"
    assert gradebook.neutralise("Ada") == "Ada"
    assert gradebook.neutralise(7) == 7  # numbers stay numbers


def test_the_roster_accepts_canvas_style_headers_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffFolder,ID,Student,Email address,SIS User ID,Section,Extra\nalice,1,Ada,a@x.org,S1,A,z\n",
                    encoding="utf-8")
    (student,) = gradebook.read_roster(path)
    assert student == gradebook.Student("alice", "1", "Ada", "a@x.org", "S1", "", "A")


@pytest.mark.parametrize("text, named", [
    ("", "empty"),
    ("name,email\nAda,a@x.org\n", "no column folder or id"),
    ("folder,name\nalice,Ada\n", "no column id"),
    ("folder,id\nalice,1\nbob,\n", "line 3: no id"),
    ("folder,id\n,1\n", "line 2: no folder"),
    ("folder,id\nalice,1\nbob,1\n", "line 3: duplicate id '1' (also on line 2)"),
    ("folder,id\nalice,1\nalice,2\n", "line 3: folder 'alice' again (first on line 2)"),
    ("folder,id\n", "no students"),
])
def test_roster_problems_are_named_with_their_line(tmp_path, text, named):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(gradebook.RosterError, match="--roster") as error:
        gradebook.read_roster(path)
    assert named in str(error.value)


def test_an_unreadable_or_binary_roster_is_a_clear_error(tmp_path):
    with pytest.raises(gradebook.RosterError, match="cannot be read"):
        gradebook.read_roster(tmp_path / "missing.csv")
    (tmp_path / "latin1.csv").write_bytes("folder,id\nzoë,1\n".encode("latin-1"))
    with pytest.raises(gradebook.RosterError, match="not UTF-8"):
        gradebook.read_roster(tmp_path / "latin1.csv")


def test_every_folder_must_be_on_the_roster(roster):
    with pytest.raises(gradebook.RosterError, match="2 submission folder.*'dave', 'erin'"):
        gradebook.check_roster(roster, ["alice", "dave", "erin"])
    missing = gradebook.check_roster(roster, ["alice", "bob"])
    assert [s.folder for s in missing] == ["=cmd|' /C calc'!A0", "carol"]


def test_bad_column_choice_is_named():
    with pytest.raises(ValueError, match="columns"):
        gradebook.grade_columns(_class(), "per-exercise", "X")
    with pytest.raises(ValueError, match="fmt"):
        gradebook.export(_class(), [], "blackboard")


# ---- the command line refuses before grading ---------------------------------------------------


def _submissions(tmp_path, *names):
    for name in names:
        (tmp_path / "subs" / name).mkdir(parents=True)
    return tmp_path / "subs"


@pytest.mark.parametrize("roster_text, extra, named", [
    (None, ["--format", "canvas"], "--format canvas needs --roster"),
    ("folder,id\nalice,1\n", ["--format", "moodle"], "1 submission folder(s) with no roster row: 'bob'"),
    ("folder,id\nalice,1\nbob,1\n", ["--format", "canvas"], "duplicate id '1'"),
    ("folder,id\nalice,1\nbob,2\n", ["--format", "canvas", "--progress-every", "0"], "--progress-every"),
    ("folder,id\nalice,1\nbob,2\n", ["--format", "canvas", "--assignment", " "], "--assignment"),
])
def test_the_command_line_names_roster_problems_before_grading(tmp_path, capsys, roster_text, extra, named):
    submissions = _submissions(tmp_path, "alice", "bob")
    argv = [str(submissions), "--out", str(tmp_path / "out" / "grades.csv"), *extra]
    if roster_text is not None:
        (tmp_path / "roster.csv").write_text(roster_text, encoding="utf-8")
        argv += ["--roster", str(tmp_path / "roster.csv")]
    assert main(argv) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing graded, nothing written


def test_the_lms_file_may_not_take_the_plain_gradebooks_name(tmp_path, capsys):
    submissions = _submissions(tmp_path, "alice")
    (tmp_path / "roster.csv").write_text("folder,id\nalice,1\n", encoding="utf-8")
    argv = [str(submissions), "--out", str(tmp_path / "canvas.csv"), "--format", "canvas",
            "--roster", str(tmp_path / "roster.csv")]
    assert main(argv) == 2
    assert "canvas.csv is the LMS gradebook's name" in capsys.readouterr().err
