import os

# Plots in tests render off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS thread (inherited by nbval's kernels): the arrays are small and the machine has 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_collection_modifyitems(config, items):
    """nbval's notebook cells join the `notebook` tier, so `-m "not notebook"` leaves them out."""
    import pytest

    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
