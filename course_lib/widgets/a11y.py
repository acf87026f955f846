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
- ``data-lm-suppress-shortcuts``: Notebook 7 (and JupyterLab's command mode) take arrow keys for
  moving between cells. In JupyterLab the focused slider gets them. In Notebook 7.6 they still do
  not move it (checked in headless Chromium: in a chapter focus still moves to another cell), so
  there the script adds a note beside the explorer saying how to use the keyboard instead.

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
  var notebook7 = /\/notebooks\//.test(window.location.pathname);  // Notebook 7's URLs; JupyterLab's are /lab/
  function noteKeys(root) {
    if (!notebook7 || root.querySelector('.course-explorer-keys')) { return; }
    var note = document.createElement('p');
    note.className = 'course-explorer-keys';
    note.textContent = 'Keyboard: in Notebook 7 the arrow keys do not move these sliders. Click a slider\'s ' +
      'readout (the number on its right), type a value and press Enter, or open the notebook in JupyterLab, ' +
      'where Tab and the arrow keys work.';
    root.appendChild(note);
  }
  function patchAll() {
    document.querySelectorAll('.course-explorer').forEach(function (root) {
      root.setAttribute('data-lm-suppress-shortcuts', 'true');
      noteKeys(root);
      root.querySelectorAll('.widget-slider').forEach(patchSlider);
      patchImage(root);
      root.querySelectorAll('.course-explorer-readout').forEach(function (readout) {
        readout.setAttribute('role', 'status');
        readout.setAttribute('aria-live', 'polite');
      });
    });
  }
  var waiting = false;
  window.__courseExplorerA11y = patchAll;
  // Widget views render after this script runs (and again when a cell is re-run): patch whatever appears.
  new MutationObserver(function () {
    if (waiting) { return; }
    waiting = true;
    requestAnimationFrame(function () { waiting = false; patchAll(); });
  }).observe(document.body, {childList: true, subtree: true});
  patchAll();
})();
"""
