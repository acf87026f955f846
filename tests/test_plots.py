"""course_lib.plots draws what it says: lines, markers, labels, divergence notes, closed figures."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import (
    AdaGrad,
    Adam,
    AdamW,
    GradientDescent,
    Momentum,
    RMSprop,
    StochasticLandscape,
    descend,
    get_landscape,
    get_problem,
    plots,
    schedules,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def valley():
    return get_landscape("rosenbrock")


@pytest.fixture(scope="module")
def runs(valley):
    return [descend(Adam(lr=0.1), valley, steps=100), descend(RMSprop(lr=0.01), valley, steps=100)]


@pytest.fixture(scope="module")
def diverged(valley):
    run = descend(GradientDescent(lr=0.01), valley, steps=100)
    assert run.diverged_at == 4
    return run


def texts(ax):
    return [t.get_text() for t in ax.texts]


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_contour_draws_each_run_with_start_end_and_minimum(valley, runs):
    ax = plots.contour(valley, runs)
    labels = legend_labels(ax)
    assert labels[:2] == ["Adam", "RMSprop"]
    assert {"start", "end (the hiker)", "minimum"} <= set(labels)
    paths = [line for line in ax.get_lines() if line.get_label() in ("Adam", "RMSprop")]
    np.testing.assert_array_equal(paths[0].get_xydata(), runs[0].params)
    markers = [line.get_marker() for line in ax.get_lines()]
    assert markers.count("o") == 2 and markers.count("^") == 2 and markers.count("*") == 1
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y" and ax.get_title() == valley.title


def test_contour_uses_the_fixed_optimizer_colour(valley, runs):
    ax = plots.contour(valley, runs)
    adam_line = next(line for line in ax.get_lines() if line.get_label() == "Adam")
    assert adam_line.get_color() == plots.OPTIMIZER_COLORS["adam"]


def test_contour_marks_saddles_and_uses_log_levels_when_asked():
    saddle = get_landscape("saddle")
    ax = plots.contour(saddle)
    assert "saddle" in legend_labels(ax)
    levels = plots.maps.contour_levels(np.array([[1e-3, 1.0], [10.0, 1e3]]), 7, log=True)
    assert np.allclose(np.diff(np.log10(levels)), np.log10(levels[1] / levels[0]))


def test_contour_on_a_stochastic_landscape():
    noisy = StochasticLandscape(get_landscape("foggy_valley"))
    run = descend(GradientDescent(lr=0.5), noisy, steps=30, batch_size=1)
    ax = plots.contour(noisy, run)
    assert "Gradient descent" in legend_labels(ax)


def test_diverged_run_is_drawn_to_where_it_diverged_and_labelled(valley, diverged):
    ax = plots.contour(valley, diverged)
    path = next(line for line in ax.get_lines() if line.get_label() == "Gradient descent")
    assert len(path.get_xdata()) == diverged.steps + 1 == 4
    left_at = plots.paths.left_map_at(diverged.params, valley.xlim, valley.ylim)
    assert texts(ax) == [f"left the map at step {left_at}\ndiverged at step 4"]
    ax = plots.loss_curves(diverged)
    assert "diverged at step 4" in texts(ax)


def test_a_path_that_leaves_the_map_is_ringed_where_it_left_and_says_so():
    hollows = get_landscape("foggy_valley")
    run = descend(GradientDescent(lr=10.0), hollows, start=hollows.start_point("ridge"), steps=200)
    assert not run.diverged  # issue 13: "loss 2.624 at (4.359, -5.786)", no end marker, no message
    left_at = plots.paths.left_map_at(run.params, hollows.xlim, hollows.ylim)
    assert left_at is not None
    inside = run.params[:left_at, :2]
    assert np.all((inside[:, 0] >= hollows.xlim[0]) & (inside[:, 0] <= hollows.xlim[1]))
    ax = plots.contour(hollows, run)
    assert texts(ax) == [f"left the map at step {left_at}"]
    ring = next(line for line in ax.get_lines() if line.get_marker() == "o" and line.get_markerfacecolor() == "none")
    x, y = ring.get_xydata()[0]
    on_edge = np.isclose([x, x, y, y], [*hollows.xlim, *hollows.ylim]).any()
    assert on_edge, f"the ring sits where the path crosses the edge, not at ({x}, {y})"
    assert f"Gradient descent left the map at step {left_at}" in plots.describe.figure_description(ax.figure)


def test_loss_curves_step_and_time_axes(runs):
    ax = plots.loss_curves(runs)
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss J(w)"
    assert legend_labels(ax) == ["Adam", "RMSprop"]
    assert len(ax.get_lines()) == 2
    ax = plots.loss_curves(runs, x="time")
    assert ax.get_xlabel() == "wall time (s)"
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), runs[0].times)


def test_loss_curves_log_scale_is_automatic():
    assert plots.curves.wants_log_scale([np.array([100.0, 0.5])], None)  # 2.3 decades
    assert not plots.curves.wants_log_scale([np.array([100.0, 2.0])], None)  # 1.7 decades
    assert not plots.curves.wants_log_scale([np.array([100.0, -1.0, 1e-5])], None)  # not all positive
    assert plots.curves.wants_log_scale([np.array([1.0, 2.0])], True)


def test_loss_curves_minimum_shifts_negative_losses():
    hollows = get_landscape("foggy_valley")
    run = descend(Adam(lr=0.1), hollows, steps=200)
    ax = plots.loss_curves(run, minimum=hollows.minima[0].value)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), run.losses - hollows.minima[0].value)
    assert "J*" in ax.get_ylabel()


def test_loss_curves_rejects_bad_x(runs):
    with pytest.raises(ValueError, match="x 'epochs'"):
        plots.loss_curves(runs, x="epochs")


def test_learning_rate_panel_runs_descend_per_learning_rate():
    ravine = get_landscape("ravine")
    fig = plots.learning_rate_panel(ravine, GradientDescent(), [0.01, 0.1, 0.3], steps=50)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 3
    expected = descend(GradientDescent(lr=0.1), ravine, steps=50)
    assert titles[1] == f"lr = 0.1: about right\nloss after 50 steps: {expected.final_loss:.3g}"
    assert titles[0].startswith("lr = 0.01: too small")
    diverged = descend(GradientDescent(lr=0.3), ravine, steps=50)
    assert diverged.diverged  # the ravine's steep direction needs lr < 0.2
    assert titles[2].endswith(f"diverged at step {diverged.diverged_at}")


def test_learning_rate_panel_bad_input():
    with pytest.raises(TypeError, match="optimizer must be a course_lib Optimizer"):
        plots.learning_rate_panel(get_landscape("bowl"), "gd", [0.1])
    with pytest.raises(ValueError, match=r"lrs\[1\] must be > 0"):
        plots.learning_rate_panel(get_landscape("bowl"), GradientDescent(), [0.1, -1.0])


def test_effective_lr_one_line_per_parameter_per_run():
    ravine = get_landscape("ravine")
    runs = [descend(AdaGrad(lr=0.5), ravine, steps=50), descend(RMSprop(lr=0.05), ravine, steps=50)]
    ax = plots.effective_lr(runs)
    assert legend_labels(ax) == ["AdaGrad, x", "AdaGrad, y", "RMSprop, x", "RMSprop, y"]
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), runs[0].diagnostics["effective_lr"][:, 1])
    ax = plots.effective_lr(runs, reduce="mean")
    assert len(ax.get_lines()) == 2


def test_adam_moments_shows_raw_and_corrected(runs):
    fig = plots.adam_moments(runs[0], steps=10)
    left, right = fig.axes
    np.testing.assert_array_equal(left.get_lines()[0].get_ydata(), runs[0].diagnostics["m"][:10, 0])
    np.testing.assert_array_equal(right.get_lines()[1].get_ydata(), runs[0].diagnostics["v_hat"][:10, 0])
    assert legend_labels(left) == ["raw m", "bias-corrected m_hat"]
    with pytest.raises(ValueError, match="m_hat"):
        plots.adam_moments(runs[1])


def test_sample_gradients_is_seeded_and_unbiased():
    noisy = StochasticLandscape(get_landscape("bowl"), noise=1.0)
    w = np.array([1.0, -2.0])
    a = plots.sample_gradients(noisy, w, batch_size=4, draws=50, seed=3)
    assert a.shape == (50, 2)
    np.testing.assert_array_equal(a, plots.sample_gradients(noisy, w, batch_size=4, draws=50, seed=3))
    # The whole data set as one batch is the full gradient.
    full = plots.sample_gradients(noisy, w, batch_size=noisy.n_samples, draws=2)
    np.testing.assert_allclose(full, np.tile(noisy.grad(w), (2, 1)), atol=1e-12)
    with pytest.raises(ValueError, match="batch_size must be between 1 and n_samples=200"):
        plots.sample_gradients(noisy, w, batch_size=500)


def test_gradient_noise_2d_scatter_and_high_dim_errors():
    noisy = StochasticLandscape(get_landscape("foggy_valley"))
    ax = plots.gradient_noise(noisy, noisy.start, batch_sizes=(1, 16), draws=40)
    assert legend_labels(ax) == ["one sample (SGD)", "batch of 16", "full gradient"]
    problem = get_problem("linear_regression")
    ax = plots.gradient_noise(problem, problem.init_params(0), batch_sizes=(1, 16, 256), draws=40)
    errors = ax.get_lines()[0].get_ydata()
    assert errors[0] > errors[1] > errors[2]  # bigger batches, smaller error
    assert ax.get_xscale() == "log"


def test_show_displays_once_and_closes(runs, valley, capsys):
    ax = plots.contour(valley, runs)
    assert plt.fignum_exists(ax.figure.number)
    plots.show(ax)
    assert not plt.fignum_exists(ax.figure.number)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plots.show("not a figure")


# The style table: colour plus line style plus marker, readable on white, in greyscale and with colour blindness.

FAMILIES = ("gd", "sgd", "minibatch", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "nesterov", "adamw")
WCAG_GRAPHICS = 3.0


def all_styles():
    return [*plots.STYLES.values(), *plots.style.SPARE_STYLES, *plots.series_styles(8)]


def test_every_family_shown_in_the_chapters_has_a_style():
    assert set(FAMILIES) <= set(plots.STYLES)
    assert plots.OPTIMIZER_COLORS == {name: style.color for name, style in plots.STYLES.items()}


def test_wcag_contrast_matches_published_values():
    colours = plots.colours
    assert colours.contrast_ratio("#000000") == pytest.approx(21.0)
    assert colours.contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert colours.contrast_ratio("#777777") == pytest.approx(4.48, abs=0.01)  # the classic "4.5:1 fails"
    assert colours.contrast_ratio(plots.OKABE_ITO["yellow"]) == pytest.approx(1.32, abs=0.01)  # as issue 13 measured
    assert colours.contrast_ratio(plots.OKABE_ITO["orange"]) == pytest.approx(2.25, abs=0.01)


@pytest.mark.parametrize("style", all_styles(), ids=lambda s: s.name)
def test_every_line_colour_has_3_to_1_contrast_on_white(style):
    ratio = plots.colours.contrast_ratio(style.color)
    assert ratio >= WCAG_GRAPHICS, f"{style.name} {style.color} has contrast {ratio:.2f}:1 on white"


def test_no_two_styles_share_colour_line_style_and_marker():
    for table in (list(plots.STYLES.values()) + list(plots.style.SPARE_STYLES), plots.series_styles(8)):
        keys = [(s.color, str(s.linestyle), s.marker) for s in table]
        assert len(set(keys)) == len(keys)
        markers = [s.marker for s in table]
        assert len(set(markers)) == len(markers), "every style has its own marker"
        assert not set(markers) & set(plots.style.MARKERS.values()), "start/end/minimum/saddle markers are reserved"


def grey_lightness(color):
    return plots.colours.lab(plots.colours.simulate(color, "greyscale"))[0]


def test_in_greyscale_optimizers_differ_in_line_style_where_their_greys_are_close():
    styles = [plots.STYLES[name] for name in FAMILIES]
    for i, a in enumerate(styles):
        for b in styles[i + 1:]:
            assert (a.linestyle, a.marker) != (b.linestyle, b.marker)
            if abs(grey_lightness(a.color) - grey_lightness(b.color)) < 10:  # hard to tell apart as greys
                assert a.linestyle != b.linestyle, f"{a.name} and {b.name}: close greys and the same line style"


@pytest.mark.parametrize("vision", [None, "deuteranopia", "protanopia"])
def test_optimizer_colours_stay_apart_with_colour_blindness(vision):
    colours = plots.colours
    seen = {name: style.color if vision is None else colours.simulate(style.color, vision)
            for name, style in plots.STYLES.items()}
    names = list(seen)
    closest = min((colours.delta_e(seen[a], seen[b]), a, b) for i, a in enumerate(names) for b in names[i + 1:])
    assert closest[0] >= 15, f"{closest[1]} and {closest[2]} look alike ({vision}): delta E {closest[0]:.1f}"


def test_colour_vision_simulation_keeps_grey_and_merges_red_and_green():
    colours = plots.colours
    assert colours.simulate("#808080", "deuteranopia") == "#808080"
    red, green = "#FF0000", "#00A000"
    assert colours.delta_e(red, green) > 100
    assert colours.delta_e(colours.simulate(red, "deuteranopia"), colours.simulate(green, "deuteranopia")) < 15
    with pytest.raises(ValueError, match="deficiency must be one of"):
        colours.simulate("#000000", "tetrachromacy")


def test_series_styles_are_sequential_dark_to_light_and_never_yellow():
    styles = plots.series_styles(6)
    lightness = [plots.colours.lab(s.color)[0] for s in styles]
    assert lightness == sorted(lightness)
    assert len({s.linestyle for s in styles}) == 5 and len({s.marker for s in styles}) == 6
    for s in styles:
        r, g, b = plots.colours.to_linear(s.color)
        assert not (r > 0.5 and g > 0.5 and b < 0.2), f"{s.color} is yellow"
    with pytest.raises(ValueError, match="n must be a positive integer"):
        plots.series_styles(0)


def test_runs_get_their_family_style_and_repeats_get_a_series_or_spare():
    ravine = get_landscape("ravine")
    noisy = StochasticLandscape(ravine)
    gd = descend(GradientDescent(lr=0.1), ravine, steps=5)
    sgd = descend(GradientDescent(lr=0.1), noisy, steps=5, batch_size=1)
    mini = descend(GradientDescent(lr=0.1), noisy, steps=5, batch_size=16)
    adam = descend(Adam(lr=0.1), ravine, steps=5)
    assert [s.name for s in plots.styles_for([gd, sgd, mini, adam])] == ["gd", "sgd", "minibatch", "adam"]
    assert plots.styles_for([gd, gd, adam])[1] == plots.style.SPARE_STYLES[0]
    assert plots.styles_for([adam, adam, adam]) == plots.series_styles(3)


def test_lines_carry_the_style_not_only_the_colour(valley, runs):
    ax = plots.loss_curves(runs)
    adam, rmsprop = ax.get_lines()
    assert adam.get_marker() == plots.STYLES["adam"].marker and rmsprop.get_marker() == plots.STYLES["rmsprop"].marker
    assert adam.get_linestyle() == "-" and rmsprop.get_linestyle() == ":"
    ax = plots.contour(valley, runs)
    path = next(line for line in ax.get_lines() if line.get_label() == "RMSprop")
    assert path.get_marker() == "<" and path.get_color() == plots.STYLES["rmsprop"].color


# Sizes: every figure fits the notebook column, and its smallest text is at least 9 px on screen.

def _figures_of_every_public_function(valley, runs):
    ravine = get_landscape("ravine")
    adaptive = [descend(AdaGrad(lr=0.5), ravine, steps=50), descend(RMSprop(lr=0.05), ravine, steps=50)]
    noisy = StochasticLandscape(get_landscape("foggy_valley"))
    problem = get_problem("linear_regression")
    return {
        "contour": plots.contour(valley, runs).figure,
        "loss_curves": plots.loss_curves(runs).figure,
        "learning_rate_panel (3)": plots.learning_rate_panel(ravine, GradientDescent(), [0.01, 0.1, 0.3]),
        "learning_rate_panel (5)": plots.learning_rate_panel(ravine, GradientDescent(), [0.01, 0.03, 0.1, 0.2, 0.3]),
        "effective_lr": plots.effective_lr(adaptive).figure,
        "adam_moments": plots.adam_moments(runs[0]),
        "gradient_noise (2-D)": plots.gradient_noise(noisy, noisy.start, batch_sizes=(1, 16), draws=20).figure,
        "gradient_noise (errors)": plots.gradient_noise(problem, problem.init_params(0), (1, 16), draws=20).figure,
        "panels (5)": plots.panels(5)[0],
        "sweep": plots.sweep([0.01, 0.1, 1.0], {"a": [1.0, 0.1, np.inf], "b": [2.0, 0.5, 0.2]}).figure,
        "schedule_rates": plots.schedule_rates({"cosine": schedules.CosineAnnealing(50)}, lr=0.1, steps=50).figure,
    }


def test_every_plot_fits_the_column_with_text_of_9_px_or_more(valley, runs):
    for name, fig in _figures_of_every_public_function(valley, runs).items():
        width_px = fig.get_figwidth() * fig.dpi
        assert width_px <= plots.style.COLUMN_PX, f"{name} is {width_px:.0f} px wide"
        size, text = plots.smallest_text_px(fig)
        assert size >= plots.style.MIN_FONT_PX, f"{name}: {text!r} is {size:.1f} px on screen"


def test_smallest_text_counts_the_shrinking_of_a_wide_figure():
    fig, ax = plt.subplots(figsize=(18, 3.6), dpi=100)  # chapter 8's old 1800 px figure
    ax.plot([0, 1], label="Adam")
    ax.legend(fontsize=8)
    size, text = plots.smallest_text_px(fig)
    assert text == "Adam" and size == pytest.approx(8 * 100 / 72 * 800 / 1800)  # about 4.9 px
    assert plots.figures.displayed_scale(fig) == pytest.approx(800 / 1800)


def test_panels_wrap_into_rows_that_fit_the_column():
    fig, axes = plots.panels(5)
    assert len(axes) == 5 and len(fig.axes) == 5
    assert fig.get_figwidth() * fig.dpi == plots.style.COLUMN_PX
    rows = sorted({round(ax.get_position().y0, 2) for ax in axes})
    assert len(rows) == 3  # 2 + 2 + 1
    fig, ax = plots.panels(1)
    assert fig.get_figwidth() == plots.style.FIGURE_WIDTH
    with pytest.raises(ValueError, match="max_columns must be an integer >= 1"):
        plots.panels(2, max_columns=0)


def test_default_titles_name_the_problem_not_code_names_or_run_lists(runs):
    hollows = get_landscape("foggy_valley")
    run = descend(Adam(lr=0.1), hollows, steps=20)
    ax = plots.loss_curves([run, descend(RMSprop(lr=0.01), hollows, steps=20)])
    title = ax.get_title().replace("\n", " ")
    assert title == f"Loss per step on {hollows.title}"
    assert "foggy_valley" not in title and "Adam" not in title
    title = plots.effective_lr(runs).get_title().replace("\n", " ")
    assert title.startswith("Effective learning rate per parameter on")


def test_long_titles_wrap_to_their_panel():
    fig, axes = plots.panels(3, max_columns=3)
    plots.figures.set_title(axes[0], "A very long title that would certainly spill over into the next panel")
    fig.canvas.draw()
    assert axes[0].title.get_window_extent().x1 <= axes[1].get_window_extent().x0


def test_the_divergence_note_stays_inside_its_panel_below_the_title():
    fig = plots.learning_rate_panel(get_landscape("ravine"), GradientDescent(), [0.01, 0.1, 0.3], steps=50)
    fig.canvas.draw()
    panel = fig.axes[2]
    note = next(t for t in panel.texts if "diverged at step" in t.get_text())
    box = note.get_bbox_patch().get_window_extent()
    assert box.y1 <= panel.get_window_extent().y1 and box.y1 < panel.title.get_window_extent().y0


# Text descriptions: every plot carries one, show publishes it where screen readers and nbconvert find it.

def test_every_public_plot_has_a_generated_description(valley, runs):
    for name, fig in _figures_of_every_public_function(valley, runs).items():
        if name.startswith("panels"):
            continue
        text = plots.describe.figure_description(fig)
        assert len(text) > 40 and "no description" not in text, f"{name}: {text!r}"
    text = plots.describe.figure_description(plots.contour(valley, runs).figure)
    assert text.startswith(f"Contour map: {valley.title}. Paths: Adam and RMSprop")
    assert f"with loss {runs[0].final_loss:.3g} after 100 steps" in text
    assert "diverged at step 4" in plots.describe.figure_description(
        plots.loss_curves(descend(GradientDescent(lr=0.01), valley, steps=100)).figure)


def test_the_callers_alt_wins_and_bad_alt_is_refused(valley, runs):
    ax = plots.contour(valley, runs, alt="Two paths curve into the banana valley.")
    assert plots.describe.figure_description(ax.figure) == "Two paths curve into the banana valley."
    with pytest.raises(ValueError, match="alt must be a non-empty description"):
        plots.loss_curves(runs, alt="  ")


def test_two_panels_are_described_left_then_right(valley, runs):
    fig, (left, right) = plots.panels(2)
    plots.contour(valley, runs, ax=left)
    plots.loss_curves(runs, ax=right)
    text = plots.describe.figure_description(fig)
    assert text.startswith("Left: Contour map") and " Right: Loss against step" in text


def captured_show(monkeypatch, fig, **kwargs):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    plots.show(fig, **kwargs)
    assert len(shown) == 1
    return shown[0]


def test_show_publishes_an_img_with_alt_text_and_the_description_as_text(monkeypatch, valley, runs):
    import html.parser

    ax = plots.contour(valley, runs, alt='Paths "A" & <B>')
    bundle = captured_show(monkeypatch, ax)
    images = []

    class Images(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                images.append(dict(attrs))

    Images().feed(bundle["text/html"])
    assert images[0]["alt"] == 'Paths "A" & <B>'  # escaped in the HTML, intact once parsed
    assert images[0]["width"] == str(int(plots.style.FIGURE_WIDTH * plots.style.DPI))
    assert images[0]["src"].startswith("data:image/png;base64,iVBOR")
    assert bundle["text/plain"] == '[figure: Paths "A" & <B>]'
    assert not plt.fignum_exists(ax.figure.number)


@pytest.mark.slow
def test_nbconvert_html_export_keeps_the_alt_text(tmp_path):
    """A real notebook, executed and exported with `jupyter nbconvert --to html`: the figure's <img> has our alt."""
    import subprocess
    import sys

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from course_lib import GradientDescent, descend, get_landscape, plots\n"
        "bowl = get_landscape('bowl')\n"
        "plots.show(plots.contour(bowl, descend(GradientDescent(lr=0.1), bowl, steps=20)))\n"
        "plots.show(plots.contour(bowl), alt='An empty bowl, drawn as rings.')")]
    path = tmp_path / "alt.ipynb"
    nbformat.write(nb, path)
    jupyter = [sys.executable, "-m", "nbconvert"]
    subprocess.run([*jupyter, "--to", "html", "--execute", str(path)], check=True, capture_output=True, timeout=120)
    page = (tmp_path / "alt.html").read_text()
    assert 'alt="Contour map: Convex bowl' in page
    assert 'alt="An empty bowl, drawn as rings."' in page
    assert "No description has been provided for this image" not in page


