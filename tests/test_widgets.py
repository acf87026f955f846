"""Explorers without a browser: replay returns what the controls ask for; sliders match the optimizer."""

import base64

import ipywidgets as W
import numpy as np
import pytest

from course_lib import Adam, GradientDescent, descend, get_landscape
from course_lib.widgets import SETTING_CONTROLS, Setting, explore, race, relevant_sliders, replay, replay_race


def test_relevant_sliders_follow_each_optimizers_hyperparameters():
    assert relevant_sliders("gd") == ("lr",)
    assert relevant_sliders("momentum") == ("lr", "beta")
    assert relevant_sliders("adagrad") == ("lr", "eps")
    assert relevant_sliders("rmsprop") == ("lr", "gamma", "eps")
    assert relevant_sliders("adam") == ("lr", "beta1", "beta2", "eps")
    with pytest.raises(ValueError, match="unknown optimizer 'sgdx'"):
        relevant_sliders("sgdx")


def test_replay_is_descend_with_the_controls_values():
    result = replay(Setting("rosenbrock", "left", steps=120), "adam", {"lr": 0.05, "beta1": 0.8})
    valley = get_landscape("rosenbrock")
    expected = descend(Adam(lr=0.05, beta1=0.8), valley, start=valley.start_point("left"), steps=120)
    np.testing.assert_array_equal(result["x"], expected.params[:, 0])
    np.testing.assert_array_equal(result["y"], expected.params[:, 1])
    assert len(result["x"]) == 121
    assert result["readout"].startswith("Adam [lr=0.05, beta1=0.8]: loss ")


def test_replay_reports_divergence():
    result = replay(Setting("rosenbrock", steps=50), "gd", {"lr": 0.01})
    assert result["diverged_at"] == 4 and result["left_at"] == 2
    assert result["readout"] == "Gradient descent [lr=0.01]: left the map at step 2; diverged at step 4"


def test_replay_with_batch_size_is_sgd_on_the_stochastic_landscape():
    setting = Setting("bowl", steps=30)
    full = replay(setting, "gd", {"lr": 0.1})
    noisy = replay(setting.changed(batch_size=1), "gd", {"lr": 0.1})
    assert not np.allclose(full["x"], noisy["x"])
    np.testing.assert_array_equal(noisy["x"], replay(setting.changed(batch_size=1), "gd", {"lr": 0.1})["x"])


def test_replay_race_shares_start_and_scales_every_lr():
    gd, adam = replay_race(Setting("bowl", "corner", steps=20), ["gd", "adam"],
                           {"gd": {"lr": 0.1}, "adam": {"lr": 0.2}}, lr_multiplier=0.5)
    assert gd["x"][0] == adam["x"][0] == -4.0
    bowl = get_landscape("bowl")
    expected = descend(GradientDescent(lr=0.05), bowl, start=bowl.start_point("corner"), steps=20)
    np.testing.assert_array_equal(gd["x"], expected.params[:, 0])
    assert "lr=0.1" in adam["readout"]



def test_a_setting_is_checked_when_made_and_changed_by_name():
    setting = Setting("rosenbrock")
    assert setting.start == "classic" and setting.steps == 200  # the landscape's first named start
    assert setting.changed(landscape="bowl").start == "corner"  # a new landscape starts at its own first start
    assert setting.changed(start="left").changed(steps=50).start == "left"
    assert tuple(f for f in Setting.__dataclass_fields__ if f != "seed") == SETTING_CONTROLS
    with pytest.raises(ValueError, match="unknown start 'corner'"):
        Setting("rosenbrock", "corner")
    with pytest.raises(ValueError, match="steps"):
        setting.changed(steps=0)
    with pytest.raises(TypeError, match="unknown control.*lr; allowed: landscape, start, steps, batch_size"):
        setting.changed(lr=0.1)
    with pytest.raises(AttributeError):
        setting.steps = 10  # frozen: an explorer replaces its setting, it never edits one in place


def test_a_replay_is_computed_once_and_shared_read_only():
    from course_lib.widgets import forget_replays

    setting = Setting("bowl", steps=20)
    first = replay(setting, "adam", {"lr": 0.1})
    again = replay(setting, "adam", {"lr": 0.1})
    assert again["trajectory"] is first["trajectory"] and again is not first  # remembered, in a fresh dict
    with pytest.raises(ValueError, match="read-only"):
        first["x"][0] = 1.0  # shared with later calls: nobody may change it
    assert replay(setting, "adam", {"lr": 0.2})["trajectory"] is not first["trajectory"]
    forget_replays()
    fresh = replay(setting, "adam", {"lr": 0.1})
    assert fresh["trajectory"] is not first["trajectory"]
    np.testing.assert_array_equal(fresh["x"], first["x"])

