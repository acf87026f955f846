"""The explorers: ipywidgets controls wired to ``replay`` and a ``LiveMap``. No math here.

``explore("adam")`` and ``race()`` return an explorer object. In JupyterLab or
Notebook 7 it shows live sliders; where no widget front end runs (GitHub,
nbviewer, HTML export, headless execution) the same output shows a static PNG
of small multiples over three learning rates. Both live in one display_data
mimebundle, and each front end picks what it can render.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt

from .. import _validate as check
from ..landscapes import LANDSCAPES
from ..optimizers import OPTIMIZERS, make_optimizer
from ..plots.maps import learning_rate_panel
from ..plots.style import styles_for_names
from .controls import SLIDERS, initial_hyperparams, relevant_sliders
from .redraw import LiveMap
from .replay import cached_landscape, landscape_for, replay, replay_race

STATIC_LR_FACTOR = 5.0  # the static fallback shows lr / 5, lr and lr * 5


def _slider_look() -> dict[str, Any]:
    """Width and label room shared by every slider (long enough for "beta1 (1st moment)")."""
    return {"continuous_update": False, "style": {"description_width": "170px"}, "layout": W.Layout(width="430px")}


def make_slider(name: str, value: float) -> W.Widget:
    spec = SLIDERS[name]
    common = {"description": spec.description, **_slider_look()}
    if spec.log:
        return W.FloatLogSlider(value=value, base=10, min=spec.min, max=spec.max, step=spec.step,
                                readout_format=".2g", **common)
    if spec.integer:
        return W.IntSlider(value=value, min=spec.min, max=spec.max, step=spec.step, **common)
    return W.FloatSlider(value=value, min=spec.min, max=spec.max, step=spec.step, readout_format=".4g", **common)


def style_key(optimizer: str, batch_size: int | None) -> str:
    """The plots style of an optimizer run with this batch size (gradient descent becomes SGD or mini-batch)."""
    if optimizer != "gd" or batch_size is None:
        return optimizer
    return "sgd" if batch_size == 1 else "minibatch"


def _png_of(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class _Explorer:
    """Shared parts: the landscape and start dropdowns, the image, the readout, the mimebundle."""

    def __init__(self, landscape: str, start: str | None, steps: int, batch_size: int | None) -> None:
        check.check_choice("landscape", landscape, tuple(LANDSCAPES))
        self.controls: dict[str, Any] = {"landscape": landscape, "steps": check.check_positive_int("steps", steps),
                                         "batch_size": batch_size, "seed": 0}
        if batch_size is not None:
            check.check_positive_int("batch_size", batch_size)
        self.controls["start"] = self._start_or_default(start)
        self.image = W.Image(format="png")
        self.image.add_class("course-explorer-figure")
        self.readout = W.HTML()
        self.readout.add_class("course-explorer-readout")
        self.landscape_menu = W.Dropdown(options=list(LANDSCAPES), value=landscape, description="landscape")
        self.start_menu = W.Dropdown(options=list(self.landscape.starts), value=self.controls["start"],
                                     description="start")
        self.general = {"steps": make_slider("steps", self.controls["steps"])}
        if batch_size is not None:
            self.general["batch_size"] = make_slider("batch_size", batch_size)

    @property
    def landscape(self) -> Any:
        return landscape_for(self.controls)

    def _start_or_default(self, start: str | None) -> str:
        starts = tuple(cached_landscape(self.controls["landscape"]).starts)
        return starts[0] if start is None else check.check_choice("start", start, starts)

    def _assemble(self, labels: list[str], styles: list[Any]) -> None:
        """Build the live figure and the layout, connect the controls, and draw the first picture."""
        self.live = LiveMap(self.landscape, labels, styles, self._title())
        controls = W.VBox([*self.sliders.values(), *self.general.values(), self.landscape_menu, self.start_menu])
        self.view = W.VBox([W.HBox([self.image, controls]), self.readout])
        self._wire({**self.sliders, **self.general})
        self.update()

    def _wire(self, sliders: dict[str, W.Widget]) -> None:
        for name, slider in sliders.items():
            slider.observe(lambda change, name=name: self.update(**{name: change["new"]}), names="value")
        self.landscape_menu.observe(lambda change: self.update(landscape=change["new"]), names="value")
        self.start_menu.observe(lambda change: self.update(start=change["new"]), names="value")

    def _set_general(self, values: dict[str, Any]) -> bool:
        """Apply landscape/start/steps/batch_size changes; True when the background must be redrawn."""
        new_landscape = "landscape" in values and values["landscape"] != self.controls["landscape"]
        if new_landscape:
            self.controls["landscape"] = check.check_choice("landscape", values["landscape"], tuple(LANDSCAPES))
            self.controls["start"] = self._start_or_default(None)
            self.start_menu.options = list(self.landscape.starts)
            self.start_menu.value = self.controls["start"]
        if "start" in values and not new_landscape:
            self.controls["start"] = self._start_or_default(values["start"])
        if "steps" in values:
            self.controls["steps"] = check.check_positive_int("steps", values["steps"])
        if "batch_size" in values:
            self.controls["batch_size"] = check.check_positive_int("batch_size", values["batch_size"])
        return new_landscape

    def _show(self, results: list[dict[str, Any]]) -> None:
        self.live.set_paths(results)
        self.image.value = self.live.render_png()
        self.readout.value = "<br>".join(r["readout"] for r in results)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # One output, three renderings: the live widget where a widget manager runs,
        # the static small multiples elsewhere, and text as the last resort.
        return {
            "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                         "model_id": self.view.model_id},
            "image/png": self.static_png(),
            "text/plain": f"{type(self).__name__}: {self.readout.value.replace('<br>', '; ')}",
        }


class Explorer(_Explorer):
    """One optimizer on one landscape with sliders for its hyperparameters. Build it with ``explore``."""

    def __init__(self, optimizer: str, landscape: str, start: str | None, steps: int, batch_size: int | None,
                 sliders: Sequence[str] | None, initial_values: dict[str, float]) -> None:
        super().__init__(landscape, start, steps, batch_size)
        self.optimizer = check.check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
        self.hyperparams = initial_hyperparams(optimizer, **initial_values)
        shown = relevant_sliders(optimizer) if sliders is None else tuple(sliders)
        for name in shown:
            check.check_choice("slider", name, relevant_sliders(optimizer))
        self.sliders = {name: make_slider(name, self.hyperparams[name]) for name in shown}
        label = OPTIMIZERS[optimizer].label
        self._assemble([label], styles_for_names([style_key(optimizer, batch_size)]))

    def _title(self) -> str:
        return f"{OPTIMIZERS[self.optimizer].label} on {self.landscape.title}"

    def update(self, **values: Any) -> dict[str, Any]:
        """Apply new control values (e.g. ``update(lr=0.05)``), replay, and redraw in place.

        Returns the replayed data (see ``replay``). This is what a slider move runs.
        """
        hyper = {k: v for k, v in values.items() if k in self.hyperparams}
        unknown = set(values) - set(hyper) - {"landscape", "start", "steps", "batch_size"}
        if unknown:
            raise TypeError(f"unknown control(s) {', '.join(sorted(unknown))}; allowed: "
                            f"{', '.join([*self.hyperparams, 'landscape', 'start', 'steps', 'batch_size'])}")
        make_optimizer(self.optimizer, **{**self.hyperparams, **hyper})  # checks the values before keeping them
        self.hyperparams.update(hyper)
        if self._set_general(values):
            self.live.set_landscape(self.landscape, self._title())
        result = replay({**self.controls, "optimizer": self.optimizer, "hyperparams": dict(self.hyperparams)})
        self._show([result])
        return result

    def static_png(self) -> str:
        """Base64 PNG: the same optimizer at lr / 5, lr and lr * 5 (for front ends without widgets)."""
        lr = self.hyperparams["lr"]
        optimizer = make_optimizer(self.optimizer, **self.hyperparams)
        start = self.landscape.start_point(self.controls["start"])
        # The same landscape and batch size as the live explorer (a stochastic one for SGD).
        fig = learning_rate_panel(landscape_for(self.controls), optimizer,
                                  [lr / STATIC_LR_FACTOR, lr, lr * STATIC_LR_FACTOR], steps=self.controls["steps"],
                                  start=start, verdicts=(), batch_size=self.controls.get("batch_size"))
        fig.suptitle(f"{OPTIMIZERS[self.optimizer].label} on {self.landscape.title} at three learning rates\n"
                     "(a still picture: run the notebook to move the sliders)", fontsize=11)
        return _png_of(fig)


class Race(_Explorer):
    """Several optimizers from the same start, with shared controls. Build it with ``race``."""

    def __init__(self, optimizers: Sequence[str], landscape: str, start: str | None, steps: int,
                 batch_size: int | None, lrs: dict[str, float] | None) -> None:
        super().__init__(landscape, start, steps, batch_size)
        self.optimizers = [check.check_choice("optimizer", name, tuple(OPTIMIZERS)) for name in optimizers]
        if not self.optimizers:
            raise ValueError("optimizers must name at least one optimizer, got an empty sequence")
        lrs = dict(lrs or {})
        self.hyperparams = {name: initial_hyperparams(name, **({"lr": lrs[name]} if name in lrs else {}))
                            for name in self.optimizers}
        self.controls["lr_multiplier"] = 1.0
        self.sliders = {"lr_multiplier": W.FloatLogSlider(
            value=1.0, base=10, min=-2, max=2, step=0.1, description="lr multiplier (all)", readout_format=".2g",
            **_slider_look())}
        labels = [OPTIMIZERS[name].label for name in self.optimizers]
        self._assemble(labels, styles_for_names([style_key(name, batch_size) for name in self.optimizers]))

    def _title(self) -> str:
        return f"Race on {self.landscape.title}"

    def update(self, **values: Any) -> list[dict[str, Any]]:
        """Apply new control values (e.g. ``update(lr_multiplier=2)``), replay every racer, redraw in place."""
        unknown = set(values) - {"lr_multiplier", "landscape", "start", "steps", "batch_size"}
        if unknown:
            raise TypeError(f"unknown control(s) {', '.join(sorted(unknown))}; allowed: "
                            "lr_multiplier, landscape, start, steps, batch_size")
        if "lr_multiplier" in values:
            self.controls["lr_multiplier"] = check.check_positive("lr_multiplier", values["lr_multiplier"])
        if self._set_general(values):
            self.live.set_landscape(self.landscape, self._title())
        results = replay_race({**self.controls, "optimizers": self.optimizers, "hyperparams": self.hyperparams})
        self._show(results)
        return results

    def static_png(self) -> str:
        """Base64 PNG: the race at the current settings (for front ends without widgets)."""
        return base64.b64encode(self.live.render_png()).decode("ascii")
