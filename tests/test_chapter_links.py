"""Links between chapters: the same footer everywhere, in course order; links to a section land on it.

The order is the notebooks present in notebooks/ (``NN_name.ipynb``, sorted), so a new chapter joins the
check by existing. The last chapter may announce the next one while it is being written
(``Next`` to ``NN+1_*.ipynb``); once that notebook exists it is checked like every other link.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LABELLED_LINK = re.compile(r"\*\*(Previous|Exercises|Start page|Next):\*\*\s*\[[^\]]+\]\(([^)\s]+)\)")
ANY_LINK = re.compile(r"\]\(([^)\s]+)\)")


def footer(chapter: Path) -> str:
    """The text of the chapter's last cell, which must be a markdown cell holding its footer."""
    last = json.loads(chapter.read_text())["cells"][-1]
    assert last["cell_type"] == "markdown", f"{chapter.name} must end with its footer, a markdown cell"
    return "".join(last["source"])


def labelled_links(text: str) -> dict[str, str]:
    links: dict[str, str] = {}
    for label, target in LABELLED_LINK.findall(text):
        assert label not in links, f"two {label} links in one footer"
        links[label] = target
    return links


def test_the_chapter_order_comes_from_the_notebooks_present():
    assert [p.name[:2] for p in CHAPTERS] == [f"{i:02d}" for i in range(len(CHAPTERS))], "numbered 00, 01, ..."


@pytest.mark.parametrize("index", range(len(CHAPTERS)), ids=[p.stem for p in CHAPTERS])
def test_footer_links_previous_exercises_start_and_next_in_order(index):
    chapter = CHAPTERS[index]
    links = labelled_links(footer(chapter))
    start = CHAPTERS[0].name
    if index == 0:
        assert "Previous" not in links and "Start page" not in links, "the start page is the first page"
    else:
        assert links.get("Previous") == CHAPTERS[index - 1].name
        # Chapter 1's Previous is the start page; every later chapter names it once more.
        assert start in (links.get("Previous"), links.get("Start page")), f"{chapter.name} must link {start}"
    exercises = ROOT / "exercises" / chapter.name
    if exercises.exists():
        assert links.get("Exercises") == f"../exercises/{chapter.name}"
    else:
        assert "Exercises" not in links, f"{chapter.name} has no exercise notebook to link"
    if index + 1 < len(CHAPTERS):
        assert links.get("Next") == CHAPTERS[index + 1].name
    else:
        assert "Next" not in links, f"{chapter.name} is the last chapter"


@pytest.mark.parametrize("index", range(len(CHAPTERS)), ids=[p.stem for p in CHAPTERS])
def test_every_footer_link_opens_a_notebook_that_exists(index):
    chapter = CHAPTERS[index]
    text = footer(chapter)
    targets = ANY_LINK.findall(text)
    assert targets, f"{chapter.name}'s footer has no links"
    for target in targets:
        assert target.endswith(".ipynb"), f"{chapter.name}: {target} is not a notebook"
        assert (chapter.parent / target).resolve().is_file(), f"{chapter.name}: {target} does not exist"


SECTION_LINK = re.compile(r"\]\((\d\d_[a-z0-9_]+\.ipynb)#([^)\s]+)\)")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_links_to_another_chapters_section_name_a_cell_of_it(chapter):
    """``04_adagrad.ipynb#cell-id=rare-features``: JupyterLab scrolls there; an ``<a id>`` fragment it ignores."""
    for cell in json.loads(chapter.read_text())["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for target, fragment in SECTION_LINK.findall("".join(cell["source"])):
            assert fragment.startswith("cell-id="), f"{chapter.name} cell {cell['id']}: {target}#{fragment}"
            ids = {c["id"] for c in json.loads((chapter.parent / target).read_text())["cells"]}
            assert fragment.removeprefix("cell-id=") in ids, f"{chapter.name}: {target} has no cell {fragment}"


LABELLED_SECTION_LINK = re.compile(r"\[([^\]]+)\]\(\d\d_[a-z0-9_]+\.ipynb#[^)\s]+\)")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_links_to_another_chapters_section_say_which_section(chapter):
    # Notebook 7 opens the other chapter at its top (it drops the fragment): "ch. 4" alone leaves the reader
    # to guess where in it the evidence is, so a link's text names the experiment or the section too.
    for cell in json.loads(chapter.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for text in LABELLED_SECTION_LINK.findall("".join(cell["source"])):
                assert not re.fullmatch(r"(ch\.|chapter) \d+(, measured)?", text), f"{chapter.name}: [{text}]"


def test_the_static_site_points_section_links_at_the_anchor_its_pages_hold():
    from tools.site import section_links

    text = '"[sparse problem](04_adagrad.ipynb#cell-id=rare-features) and [race](#race-data)"'
    assert section_links(text) == '"[sparse problem](04_adagrad.ipynb#rare-features) and [race](#race-data)"'