def slider_names(explorer):
    return {w.description.split()[0] for w in explorer.sliders.values()}


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
def test_explorer_shows_only_the_sliders_that_matter(optimizer):
    explorer = explore(optimizer, "bowl", steps=20)
    assert slider_names(explorer) == set(relevant_sliders(optimizer))
    assert isinstance(explorer.sliders["lr"], W.FloatLogSlider)


def test_explorer_update_redraws_the_same_figure_and_readout():
    explorer = explore("adam", "rosenbrock", lr=0.05)
    figure, path = explorer.live.figure, explorer.live.paths[0]
    before_png, before_text = explorer.image.value, explorer.readout.value
    result = explorer.update(lr=0.2)
    assert explorer.live.figure is figure and explorer.live.paths[0] is path  # updated in place
    np.testing.assert_array_equal(path.get_xdata(), result["x"])
    assert explorer.image.value != before_png and bytes(explorer.image.value).startswith(b"\xff\xd8")  # JPEG
    assert explorer.readout.value != before_text and "lr=0.2" in explorer.readout.value


def test_moving_a_slider_runs_update():
    explorer = explore("rmsprop", "ravine", steps=50)
    explorer.sliders["lr"].value = 0.1
    assert explorer.hyperparams["lr"] == 0.1 and "lr=0.1" in explorer.readout.value
    explorer.general["steps"].value = 30
    assert len(explorer.live.paths[0].get_xdata()) == 31


def test_explorer_landscape_and_start_menus():
    explorer = explore("adam", "rosenbrock", lr=0.05)
    explorer.landscape_menu.value = "saddle"
    assert explorer.start_menu.options == ("ridge", "side")
    assert explorer.live.paths[0].get_xdata()[0] == 2.0
    explorer.start_menu.value = "side"
    assert explorer.live.paths[0].get_ydata()[0] == 0.5


def test_explorer_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="unknown landscape 'moon'"):
        explore("adam", "moon")
    with pytest.raises(TypeError, match="beta1 is not a hyperparameter of 'gd'"):
        explore("gd", beta1=0.9)
    explorer = explore("gd", "bowl")
    with pytest.raises(ValueError, match="lr must be > 0, got -1"):
        explorer.update(lr=-1.0)
    with pytest.raises(TypeError, match="unknown control"):
        explorer.update(momentum=0.5)


def test_static_fallback_is_in_the_same_mimebundle():
    explorer = explore("gd", "bowl", lr=0.1, steps=30)
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.view.model_id
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["text/plain"].startswith("Explorer: Gradient descent [lr=0.1]")


def test_race_has_one_path_per_optimizer_and_a_shared_multiplier():
    contest = race(("gd", "momentum", "rmsprop", "adam"), "bowl", steps=40)
    assert [p.get_label() for p in contest.live.paths] == ["Gradient descent", "Momentum", "RMSprop", "Adam"]
    before = contest.live.paths[3].get_xdata().copy()
    contest.sliders["lr_multiplier"].value = 3.0
    assert not np.array_equal(before, contest.live.paths[3].get_xdata())
    assert contest.readout.value.count("<br>") == 3
    bundle = contest._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_batch_size_slider_makes_the_landscape_stochastic():
    explorer = explore("gd", "bowl", steps=30, batch_size=4, lr=0.1)
    assert "batch_size" in explorer.general
    before = explorer.live.paths[0].get_xdata().copy()
    explorer.general["batch_size"].value = 64
    after = explorer.live.paths[0].get_xdata()
    assert not np.array_equal(before, after)
    expected = replay(Setting("bowl", "corner", steps=30, batch_size=64), "gd", {"lr": 0.1})
    np.testing.assert_array_equal(after, expected["x"])


def test_sliders_argument_chooses_a_subset():
    explorer = explore("adam", "bowl", steps=20, sliders=("lr", "beta1"))
    assert slider_names(explorer) == {"lr", "beta1"}
    with pytest.raises(ValueError, match="unknown slider 'gamma'"):
        explore("adam", "bowl", sliders=("gamma",))


