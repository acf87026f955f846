"""What the explorers add in the browser for keyboard and screen-reader users, and for narrow columns.

ipywidgets 8 gives each slider handle ``role="slider"`` but no accessible name, and its
``aria-valuetext`` is the slider's internal value: a log slider speaks its exponent
("-1.3" for lr 0.05), gamma speaks "0.9000000000000001". ipywidgets has no option for
either, so a small script (published once per explorer, run by JupyterLab and Notebook 7
for the outputs of cells run in the session) sets, on every explorer's sliders:

- ``aria-label``: the slider's description ("lr (learning rate)");
- ``aria-valuetext``: the value the readout shows, without trailing zeros ("0.05"), kept up to date;

and on the explorer:

- the readout becomes a polite live region (``role="status"``, ``aria-live="polite"``),
  so each new outcome is announced once the hand stops;
- the picture's ``alt`` follows the explorer's description (a visually hidden HTML widget the
  kernel updates with each redraw, which screen readers reach even without the script);
- ``data-lm-suppress-shortcuts``, and a key listener on the window: JupyterLab's and Notebook 7's command
  mode take arrow keys for moving between cells. JupyterLab honours the attribute; Notebook 7.6 does not
  (its document-level listener took the key before the slider, and focus jumped to another cell). The
  listener runs before both, keeps a focused slider's keys (arrows, Page Up/Down, Home, End) from the
  notebook and moves the slider through noUiSlider's API, so the keyboard works the same in both.

The style sheet (a ``<style>`` in an HTML widget, no script needed) lets the row wrap: the
controls move under the picture when the column is narrower than picture plus controls.
"""

from __future__ import annotations

EXPLORER_CSS = """<style>
.course-explorer .course-explorer-row { display: flex; flex-flow: row wrap; gap: 8px 16px; align-items: flex-start; }
.course-explorer .course-explorer-figure { max-width: 100%; height: auto; flex: 0 1 auto; }
.course-explorer .course-explorer-controls { flex: 1 1 300px; min-width: 260px; max-width: 460px; }
.course-explorer .widget-slider, .course-explorer .widget-dropdown { width: 100%; max-width: 100%; }
.course-explorer .widget-readout { min-width: 4.5em; overflow: visible; }
.course-explorer .course-explorer-readout { max-width: 100%; overflow-wrap: anywhere; }
.course-explorer .course-explorer-alt { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
</style>"""

ACCESSIBILITY_SCRIPT = r"""
(function () {
  if (window.__courseExplorerA11y) { window.__courseExplorerA11y(); return; }
  var SLIDER_KEYS = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End'];
  function shownValue(slider) {
    // The readout's number without d3's trailing zeros ("0.050" -> "0.05", "0.9000" -> "0.9").
    var readout = slider.querySelector('.widget-readout');
    var text = readout ? (readout.value || readout.textContent || '').trim() : '';
    var number = Number(text);
    return text && isFinite(number) ? String(number) : text;
  }
  function patchSlider(slider) {
    var handle = slider.querySelector('.noUi-handle');
    if (!handle) { return; }
    var label = slider.querySelector('.widget-label');
    if (label && label.textContent.trim()) { handle.setAttribute('aria-label', label.textContent.trim()); }
    var speak = function () {
      var text = shownValue(slider);
      if (text && handle.getAttribute('aria-valuetext') !== text) { handle.setAttribute('aria-valuetext', text); }
    };
    speak();
    if (!handle.__courseSpeaks) {
      handle.__courseSpeaks = true;

      new MutationObserver(speak).observe(slider, {subtree: true, childList: true, characterData: true,
                                                   attributes: true, attributeFilter: ['aria-valuetext']});
    }
  }
  function patchImage(root) {
    var img = root.querySelector('img.course-explorer-figure');
    var description = root.querySelector('.course-explorer-alt');
    if (!img || !description) { return; }
    var copy = function () {
      var text = description.textContent.trim();
      if (text && img.getAttribute('alt') !== text) { img.setAttribute('alt', text); }
    };
    copy();
    if (!description.__courseAlt) {
      description.__courseAlt = true;
      new MutationObserver(copy).observe(description, {subtree: true, childList: true, characterData: true});
    }
  }
  function patchAll() {
    document.querySelectorAll('.course-explorer').forEach(function (root) {
      root.setAttribute('data-lm-suppress-shortcuts', 'true');
      root.querySelectorAll('.widget-slider').forEach(patchSlider);
      patchImage(root);
      root.querySelectorAll('.course-explorer-readout').forEach(function (readout) {
        readout.setAttribute('role', 'status');
        readout.setAttribute('aria-live', 'polite');
      });
    });
  }
  // Keys for a focused slider. Notebook 7 takes arrow keys for its command-mode shortcuts in a listener on
  // the document that runs before the slider sees the key (focus then jumps to another cell), and it
  // ignores data-lm-suppress-shortcuts. A listener on the window runs first: it keeps the key from the
  // notebook and moves the slider itself, through noUiSlider's API, as noUiSlider's own keys would.
  function moveFocusedSlider(event) {
    var handle = event.target;
    if (SLIDER_KEYS.indexOf(event.key) < 0 || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (!handle || !handle.classList || !handle.classList.contains('noUi-handle')) { return; }
    var track = handle.closest('.course-explorer .noUi-target');
    var api = track && track.noUiSlider;
    if (!api) { return; }
    event.stopPropagation();
    event.preventDefault();
    var value = Number(api.get());
    var range = api.options.range;
    var steps = api.steps()[0];  // [step down, step up] at the current value; false at an end
    var pages = (event.key === 'PageUp' || event.key === 'PageDown') ? 5 : 1;
    var next = value;
    if (event.key === 'Home') { next = Number(range.min); }
    else if (event.key === 'End') { next = Number(range.max); }
    else if (['ArrowRight', 'ArrowUp', 'PageUp'].indexOf(event.key) >= 0) { next = value + pages * (steps[1] || 0); }
    else { next = value - pages * (steps[0] || 0); }
    api.set(next);  // fires noUiSlider's "update": the widget sends the new value (continuous_update)
  }
  var waiting = false;
  window.__courseExplorerA11y = patchAll;
  window.addEventListener('keydown', moveFocusedSlider, true);
  // Widget views render after this script runs (and again when a cell is re-run): patch whatever appears.
  new MutationObserver(function () {
    if (waiting) { return; }
    waiting = true;
    requestAnimationFrame(function () { waiting = false; patchAll(); });
  }).observe(document.body, {childList: true, subtree: true});
  patchAll();
})();
"""
