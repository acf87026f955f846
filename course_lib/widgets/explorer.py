"""The explorers: ipywidgets controls wired to ``replay`` and a ``LiveMap``. No math here.

``explore("adam")`` and ``race()`` return an explorer object. In JupyterLab or
Notebook 7 it shows live sliders; where no widget front end runs (GitHub,
nbviewer, HTML export, headless execution) the same output shows a still
picture: small multiples over the quantity the chapter asks about (``still=``),
with alt text. Both live in one display_data mimebundle, and each front end picks
what it can render.

Sliders redraw while dragged; ``throttle.LatestWins`` merges the moves that arrive
faster than redraws, so the picture follows the hand and the last position wins.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt

from .. import _validate as check
from ..landscapes import LANDSCAPES
from ..optimizers import OPTIMIZERS, make_optimizer
from ..plots import describe as plot_description
from ..plots.figures import image_html, png_bytes
from ..plots.maps import contour, run_panels
from ..plots.style import styles_for_names
from .a11y import ACCESSIBILITY_SCRIPT, EXPLORER_CSS
from .controls import SETTING_CONTROLS, SLIDERS, Setting, initial_hyperparams, landscape_starts, relevant_sliders
from .redraw import LiveMap
from .replay import landscape_for, replay, replay_race, run_name
from .throttle import LatestWins

STATIC_LR_FACTOR = 5.0  # the still picture of lr shows lr / 5, lr and lr * 5
STILL_NOTE = "(a still picture: run the notebook to move the sliders)"
DESCRIPTION_WIDTH = "150px"  # room for the longest label, "beta2 (2nd moment)" (136 px in Chromium)


def _slider_look() -> dict[str, Any]:
    """Shared by every slider: redraw while dragging (throttled), fill the controls column."""
    return {"continuous_update": True, "style": {"description_width": DESCRIPTION_WIDTH},
            "layout": W.Layout(width="100%")}


def make_slider(name: str, value: float) -> W.Widget:
    spec = SLIDERS[name]
    common = {"description": spec.description, "readout_format": spec.readout_format, **_slider_look()}
    if spec.log:
        return W.FloatLogSlider(value=value, base=10, min=spec.min, max=spec.max, step=spec.step, **common)
    if spec.integer:
        return W.IntSlider(value=value, min=spec.min, max=spec.max, step=spec.step, **common)
    return W.FloatSlider(value=value, min=spec.min, max=spec.max, step=spec.step, **common)


def style_key(optimizer: str, batch_size: int | None) -> str:
    """The plots style of an optimizer run with this batch size (gradient descent becomes SGD or mini-batch)."""
    if optimizer != "gd" or batch_size is None:
        return optimizer
    return "sgd" if batch_size == 1 else "minibatch"


def still_values(name: str, value: float, n_samples: int | None = None) -> list[float]:
    """Three values of one control for the still picture, around the current one."""
    if name in ("lr", "eps"):
        return [value / STATIC_LR_FACTOR, value, value * STATIC_LR_FACTOR]
    if name == "batch_size":  # one example, the chosen batch, a larger one
        top = n_samples or SLIDERS["batch_size"].max
        return [float(b) for b in sorted({1, int(value), min(top, 8 * int(value)), min(top, 64)})[:3]]
    spec = SLIDERS[name]
    return [spec.min + (value - spec.min) / 2, value, value + (spec.max - value) / 2]


def still_picture_html(png: bytes, description: str) -> str:
    """The still picture with its description twice: as alt text, and as a caption in words under it.

    The caption is for readers who see the picture but cannot run it (its paths are small) and for
    exported pages; screen readers read the alt text, so the caption is hidden from them (read once).
    """
    return (f'<figure class="course-explorer-still" style="margin: 0;">{image_html(png, description)}'
            f'<figcaption aria-hidden="true" style="font-size: 0.9em;">In words: {html.escape(description)}'
            '</figcaption></figure>')


class Shown:
    """What every explorer shows: the live view where widgets run, the still picture elsewhere.

    Subclasses set ``view`` (the widget), ``readout`` (an HTML widget) and define ``still_figure``
    and ``update``.
    """

    view: W.Widget
    readout: W.HTML

    def _make_outputs(self) -> None:
        """The live picture, its readout and its text description, styled and described alike in every explorer."""
        self.image = W.Image(format="jpeg", layout=W.Layout(max_width="100%", height="auto"))
        self.image.add_class("course-explorer-figure")
        self.readout = W.HTML()
        self.readout.add_class("course-explorer-readout")
        # The picture's text description, updated with each redraw. Visually hidden but read by screen
        # readers; the browser script (a11y) also copies it into the picture's alt. (ipywidgets' Image
        # cannot carry it: its view fails to render with a tooltip.)
        self.description = W.HTML()
        self.description.add_class("course-explorer-alt")

    def _lay_out(self, controls: list[W.Widget]) -> None:
        """``view``: the picture and the controls in a row that wraps, then the description and the readout."""
        column = W.VBox(controls, layout=W.Layout(flex="1 1 300px", min_width="260px", max_width="460px"))
        column.add_class("course-explorer-controls")
        row = W.HBox([self.image, column], layout=W.Layout(flex_flow="row wrap", align_items="flex-start",
                                                           width="100%"))
        row.add_class("course-explorer-row")
        self.view = W.VBox([W.HTML(EXPLORER_CSS), row, self.description, self.readout], layout=W.Layout(width="100%"))
        self.view.add_class("course-explorer")

    def still_figure(self) -> Any:
        raise NotImplementedError

    def update(self, **values: Any) -> Any:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # One output, several renderings: the live widget where a widget manager runs, the still
        # picture elsewhere (as <img alt> for HTML export and screen readers, and as PNG), then text.
        fig = self.still_figure()
        alt = plot_description.figure_description(fig)
        png = png_bytes(fig)
        plt.close(fig)
        return {
            "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                         "model_id": self.view.model_id},
            "text/html": still_picture_html(png, alt),
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"{type(self).__name__}: {self.readout.value.replace('<br>', '; ')}",
        }

    def _ipython_display_(self) -> None:
        from IPython.display import Javascript, display

        display(self._repr_mimebundle_(), raw=True)
        display(Javascript(ACCESSIBILITY_SCRIPT))  # names the sliders, speaks their values (see a11y)

    def static_png(self) -> str:
        """Base64 PNG of the still picture (for front ends without widgets)."""
        return self._repr_mimebundle_()["image/png"]


class _Explorer(Shown):
    """Shared parts: the landscape and start dropdowns, the image, the readout, the mimebundle."""

    sliders: dict[str, W.Widget]  # set by each subclass before _assemble: its own sliders, shown first

    def __init__(self, landscape: str, start: str | None, steps: int, batch_size: int | None) -> None:
        self.setting = Setting(landscape, start, steps, batch_size)
        self._make_outputs()
        self.landscape_menu = W.Dropdown(options=list(LANDSCAPES), value=landscape, description="landscape",
                                         style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width="100%"))
        self.start_menu = W.Dropdown(options=list(self.landscape.starts), value=self.setting.start,
                                     description="start", style={"description_width": DESCRIPTION_WIDTH},
                                     layout=W.Layout(width="100%"))
        self.general = {"steps": make_slider("steps", self.setting.steps)}
        if batch_size is not None:
            self.general["batch_size"] = make_slider("batch_size", batch_size)
        # Slider moves go through the throttle; update() itself stays synchronous for tests and benchmarks.
        self.throttle = LatestWins(lambda values: self.update(**values))

    @property
    def landscape(self) -> Any:
        return landscape_for(self.setting)

    def _title(self) -> str:
        raise NotImplementedError

    def _assemble(self, labels: list[str], styles: list[Any]) -> None:
        """Build the live figure and the layout, connect the controls, and draw the first picture.

        The picture and the controls share a row that wraps: in a column narrower than both
        (a 1280 px screen gives about 850 px) the controls move under the picture.
        """
        self.live = LiveMap(self.landscape, labels, styles, self._title())
        self._lay_out([*self.sliders.values(), *self.general.values(), self.landscape_menu, self.start_menu])
        self._wire({**self.sliders, **self.general})
        self.update()

    def _wire(self, sliders: dict[str, W.Widget]) -> None:
        for name, slider in sliders.items():
            slider.observe(lambda change, name=name: self.throttle.request(**{name: change["new"]}), names="value")
        self.landscape_menu.observe(lambda change: self.throttle.request(landscape=change["new"]), names="value")
        self.start_menu.observe(lambda change: self.throttle.request(start=change["new"]), names="value")

    def _set_general(self, values: dict[str, Any]) -> bool:
        """Apply the setting's controls among ``values``; True when the background must be redrawn."""
        changes = {name: values[name] for name in SETTING_CONTROLS if name in values}
        if not changes:
            return False
        before = self.setting
        if changes.get("landscape", before.landscape) != before.landscape:
            changes.pop("start", None)  # the start menu still names the old landscape's start
        self.setting = before.changed(**changes)
        new_landscape = self.setting.landscape != before.landscape
        if new_landscape:
            self.start_menu.options = list(landscape_starts(self.setting.landscape))
            self.start_menu.value = self.setting.start
        return new_landscape

    def _check_controls(self, values: dict[str, Any], own: tuple[str, ...]) -> None:
        allowed = (*own, *SETTING_CONTROLS)
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise TypeError(f"unknown control(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")

    def redraw(self, results: list[dict[str, Any]]) -> None:
        """Show replayed runs (``replay`` results): the picture, the readout and the description.

        ``update`` calls it after replaying; the benchmarks time it alone.
        """
        self.live.set_paths(results)
        self.image.value = self.live.render_frame()
        self.readout.value = "<br>".join(r["readout"] for r in results)
        self.description.value = html.escape(self.alt_text(results))

    def alt_text(self, results: list[dict[str, Any]]) -> str:
        ends = "; ".join(r["readout"] for r in results)
        return f"Contour map: {' '.join(self.live.title.split())}, the path of each run from its start. {ends}."


