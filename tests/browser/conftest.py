"""Browser tests: skip cleanly without Chromium, and say at the end how many ran."""

from __future__ import annotations

import pytest
from lab_server import CHROMIUM

INSTALL_HINT = "Chromium not found at /usr/bin/chromium; install it with `apt-get install -y chromium` (Debian)"

_outcomes = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_collection_modifyitems(config, items):
    missing = not CHROMIUM.exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing, hint = True, "playwright is not installed; `pip install -e '.[test]'`"
    else:
        hint = INSTALL_HINT
    for item in items:
        if "browser" in item.keywords and missing:
            item.add_marker(pytest.mark.skip(reason=hint))


def pytest_runtest_logreport(report):
    if "browser" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _outcomes[report.outcome] = _outcomes.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter):
    total = sum(_outcomes.values())
    if total:
        terminalreporter.write_line(
            f"browser tests: {_outcomes['passed']} passed, {_outcomes['failed']} failed, "
            f"{_outcomes['skipped']} skipped (of {total})"
        )
