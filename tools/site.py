"""Build the course as a static, readable HTML site in build/site/ (Sphinx, myst-nb, sphinx-book-theme).

    make site

Run by build/site-venv/bin/python (make creates it from tools/site-requirements.txt). Nothing is executed: every
page shows the outputs committed in the notebook. Where a notebook output holds an explorer, the page shows its
still picture (myst-nb would pick the widget view, which draws nothing without a kernel). Links between notebooks
become links between pages. Math is rendered by MathJax served from the site (from the npm package), so the
pages need no network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "site-cache"
STAGE = ROOT / "build" / "staging" / "site"
OUTPUT = ROOT / "build" / "site"
MATHJAX_NPM = "mathjax@3.2.2"
CONTENT_FOLDERS = ("notebooks", "exercises")

CONF = '''# Written by tools/site.py.
project = "Deep-learning optimizers, taught in Jupyter"
extensions = ["myst_nb"]
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False, "use_download_button": False}
# No copies of the .ipynb sources and no links to them: every link is to an HTML page.
html_copy_source = False
html_show_sourcelink = False
nb_execution_mode = "off"  # the committed outputs, as learners see them on GitHub
# No kernel, no widget state: show the explorers' still pictures, not their (empty) widget views.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
mathjax_path = "mathjax/tex-chtml.js"  # served by the site: no CDN
exclude_patterns = ["_build"]
# The chapters' anchors are HTML <a id="..."></a> tags, which Sphinx does not index: myst warns, but the links
# come out as page.html#anchor and the tags are in the pages.
suppress_warnings = ["mystnb.unknown_mime_type", "myst.xref_missing"]
'''


def mathjax(static: Path) -> None:
    unpacked = CACHE / "mathjax"
    if not unpacked.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", MATHJAX_NPM, "--silent", "--pack-destination", str(CACHE)], check=True)
        (archive_path,) = CACHE.glob("mathjax-*.tgz")
        with tarfile.open(archive_path) as archive:
            archive.extractall(CACHE / "npm", filter="data")
        (CACHE / "npm" / "package" / "es5").rename(unpacked)
    shutil.copytree(unpacked, static / "mathjax")


def index_page() -> str:
    pages = [f"{folder}/{p.stem}" for folder in CONTENT_FOLDERS
             for p in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))]
    toctree = "\n".join(pages)
    return f"""# Deep-learning optimizers, taught in Jupyter

The course to read: every chapter with its outputs. To run it, use JupyterLite, Binder or Colab (the links
under each page's title), or install it (`make lab`).

```{{toctree}}
:maxdepth: 1

{toctree}
```
"""


def section_links(notebook_json: str) -> str:
    """Links to a section of another chapter, ``04_adagrad.ipynb#cell-id=rare-features``, as ``...#rare-features``.

    JupyterLab scrolls to a ``cell-id=`` fragment; a section's cell id is its ``<a id>`` anchor (see
    tools/notebooks.py), and that anchor is what a Sphinx page holds.
    """
    return notebook_json.replace(".ipynb#cell-id=", ".ipynb#")


def build() -> None:
    shutil.rmtree(STAGE, ignore_errors=True)
    for folder in CONTENT_FOLDERS:
        (STAGE / folder).mkdir(parents=True)
        for notebook in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            (STAGE / folder / notebook.name).write_text(section_links(notebook.read_text()), encoding="utf-8")
    (STAGE / "conf.py").write_text(CONF)
    (STAGE / "index.md").write_text(index_page())
    mathjax(STAGE / "_static")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(STAGE), str(OUTPUT)], check=True)
    print(f"built {OUTPUT.relative_to(ROOT)}/: open {OUTPUT.relative_to(ROOT)}/index.html")


if __name__ == "__main__":
    build()
