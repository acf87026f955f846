"""Export the course to HTML whose links stay in HTML.

nbconvert keeps a markdown link as written, so an exported chapter's "Next" link points at
``02_stochastic_gradient_descent.ipynb`` and the browser opens raw JSON. ``LinksToHtml`` (an
nbconvert preprocessor) rewrites relative links to notebooks into links to their exported
pages, keeping the ``#anchor``: the course's sections carry ``<a id="...">`` anchors, so a
link to ``07_adam.html#bias-correction`` lands on that section.

    .venv/bin/python tools/export_html.py                    # notebooks/ and exercises/ -> build/html/
    .venv/bin/python tools/export_html.py --out site notebooks/04_adagrad.ipynb
    jupyter nbconvert --to html --Exporter.preprocessors=tools.export_html.LinksToHtml x.ipynb
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

ROOT = Path(__file__).resolve().parents[1]
# ](path.ipynb) or ](path.ipynb#anchor), but not absolute URLs (those point at someone else's notebook).
NOTEBOOK_LINK = re.compile(r"\]\((?!\w+://)([^)\s]+?)\.ipynb(#[^)\s]*)?\)")
HREF_LINK = re.compile(r"""href=(["'])(?!\w+://)([^"']+?)\.ipynb(#[^"']*)?\1""")


def html_links(markdown: str) -> str:
    """Markdown (and inline HTML) links to local notebooks, pointed at their exported pages."""
    markdown = NOTEBOOK_LINK.sub(lambda m: f"]({m.group(1)}.html{m.group(2) or ''})", markdown)
    return HREF_LINK.sub(lambda m: f"href={m.group(1)}{m.group(2)}.html{m.group(3) or ''}{m.group(1)}", markdown)


class LinksToHtml(Preprocessor):
    """nbconvert preprocessor: links between notebooks become links between exported pages."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = html_links(cell.source)
        return cell, resources


def export(notebooks: list[Path], out: Path) -> list[Path]:
    """Write each notebook's HTML under ``out``, keeping its folder (notebooks/, exercises/) so links resolve."""
    exporter = HTMLExporter()
    exporter.register_preprocessor(LinksToHtml, enabled=True)
    written = []
    for notebook in notebooks:
        notebook = notebook.resolve()
        body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
        relative = notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else Path(notebook.name)
        target = out / relative.with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb and exercises/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "html")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (ROOT / "exercises").glob("*.ipynb"))
    for path in export(notebooks, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
