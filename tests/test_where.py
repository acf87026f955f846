"""Where the course runs (course_lib.where), each notebook's install cell and links, and honest timings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_lib import clock, where

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize(("platform", "modules", "environ", "place"), [
    ("linux", {}, {}, "local"),
    ("darwin", {}, {"HOME": "/Users/a"}, "local"),
    ("linux", {}, {"BINDER_LAUNCH_HOST": "https://mybinder.org/"}, "binder"),
    ("linux", {"google.colab": object()}, {}, "colab"),
    ("emscripten", {}, {}, "jupyterlite"),
    ("emscripten", {"google.colab": object()}, {"BINDER_REPO_URL": "x"}, "jupyterlite"),
])
def test_detect(platform, modules, environ, place):
    assert where.detect(platform, modules, environ) == place


def test_detect_here_is_local_or_binder():
    assert where.detect() in ("local", "binder")


def test_each_place_says_what_works():
    lite = where.describe("jupyterlite")
    assert "in your browser" in lite and "Download" in lite and "Delete" in lite and "reload" in lite
    assert "Binder is temporary" in where.describe("binder")
    colab = where.describe("colab")
    assert "https://colab.research.google.com/github/" in colab and "../" not in colab
    with pytest.raises(ValueError, match="place must be one of local, binder, colab, jupyterlite, got 'mars'"):
        where.describe("mars")


def test_colab_links_are_absolute_and_local_links_exist():
    colab = where.contents_table("colab")
    links = re.findall(r"\]\(([^)]+)\)", colab)
    assert len(links) == 9 + 7 and all(link.startswith(where.colab_url("")) for link in links)  # chapters, exercises
    for link in re.findall(r"\]\(([^)]+)\)", where.contents_table("local")):
        assert (ROOT / "notebooks" / link).resolve().exists(), link
    for link in links:  # the Colab links name files that exist in the repository
        assert (ROOT / link.removeprefix(where.colab_url(""))).exists(), link


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_every_notebook_installs_the_course_first_in_colab_and_jupyterlite(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    first = code[0]
    assert "".join(first["source"]) == where.INSTALL_CELL
    assert "install" in first["metadata"].get("tags", [])
    title = "".join(next(c for c in cells(path) if c["cell_type"] == "markdown")["source"])
    own_path = f"{'exercises' if path.parent.name == 'solutions' else path.parent.name}/{path.name}"
    assert where.run_elsewhere_links(own_path) in title


def test_one_repository_name_everywhere():
    # Publishing under a real name is one search-and-replace of where.REPOSITORY's value.
    texts = [(ROOT / "README.md").read_text(), *(p.read_text() for p in NOTEBOOKS)]
    patterns = (r"colab\.research\.google\.com/github/([^/]+/[^/]+)/", r"mybinder\.org/v2/gh/([^/]+/[^/]+)/",
                r"https://github\.com/([^/@)\s]+/[^/@)\s]+)")
    found = {m for text in texts for pattern in patterns[:3] for m in re.findall(pattern, text)}
    assert found == {where.REPOSITORY}


def test_durations_below_the_clock_resolution_say_so():
    assert clock.duration(2e-5, clock=1e-4) == "below the clock's resolution (100 us)"
    assert clock.duration(2.5e-4, clock=1e-4) == "250 us"
    assert clock.duration(2.5e-5, clock=1e-7) == "25.0 us"
    assert clock.duration(0.0123, "ms", width=9, clock=1e-7) == "  12.3 ms"
    assert clock.duration(0.0, clock=1e-7).startswith("below the clock's resolution")
    with pytest.raises(ValueError, match="unit must be one of s, ms, us, got 'ns'"):
        clock.duration(1.0, "ns")


def test_the_clock_resolution_is_measured():
    assert 0 < clock.resolution() < 1e-3
