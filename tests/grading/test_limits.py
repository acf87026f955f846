"""The grader's limits are written once (``run.Limits``); the command lines and ``grade_class`` read them."""

from __future__ import annotations

import pytest

from course_lib.grading import cli, gradescope, run
from course_lib.grading.sandbox import SandboxUnavailable

OTHER = run.Limits(wall_seconds=77.0, cell_seconds=7.0)  # no default anywhere is 77 or 7


def test_with_times_changes_only_the_times_and_cuts_the_cell_limit_to_the_wall_limit():
    limits = run.Limits(memory_bytes=123)
    assert limits.with_times(50, 10) == run.Limits(wall_seconds=50.0, cell_seconds=10.0, memory_bytes=123)
    assert limits.with_times(20) == run.Limits(wall_seconds=20.0, cell_seconds=20.0, memory_bytes=123)
    assert limits.with_times(cell_seconds=5) == run.Limits(cell_seconds=5.0, memory_bytes=123)
    assert run.DEFAULT_LIMITS == run.Limits()
    assert run.GRADESCOPE_LIMITS.cell_seconds == run.DEFAULT_LIMITS.cell_seconds


def test_the_grade_command_reads_its_defaults_and_help_from_the_table(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "DEFAULT_LIMITS", OTHER)
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "per submission (default 77)" in help_text and "per notebook cell (default 7," in help_text

    given = {}

    def grade_class(submissions, **kwargs):  # stands in for grading: records what the command asked for
        given.update(kwargs)
        raise SandboxUnavailable("not grading in this test")

    monkeypatch.setattr(cli, "grade_class", grade_class)
    assert cli.main([str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 3
    assert given["limits"] == OTHER
    assert cli.main([str(tmp_path), "--out", str(tmp_path / "g.csv"), "--timeout", "5"]) == 3
    assert given["limits"] == OTHER.with_times(5.0, 5.0)


def test_the_gradescope_builder_reads_its_defaults_from_the_table(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(gradescope, "GRADESCOPE_LIMITS", OTHER)
    with pytest.raises(SystemExit):
        gradescope.build_main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "per submission (default 77)" in help_text and "per notebook cell (default 7)" in help_text
    graded = {}
    monkeypatch.setattr(gradescope, "grade_class", lambda staging, **kwargs: graded.update(kwargs))
    gradescope._grade(tmp_path, tmp_path, {})  # a config without limits: the table's
    assert graded["limits"] == OTHER
    gradescope._grade(tmp_path, tmp_path, {"timeout": 60, "cell_timeout": 90})
    assert graded["limits"] == OTHER.with_times(60.0, 60.0)
