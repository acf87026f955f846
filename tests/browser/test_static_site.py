"""The static HTML course (build/site/, `make site`) in headless Chromium: figures, still pictures, page links."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from lab_server import CHROMIUM, CHROMIUM_ARGS, REPO, SCREENSHOTS, static_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = REPO / "build" / "site"


@pytest.fixture(scope="module")
def chapter():
    """(page, links, requests that left the machine) for chapter 1's page."""
    if not (SITE / "notebooks" / "01_gradient_descent.html").exists():
        pytest.skip("build/site/ is not built: run `make site`")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with static_server(SITE) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        local = urlsplit(url).netloc

        def only_local(route):
            if urlsplit(route.request.url).netloc == local or route.request.url.startswith("data:"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        page.goto(f"{url}/notebooks/01_gradient_descent.html", wait_until="networkidle")
        try:
            yield page, url, outside
        finally:
            browser.close()


def test_a_chapter_page_shows_its_figures_and_the_explorer_still_picture(chapter):
    page, _, outside = chapter
    stored = json.loads((REPO / "notebooks" / "01_gradient_descent.ipynb").read_text())
    # A figure is stored as a PNG, or (plots.show, to carry its alt text) as an HTML <img>.
    pictures = sum(
        "image/png" in data or "<img" in "".join(data.get("text/html", ""))
        for c in stored["cells"] for data in (o.get("data", {}) for o in c.get("outputs", []))
    )
    figures = page.locator("div.cell_output img")
    assert figures.count() == pictures >= 4  # every figure of the notebook, the explorer's still picture included
    assert all(figures.nth(i).evaluate("img => img.naturalWidth") > 100 for i in range(figures.count()))
    explorer = page.locator("div.cell").filter(has_text='explore(optimizer="gd"').locator("div.cell_output img")
    assert explorer.count() == 1  # the still picture, where the widget view would show nothing
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "site_chapter_01_explorer.png"))
    assert page.locator("mjx-container").count() > 0, "MathJax rendered the equations"
    assert outside == []


def test_links_go_from_page_to_page_never_to_notebook_files(chapter):
    page, url, _ = chapter
    links = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    local = [link for link in links if link.startswith(url)]
    assert any(link.endswith("/exercises/01_gradient_descent.html") for link in local)
    assert [link for link in local if urlsplit(link).path.endswith(".ipynb")] == []