class Explorer(_Explorer):
    """One optimizer on one landscape with sliders for its hyperparameters. Build it with ``explore``."""

    def __init__(self, optimizer: str, landscape: str, start: str | None, steps: int, batch_size: int | None,
                 sliders: Sequence[str] | None, initial_values: dict[str, float], still: str = "lr") -> None:
        super().__init__(landscape, start, steps, batch_size)
        self.optimizer = check.check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
        self.hyperparams = initial_hyperparams(optimizer, **initial_values)
        shown = relevant_sliders(optimizer) if sliders is None else tuple(sliders)
        for name in shown:
            check.check_choice("slider", name, relevant_sliders(optimizer))
        self.sliders = {name: make_slider(name, self.hyperparams[name]) for name in shown}
        allowed = (*self.hyperparams, *(("batch_size",) if batch_size is not None else ()))
        self.still = check.check_choice("still", still, allowed)
        self._assemble([self._name()], styles_for_names([style_key(optimizer, batch_size)]))

    def _name(self) -> str:
        return run_name(self.optimizer, self.setting.batch_size)

    def _title(self) -> str:
        return f"{self._name()} on {self.landscape.title}"

    def update(self, **values: Any) -> dict[str, Any]:
        """Apply new control values (e.g. ``update(lr=0.05)``), replay, and redraw in place.

        Returns the replayed data (see ``replay``). This is what a slider move runs.
        """
        self._check_controls(values, tuple(self.hyperparams))
        hyper = {k: v for k, v in values.items() if k in self.hyperparams}
        make_optimizer(self.optimizer, **{**self.hyperparams, **hyper})  # checks the values before keeping them
        self.hyperparams.update(hyper)
        name_before = self._name()
        if self._set_general(values) or self._name() != name_before:  # a new map, or SGD became mini-batch GD
            self.live.paths[0].set_label(self._name())
            self.live.set_landscape(self.landscape, self._title())
        result = replay(self.setting, self.optimizer, self.hyperparams)
        self.redraw([result])
        return result

    def still_figure(self) -> Any:
        """Small multiples over the ``still`` control (default lr: lr / 5, lr, lr * 5), on the same landscape."""
        name = self.still
        current = self.setting.batch_size if name == "batch_size" else self.hyperparams[name]
        values = still_values(name, float(current or 1), getattr(self.landscape, "n_samples", None))
        runs, captions = [], []
        for value in values:
            if name == "batch_size":
                run = replay(self.setting.changed(batch_size=int(value)), self.optimizer, self.hyperparams)
                captions.append(f"batch size {int(value)}")
            else:
                run = replay(self.setting, self.optimizer, {**self.hyperparams, name: value})
                captions.append(f"{name} = {value:.3g}")
            runs.append(run["trajectory"])
        quantity = {"batch_size": "batch sizes", "lr": "learning rates"}.get(name, f"values of {name}")
        what = "SGD and mini-batch GD" if name == "batch_size" and self.optimizer == "gd" else self._name()
        return run_panels(self.landscape, runs, captions,
                          f"{what} on {self.landscape.title} at three {quantity}\n{STILL_NOTE}",
                          varied=quantity[:-1] if quantity.endswith("s") else quantity)


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
        self.lr_multiplier = 1.0
        self.sliders = {"lr_multiplier": W.FloatLogSlider(
            value=1.0, base=10, min=-2, max=2, step=0.1, description="lr multiplier (all)", readout_format=".2g",
            **_slider_look())}
        labels = [run_name(name, batch_size) for name in self.optimizers]
        self._assemble(labels, styles_for_names([style_key(name, batch_size) for name in self.optimizers]))

    def _title(self) -> str:
        return f"Race on {self.landscape.title}"

    def update(self, **values: Any) -> list[dict[str, Any]]:
        """Apply new control values (e.g. ``update(lr_multiplier=2)``), replay every racer, redraw in place."""
        self._check_controls(values, ("lr_multiplier",))
        if "lr_multiplier" in values:
            self.lr_multiplier = check.check_positive("lr_multiplier", values["lr_multiplier"])
        if self._set_general(values):
            self.live.set_landscape(self.landscape, self._title())
        results = replay_race(self.setting, self.optimizers, self.hyperparams, self.lr_multiplier)
        self.redraw(results)
        return results

    def still_figure(self) -> Any:
        """The race at the current settings, with the still-picture note."""
        results = replay_race(self.setting, self.optimizers, self.hyperparams, self.lr_multiplier)
        return contour(self.landscape, [r["trajectory"] for r in results],
                       title=f"{self._title()}\n{STILL_NOTE}").figure