# Following the hand: slider moves faster than redraws are merged, and the last one wins.

class FakeLoop:
    def __init__(self):
        self.calls = []

    def call_later(self, delay, callback):
        self.calls.append((delay, callback))

    def run_pending(self):
        calls, self.calls = self.calls, []
        for _, callback in calls:
            callback()


def test_requests_while_a_redraw_is_scheduled_merge_into_it():
    from course_lib.widgets.throttle import LatestWins

    drawn, loop, now = [], FakeLoop(), [10.0]
    throttle = LatestWins(drawn.append, min_gap=0.02, clock=lambda: now[0], loop=lambda: loop)
    for lr in (0.1, 0.2, 0.3):
        throttle.request(lr=lr)
    throttle.request(beta1=0.5)
    assert len(loop.calls) == 1 and loop.calls[0][0] == 0.0  # nothing drawn recently: at once
    loop.run_pending()
    assert drawn == [{"lr": 0.3, "beta1": 0.5}]  # one redraw, newest value of each control
    throttle.request(lr=0.4)
    assert loop.calls[0][0] == pytest.approx(0.02)  # just after a redraw: wait min_gap, gathering moves
    now[0] += 0.05
    throttle.request(lr=0.5)
    loop.run_pending()
    assert drawn[-1] == {"lr": 0.5} and throttle.requests == 6 and throttle.redraws == 2


def test_without_an_event_loop_a_request_redraws_at_once():
    from course_lib.widgets.throttle import LatestWins

    drawn = []
    throttle = LatestWins(drawn.append)
    throttle.request(lr=0.1)
    throttle.request(lr=0.2)
    assert drawn == [{"lr": 0.1}, {"lr": 0.2}]


def test_a_burst_faster_than_redraws_never_queues_and_ends_on_the_last_position():
    """Moves every 2 ms, redraws taking 15 ms (a real asyncio loop): few redraws, none stale at the end."""
    import asyncio
    import time

    from course_lib.widgets.throttle import LatestWins

    drawn = []

    def slow_redraw(values):
        time.sleep(0.015)
        drawn.append(values["lr"])

    async def drag():
        throttle = LatestWins(slow_redraw)
        for i in range(100):
            throttle.request(lr=i)
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.1)
        return throttle

    throttle = asyncio.run(drag())
    assert drawn[-1] == 99  # the last position wins
    assert len(drawn) < 40 and drawn == sorted(drawn)  # merged, in order, never replaying stale moves
    assert throttle.requests == 100 and not throttle.pending


def test_dragging_a_slider_in_a_running_kernel_loop_redraws_less_often_than_it_moves():
    import asyncio

    explorer = explore("adam", "rosenbrock", lr=0.05, steps=100)
    slider = explorer.sliders["lr"]

    async def drag():
        for lr in np.geomspace(0.01, 0.2, 30):
            slider.value = float(lr)  # what a comm message from the browser does
            await asyncio.sleep(0)
        await asyncio.sleep(0.3)

    asyncio.run(drag())
    assert explorer.throttle.requests == 30 and explorer.throttle.redraws < 30
    assert explorer.hyperparams["lr"] == pytest.approx(0.2)
    assert explorer.readout.value.startswith("Adam [lr=0.2, ")


def test_sliders_redraw_while_dragging_and_show_real_values():
    explorer = explore("rmsprop", "foggy_valley", lr=0.05, gamma=0.9)
    lr, gamma, eps = explorer.sliders["lr"], explorer.sliders["gamma"], explorer.sliders["eps"]
    assert all(s.continuous_update for s in [lr, gamma, eps, *explorer.general.values()])
    # Python's "g" trims trailing zeros like the spoken value does (the browser's d3 "g" keeps them: "0.050").
    def shown(slider, value):
        return f"{value:{slider.readout_format}}"

    assert lr.readout_format == ".2g" and shown(lr, lr.value) == "0.05"
    assert shown(gamma, 0.9000000000000001) == "0.9"
    assert shown(eps, eps.value) == "1e-08"
    assert lr.description == "lr (learning rate)" and gamma.description == "gamma (decay)"


# Saying what is running and where it went.