def test_show_shrinks_a_figure_wider_than_the_column_keeping_its_text_size(monkeypatch):
    fig, axes = plt.subplots(1, 5, figsize=(18, 3.6), dpi=100, layout="constrained")  # chapter 8's old figure
    for ax in axes:
        ax.plot([0, 1], label="Adam")
        ax.legend(fontsize=8)
    captured_show(monkeypatch, fig)
    assert fig.get_figwidth() * fig.dpi == pytest.approx(800) and fig.get_figheight() == pytest.approx(3.6 * 8 / 18)
    assert plots.smallest_text_px(fig)[0] == pytest.approx(8 * 100 / 72)  # 11 px, not 4.9


def test_round_maps_are_drawn_with_equal_axes_and_long_ones_are_not():
    assert plots.contour(get_landscape("bowl")).get_aspect() == 1.0
    assert plots.contour(get_landscape("ravine")).get_aspect() == "auto"


def test_loss_curves_per_epoch():
    problem = get_problem("linear_regression")
    full = descend(GradientDescent(lr=0.1), problem, steps=10)
    mini = descend(GradientDescent(lr=0.1), problem, steps=10, batch_size=problem.n_samples // 4)
    ax = plots.loss_curves([full, mini], x="epoch", n_samples=problem.n_samples)
    assert ax.get_xlabel() == "epoch (passes over the data)"
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), np.arange(11))
    np.testing.assert_allclose(ax.get_lines()[1].get_xdata(), np.arange(11) / 4)
    with pytest.raises(TypeError, match="n_samples must be an integer >= 1"):
        plots.loss_curves(full, x="epoch")


