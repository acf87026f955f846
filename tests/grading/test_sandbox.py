"""The sandbox, the limits and the grader's own robustness, without grading a class (mostly fast)."""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest

from course_lib.exercises import SPECS, collect_outputs
from course_lib.exercises.ch04_adagrad import _eps_inside as _adagrad_eps_inside
from course_lib.grading import assemble, judge, run, sandbox
from course_lib.grading.cli import main
from course_lib.grading.grade import ClassResult, SubmissionResult
from course_lib.grading.report import feedback_names, grades_csv, notes_cell, spreadsheet_safe, write_reports

sys.path.insert(0, str(Path(__file__).parent))
from corpus import EXERCISES, SOLUTIONS, _colab, _nbformat_4_0, _nbformat_4_4  # noqa: E402
from test_grading import _sandbox_processes  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _sandbox_or_skip() -> sandbox.Sandbox:
    try:
        return sandbox.find_sandbox()
    except sandbox.SandboxUnavailable as exc:
        pytest.skip(f"no sandbox on this machine ({exc})")


def _run_python(code: str, **kwargs) -> run.Finished:
    limits = run.Limits(wall_seconds=30)
    return run.run_limited([sys.executable, "-I", "-c", code], limits, run.Confinement(_sandbox_or_skip(), 3),
                           host_dir=Path("/nonexistent"), **kwargs)


PROBE = r"""
import json, os, socket
from pathlib import Path
status = Path("/proc/self/status").read_text()
field = lambda name: next(l.split()[1] for l in status.splitlines() if l.startswith(name))
try:
    socket.create_connection(("127.0.0.1", %d), timeout=3).close(); network = True  # the test's listener
except OSError:
    network = False
try:
    Path(os.__file__).with_name("zz_probe.pth").write_text("x"); wrote_python = True
except OSError:
    wrote_python = False
print(json.dumps({
    "uid": os.getuid(), "no_new_privs": field("NoNewPrivs:"), "caps": field("CapEff:"),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "network": network,
    "wrote_python": wrote_python, "cwd": os.getcwd(), "home": os.environ["HOME"],
    "repository": sorted(os.listdir(%r)), "seen": {p: os.path.exists(p) for p in %r},
}))
"""


def test_the_sandbox_confines_a_process():
    seen = [str(ROOT / "solutions"), str(ROOT / "exercises"), str(ROOT / "tests"), "/root/.ssh", "/etc/shadow",
            str(Path.home() / ".bash_history"), "/var", "/opt", "/srv", "/mnt"]
    listener = socket.create_server(("127.0.0.1", 0))  # reachable from any process outside the sandbox
    with listener:
        finished = _run_python(PROBE % (listener.getsockname()[1], str(ROOT), seen))
    report = json.loads(finished.stdout)
    assert report["uid"] == (sandbox.find_sandbox().first_uid + 3 if sandbox.find_sandbox().as_root else 65534)
    assert report["no_new_privs"] == "1" and int(report["caps"], 16) == 0
    assert max(report["pids"]) < 10  # its own PID namespace: the grader and other students are not there
    assert report["network"] is False and report["wrote_python"] is False
    assert report["cwd"] == sandbox.WORKDIR and report["home"] == sandbox.HOME
    assert report["repository"] == sorted(p.name for p in (ROOT / "course_lib", ROOT / ".venv") if p.exists())
    assert not any(report["seen"].values()), report["seen"]


def test_the_user_namespace_variant_for_graders_that_are_not_root():
    # Graders that are not root map the student to nobody in a user namespace. Tried here with the same
    # bubblewrap options (as root they build the same sandbox; the tests do not run as another user).
    found = _sandbox_or_skip()
    variant = dataclasses.replace(found, as_root=False)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        probe = PROBE % (listener.getsockname()[1], str(ROOT), [str(ROOT / "solutions")])
        finished = run.run_limited([sys.executable, "-I", "-c", probe], run.Limits(wall_seconds=30),
                                   run.Confinement(variant), host_dir=Path("/nonexistent"))
    report = json.loads(finished.stdout)
    assert report["uid"] == 65534 and report["no_new_privs"] == "1" and int(report["caps"], 16) == 0
    assert max(report["pids"]) < 10 and report["network"] is False and report["wrote_python"] is False
    assert not any(report["seen"].values())


def test_a_double_forked_process_dies_with_its_sandbox():
    code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        os.closerange(3, 999)\n        time.sleep(300)\n    os._exit(0)\ntime.sleep(0.2)\nprint('left')")
    finished = _run_python(code)
    assert finished.stdout.strip() == b"left"
    first = sandbox.find_sandbox().first_uid
    assert _sandbox_processes(range(first + 3, first + 4)) == []


def test_at_the_wall_clock_limit_the_whole_sandbox_is_killed():
    code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        os.closerange(3, 999)\n        time.sleep(300)\n    os._exit(0)\ntime.sleep(300)")
    limits = run.Limits(wall_seconds=2)
    finished = run.run_limited([sys.executable, "-I", "-c", code], limits, run.Confinement(_sandbox_or_skip(), 4),
                               host_dir=Path("/nonexistent"))
    assert finished.timed_out and finished.returncode is None and finished.seconds < 10
    first = sandbox.find_sandbox().first_uid
    assert _sandbox_processes(range(first + 4, first + 5)) == []


