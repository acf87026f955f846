"""Drive the explorers in JupyterLab with headless Chromium, as a learner would.

Starts JupyterLab (tests/browser/lab_server.py), opens the demo notebook,
runs all cells, checks that no cell shows an error and the console is clean,
then moves the learning-rate slider with the keyboard and checks that the
picture and the readout changed. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_server import SCREENSHOTS, assert_no_error_outputs, notebook_run_in_lab

pytestmark = pytest.mark.browser

DEMO = Path(__file__).with_name("explorer_demo.ipynb")
@pytest.fixture(scope="module")
def lab_page():
    with notebook_run_in_lab(DEMO, explorers=2) as opened:
        yield opened


def test_all_cells_run_without_errors(lab_page):
    page, console_errors = lab_page
    assert_no_error_outputs(page)
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