def test_the_readout_and_picture_say_when_the_path_leaves_the_map():
    explorer = explore("gd", "foggy_valley", start="ridge", lr=10.0)
    result = explorer.update(lr=10.0)
    assert result["left_at"] is not None and result["diverged_at"] is None
    assert f"left the map at step {result['left_at']}" in explorer.readout.value
    assert explorer.live.notes[0].get_text() == f"left the map at step {result['left_at']}"
    assert len(explorer.live.exits[0].get_xdata()) == 1  # the ring where it crossed the edge
    explorer.update(lr=0.1)
    assert explorer.live.notes[0].get_text() == "" and len(explorer.live.exits[0].get_xdata()) == 0



@pytest.mark.parametrize("optimizer, landscape, lr", [("rmsprop", "rosenbrock", 0.3), ("momentum", "saddle", 1.0),
                                                      ("gd", "foggy_valley", 10.0)])
def test_the_exit_ring_is_whole_in_the_frame_and_covers_no_title_or_tick_label(optimizer, landscape, lr):
    """The ring sits on the map's edge (top, top and right here): all of it is in the picture, over no text."""
    explorer = explore(optimizer, landscape, steps=200, lr=lr)
    assert explorer.update()["left_at"] is not None
    live = explorer.live
    renderer = live.figure.canvas.get_renderer()
    ring = live.exits[0].get_window_extent(renderer)
    assert live.figure.bbox.contains(ring.x0, ring.y0) and live.figure.bbox.contains(ring.x1, ring.y1)
    texts = [live.ax.title, *live.ax.get_xticklabels(), *live.ax.get_yticklabels()]
    for text in texts:
        if text.get_text():
            assert not ring.overlaps(text.get_window_extent(renderer)), f"the ring covers {text.get_text()!r}"

def test_sgd_explorer_is_titled_sgd_and_its_readout_shows_the_batch_size():
    explorer = explore("gd", "foggy_valley", start="ridge", steps=100, batch_size=1, lr=0.2)
    assert explorer.live.title.startswith("SGD on The foggy valley")
    assert explorer.readout.value.startswith("SGD [lr=0.2, batch size 1]: ")
    explorer.update(batch_size=16)
    assert explorer.live.title.startswith("Mini-batch GD on")
    assert explorer.readout.value.startswith("Mini-batch GD [lr=0.2, batch size 16]: ")
    sgd = replay(Setting("bowl", steps=10, batch_size=1), "gd", {"lr": 0.1})
    assert "SGD" in explore("gd", "bowl", batch_size=1).alt_text([sgd])


def test_the_still_picture_varies_what_the_caller_asks_about():
    explorer = explore("gd", "foggy_valley", start="ridge", steps=100, batch_size=16, lr=0.2, still="batch_size")
    fig = explorer.still_figure()
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["batch size 1", "batch size 16", "batch size 64"]
    title = fig.get_suptitle().replace("\n", " ")
    assert title.startswith("SGD and mini-batch GD on") and "three batch sizes" in title and "still picture" in title
    fig = explore("gd", "bowl", lr=0.1, steps=20).still_figure()
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["lr = 0.02", "lr = 0.1", "lr = 0.5"]
    with pytest.raises(ValueError, match="unknown still 'batch_size'"):
        explore("gd", "bowl", still="batch_size")  # no batch size: nothing to vary


def test_the_race_still_picture_carries_the_still_picture_note():
    contest = race(("gd", "adam"), "bowl", steps=30)
    fig = contest.still_figure()
    assert "(a still picture: run the notebook to move the sliders)" in fig.axes[0].get_title().replace("\n", " ")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == ["Gradient descent", "Adam"]


# Pictures that fit and describe themselves.

def test_explorer_pictures_fit_the_column_with_readable_text():
    from course_lib import plots

    for explorer in (explore("adam", "foggy_valley"), race(("gd", "momentum", "rmsprop", "adam"), "foggy_valley")):
        for fig in (explorer.live.figure, explorer.still_figure()):
            assert fig.get_figwidth() * fig.dpi <= 800
            size, text = plots.smallest_text_px(fig)
            assert size >= 9, f"{text!r} is {size:.1f} px"


