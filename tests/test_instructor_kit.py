"""The instructor kit (docs/instructors/) refers only to things that exist, and its minutes follow its rule."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "docs" / "instructors"
PAGES = sorted(KIT.glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(markdown: Path) -> set[str]:
    """The targets a link can name in a page: explicit <a id> anchors and GitHub-style heading slugs."""
    text = markdown.read_text()
    explicit = set(re.findall(r'<a id="([^"]+)"', text))
    headings = re.findall(r"^#{1,6} (.+)$", text, re.M)
    slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
    return explicit | slugs


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(page.read_text()) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_lands_on_an_existing_file_and_section(page):
    for target in links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name} links to {target}, which does not exist"
        if anchor:
            source = file.with_suffix(".md") if file.suffix == ".ipynb" else file
            assert anchor in anchors(source), f"{page.name} links to {target}: no such section"


def exercises_in_solutions() -> set[str]:
    pattern = re.compile(r"^## Exercise (\d\.\d)", re.M)
    return {m for p in (ROOT / "solutions").glob("*.md") for m in pattern.findall(p.read_text())}


def test_every_exercise_named_exists():
    named = {m for page in PAGES for m in re.findall(r"[Ee]xercises? (\d\.\d)", page.read_text())}
    named |= {m for page in PAGES for m in re.findall(r"\band (\d\.\d)\b", page.read_text())}
    assert named, "the kit names exercises"
    assert named <= exercises_in_solutions(), f"no such exercise: {sorted(named - exercises_in_solutions())}"


def test_every_mistake_named_is_one_the_checker_recognises():
    library = "\n".join(p.read_text() for p in (ROOT / "course_lib").rglob("*.py"))
    text = (KIT / "chapters.md").read_text()
    named = set()
    for line in re.findall(r"^- Exercise \d\.\d, (.+)$", text, re.M):
        named |= set(re.findall(r'"([^"]+)"', line.split(":")[0]))
    assert len(named) >= 15, named
    # The kit writes the checker's ASCII names with typographic signs (1 − gamma, g²): compare on ASCII.
    ascii_names = {n.replace("−", "-") for n in named}
    missing = sorted(n for n in ascii_names if f'"{n}"' not in library)
    assert not missing, f"the checker names no such mistake: {missing}"


@pytest.mark.parametrize("number", range(1, 10))
def test_every_demo_explorer_is_the_one_in_its_chapter(number):
    chapter = next((ROOT / "notebooks").glob(f"0{number}_*.md")).read_text()
    text = (KIT / "chapters.md").read_text()
    section = text.split(f"\n## {number}. ")[1].split("\n## ")[0]
    calls = re.findall(r"`((?:explore|race)\([^`]*?)\)`", section)
    assert calls, f"chapter {number}'s demo names its explorer"
    for call in calls:
        assert call in chapter, f"chapter {number} has no explorer {call})"


def estimated_minutes(number: int) -> tuple[int, int | None]:
    """The kit's rule: words / 100 + 1 per code cell + 8 for the demo; 6 per exercise point, to 5 minutes."""
    nb = jupytext.read(next((ROOT / "notebooks").glob(f"0{number}_*.md")))
    words = sum(len(re.sub(r"\$[^$]*\$", "x", c.source).split()) for c in nb.cells if c.cell_type == "markdown")
    code = sum(1 for c in nb.cells if c.cell_type == "code")
    teaching = round(words / 100 + code + 8)
    solutions = list((ROOT / "solutions").glob(f"0{number}_*.md"))
    if not solutions:
        return teaching, None
    points = sum(int(p) for p in re.findall(r"^## Exercise \d\.\d \((\d+) points?\)", solutions[0].read_text(), re.M))
    return teaching, 5 * round(6 * points / 5)


def test_the_minutes_follow_the_stated_rule():
    table = re.findall(r"^\| (\d)\. [^|]+\| (\d+) min \| (\d+ min|none) \|$", (KIT / "chapters.md").read_text(), re.M)
    assert [int(n) for n, _, _ in table] == list(range(1, 10))
    for number, teaching, exercises in table:
        expected_teaching, expected_exercises = estimated_minutes(int(number))
        assert abs(int(teaching) - expected_teaching) <= 5, f"chapter {number}: rule gives {expected_teaching} min"
        if expected_exercises is None:
            assert exercises == "none"
        else:
            assert abs(int(exercises.split()[0]) - expected_exercises) <= 5, f"chapter {number} exercises"
