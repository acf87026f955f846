"""Where the course is running (a computer, Binder, Colab, or JupyterLite in the browser) and what works there.

The start page calls ``show()``. Each notebook's first code cell installs the course in Colab and JupyterLite
before anything from ``course_lib`` can be imported, so that cell cannot use this module; it tests the same
two conditions (``"google.colab" in sys.modules``, ``sys.platform == "emscripten"``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# EDIT when the course is published: "owner/name" of its GitHub repository. The README's badges and the
# notebooks' Colab links use the same placeholder; tests/test_where.py checks that they all agree, so that one
# search-and-replace of "OWNER/REPO" updates every link.
REPOSITORY = "OWNER/REPO"
BRANCH = "main"

PLACES = ("local", "binder", "colab", "jupyterlite")
BINDER_VARIABLES = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_SERVICE_HOST")

CHAPTERS = (
    ("1 · Gradient descent", "01_gradient_descent"),
    ("2 · Stochastic gradient descent", "02_stochastic_gradient_descent"),
    ("3 · Mini-batch gradient descent", "03_mini_batch_gradient_descent"),
    ("4 · AdaGrad", "04_adagrad"),
    ("5 · RMSprop", "05_rmsprop"),
    ("6 · AdaDelta", "06_adadelta"),
    ("7 · Momentum and Adam", "07_adam"),
    ("8 · Choosing an optimizer", "08_choosing_an_optimizer"),
    ("9 · In practice", "09_in_practice"),
)
CHAPTERS_WITH_EXERCISES = {name for _, name in CHAPTERS[:7]}

WHAT_WORKS = {
    "local": [
        "Everything: the chapters, the sliders, the exercise checks, `make check-exercises` and the grader.",
        "Your work is saved in the course folder on your computer.",
    ],
    "binder": [
        "The chapters, the sliders and the exercise checks; a terminal (File ▸ New ▸ Terminal) for "
        "`pytest --nbval-lax exercises/01_gradient_descent.ipynb`.",
        "Binder is temporary: the session stops after about ten idle minutes and your changes are lost. "
        "Download a notebook (File ▸ Download) to keep it.",
    ],
    "colab": [
        "The chapters and the exercise checks. The sliders need Colab's widget support (ipywidgets 7); where they "
        "stay blank, the explorer's still picture shows what they would draw.",
        "Links between notebooks cannot be followed inside Colab: use the links below, which open each notebook "
        "in Colab. Keep your work with File ▸ Save a copy in Drive.",
    ],
    "jupyterlite": [
        "Everything runs in this browser tab, with no server: the chapters, the sliders and the exercise checks. "
        "Not here: `make`, pytest, a terminal and the grader.",
        "Your work is stored in this browser only (the site's storage; clearing the browser's data deletes it). "
        "To hand a notebook in, download it: right-click it in the file browser ▸ Download (or File ▸ Download). "
        "To go back to the original of a notebook, delete your copy (right-click ▸ Delete) and reload the page.",
        "An answer that never returns freezes the tab (reload it): the browser cannot interrupt a call, so the "
        "checks' time limit is applied after the call. Timings are at the browser's clock resolution (0.1 ms) "
        "and slower than on a computer.",
    ],
}


def detect(platform: str | None = None, modules: Mapping | None = None, environ: Mapping | None = None) -> str:
    """One of PLACES: "jupyterlite" (Pyodide in a browser), "colab", "binder" or "local"."""
    platform = sys.platform if platform is None else platform
    modules = sys.modules if modules is None else modules
    environ = os.environ if environ is None else environ
    if platform == "emscripten":
        return "jupyterlite"
    if "google.colab" in modules:
        return "colab"
    if any(name in environ for name in BINDER_VARIABLES):
        return "binder"
    return "local"


def in_browser() -> bool:
    return detect() == "jupyterlite"


def refuse_in_browser(module: str, instead: str) -> None:
    """Raise ImportError in the browser: ``module`` needs processes, resource limits or files Pyodide lacks."""
    if sys.platform == "emscripten":
        raise ImportError(
            f"{module} is not available in the browser (JupyterLite): it starts separate, limited processes, "
            f"which Pyodide cannot. Run it on a computer with the course installed: {instead}"
        )


def colab_url(path: str) -> str:
    """The URL that opens ``path`` (relative to the repository root) in Colab."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{path}"


def binder_url(path: str = "notebooks/00_start_here.ipynb") -> str:
    """The URL that starts Binder and opens ``path`` in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/{path}"


def contents_table(place: str) -> str:
    """The chapters and exercises as a Markdown table, with links that work in ``place``."""
    _check_place(place)
    rows = ["| chapter | exercises |", "|---|---|"]
    for title, name in CHAPTERS:
        chapter, exercises = f"notebooks/{name}.ipynb", f"exercises/{name}.ipynb"
        if place == "colab":
            chapter_link, exercise_link = colab_url(chapter), colab_url(exercises)
        else:  # relative to notebooks/, where the start page is
            chapter_link, exercise_link = f"{name}.ipynb", f"../{exercises}"
        exercise_cell = f"[exercises {title[0]}]({exercise_link})" if name in CHAPTERS_WITH_EXERCISES else ""
        rows.append(f"| [{title}]({chapter_link}) | {exercise_cell} |")
    return "\n".join(rows)


def describe(place: str | None = None) -> str:
    """Markdown: where the course runs and what works there (with Colab links when in Colab)."""
    place = detect() if place is None else _check_place(place)
    names = {"local": "on your computer", "binder": "on Binder", "colab": "in Google Colab",
             "jupyterlite": "in your browser (JupyterLite)"}
    lines = [f"**You are running the course {names[place]}.**", ""]
    lines += [f"- {line}" for line in WHAT_WORKS[place]]
    if place == "colab":
        lines += ["", contents_table(place)]
    return "\n".join(lines)


def show(place: str | None = None) -> None:
    """Display ``describe()`` as Markdown in a notebook (printed elsewhere)."""
    text = describe(place)
    try:
        from IPython.display import Markdown, display
    except ImportError:
        print(text)
    else:
        display(Markdown(text))


def _check_place(place: str) -> str:
    if place not in PLACES:
        raise ValueError(f"place must be one of {', '.join(PLACES)}, got {place!r}")
    return place


# The first code cell of every notebook (tests/test_where.py checks that it is this text, everywhere).
# It cannot import course_lib: in Colab and JupyterLite, course_lib is what it installs.
INSTALL_CELL = f'''\
# In Google Colab and in the browser (JupyterLite) this cell installs the course; elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet --no-deps "course_lib @ git+https://github.com/{REPOSITORY}@{BRANCH}"
elif sys.platform == "emscripten":
    import piplite

    await piplite.install(["numpy", "matplotlib"])  # Pyodide's builds, served with the site
    await piplite.install(["ipywidgets", "course_lib"], deps=False)  # without deps: not JupyterLab itself'''


def run_elsewhere_links(path: str) -> str:
    """The Markdown line under each notebook's title: open ``path`` (from the repository root) in Colab."""
    return f"[Open in Colab]({colab_url(path)}) · [Launch on Binder]({binder_url(path)})"
