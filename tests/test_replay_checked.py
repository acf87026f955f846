"""tools/replay_checked.py: it re-runs a notebook and reports every checked output that differs."""

import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
REPLAY = ROOT / "tools" / "replay_checked.py"


def _cell(source, printed=None, tags=()):
    cell = new_code_cell(source, metadata={"tags": list(tags)})
    if printed is not None:
        cell.outputs = [new_output("stream", name="stdout", text=printed)]
    return cell


def _replay(tmp_path, cells):
    path = tmp_path / "01_example.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return subprocess.run([sys.executable, str(REPLAY), str(path)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


def test_agreeing_outputs_pass_and_figure_cells_are_skipped(tmp_path):
    run = _replay(tmp_path, [
        _cell("x = 0.1 + 0.2"),
        _cell("raise RuntimeError('a figure cell must not run')", tags=["figure"]),
        _cell("print(f'{x:.2f}')", "0.30\n", tags=["nbval-check-output"]),
        _cell("print('not checked')", "something else\n"),
    ])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all checked outputs agree" in run.stdout


def test_a_different_checked_output_fails_with_a_diff(tmp_path):
    run = _replay(tmp_path, [_cell("print(0.1 + 0.2)", "0.3\n", tags=["nbval-check-output"])])
    assert run.returncode == 1
    assert "cell 0 differs" in run.stdout and "-0.3" in run.stdout and "+0.30000000000000004" in run.stdout


def test_a_cell_that_raises_is_reported(tmp_path):
    run = _replay(tmp_path, [_cell("print(undefined_name)", "", tags=["nbval-check-output"])])
    assert run.returncode == 1
    assert "cell 0 raised NameError" in run.stdout


def test_a_checked_cell_that_stored_something_other_than_printed_text_is_reported(tmp_path):
    cell = _cell("1 + 1", tags=["nbval-check-output"])
    cell.outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    run = _replay(tmp_path, [cell])
    assert run.returncode == 1
    assert "must only print to stdout; it stored execute_result" in run.stdout