def test_shrinking_a_wide_figure_rewraps_its_titles(monkeypatch):
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), dpi=100, layout="constrained")
    right.set_title("SGD keeps wandering around the minimum of the cost")
    captured_show(monkeypatch, fig)
    fig.canvas.draw()
    assert "\n" in right.get_title() and right.title.get_window_extent().x1 <= fig.bbox.x1


def test_show_wraps_hand_set_titles_and_keeps_intended_line_breaks(monkeypatch):
    fig = plots.learning_rate_panel(get_landscape("ravine"), GradientDescent(), [0.01, 0.1, 0.3], steps=20)
    before = [ax.get_title() for ax in fig.axes]
    fig2, (left, right) = plots.panels(2)
    right.set(title="SGD keeps wandering around the minimum of the cost, step after step")
    captured_show(monkeypatch, fig)
    captured_show(monkeypatch, fig2)
    assert [ax.get_title() for ax in fig.axes] == before  # "lr = ...: verdict" stays above "loss after ..."
    assert "\n" in right.get_title()


# Chapter 9's pictures: sweeps and schedules, and the variants' styles.

def test_sweep_draws_one_line_per_series_and_marks_divergence_on_the_top_edge():
    ax = plots.sweep([0.01, 0.1, 1.0], {"plain": [1.0, 0.1, np.inf], "clipped": [2.0, 0.5, 0.2]},
                     styles=["momentum", "nesterov"])
    lines = ax.get_lines()
    assert lines[0].get_color() == plots.STYLES["momentum"].color and list(lines[0].get_xdata()) == [0.01, 0.1]
    cross = lines[1]
    assert cross.get_marker() == "x" and list(cross.get_xdata()) == [1.0] and cross.get_ydata()[0] > 2.0
    assert lines[2].get_color() == plots.STYLES["nesterov"].color
    text = plots.describe.figure_description(ax.figure)
    assert "plain: lowest 0.1 at 0.1, diverged at 1" in text and "clipped: lowest 0.2 at 1" in text
    assert ax.get_legend().get_title().get_text() == "x on the top edge: diverged"


