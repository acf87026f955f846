"""The HTML export links HTML to HTML: Next/Previous, exercise and cross-chapter links open pages, not JSON."""

import re
from pathlib import Path

import nbformat

from tools.export_html import export, html_links


def test_links_to_notebooks_point_at_their_pages_and_keep_the_anchor():
    assert html_links("[Next](02_sgd.ipynb) · [ex](../exercises/04_adagrad.ipynb)") == \
        "[Next](02_sgd.html) · [ex](../exercises/04_adagrad.html)"
    assert html_links("([steps](07_adam.ipynb#bias-correction))") == "([steps](07_adam.html#bias-correction))"
    assert html_links('<a href="07_adam.ipynb#momentum">x</a>') == '<a href="07_adam.html#momentum">x</a>'
    outside = "[the paper](https://example.org/nb.ipynb) and [data](data.csv)"
    assert html_links(outside) == outside


def test_exported_chapter_links_land_on_pages_and_sections(tmp_path):
    chapter = Path(__file__).resolve().parents[1] / "notebooks" / "08_choosing_an_optimizer.ipynb"
    page = export([chapter], tmp_path)[0].read_text()
    # Links inside the course go HTML to HTML; Colab and Binder links open the notebook itself, on purpose.
    relative_notebook_links = re.findall(r'href="(?![a-z]+:)[^"]*\.ipynb[#"]', page)
    assert relative_notebook_links == []
    assert 'href="https://colab.research.google.com/github/' in page
    assert 'href="07_adam.html#cell-id=bias-correction"' in page
    assert 'href="../exercises/04_adagrad.html"' in page
    target = export([chapter.with_name("07_adam.ipynb")], tmp_path)[0].read_text()
    assert 'id="cell-id=bias-correction"' in target  # nbconvert's id for the section's cell, where the link lands


def test_a_notebook_outside_the_course_exports_next_to_out(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("[Back](00_start_here.ipynb)")]
    path = tmp_path / "note.ipynb"
    nbformat.write(nb, path)
    page = export([path], tmp_path / "out")[0]
    assert page == tmp_path / "out" / "note.html" and 'href="00_start_here.html"' in page.read_text()
