"""Build the executed notebooks from their text sources, and check that the two agree.

Every course notebook has two files side by side:

- ``NN_topic.md``: the source of truth, a jupytext MyST Markdown file that people edit and review;
- ``NN_topic.ipynb``: generated from it and committed executed, for GitHub, nbviewer, the HTML export
  and nbval.

    .venv/bin/python tools/notebooks.py                 # build every notebook in notebooks/ and solutions/
    .venv/bin/python tools/notebooks.py notebooks/04_adagrad.md solutions/04_adagrad.md
    .venv/bin/python tools/notebooks.py --check         # exit 1 when a pair disagrees (no kernel needed)
    make notebooks NB=04                                # the same through make

A build is deterministic: cells keep the ids of the previous build (new cells get ids derived from
their position and source), no execution timestamps are stored, no widget state is stored (so exported
HTML shows each explorer's still picture), and the interpreter's patch version is not recorded.

Cells tagged ``timing`` print wall-clock measurements, which differ on every run. Their stored output
is the one of the last build in which their source changed (or of a build with ``--refresh-timings``),
so that an unrelated edit does not rewrite them; nbval does not compare them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat

from course_lib.exercises.release import keep_source_newer  # the .md stays at least as new as its .ipynb

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = ("notebooks", "solutions")  # built here; exercises/ is written by `make release`
CHECKED_FOLDERS = (*SOURCE_FOLDERS, "exercises")
TEXT_FORMAT = "md:myst"
PAIRED_FORMATS = "ipynb,md:myst"
CELL_TIMEOUT = 300  # seconds
SOURCE_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.md$")


def sources(folders=SOURCE_FOLDERS) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).glob("[0-9][0-9]_*.md"))


def read_source(path: Path) -> nbformat.NotebookNode:
    nb = jupytext.read(path, fmt=TEXT_FORMAT)
    nb.metadata.setdefault("jupytext", {})["formats"] = PAIRED_FORMATS
    return nb


def _stable_id(index: int, source: str, taken: set[str]) -> str:
    digest = hashlib.sha1(f"{index}\n{source}".encode()).hexdigest()
    for start in range(0, len(digest) - 8):
        candidate = digest[start : start + 8]
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free cell id")  # 32 candidates all taken: cannot happen in practice


# A markdown cell that opens with an HTML anchor, <a id="rare-features"></a>, starts a section that other
# chapters link to. Its cell id is the anchor's, so that a link to ``04_adagrad.ipynb#cell-id=rare-features``
# lands on it in JupyterLab 4 (which scrolls to a ``cell-id=`` fragment but not to an HTML anchor in another
# notebook) and in the HTML export (nbconvert gives each cell the element id ``cell-id=<id>``).
SECTION_ANCHOR = re.compile(r'\A<a id="([A-Za-z0-9_-]{1,64})"></a>')


def section_anchor(cell: nbformat.NotebookNode) -> str | None:
    """The anchor a markdown cell opens with (its section's name for links), or None."""
    match = SECTION_ANCHOR.match(cell.source) if cell.cell_type == "markdown" else None
    return match.group(1) if match else None


def carry_over_ids(new: nbformat.NotebookNode, old: nbformat.NotebookNode | None) -> None:
    """Give each cell the id of the same cell in the previous build, or a deterministic new one.

    A section's cell (one that opens with ``<a id="name"></a>``) gets the id ``name``.

    Cells are matched by (type, source) first, then by position among cells of the same type, so that
    editing a cell's text keeps its id (the grader and the exercises refer to cells by id).
    """
    old_cells = list(old.cells) if old is not None else []
    by_content: dict[tuple[str, str], list[str]] = {}
    for cell in old_cells:
        by_content.setdefault((cell.cell_type, cell.source), []).append(cell.get("id"))
    taken: set[str] = set()
    unmatched = []
    for cell in new.cells:  # sections first: their ids are their anchors
        anchor = section_anchor(cell)
        if anchor is not None:
            if anchor in taken:
                raise ValueError(f'two sections carry the anchor <a id="{anchor}"></a>')
            cell["id"] = anchor
            taken.add(anchor)
    for index, cell in enumerate(new.cells):
        if section_anchor(cell) is not None:
            continue
        ids = [i for i in by_content.get((cell.cell_type, cell.source), []) if i and i not in taken]
        if ids:
            cell["id"] = ids[0]
            taken.add(ids[0])
        else:
            unmatched.append(index)
    # An edited cell keeps the id of the old cell that stood at its position, if that id is still free.
    for index in unmatched:
        cell = new.cells[index]
        if index < len(old_cells):
            candidate = old_cells[index].get("id")
            if candidate and candidate not in taken and old_cells[index].cell_type == cell.cell_type:
                cell["id"] = candidate
                taken.add(candidate)
                continue
        cell["id"] = _stable_id(index, cell.source, taken)
        taken.add(cell["id"])


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def merge_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream: how the kernel chunked them depends on timing."""
    merged: list = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (output.output_type == "stream" and last is not None and last.output_type == "stream"
                and last.name == output.name):
            last.text += output.text
        else:
            merged.append(output)
    return merged


def normalise(nb: nbformat.NotebookNode) -> None:
    """Drop what changes from run to run or machine to machine but says nothing about the notebook."""
    nb.metadata.pop("widgets", None)
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.outputs = merge_streams(cell.outputs)
        for output in cell.outputs:
            output.get("metadata", {}).pop("execution", None)
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                # No widget state is stored, so the model id points at nothing in any case; a random one
                # would change on every build. (Front ends then show the still picture beside it.)
                view["model_id"] = hashlib.sha1(cell.get("id", "").encode()).hexdigest()[:32]


def keep_timings(new: nbformat.NotebookNode, old: nbformat.NotebookNode | None) -> None:
    """Cells tagged ``timing`` keep their previous output while their source is unchanged."""
    if old is None:
        return
    previous = {c.get("id"): c for c in old.cells if c.cell_type == "code"}
    for cell in new.cells:
        if cell.cell_type != "code" or "timing" not in cell.metadata.get("tags", []):
            continue
        before = previous.get(cell.get("id"))
        if before is not None and before.source == cell.source and before.outputs:
            cell.outputs = before.outputs


def execute(nb: nbformat.NotebookNode, directory: Path) -> None:
    from nbclient import NotebookClient  # imported here: --check needs no kernel

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # Figures must render inline even where MPLBACKEND=Agg is set (the tests set it).
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", store_widget_state=False, record_timing=False,
        resources={"metadata": {"path": str(directory)}},
    )
    client.execute()


def build(source: Path, refresh_timings: bool = False) -> Path:
    """Execute ``source`` (a .md) top to bottom in a fresh kernel and write its paired .ipynb."""
    target = source.with_suffix(".ipynb")
    old = nbformat.read(target, as_version=4) if target.exists() else None
    nb = read_source(source)
    carry_over_ids(nb, old)
    execute(nb, source.parent)
    if not refresh_timings:
        keep_timings(nb, old)
    normalise(nb)
    nbformat.validate(nb)
    nbformat.write(nb, target)
    keep_source_newer(source, target)
    return target


def _inputs(nb: nbformat.NotebookNode) -> list[tuple]:
    """What the text source determines: each cell's type, source, tags and course metadata."""
    return [
        (c.cell_type, c.source.rstrip("\n"), tuple(c.metadata.get("tags", [])), repr(c.metadata.get("course")))
        for c in nb.cells
    ]


def disagreements(source: Path) -> list[str]:
    """How ``source`` and its .ipynb differ in text or code (an empty list when they agree)."""
    target = source.with_suffix(".ipynb")
    if not target.exists():
        return [f"{target.relative_to(ROOT)} is missing: run `make notebooks NB={source.stem[:2]}`"]
    ours, theirs = _inputs(read_source(source)), _inputs(nbformat.read(target, as_version=4))
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"{source.name} has {len(ours)} cells, {target.name} has {len(theirs)}")
    for index, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            first_line = (a[1].splitlines() or [""])[0][:70]
            problems.append(f"cell {index} differs ({a[0]} cell starting {first_line!r})")
            break
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="sources (.md) or notebooks (.ipynb); default: all")
    parser.add_argument("--check", action="store_true", help="only check that each .md and .ipynb agree")
    parser.add_argument("--refresh-timings", action="store_true", help="store new outputs in cells tagged timing")
    args = parser.parse_args(argv)
    default = sources(CHECKED_FOLDERS if args.check else SOURCE_FOLDERS)
    paths = [p.resolve().with_suffix(".md") for p in args.paths] or default
    not_sources = [str(p) for p in paths if not (p.exists() and SOURCE_NAME.match(p.name))]
    if not_sources:
        parser.error(f"not a notebook source (an existing NN_topic.md): {', '.join(not_sources)}")
    if args.check:
        problems = [f"{p.relative_to(ROOT)}: {d}" for p in paths for d in disagreements(p)]
        for line in problems:
            print(line)
        if problems:
            print("edit the .md (the source of truth), then `make notebooks NB=NN` to rebuild the .ipynb")
        return 1 if problems else 0
    for path in paths:
        print(f"building {path.relative_to(ROOT).with_suffix('.ipynb')}", flush=True)
        build(path, refresh_timings=args.refresh_timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
