"""Every number a chapter's prose quotes is one the chapter printed (tools/prose_numbers.py)."""

import json
from pathlib import Path

import pytest

from tools import prose_numbers

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Chapters 02 and 03 are being rewritten for issue 12 by another change; strict, so that this
# marker has to go as soon as they agree with their outputs.
BEING_REWRITTEN = {"02", "03"}


def _params():
    for path in CHAPTERS:
        marks = [pytest.mark.xfail(reason="chapter rewritten in another branch (issue 12)", strict=True)] \
            if path.name[:2] in BEING_REWRITTEN else []
        yield pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", list(_params()))
def test_every_number_in_the_prose_is_printed(path):
    problems = prose_numbers.check_notebook(path)
    assert not problems, "\n".join(problems)


def _notebook(tmp_path, prose, output, code="run()", tags=()):
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": code,
             "outputs": [{"output_type": "stream", "name": "stdout", "text": output}]},
            {"cell_type": "markdown", "metadata": {}, "source": prose},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "99_test.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_a_wrong_number_is_found(tmp_path):
    problems = prose_numbers.check_notebook(_notebook(tmp_path, "The loss fell to 0.52.", "final loss 0.4812\n"))
    assert len(problems) == 1 and "'0.52'" in problems[0]


def test_a_number_agrees_at_its_printed_rounding(tmp_path):
    for prose in ("The loss fell to 0.48.", "The loss fell to 0.5.", "It is 48 % of the start.",
                  "A loss of $4.8\\cdot 10^{-1}$.", "The loss fell to -0.481."):
        assert prose_numbers.check_notebook(_notebook(tmp_path, prose, "final loss 0.4812\n")) == [], prose
    # Rounding is not a licence: 0.47 is two hundredths off.
    assert prose_numbers.check_notebook(_notebook(tmp_path, "It fell to 0.47.", "final loss 0.4812\n"))


def test_code_counts_but_timings_do_not(tmp_path):
    assert prose_numbers.check_notebook(_notebook(tmp_path, "We run 2000 steps.", "", code="run(steps=2_000)")) == []
    timed = _notebook(tmp_path, "One step takes 0.38 ms.", "0.38 ms per step\n", tags=["timing"])
    assert prose_numbers.check_notebook(timed)


def test_structural_numbers_are_not_quotes():
    quoted = [q.text for q in prose_numbers.quoted_numbers(
        "## 3. Races\nChapter 4 (Duchi, 2011) turns the valley by 45° in `scaled_bowl(10)`, "
        "[see](05_rmsprop.ipynb#x) three hollows, $J = x^2/20 + 5y^2$, and 0.25 of the starts.")]
    assert quoted == ["0.25"]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_the_allow_list_holds_only_numbers_the_prose_still_needs(path):
    assert prose_numbers.stale_allowances(path) == []
