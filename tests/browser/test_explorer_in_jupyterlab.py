"""Drive the explorers in JupyterLab with headless Chromium, as a learner would.

Starts JupyterLab (tests/browser/lab_server.py), opens the demo notebook,
runs all cells, checks that no cell shows an error and the console is clean,
then moves the learning-rate slider with the keyboard and checks that the
picture and the readout changed. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lab_server import CHROMIUM, jupyter_lab

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DEMO = Path(__file__).with_name("explorer_demo.ipynb")
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def fresh_copy(notebook: Path) -> Path:
    """The notebook without outputs, under build/ (git-ignored).

    Committed outputs hold widget views whose models only exist in the kernel that made them;
    JupyterLab would log "widget model not found" for them before the cells run again.
    """
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    target = REPO / "build" / "browser-test" / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data))
    return target


@pytest.fixture(scope="module")
def lab_page():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    notebook = fresh_copy(DEMO)
    with jupyter_lab(REPO) as (url, token), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        console_errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        relative = notebook.relative_to(REPO).as_posix()
        page.goto(f"{url}/lab/tree/{relative}?token={token}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        kernel_idle = page.get_by_text("Python 3 (ipykernel) | Idle")  # the status bar, once the kernel is up
        kernel_idle.wait_for(timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.locator(".course-explorer-readout").nth(1).wait_for(state="attached", timeout=60_000)
        kernel_idle.wait_for(timeout=60_000)
        yield page, console_errors
        browser.close()
    shutil.rmtree(notebook.parent, ignore_errors=True)


def test_all_cells_run_without_errors(lab_page):
    page, console_errors = lab_page
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert stderr.count() == 0, stderr.all_inner_texts()
    assert page.locator(".jp-RenderedText .ansi-red-fg, .jp-OutputArea-output .jp-RenderedText[data-mime-type="
                        "'application/vnd.jupyter.error']").count() == 0
    assert page.locator(".course-explorer-figure").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "explorer_demo_notebook.png"), full_page=True)
    race = page.locator(".jp-OutputArea-output").filter(has=page.locator(".course-explorer-figure")).nth(1)
    race.scroll_into_view_if_needed()
    assert race.locator(".course-explorer-readout").inner_text().count("\n") == 3  # one line per racer
    race.screenshot(path=str(SCREENSHOTS / "race.png"))
    assert console_errors == []


def test_learning_rate_slider_replays_and_redraws(lab_page):
    page, console_errors = lab_page
    explorer = page.locator(".jp-OutputArea-output").filter(has=page.locator(".course-explorer-figure")).first
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator(".course-explorer-figure")
    readout = explorer.locator(".course-explorer-readout")
    before_text = readout.inner_text()
    assert before_text.startswith("Adam [lr=0.05")
    before_image = figure.screenshot()
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_before.png"))

    lr_handle = explorer.locator(".widget-slider", has_text="lr (learning rate)").locator(".noUi-handle")
    lr_handle.focus()
    for _ in range(5):  # each press moves log10(lr) one step of 0.1 on the grid: -1.3 -> -0.8
        page.keyboard.press("ArrowRight")
    # Each press is one update; wait for the last one (lr = 10**-0.8 = 0.1585).
    page.wait_for_function(
        "el => el.innerText.startsWith('Adam [lr=0.1585')", arg=readout.element_handle(), timeout=15_000
    )
    after_text = readout.inner_text()
    assert after_text != before_text and "loss" in after_text
    page.wait_for_timeout(300)  # let the browser paint the new PNG
    after_image = figure.screenshot()
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_after.png"))
    assert after_image != before_image
    assert console_errors == []