def test_sweep_takes_styles_as_objects_and_checks_its_input():
    dotted = plots.STYLES["adam"].with_linestyle(":")
    ax = plots.sweep([1, 2], {"a": [1, 2], "b": [2, 3]}, styles=[plots.STYLES["adam"], dotted], log_x=False)
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", ":"]
    assert dotted.color == plots.STYLES["adam"].color and dotted.marker == plots.STYLES["adam"].marker
    with pytest.raises(ValueError, match=r"results\['a'\] has 1 entries, but there are 2 values"):
        plots.sweep([1, 2], {"a": [1]})
    with pytest.raises(ValueError, match="styles has 1 entries, but results has 2 series"):
        plots.sweep([1, 2], {"a": [1, 2], "b": [1, 2]}, styles=["adam"])
    with pytest.raises(ValueError, match="results must hold at least one series"):
        plots.sweep([1, 2], {})


def test_schedule_rates_draws_the_rate_of_every_update():
    ax = plots.schedule_rates({"step": schedules.StepDecay(5, 0.5), "warm-up": schedules.LinearWarmup(4, 0.25)},
                              lr=0.2, steps=12)
    step, warm = ax.get_lines()
    np.testing.assert_array_equal(step.get_ydata(), schedules.StepDecay(5, 0.5).rates(0.2, 12))
    assert list(warm.get_xdata()) == list(range(1, 13))
    assert "step from 0.2 to 0.05" in plots.describe.figure_description(ax.figure)
    with pytest.raises(TypeError, match=r"schedules\['x'\] must be a course_lib.schedules Schedule, got float"):
        plots.schedule_rates({"x": 0.1}, lr=0.1, steps=5)


def test_nesterov_runs_get_their_own_style():
    ravine = get_landscape("ravine")
    heavy = descend(Momentum(lr=0.05), ravine, steps=5)
    nesterov = descend(Momentum(lr=0.05, nesterov=True), ravine, steps=5)
    adamw = descend(AdamW(lr=0.05), ravine, steps=5)
    assert plots.styles_for([heavy, nesterov, adamw]) == [plots.STYLES[k] for k in ("momentum", "nesterov", "adamw")]