def test_the_judge_sandbox_cannot_import_or_read_the_references():
    hidden = judge.reference_files()
    assert {"ch04_adagrad.py", "__init__.py"} <= {path.name for path in hidden}  # a chapter's, and the SPECS list
    code = ("import pathlib\ntry:\n    from course_lib.exercises import SPECS\n    print('imported')\n"
            "except ImportError:\n"
            "    print('hidden')\nfor p in %r:\n    try:\n        print(len(pathlib.Path(p).read_bytes()))\n"
            "    except OSError as exc:\n        print(type(exc).__name__)" % [str(p) for p in hidden])
    readable = _run_python(code, hidden=hidden).stdout.split()
    assert readable[0] == b"hidden" and set(readable[1:]) <= {b"0", b"PermissionError"}, readable
    assert _run_python(code).stdout.split()[0] == b"imported"  # the nbval sandbox has them: check() needs them


def test_limits_are_set_by_a_launcher_never_by_preexec_fn(monkeypatch, tmp_path):
    seen = []
    real = run.subprocess.Popen

    def recording(*args, **kwargs):
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(run.subprocess, "Popen", recording)
    code = "import resource as r; print(r.getrlimit(r.RLIMIT_AS)[0], r.getrlimit(r.RLIMIT_FSIZE)[0])"
    limits = run.Limits(memory_bytes=1536 * 1024**2)
    expected = f"{limits.memory_bytes} {run.FILE_SIZE_LIMIT}".encode()
    unsafe = run.run_limited([sys.executable, "-c", code], limits, run.Confinement(None), host_dir=tmp_path)
    assert unsafe.stdout.strip() == expected
    confined = run.run_limited([sys.executable, "-c", code], limits, run.Confinement(_sandbox_or_skip()),
                               host_dir=tmp_path)
    assert confined.stdout.strip() == expected
    assert len(seen) == 2 and all(kwargs.get("preexec_fn") is None for kwargs in seen)


def test_concurrent_judging_leaves_sys_stdout_alone():
    # spec.judge silences the reference with contextlib.redirect_stdout (process-wide); from two threads
    # at once that left sys.stdout pointing at a stream that drops everything: no summary line with --jobs 2.
    spec = SPECS["4.1"]
    original = sys.stdout

    seeds = [1000 + k for k in range(12)]  # fresh seeds: the reference and the mistakes run, uncached
    outputs = {seed: {"4.1": collect_outputs(spec, _adagrad_eps_inside, seed)} for seed in seeds}

    def work(k: int) -> None:
        for seed in seeds[k::4]:
            judge.verdicts([spec], outputs[seed], seed, None)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sys.stdout is original


def test_without_a_sandbox_the_grader_refuses_and_says_how_to_get_one(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None if name == "bwrap" else "/usr/bin/" + name)
    sandbox.find_sandbox.cache_clear()
    try:
        with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
            sandbox.find_sandbox()
        (tmp_path / "class" / "alice").mkdir(parents=True)
        assert main([str(tmp_path / "class"), "--out", str(tmp_path / "out" / "grades.csv")]) == 3
        error = capsys.readouterr().err
        assert "bwrap not found" in error and "--unsafe-no-sandbox" in error
        assert not (tmp_path / "out").exists()
    finally:
        sandbox.find_sandbox.cache_clear()


@pytest.mark.slow
def test_unsafe_no_sandbox_grades_with_a_loud_warning(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # to see that no temp folder is left
    (tmp_path / "tmp").mkdir()
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "01_gradient_descent.ipynb").write_bytes(
        (SOLUTIONS / "01_gradient_descent.ipynb").read_bytes())
    out = tmp_path / "out" / "grades.csv"
    assert main([str(tmp_path / "class"), "--out", str(out), "--unsafe-no-sandbox", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert "WARNING: --unsafe-no-sandbox" in captured.err and "NO SANDBOX" in captured.out
    row = out.read_text(encoding="utf-8").splitlines()[1]
    assert row.startswith("alice,2,2,") and "UNSAFE: graded without a sandbox" in row
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_file_in_the_way_of_the_feedback_folder_is_refused_before_grading(tmp_path, capsys):
    (tmp_path / "class").mkdir()
    (tmp_path / "feedback").write_text("")
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "grades.csv")]) == 2
    assert "in the way of the feedback folder" in capsys.readouterr().err


# ---- reports --------------------------------------------------------------------------------------


def _class(*students: SubmissionResult) -> ClassResult:
    return ClassResult({"1.1": 2}, list(students), seed=1, seconds=1.0)


