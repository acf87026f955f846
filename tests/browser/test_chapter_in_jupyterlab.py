"""A real chapter, run top to bottom in JupyterLab in headless Chromium."""

from __future__ import annotations

import pytest
from lab_server import REPO, SCREENSHOTS, assert_no_error_outputs, notebook_run_in_lab

pytestmark = pytest.mark.browser


def test_a_chapter_runs_in_jupyterlab_with_its_explorer():
    """A real chapter, top to bottom in the browser: no error, a clean console, a live explorer."""
    chapter = REPO / "notebooks" / "05_rmsprop.ipynb"
    with notebook_run_in_lab(chapter, explorers=1) as (page, console_errors):
        assert_no_error_outputs(page)
        explorer = page.locator(".jp-OutputArea-output").filter(has=page.locator(".course-explorer-figure")).first
        explorer.scroll_into_view_if_needed()
        assert explorer.locator(".course-explorer-readout").inner_text().startswith("RMSprop [lr=")
        explorer.screenshot(path=str(SCREENSHOTS / "chapter_05_explorer.png"))
        assert explorer.locator(".widget-slider", has_text="gamma").count() == 1
        assert console_errors == []
