"""Committed notebooks read well everywhere: executed in order, no errors or warnings, no widget state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def test_the_course_has_its_ten_notebooks():
    names = [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    assert names == [
        "00_start_here", "01_gradient_descent", "02_stochastic_gradient_descent",
        "03_mini_batch_gradient_descent", "04_adagrad", "05_rmsprop", "06_adadelta", "07_adam",
        "08_choosing_an_optimizer", "09_in_practice",
    ]


@pytest.mark.parametrize("path", COURSE, ids=[f"{p.parent.name}/{p.name}" for p in COURSE])
def test_committed_executed_in_order_without_errors_or_widget_state(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "execute top to bottom in a fresh kernel"
    for cell in code:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"cell {cell['id']} shows an error"
            assert output.get("name") != "stderr", f"cell {cell['id']} printed to stderr: {output.get('text')}"
    # Stored widget state makes exported HTML draw the (dead) widget instead of the still picture.
    assert "widgets" not in nb["metadata"]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("0[1-9]*.ipynb")), ids=lambda p: p.name)
def test_every_explorer_carries_a_still_picture(path):
    nb = json.loads(path.read_text())
    widget_outputs = [
        o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widget_outputs, "each chapter has an explorer"
    assert all("image/png" in o["data"] for o in widget_outputs)