def test_gradebook_cells_never_start_a_formula_and_notes_are_capped():
    assert [spreadsheet_safe(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok", 3)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "ok", "3"]
    assert len(notes_cell(["n" * 5000] * 1000)) <= 4000
    text = grades_csv(_class(SubmissionResult("=cmd|' /C calc'!A0", notes=["-2+3"])))
    assert "\n'=cmd|' /C calc'!A0," in text and text.endswith(",'-2+3\n")


def test_feedback_names_are_safe_and_distinct_for_names_that_fold_alike():
    students = ["Zo\u00eb", "Zo\u00e9", "Zoe\u0308", "zoe", "../../etc/passwd", ".hidden", "plain"]
    names = feedback_names(students)
    assert len(set(names.values())) == len(students)
    assert {n.lower() for n in names.values()} == {n.lower() for n in names.values()}  # no case-only clash
    assert len({n.lower() for n in names.values()}) == len(students)
    assert all("/" not in n and not n.startswith(".") for n in names.values())
    assert names["plain"] == "plain"


def test_a_file_named_feedback_appearing_during_grading_costs_nothing(tmp_path):
    (tmp_path / "feedback").write_text("in the way")
    folder = write_reports(_class(SubmissionResult("alice", points={"1.1": 2})), tmp_path / "grades.csv")
    assert folder.name == "feedback-2" and (folder / "alice.md").exists()
    assert (tmp_path / "grades.csv").read_text().startswith("student,1.1,total")
    assert (tmp_path / "feedback").read_text() == "in the way"


# ---- reading submissions --------------------------------------------------------------------------


@pytest.mark.parametrize("convert, minor, how", [
    (_nbformat_4_0, 0, "position"), (_nbformat_4_4, 4, None), (_colab, 0, None),
])
def test_answers_are_found_in_notebooks_without_cell_ids(tmp_path, convert, minor, how):
    release = assemble.load_release(EXERCISES)
    # What a student hands in: the released notebook with the answers written in.
    nb = json.loads((EXERCISES / "04_adagrad.ipynb").read_text())
    solved = {c["id"]: c["source"] for c in json.loads((SOLUTIONS / "04_adagrad.ipynb").read_text())["cells"]}
    for cell in nb["cells"]:
        if cell["id"] in release["04_adagrad"].answer_ids:
            cell["source"] = solved[cell["id"]]
    convert(nb)
    assert nb["nbformat_minor"] == minor
    nbformat.validate(nbformat.from_dict(nb))  # a valid notebook of that version
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "04_adagrad.ipynb").write_text(json.dumps(nb))
    submission = assemble.find_submission(tmp_path / "alice", release)
    cells = json.loads((SOLUTIONS / "04_adagrad.ipynb").read_text())["cells"]
    solution = {c["id"]: "".join(c["source"]) for c in cells}
    answers = submission.notebooks["04_adagrad"].answers
    assert answers == {cell_id: solution[cell_id] for cell_id in release["04_adagrad"].answer_ids}
    assert any("matched by its position" in note for note in submission.notes) == (how == "position")
    assert not any("check cell" in note for note in submission.notes), submission.notes


def test_a_pass_is_claimed_only_when_the_check_output_differs_from_the_release(tmp_path):
    release = assemble.load_release(EXERCISES)
    nb = json.loads((EXERCISES / "04_adagrad.ipynb").read_text())
    (tmp_path / "untouched").mkdir()
    (tmp_path / "untouched" / "04_adagrad.ipynb").write_text(json.dumps(nb))
    check = next(c for c in nb["cells"] if c.get("id") == "ex4-1-check")
    check["execution_count"] = 12
    check["outputs"] = [{"name": "stdout", "output_type": "stream", "text": "Exercise 4.1 passed: yes\n"}]
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "04_adagrad.ipynb").write_text(json.dumps(nb))
    assert assemble.find_submission(tmp_path / "untouched", release).notebooks["04_adagrad"].claimed == set()
    assert assemble.find_submission(tmp_path / "claims", release).notebooks["04_adagrad"].claimed == {"4.1"}


def test_a_bad_file_is_that_files_problem(tmp_path):
    release = assemble.load_release(EXERCISES)
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "deep.ipynb").write_text("[" * 50_000 + "]" * 50_000)
    (tmp_path / "alice" / "04_adagrad.ipynb").write_bytes((SOLUTIONS / "04_adagrad.ipynb").read_bytes())
    (tmp_path / "alice" / "loop").symlink_to(tmp_path / "alice")
    for k in range(assemble.MAX_FILES + 5):
        (tmp_path / "alice" / f"junk{k:03d}.txt").write_text("x")
    submission = assemble.find_submission(tmp_path / "alice", release)
    assert "deep.ipynb: malformed notebook (JSON nested too deeply)" in submission.notes
    assert f"{assemble.MAX_FILES + 7} files in the folder: read the first {assemble.MAX_FILES} (notebooks first)" in (
        submission.notes)
    assert list(submission.notebooks) == ["04_adagrad"]


def test_outcome_lines_that_are_not_outcomes_are_skipped():
    finished = run.Finished(0, b"", b"", False, 0.1, False)
    data = b"\n".join([b"[" * 100_000, b'{"nodeid": 3}', b"\xff\xfe", json.dumps(
        {"nodeid": "submission.ipynb::Cell 2", "when": "call", "outcome": "failed", "message": "m", "duration": 1}
    ).encode()])
    assert run.read_outcomes(data, finished).cells == {2: ("failed", "m")}
