"""Each benchmark runs on a tiny size and returns its rows. No timing is asserted: benchmarks are not tests."""

import json

import nbformat
import pytest

from benchmarks import explorer, grading, import_time, notebooks, run, step_throughput

ROW_KEYS = {"figure", "value", "target", "met"}


def _check_rows(rows):
    assert rows
    for row in rows:
        assert set(row) == ROW_KEYS
        assert row["met"] in (True, False, None)


def test_step_throughput_runs_every_rule_and_implementation():
    result = step_throughput.run(sizes=(1000,), rounds=1)
    assert len(result["results"]) == 2 * len(step_throughput.RULES)
    for entry in result["results"]:
        names = set(entry["seconds"])
        assert {"readable", "fast", "add"} <= names
        if result["with_torch"]:
            assert {"torch", "torch_foreach"} <= names
            assert ("torch_fused" in names) == (entry["rule"] in step_throughput.TORCH_HAS_FUSED)
            assert entry["speedup_vs_torch_default"] > 0
        assert entry["bound_seconds"] > 0
    assert "| adam | 1e+03 | float64 |" in result["details"]
    assert 0 <= result["adam_writeback"]["rule_only"]
    _check_rows(result["rows"])
    figures = [row["figure"] for row in result["rows"]]
    # Without torch only the fast-vs-readable rows remain; with it, one row per rule and dtype is added.
    assert [f for f in figures if "fast vs readable" in f] == [
        "step adam 1e+03 float32: fast vs readable opt.step", "step adam 1e+03 float64: fast vs readable opt.step"]
    assert len(figures) == 2 + (2 * len(step_throughput.RULES) if result["with_torch"] else 0)


def test_torch_variants_compute_the_course_rule():
    torch = pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
    import numpy as np

    from course_lib import make_optimizer

    w0, g = np.linspace(-1, 1, 7), np.cos(np.arange(7.0))
    for rule in step_throughput.RULES:
        expected = make_optimizer(rule, **step_throughput.HYPERPARAMS[rule]).step(w0, g)
        for variant in ("torch", "torch_foreach") + (("torch_fused",) if rule in step_throughput.TORCH_HAS_FUSED
                                                       else ()):
            p = torch.nn.Parameter(torch.tensor(w0))
            p.grad = torch.tensor(g)
            step_throughput._torch_optimizer(rule, [p], variant).step()
            assert np.allclose(p.detach().numpy(), expected, rtol=1e-12, atol=1e-12), (rule, variant)


def _write_notebook(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.notebook
def test_notebook_timing_records_cells_and_errors(tmp_path):
    good = _write_notebook(tmp_path / "01_good.ipynb", ["x = 1", "import time; time.sleep(0.2)"])
    bad = _write_notebook(tmp_path / "bad.ipynb", ["raise ValueError('boom')"])
    result = notebooks.run(paths=[good, bad])
    good_t, bad_t = result["timings"]
    assert good_t["error"] is None and bad_t["error"] is not None and "boom" in bad_t["error"]
    assert good_t["slowest_cells"][0]["cell"] == 1  # the sleeping cell
    assert good_t["seconds"] >= good_t["kernel_start_seconds"] + good_t["execution_seconds"] - 1e-6
    _check_rows(result["rows"])


@pytest.mark.notebook
def test_notebook_timing_runs_kernels_with_one_blas_thread_unless_told(tmp_path, monkeypatch):
    probe = _write_notebook(tmp_path / "probe.ipynb", ["import os\nassert os.environ['OPENBLAS_NUM_THREADS'] == "
                                                       "os.environ['EXPECTED_THREADS']"])
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("EXPECTED_THREADS", "1")
    assert notebooks.time_notebook(probe)["error"] is None
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # a number that is set is kept
    monkeypatch.setenv("EXPECTED_THREADS", "2")
    assert notebooks.time_notebook(probe)["error"] is None
    monkeypatch.setenv("EXPECTED_THREADS", "3")  # and the probe can fail
    assert "AssertionError" in notebooks.time_notebook(probe)["error"]


def test_explorer_benchmark_splits_replay_and_redraw():
    result = explorer.run(moves_per_explorer=2, landscapes=("bowl",), steps=5)
    assert set(result["explorers"]) == {"adam on bowl", "race (4 optimizers)"}
    for measured in result["explorers"].values():
        assert set(measured) == {"update", "revisit", "replay", "redraw"}
        assert measured["update"]["n"] == 2
    _check_rows(result["rows"])


def test_wrong_answers_are_wrong():
    namespace = {}
    exec(grading._make_wrong("def f(x):\n    return x, 2 * x\n\nanswer_lr = 0.5\n"), namespace)
    assert namespace["f"](1.0) == (1.01, 2.02)
    assert namespace["answer_lr"] == pytest.approx(0.505)


@pytest.mark.slow
@pytest.mark.grading
def test_grading_benchmark_grades_a_tiny_class():
    if not any(grading.ROOT.joinpath("exercises").glob("*.ipynb")):
        pytest.skip("no released exercise notebook yet")
    from course_lib.grading.sandbox import SandboxUnavailable, find_sandbox

    try:
        find_sandbox()
    except SandboxUnavailable as exc:
        pytest.skip(f"the grader needs its sandbox: {exc}")
    result = grading.run(students=2, jobs=(2,))
    graded, unconfined = result["runs"]
    assert graded["sandboxed"] and not unconfined["sandboxed"]
    assert graded["submissions"] == 2
    points = graded["mean_points_by_kind"]
    assert points["right"] == graded["max_points"] > points["wrong"]
    _check_rows(result["rows"])


def test_import_time_runs_in_a_fresh_interpreter():
    result = import_time.run(repeats=2)
    assert len(result["seconds"]) == 2
    assert result["heavy_modules"] == []
    _check_rows(result["rows"])


def test_command_line_prints_the_table_and_writes_json(tmp_path, capsys):
    assert run.main(["--only", "import_time", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "| figure | measured | target | met |" in printed
    assert "import course_lib" in printed
    (path,) = tmp_path.glob("bench-*.json")
    payload = json.loads(path.read_text())
    assert payload["machine"]["cores"] >= 1 and "numpy" in payload["machine"]
    assert payload["rows"][0]["figure"].startswith("import course_lib")


def test_a_failing_benchmark_becomes_a_row(monkeypatch):
    def broken(quick):
        raise RuntimeError("no widgets yet")

    monkeypatch.setattr(import_time, "run", broken)
    results = run.run_benchmarks(("import_time",), quick=True)
    assert results["import_time"]["rows"][0]["met"] is False
    assert "no widgets yet" in results["import_time"]["rows"][0]["value"]


def test_markdown_table():
    table = run.markdown_table([{"figure": "a", "value": "1 s", "target": "< 2 s", "met": True},
                                {"figure": "b", "value": "3 s", "target": "< 2 s", "met": False}])
    assert table.splitlines()[2] == "| a | 1 s | < 2 s | yes |"
    assert table.splitlines()[3] == "| b | 3 s | < 2 s | **no** |"
