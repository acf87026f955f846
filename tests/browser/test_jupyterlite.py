"""The JupyterLite site (build/lite/, `make lite`) in headless Chromium, with nothing but 127.0.0.1.

Serves the built site on a loopback port, opens chapter 1, runs every cell in the Pyodide kernel (in the
browser), drags the explorer's learning-rate slider and checks that the picture changes, then answers
exercise 1.1 in its exercise notebook and reads the check's verdict. Every request the page and its workers
make is routed through the test: one that is not for the local server is refused and fails the test (and
Chromium's resolver knows no other host, in case something slipped past the route).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from lab_server import CHROMIUM, CHROMIUM_ARGS, REPO, SCREENSHOTS, static_server

pytestmark = [pytest.mark.browser, pytest.mark.lite, pytest.mark.slow]

SITE = REPO / "build" / "lite"
KERNEL_START = 180_000  # ms: Pyodide starts in 10-30 s here, far longer on a loaded machine
FONT_CACHE_NOTE = "Matplotlib is building the font cache"
RIGHT_ANSWER = "def gd_update(w, g, lr):\n    return w - lr * g\n"
WRONG_ANSWER = "def gd_update(w, g, lr):\n    return w + lr * g\n"


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "jupyter-lite.json").exists():
        pytest.skip("build/lite/ is not built: run `make lite` (a few minutes; it caches its downloads)")
    with static_server(SITE) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    monkeypatch = pytest.MonkeyPatch()
    # JupyterLite's service worker serves the notebooks' files to the kernel; this makes Playwright report and
    # route the service worker's requests too (Chromium only).
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            yield browser
        finally:
            browser.close()
            monkeypatch.undo()


@pytest.fixture
def lite(chromium, site_url):
    """(page, requests that left the machine, page errors), in a fresh browser profile (empty storage)."""
    outside: list[str] = []
    local_origin = urlsplit(site_url).netloc
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})

    def only_local(route):
        request_url = route.request.url
        if urlsplit(request_url).netloc == local_origin or request_url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(request_url)
            route.abort()

    context.route("**/*", only_local)
    context.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
               and urlsplit(r.url).netloc != local_origin and outside.append(r.url))
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        yield page, outside, page_errors
    finally:
        context.close()


def open_notebook(page, site_url: str, path: str, kernel: bool = True) -> None:
    page.goto(f"{site_url}/lab/index.html?path={path}")
    page.locator(".jp-Notebook").first.wait_for(timeout=120_000)
    if kernel:
        wait_for_idle_kernel(page)


def wait_for_idle_kernel(page, timeout: int = KERNEL_START, queue_empty: bool = True) -> None:
    """The notebook's kernel has started and is idle, as the status bar says ("Python (Pyodide) | Idle").

    With ``queue_empty``, no cell waits to run either (no "[*]" prompt). After a cell fails, JupyterLite leaves
    the cells it will not run at "[*]" (and the toolbar's indicator at busy), so then only the status bar counts.
    """
    page.wait_for_function(
        """(queueEmpty) => {
            const bar = document.querySelector('#jp-main-statusbar');
            const queued = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
                .some(prompt => prompt.textContent.includes('*'));
            return bar && bar.innerText.includes('| Idle') && !(queueEmpty && queued);
        }""",
        arg=queue_empty, timeout=timeout,
    )


def run_all_cells(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_timeout(1000)  # the prompts turn to [*] once the kernel has the cells


def test_chapter_1_runs_and_its_slider_redraws(lite, site_url):
    page, outside, page_errors = lite
    open_notebook(page, site_url, "notebooks/01_gradient_descent.ipynb")
    run_all_cells(page)
    explorer = page.locator(".jp-OutputArea-output").filter(has=page.locator(".course-explorer-figure")).first
    explorer.wait_for(state="attached", timeout=KERNEL_START)
    wait_for_idle_kernel(page)
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    # Pyodide's file system is new at every kernel start, so matplotlib says once that it builds its font cache.
    assert [text for text in stderr if not text.startswith(FONT_CACHE_NOTE)] == []
    assert page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count() == 0
    page.screenshot(path=str(SCREENSHOTS / "lite_chapter_01.png"))

    explorer.scroll_into_view_if_needed()
    figure, readout = explorer.locator(".course-explorer-figure"), explorer.locator(".course-explorer-readout")
    before_text, before_image = readout.inner_text(), figure.screenshot()
    handle = explorer.locator(".widget-slider", has_text="lr (learning rate)").locator(".noUi-handle")
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), before_text],
                           timeout=30_000)
    wait_for_idle_kernel(page)
    page.wait_for_timeout(300)  # let the browser paint the new picture
    assert figure.screenshot() != before_image
    explorer.screenshot(path=str(SCREENSHOTS / "lite_chapter_01_explorer_after_drag.png"))
    assert outside == []
    assert page_errors == []


def answer_exercise_1_1(page, code: str) -> None:
    cell = page.locator(".jp-CodeCell").filter(has_text="def gd_update(w, g, lr):").first
    cell.wait_for(state="attached", timeout=60_000)
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)  # typed keys would be auto-indented by the editor
    run_all_cells(page)  # stops at the first check that fails, or at exercise 1.2, still unanswered


def test_exercise_1_1_gets_its_verdict(lite, site_url):
    page, outside, page_errors = lite
    open_notebook(page, site_url, "exercises/01_gradient_descent.ipynb")
    check_output = page.locator(".jp-CodeCell").filter(has_text='check("1.1", gd_update)').locator(".jp-OutputArea")

    answer_exercise_1_1(page, WRONG_ANSWER)
    failed = check_output.filter(has_text="Exercise 1.1 failed")
    failed.wait_for(state="attached", timeout=KERNEL_START)  # a verdict the committed notebook cannot hold
    wait_for_idle_kernel(page, queue_empty=False)
    page.screenshot(path=str(SCREENSHOTS / "lite_exercise_1_1_failed.png"))
    assert "Known mistake: sign error" in failed.inner_text()

    answer_exercise_1_1(page, RIGHT_ANSWER)
    passed = check_output.filter(has_text="Exercise 1.1 passed")
    passed.wait_for(state="attached", timeout=KERNEL_START)
    wait_for_idle_kernel(page, queue_empty=False)  # exercise 1.2 is unanswered: its cell fails
    assert passed.inner_text().strip() == "Exercise 1.1 passed: gd_update matches the reference on 50 cases"
    page.screenshot(path=str(SCREENSHOTS / "lite_exercise_1_1_passed.png"))
    assert outside == []
    assert page_errors == []


def test_a_request_for_another_host_is_caught(lite, site_url):
    """The guard of the two tests above can fail: a page's fetch of another host is recorded and refused."""
    page, outside, _ = lite
    page.goto(f"{site_url}/jupyter-lite.json")
    refused = page.evaluate("fetch('https://example.org/x.js').then(() => 'fetched', () => 'refused')")
    assert refused == "refused"
    assert "https://example.org/x.js" in outside


def test_a_saved_notebook_stays_and_deleting_it_brings_back_the_original(lite, site_url):
    """What the start page tells learners: work stays in the browser; Delete and reload resets a notebook."""
    page, outside, _ = lite
    path = "notebooks/08_choosing_an_optimizer.ipynb"

    def first_code_cell() -> str:
        open_notebook(page, site_url, path, kernel=False)  # no code runs: the files are what matters
        cell = page.locator(".jp-CodeCell").first
        cell.locator(".cm-content", has_text="import sys").wait_for(timeout=60_000)  # the install cell, drawn
        return cell.inner_text()

    assert "MY EDIT" not in first_code_cell()
    page.locator(".jp-CodeCell").first.locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.insert_text("# MY EDIT\n")
    page.keyboard.press("Control+s")
    page.wait_for_timeout(2000)
    assert "MY EDIT" in first_code_cell()  # saved in the browser's storage, still there after a reload

    page.locator(".jp-DirListing-item", has_text="08_choosing").first.click(button="right")
    page.get_by_role("menuitem", name="Delete").click()
    page.locator(".jp-Dialog-button", has_text="Delete").click()
    page.wait_for_timeout(2000)
    assert "MY EDIT" not in first_code_cell()  # the course's original is back
    assert page.locator(".jp-DirListing-item", has_text="08_choosing").count() == 1
    assert outside == []
