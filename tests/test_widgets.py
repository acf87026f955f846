"""Explorers without a browser: replay returns what the controls ask for; sliders match the optimizer."""

import base64

import ipywidgets as W
import numpy as np
import pytest

from course_lib import Adam, GradientDescent, descend, get_landscape
from course_lib.widgets import explore, race, relevant_sliders, replay, replay_race


def test_relevant_sliders_follow_each_optimizers_hyperparameters():
    assert relevant_sliders("gd") == ("lr",)
    assert relevant_sliders("momentum") == ("lr", "beta")
    assert relevant_sliders("adagrad") == ("lr", "eps")
    assert relevant_sliders("rmsprop") == ("lr", "gamma", "eps")
    assert relevant_sliders("adam") == ("lr", "beta1", "beta2", "eps")
    with pytest.raises(ValueError, match="unknown optimizer 'sgdx'"):
        relevant_sliders("sgdx")


def test_replay_is_descend_with_the_controls_values():
    controls = {"optimizer": "adam", "hyperparams": {"lr": 0.05, "beta1": 0.8}, "landscape": "rosenbrock",
                "start": "left", "steps": 120}
    result = replay(controls)
    valley = get_landscape("rosenbrock")
    expected = descend(Adam(lr=0.05, beta1=0.8), valley, start=valley.start_point("left"), steps=120)
    np.testing.assert_array_equal(result["x"], expected.params[:, 0])
    np.testing.assert_array_equal(result["y"], expected.params[:, 1])
    assert len(result["x"]) == 121
    assert result["readout"].startswith("Adam [lr=0.05, beta1=0.8]: loss ")


def test_replay_reports_divergence():
    result = replay({"optimizer": "gd", "hyperparams": {"lr": 0.01}, "landscape": "rosenbrock", "steps": 50})
    assert result["diverged_at"] == 4
    assert result["readout"] == "Gradient descent [lr=0.01]: diverged at step 4"


def test_replay_with_batch_size_is_sgd_on_the_stochastic_landscape():
    controls = {"optimizer": "gd", "hyperparams": {"lr": 0.1}, "landscape": "bowl", "steps": 30}
    full = replay(controls)
    noisy = replay({**controls, "batch_size": 1})
    assert not np.allclose(full["x"], noisy["x"])
    np.testing.assert_array_equal(noisy["x"], replay({**controls, "batch_size": 1})["x"])  # seeded


def test_replay_race_shares_start_and_scales_every_lr():
    controls = {"optimizers": ["gd", "adam"], "landscape": "bowl", "start": "corner", "steps": 20,
                "hyperparams": {"gd": {"lr": 0.1}, "adam": {"lr": 0.2}}, "lr_multiplier": 0.5}
    gd, adam = replay_race(controls)
    assert gd["x"][0] == adam["x"][0] == -4.0
    bowl = get_landscape("bowl")
    expected = descend(GradientDescent(lr=0.05), bowl, start=bowl.start_point("corner"), steps=20)
    np.testing.assert_array_equal(gd["x"], expected.params[:, 0])
    assert "lr=0.1" in adam["readout"]


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
    assert explorer.image.value != before_png and bytes(explorer.image.value).startswith(b"\x89PNG")
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
    expected = replay({"optimizer": "gd", "hyperparams": {"lr": 0.1}, "landscape": "bowl", "steps": 30,
                       "start": "corner", "batch_size": 64})
    np.testing.assert_array_equal(after, expected["x"])


def test_sliders_argument_chooses_a_subset():
    explorer = explore("adam", "bowl", steps=20, sliders=("lr", "beta1"))
    assert slider_names(explorer) == {"lr", "beta1"}
    with pytest.raises(ValueError, match="unknown slider 'gamma'"):
        explore("adam", "bowl", sliders=("gamma",))
