"""What the browser tests and the browser benchmark measure on an explorer in a real page.

- ``clipped_parts``: controls, labels, readouts and the picture that do not fit their output
  area (bounding boxes) or whose text overflows its box (scrollWidth > clientWidth);
- ``accessibility``: each slider handle's accessible name and spoken value, the readout's
  live region, the picture's alt text;
- ``drag``: press a slider handle, move it in small steps, release; count the picture's
  redraws during the drag and the time from release to the last picture.
"""

from __future__ import annotations

import statistics
from typing import Any

CLIPPED_PARTS_JS = """
output => {
  const area = output.getBoundingClientRect();
  const problems = [];
  const parts = output.querySelectorAll(
    '.widget-slider, .widget-dropdown, .widget-readout, .widget-label, .course-explorer-readout, ' +
    '.course-explorer-figure, .noUi-handle');
  parts.forEach(el => {
    const box = el.getBoundingClientRect();
    const shown = (el.textContent || el.value || '').trim().slice(0, 30);
    const name = `${el.className} "${shown}"`;
    if (box.width === 0) { return; }
    if (box.left < area.left - 1 || box.right > area.right + 1) {
      problems.push(`${name} spans x ${box.left.toFixed(0)}..${box.right.toFixed(0)}, ` +
                    `area ${area.left.toFixed(0)}..${area.right.toFixed(0)}`);
    }
    const isText = el.matches('.widget-readout, .widget-label, .course-explorer-readout');
    if (isText) {  // ellipsis hides the overflow from scrollWidth: lay the text out unconstrained beside it
      const probe = el.cloneNode(true);
      probe.style.cssText += ';position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none;' +
                             'flex:none;white-space:nowrap;overflow:visible';
      el.parentNode.appendChild(probe);
      const needs = probe.getBoundingClientRect().width;
      probe.remove();
      if (needs > box.width + 0.01) {  // even 0.4 px too little turns "moment" into "mome…"
        problems.push(`${name} text needs ${needs.toFixed(1)} px, has ${box.width.toFixed(1)}`);
      }
    }
  });
  return problems;
}
"""

ACCESSIBILITY_JS = """
output => ({
  sliders: Array.from(output.querySelectorAll('.widget-slider')).map(s => {
    const handle = s.querySelector('.noUi-handle');
    const readout = s.querySelector('.widget-readout');
    return {label: s.querySelector('.widget-label').textContent.trim(),
            name: handle.getAttribute('aria-label'), spoken: handle.getAttribute('aria-valuetext'),
            shown: (readout.value || readout.textContent).trim(), role: handle.getAttribute('role')};
  }),
  readout: (r => ({role: r.getAttribute('role'), live: r.getAttribute('aria-live')}))(
    output.querySelector('.course-explorer-readout')),
  alt: output.querySelector('img.course-explorer-figure').getAttribute('alt'),
  suppress: output.querySelector('.course-explorer').getAttribute('data-lm-suppress-shortcuts'),
})
"""

WATCH_JS = """
output => {
  const img = output.querySelector('img.course-explorer-figure');
  window.__courseDrag = {changes: [], released: null};
  new MutationObserver(() => window.__courseDrag.changes.push(performance.now()))
    .observe(img, {attributes: true, attributeFilter: ['src']});
  document.addEventListener('mouseup', () => { window.__courseDrag.released = performance.now(); },
                            {capture: true});
  document.addEventListener('mousedown', () => {
    window.__courseDrag.changes = []; window.__courseDrag.released = null;
    window.__courseDrag.pressed = performance.now();
  }, {capture: true});
}
"""


HAND_JS = """
({x0, x1, y, ms}) => new Promise(done => {
  const start = performance.now();
  const target = document.elementFromPoint(x0, y);
  const tick = () => {
    const t = Math.min(1, (performance.now() - start) / ms);
    const x = x0 + (x1 - x0) * t;
    const init = {clientX: x, clientY: y, pageX: x, pageY: y, bubbles: true, buttons: 1, pointerId: 1,
                  pointerType: 'mouse', isPrimary: true};
    target.dispatchEvent(new PointerEvent('pointermove', init));
    target.dispatchEvent(new MouseEvent('mousemove', init));
    if (t < 1) { setTimeout(tick, 1000 / 60); } else { done(); }
  };
  tick();
})
"""


def clipped_parts(output: Any) -> list[str]:
    return output.evaluate(CLIPPED_PARTS_JS)


def accessibility(output: Any) -> dict[str, Any]:
    return output.evaluate(ACCESSIBILITY_JS)


def watch_redraws(output: Any) -> None:
    output.evaluate(WATCH_JS)


def drag(page: Any, output: Any, slider_text: str, to: float, seconds: float = 1.5, segments: int = 30,
         settle_ms: int = 1500) -> dict[str, Any]:
    """Drag one slider's handle to ``to`` (0: left end of the track, 1: right end) in ``seconds``, as a
    hand would (pointer moves at 60 per second, sent from the page), and release. Call ``watch_redraws``
    once first. (``segments`` is unused, kept for callers.)

    A slider only sends a value when the handle crosses one of its steps, so the drag should cross
    many steps (lr has 50 across its track): the redraw rate then measures the kernel and the browser.
    Returns the drag's duration, the picture's redraws during it and per second, the time from
    release to the last redraw (ms), and the readouts after it settled.
    """
    slider = output.locator(".widget-slider", has_text=slider_text)
    track = slider.locator(".noUi-target").bounding_box()
    handle = slider.locator(".noUi-handle").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    target = track["x"] + to * track["width"]
    page.mouse.move(x, y)
    page.mouse.down()
    # The moves come from the page itself, 60 per second like a real pointer: Playwright's own
    # mouse.move calls cost 30-100 ms each here, slower than any hand.
    page.evaluate(HAND_JS, {"x0": x, "x1": target, "y": y, "ms": seconds * 1000})
    page.mouse.up()
    page.wait_for_timeout(settle_ms)
    record = page.evaluate("() => window.__courseDrag")
    pressed, released, changes = record["pressed"], record["released"], record["changes"]
    during = [t for t in changes if t <= released]
    after = [t for t in changes if t > released]
    duration = (released - pressed) / 1000
    return {
        "moves": round(seconds * 60), "drag_seconds": duration, "redraws_during_drag": len(during),
        "redraws_per_second": len(during) / duration if duration > 0 else 0.0,
        # No redraw after release means the last one (drawn before the release) was already final.
        "release_to_final_ms": (after[-1] - released) if after else 0.0,
        "slider_shows": slider.locator(".widget-readout").inner_text().strip(),
        "readout": output.locator(".course-explorer-readout").inner_text(),
    }


def summary(drags: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [d["redraws_per_second"] for d in drags]
    latencies = [d["release_to_final_ms"] for d in drags]
    return {"n_drags": len(drags), "redraws_per_second_median": statistics.median(rates),
            "redraws_per_second_min": min(rates), "release_to_final_ms_median": statistics.median(latencies),
            "release_to_final_ms_max": max(latencies)}
