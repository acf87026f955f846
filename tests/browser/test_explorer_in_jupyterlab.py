"""Drive the explorers in JupyterLab with headless Chromium, as a learner would.

Starts JupyterLab (tests/browser/lab_server.py), opens the demo notebook, runs all
cells, and checks: no cell shows an error and the console is clean; at 1280x800 and
1920x1080 no control, label, readout or picture is cut off (bounding boxes against the
output area, text against its box); sliders are named and speak the value they show;
the keyboard moves a slider; a mouse drag redraws while dragging and ends on the
position where the hand stopped. Redraw rates and latencies are printed and written
by ``make bench`` (benchmarks/explorer.py), never asserted here. Screenshots go to
build/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from explorer_page import accessibility, clipped_parts, drag, watch_redraws
from lab_server import SCREENSHOTS, assert_no_error_outputs, notebook_run_in_lab

pytestmark = pytest.mark.browser

DEMO = Path(__file__).with_name("explorer_demo.ipynb")
VIEWPORTS = ((1280, 800), (1920, 1080))


@pytest.fixture(scope="module")
def lab_page():
    with notebook_run_in_lab(DEMO, explorers=2, viewport=VIEWPORTS[0]) as opened:
        yield opened


def explorer_outputs(page):
    return page.locator(".jp-OutputArea-output").filter(has=page.locator(".course-explorer-figure"))


def test_all_cells_run_without_errors(lab_page):
    page, console_errors = lab_page
    assert_no_error_outputs(page)
    assert page.locator(".course-explorer-figure").count() == 2
    race = explorer_outputs(page).nth(1)
    race.scroll_into_view_if_needed()
    assert race.locator(".course-explorer-readout").inner_text().count("\n") == 3  # one line per racer
    assert console_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_nothing_is_clipped(lab_page, viewport):
    page, _ = lab_page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.wait_for_timeout(800)  # JupyterLab lays the panels out again
    for i, name in enumerate(("explorer", "race")):
        output = explorer_outputs(page).nth(i)
        output.scroll_into_view_if_needed()
        output.screenshot(path=str(SCREENSHOTS / f"{name}_{viewport[0]}x{viewport[1]}.png"))
        assert clipped_parts(output) == [], f"{name} at {viewport}"
    if viewport == (1280, 800):  # the column (about 850 px) is narrower than picture + controls: they wrap
        output = explorer_outputs(page).first
        picture = output.locator(".course-explorer-figure").bounding_box()
        controls = output.locator(".course-explorer-controls").bounding_box()
        assert controls["y"] >= picture["y"] + picture["height"] - 1


def test_sliders_are_named_speak_their_value_and_the_readout_is_a_live_region(lab_page):
    page, _ = lab_page
    output = explorer_outputs(page).first
    found = accessibility(output)
    sliders = {s["label"]: s for s in found["sliders"]}
    assert set(sliders) >= {"lr (learning rate)", "beta1 (1st moment)", "beta2 (2nd moment)", "eps (stability)"}
    for slider in sliders.values():
        assert slider["role"] == "slider" and slider["name"] == slider["label"]
        assert float(slider["spoken"]) == float(slider["shown"]), slider  # not the log slider's exponent
    assert sliders["lr (learning rate)"]["spoken"] == "0.05" and sliders["eps (stability)"]["spoken"] == "1e-8"
    assert found["readout"] == {"role": "status", "live": "polite"}
    assert found["alt"].startswith("Contour map: Adam on Rosenbrock") and "Adam [lr=0.05" in found["alt"]
    assert found["suppress"] == "true"


def test_the_keyboard_moves_the_learning_rate_slider(lab_page):
    page, console_errors = lab_page
    explorer = explorer_outputs(page).first
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator(".course-explorer-figure")
    readout = explorer.locator(".course-explorer-readout")
    before_image = figure.screenshot()
    lr_handle = explorer.locator(".widget-slider", has_text="lr (learning rate)").locator(".noUi-handle")
    lr_handle.focus()
    for _ in range(5):  # each press moves log10(lr) one step of 0.1 on the grid: -1.3 -> -0.8
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "el => el.innerText.startsWith('Adam [lr=0.1585')", arg=readout.element_handle(), timeout=15_000
    )
    assert lr_handle.get_attribute("aria-valuetext") == "0.16"  # 10 ** -0.8, as the readout shows it
    page.wait_for_timeout(300)  # let the browser paint the new PNG
    assert figure.screenshot() != before_image
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_after_keys.png"))
    assert console_errors == []


def test_a_drag_redraws_while_dragging_and_ends_where_the_hand_stopped(lab_page):
    page, console_errors = lab_page
    explorer = explorer_outputs(page).first
    explorer.scroll_into_view_if_needed()
    watch_redraws(explorer)
    result = drag(page, explorer, "lr (learning rate)", to=0.2)
    print(f"\ndrag: {result}")
    assert result["redraws_during_drag"] >= 2  # the picture followed the hand, not only the release
    # The last position wins: the readout's lr is the one the slider shows where the hand let go.
    lr_replayed = float(re.match(r"Adam \[lr=([0-9.e+-]+),", result["readout"]).group(1))
    assert float(f"{lr_replayed:.2g}") == float(result["slider_shows"]), result
    assert console_errors == []
