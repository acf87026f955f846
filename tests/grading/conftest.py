import pytest


def pytest_collection_modifyitems(items):
    """Every test that grades the corpus (the ``graded`` fixture) is slow: a class is graded for real."""
    for item in items:
        if "graded" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
