"""Browser tests: skip cleanly without Chromium, and say at the end how many ran."""

from __future__ import annotations

import pytest
from lab_server import CHROMIUM

INSTALL_HINT = f"Chromium not found at {CHROMIUM}; install it with `apt-get install -y chromium` (Debian)"

_browser_tests: set[str] = set()
_outcomes = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_collection_modifyitems(config, items):
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed; `pip install -e '.[test]'`"
    else:
        reason = None if CHROMIUM.exists() else INSTALL_HINT
    for item in items:
        if item.get_closest_marker("browser") is None:  # the marker, not the folder name
            continue
        _browser_tests.add(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_logreport(report):
    if report.nodeid not in _browser_tests:
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
