"""Every notebook's .md source and its executed .ipynb agree, and builds are reproducible (tools/notebooks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tools import notebooks as build

ROOT = Path(__file__).resolve().parents[1]
PAIRED = sorted(p for folder in build.CHECKED_FOLDERS for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("notebook", PAIRED, ids=[f"{p.parent.name}/{p.name}" for p in PAIRED])
def test_each_notebook_has_a_source_that_agrees_with_it(notebook):
    source = notebook.with_suffix(".md")
    assert source.exists(), f"{notebook.name} has no MyST source {source.name}"
    assert build.disagreements(source) == []


@pytest.mark.parametrize("notebook", PAIRED, ids=[f"{p.parent.name}/{p.name}" for p in PAIRED])
def test_committed_notebooks_carry_nothing_that_changes_from_run_to_run(notebook):
    nb = json.loads(notebook.read_text())
    assert "version" not in nb["metadata"].get("language_info", {})
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"], f"cell {cell['id']} stores execution timestamps"
        outputs = cell.get("outputs", [])
        for before, after in zip(outputs, outputs[1:]):
            split = before["output_type"] == after["output_type"] == "stream" and before["name"] == after["name"]
            assert not split, f"cell {cell['id']}: one print stored as several outputs"


def _notebook(*sources: str, ids: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    for cell, cell_id in zip(nb.cells, ids):
        cell["id"] = cell_id
    return nb


def test_a_source_that_differs_from_its_notebook_is_reported(tmp_path):
    source = tmp_path / "01_demo.md"
    source.write_text("---\njupytext:\n  text_representation:\n    format_name: myst\n---\n\n"
                      "```{code-cell} ipython3\nx = 1\n```\n")
    nb = build.read_source(source)
    nbformat.write(nb, source.with_suffix(".ipynb"))
    assert build.disagreements(source) == []
    nb.cells[0].source = "x = 2"
    nbformat.write(nb, source.with_suffix(".ipynb"))
    assert build.disagreements(source) == ["cell 0 differs (code cell starting 'x = 1')"]
    nb.cells.append(nbformat.v4.new_markdown_cell("more"))
    nbformat.write(nb, source.with_suffix(".ipynb"))
    assert "has 1 cells, 01_demo.ipynb has 2" in build.disagreements(source)[0]


def test_cells_keep_their_ids_when_moved_or_edited_and_new_ids_are_deterministic():
    old = _notebook("a = 1", "b = 2", "c = 3", ids=("first", "second", "third"))
    new = _notebook("b = 2", "a = 1", "c = 30", "d = 4")
    build.carry_over_ids(new, old)
    ids = [c["id"] for c in new.cells]
    assert ids[:3] == ["second", "first", "third"]  # moved cells by content, the edited one by position
    again = _notebook("b = 2", "a = 1", "c = 30", "d = 4")
    build.carry_over_ids(again, old)
    assert [c["id"] for c in again.cells] == ids
    assert len(set(ids)) == 4



def test_a_section_cell_takes_its_anchor_as_id_so_links_can_land_on_it():
    old = _notebook("a = 1", ids=("rare-features",))  # an old cell holding the id a section now claims
    new = _notebook("a = 1")
    new.cells.append(nbformat.v4.new_markdown_cell('<a id="rare-features"></a>\n## Rare features'))
    new.cells.append(nbformat.v4.new_markdown_cell('Text, then <a id="not-a-section"></a>'))
    build.carry_over_ids(new, old)
    ids = [c["id"] for c in new.cells]
    assert ids[1] == "rare-features" and ids[0] != "rare-features" and ids[2] != "not-a-section"
    twice = _notebook()
    twice.cells = [nbformat.v4.new_markdown_cell('<a id="x"></a>\n## A'),
                   nbformat.v4.new_markdown_cell('<a id="x"></a>')]
    with pytest.raises(ValueError, match='anchor <a id="x">'):
        build.carry_over_ids(twice, None)

def test_split_prints_are_merged_and_widget_model_ids_are_stable():
    nb = _notebook("print(1); print(2)", ids=("cell",))
    nb.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("display_data", data={build.WIDGET_VIEW: {"model_id": "random"}}),
    ]
    build.normalise(nb)
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream", "display_data"]
    assert outputs[0].text == "1\n2\n"
    assert outputs[1].data[build.WIDGET_VIEW]["model_id"] != "random"


def test_timing_cells_keep_their_output_until_their_source_changes():
    old = _notebook("t = measure()", "other()", ids=("t", "o"))
    new = _notebook("t = measure()", "other()", ids=("t", "o"))
    for nb, text in ((old, "old"), (new, "new")):
        for cell in nb.cells:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    old.cells[0].metadata["tags"] = new.cells[0].metadata["tags"] = ["timing"]
    build.keep_timings(new, old)
    assert [c.outputs[0].text for c in new.cells] == ["old", "new"]
    edited = _notebook("t = measure(more=True)", ids=("t",))
    edited.cells[0].metadata["tags"] = ["timing"]
    edited.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="new")]
    build.keep_timings(edited, old)
    assert edited.cells[0].outputs[0].text == "new"
