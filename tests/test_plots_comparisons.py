"""The comparison figures of chapters 03 and 08 (course_lib.plots.comparisons), and loss curves' markers."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import (
    AdaDelta,
    Adam,
    GradientDescent,
    LinearRegression,
    RMSprop,
    SparseLogisticRegression,
    descend,
    get_landscape,
    plots,
)
from course_lib.experiments import choosing


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def markers_shown(line) -> int:
    start, every = line.get_markevery()
    return len(range(start, len(line.get_xdata()), every))


@pytest.mark.parametrize("steps", [300, 1000])
def test_a_noisy_loss_curve_shows_about_twelve_markers_whatever_its_length(steps):
    # SGD's 300 noisy points were a black band of markers when they were spaced along the drawn line.
    run = descend(GradientDescent(lr=0.3), SparseLogisticRegression(), steps=steps, batch_size=1,
                  record_diagnostics=False)
    ax = plots.loss_curves([run, run])
    first, second = ax.get_lines()[:2]
    assert markers_shown(first) == 12
    assert first.get_markevery() != second.get_markevery()  # staggered, so that they do not hide each other
    assert plots.curves.markers_by_step(301, offset=0) == (0, 26)


def test_a_smooth_loss_curve_keeps_its_markers_along_the_line():
    # Spaced along the drawn line, a steep fall keeps its markers (by step they would all sit off the scale).
    run = descend(GradientDescent(lr=0.1), LinearRegression(n_samples=50), steps=300, record_diagnostics=False)
    (line,) = plots.loss_curves(run).get_lines()
    assert isinstance(line.get_markevery()[1], float)
    assert not plots.curves.is_noisy(run.losses) and plots.curves.is_noisy(np.array([1.0, 0.0, 1.0, 0.0, 0.9]))


def test_batch_size_tradeoff_draws_the_seeds_and_the_budgets():
    tuning = SimpleNamespace(epochs=2, seed_losses={1: np.array([0.2, 0.3]), 8: np.array([0.4, 0.6])})
    timed = {"batch_sizes": np.array([1, 8]), "budgets": np.array([0.01, 0.1]),
             "loss": np.array([[1.0, 0.5], [0.9, 0.1]])}
    left, right = plots.batch_size_tradeoff(tuning, timed).axes
    assert left.get_ylabel() == "training loss after 2 epochs" and "(2 seeds)" in left.get_title()
    data_line = left.containers[0].lines[0]
    np.testing.assert_allclose(np.asarray(data_line.get_ydata(), dtype=float), [0.25, 0.5])  # means over seeds
    assert [line.get_label() for line in right.get_lines()] == ["B = 1", "B = 8"]
    np.testing.assert_allclose(right.get_lines()[1].get_xdata(), [10.0, 100.0])  # milliseconds


def test_held_out_against_training_needs_held_out_losses():
    problem = LinearRegression(n_samples=50)
    full = descend(GradientDescent(lr=0.1), problem, steps=20, record_test_loss=True, label="full")
    mini = descend(GradientDescent(lr=0.1), problem, steps=20, batch_size=5, record_test_loss=True, label="mini")
    left, right = plots.held_out_against_training(full, mini, problem.n_samples).axes
    assert left.get_xscale() == "symlog" and right.get_xscale() == "log"
    np.testing.assert_array_equal(right.get_lines()[1].get_ydata(), full.test_losses)
    with pytest.raises(ValueError, match="mini has no held-out losses"):
        plots.held_out_against_training(full, descend(GradientDescent(), problem, steps=5), problem.n_samples)


def test_gap_races_draw_one_panel_per_landscape_and_name_a_missing_one():
    landscapes = {name: get_landscape(name) for name in ("bowl", "ravine")}
    runs = {name: [descend(Adam(lr=0.1), land, steps=30)] for name, land in landscapes.items()}
    fig = plots.gap_races(landscapes, runs, title="at lr 0.1")
    assert [ax.get_ylim() for ax in fig.axes] == [(1e-12, 1e3)] * 2
    assert fig.axes[1].get_title().endswith(": at lr 0.1")
    with pytest.raises(ValueError, match="runs has no runs for ravine"):
        plots.gap_races(landscapes, {"bowl": runs["bowl"]}, title="x")


def test_setting_sweeps_leave_out_diverged_runs_and_draw_solved_ones_at_the_floor():
    ravine = get_landscape("ravine")
    optimizers = [GradientDescent(), RMSprop()]
    sweeps = {opt.label: choosing.setting_sweep(opt, ravine, "lr", [0.01, 0.1, 10.0], steps=300) for opt in optimizers}
    (ax,) = plots.setting_sweeps([("ravine", sweeps, "final gap")], optimizers).axes
    gd_line = ax.get_lines()[0]
    assert np.isnan(gd_line.get_ydata()[-1])  # gradient descent diverged at lr 10: no point
    assert np.nanmin(np.concatenate([line.get_ydata() for line in ax.get_lines()])) >= choosing.SOLVED_GAP
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Gradient descent", "RMSprop"]


def test_data_race_has_one_legend_below_both_panels():
    problem = LinearRegression(n_samples=50)
    runs = [descend(GradientDescent(lr=0.1), problem, steps=20, label="GD"),
            descend(AdaDelta(), problem, steps=20, label="AdaDelta")]
    fig = plots.data_race(runs, title="Regression", ylim=(0.0, 5.0))
    assert all(ax.get_legend() is None for ax in fig.axes)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["GD", "AdaDelta"]
    assert fig.axes[0].get_title().startswith("Regression") and fig.axes[1].get_ylim() == (0.0, 5.0)