def test_the_live_picture_and_the_still_picture_carry_text_descriptions():
    explorer = explore("adam", "rosenbrock", lr=0.05, steps=50)
    text = explorer.description.value
    assert text.startswith("Contour map: Adam on Rosenbrock&#x27;s banana valley") and "Adam [lr=0.05" in text
    explorer.update(lr=0.2)
    assert explorer.description.value != text and "lr=0.2" in explorer.description.value  # with each redraw
    bundle = explorer._repr_mimebundle_()
    assert '<img src="data:image/png;base64,' in bundle["text/html"]
    assert 'alt="3 contour maps of Rosenbrock' in bundle["text/html"]
    # The same words under the picture, for a reader of an exported page (hidden from screen readers: read once).
    caption = bundle["text/html"].split("<figcaption", 1)[1]
    assert 'aria-hidden="true"' in caption and "In words: 3 contour maps of Rosenbrock" in caption


def test_displaying_an_explorer_also_publishes_the_accessibility_script(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    explore("gd", "bowl", steps=10)._ipython_display_()
    assert "application/vnd.jupyter.widget-view+json" in shown[0]
    script = shown[1].data
    assert "aria-valuetext" in script and "aria-live" in script and "data-lm-suppress-shortcuts" in script


def test_an_explorer_runs_nesterov_and_adamw_from_their_options():
    # Chapter 9: a switch that has no slider (nesterov) is passed through to the optimizer.
    nesterov = explore("momentum", "ravine", steps=60, nesterov=True, lr=0.1, beta=0.8)
    heavy = explore("momentum", "ravine", steps=60, lr=0.1, beta=0.8)
    assert nesterov.hyperparams["nesterov"] is True and "nesterov" not in nesterov.sliders
    assert not np.array_equal(nesterov.update()["x"], heavy.update()["x"])
    assert nesterov.update(lr=0.05)["trajectory"].hyperparams == {"lr": 0.05, "beta": 0.8, "nesterov": True}
    adamw = explore("adamw", "bowl", steps=20)
    assert set(adamw.sliders) == {"lr", "beta1", "beta2", "eps"}
    assert adamw.update()["trajectory"].hyperparams["weight_decay"] == 0.01  # AdamW's default, not a slider


# Chapter 7's kappa slider.

def test_conditioning_runs_each_optimizer_at_its_best_and_measures_the_predicted_rate():
    from course_lib import quadratics
    from course_lib.widgets.conditioning import conditioning_runs

    results = conditioning_runs(100.0)
    gd, heavy_ball = quadratics.gd_theory(1.0, 100.0), quadratics.momentum_theory(1.0, 100.0)
    assert results["gd"]["optimizer"].lr == pytest.approx(gd["best_lr"])
    assert results["momentum"]["optimizer"].beta == pytest.approx(heavy_ball["best_beta"])
    assert results["gd"]["measured_rate"] == pytest.approx(gd["rate"], abs=1e-3)  # 0.9802, as chapter 7 prints
    assert results["momentum"]["measured_rate"] == pytest.approx(heavy_ball["rate"], abs=1e-2)
    assert results["momentum"]["steps_to_shrink"] == 93 and round(results["momentum"]["predicted_steps"]) == 69
    exact = conditioning_runs(1.0)  # a round bowl: the best rate reaches the minimum in one step
    assert exact["gd"]["measured_rate"] == 0.0 and exact["gd"]["steps_to_shrink"] == 1
    with pytest.raises(ValueError, match="kappa must be between 1 and 1000, got 5000"):
        conditioning_runs(5000.0)


def test_the_kappa_explorer_redraws_and_reads_out_predicted_and_measured_rates():
    from course_lib.widgets import conditioning

    explorer = conditioning(kappa=10.0)
    slider = explorer.sliders["kappa"]
    assert isinstance(slider, W.FloatLogSlider) and (slider.min, slider.max) == (0.0, 3.0)  # 1 to 1000
    before, text = explorer.image.value, explorer.readout.value
    slider.value = 1000.0  # what a slider move does (no event loop here: the throttle redraws at once)
    assert explorer.image.value != before and explorer.readout.value != text
    assert "Momentum [lr=0.003759, beta=0.881] at kappa 1000: rate per step predicted 0.9387, measured 0.94" \
        in explorer.readout.value
    assert "dotted line for the rate the theory predicts" in explorer.description.value
    with pytest.raises(TypeError, match="unknown control.*allowed: kappa"):
        explorer.update(lr=0.1)
    bundle = explorer._repr_mimebundle_()
    assert 'alt="3 panels, one per kappa.' in bundle["text/html"] and "<figcaption" in bundle["text/html"]
    fig = explorer.still_figure()
    assert [ax.get_title() for ax in fig.axes] == ["kappa = 10", "kappa = 100", "kappa = 1000"]
