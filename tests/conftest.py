import os

# Plots in tests render off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")
