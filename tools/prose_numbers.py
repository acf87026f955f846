"""Check that every number a chapter's prose quotes is one the chapter printed.

A number in a markdown cell "agrees" when, rounded as the prose prints it, it equals a number in an
output of the same notebook or in one of its code cells (a rate or a step count the reader sets), or
when it is a declared constant of the math (``MATH_CONSTANTS``) or in the chapter's short allow-list
(``ALLOWED``, each entry with its reason). "0.41" agrees with a printed 0.4121; "62 %" with 62.3 or 0.623;
"$6.2\\cdot 10^{-3}$" with 6.18e-03; "-14.7" with -14.73.

What is checked: outside math, every number except counts up to 10 (two walls, three hollows), chapter
and section numbers, years and numbers inside `code`; inside math, decimals and powers of ten (integers
in formulas such as $x^2/20$ are the formula). Outputs of cells tagged ``timing`` do not count: a timing
changes on every run, so prose must not quote one.

    .venv/bin/python tools/prose_numbers.py            # every chapter in notebooks/
    .venv/bin/python tools/prose_numbers.py 05 07      # some chapters
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Constants of the math that prose may quote without a notebook printing them.
MATH_CONSTANTS = {
    0.9: "beta1, and gamma in Hinton's RMSprop",
    0.99: "RMSprop's default gamma",
    0.999: "Adam's default beta2",
    0.9999: "a long beta2",
    0.95: "AdaDelta's gamma in Zeiler's paper",
    0.5: "halves",
    0.1: "1 - beta1 = 0.1",
    0.001: "1 - beta2, Adam's default lr, and the usual 'solved' threshold 1e-3",
    0.01: "1 - gamma, RMSprop's default lr",
    1e-8: "Adam's and RMSprop's eps",
    1e-6: "AdaDelta's eps",
    1e-10: "AdaGrad's eps",
    1e-5: "sqrt(1e-10), where AdaGrad's eps starts to matter",
    1e-4: "sqrt(1e-8)",
    1e-9: "SOLVED_GAP: gaps below it print as solved",
    100.0: "per cent",
    1000.0: "a memory of 1 / (1 - 0.999) steps",
}

# Per chapter: numbers the prose may quote although no output prints them, each with its reason.
ALLOWED: dict[str, dict[str, str]] = {
    "01": {
        "1.19": "-0.522 - (-1.709), the two printed hollow levels",
    },
    "02": {
        "200": "StochasticLandscape's default n_samples, the landscape the explorer builds",
    },
    "03": {
        "200": "StochasticLandscape's default n_samples, the landscape the explorer builds",
    },
    "04": {
        "9.05": "the ravine's start loss, 81/20 + 5",
    },
    "05": {
        "350": "where the spike is, read off the figure",
    },
    "06": {
        "0.0032": "sqrt(1e-6 / 0.1), the per-coordinate first step; printed is its 2-D length 0.0045",
        "0.003": "the same, rounded, in the hiker story",
        "98": "1 - 2.0e-02, the largest fraction left among the five solved rows",
        "1500": "2000 - 500 steps, both printed",
    },
    "07": {
        "2410": "the digits network's parameters, 64 x 32 + 32 + 32 x 10 + 10 (printed in a timing cell)",
        "56": "7 arrays x 8 bytes, printed in a timing cell",
    },
    "08": {
        "330": "6 optimizers x 5 landscapes x 11 settings",
        "2.7": "100 steps x 32 examples / 1200 training images",
        "1200": "DigitsMLP's training set",
        "10^4": "(10 / 0.1)^2, the ratio of the regression's curvatures",
        "53": "chapter 5's grid: 0.53 of the starts (the table links there)",
    },
}

STORED_RUN = "the run stored here"
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s?%)?(?!\s?°)")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
POWER = re.compile(r"(?:(\d+(?:\.\d+)?)\s*(?:\\cdot|\\times|×)\s*)?10\^\{?([-−]?\d+)\}?")
CONTEXT_SKIP = re.compile(
    r"(chapters?|ch\.|section|sections|§|part|exercise|exercises|figure|cell|cells)\s*$", re.I
)


@dataclass(frozen=True)
class Quoted:
    text: str  # as printed in the prose, e.g. "0.41" or "62 %"
    value: float
    decimals: int  # digits after the decimal point (the printed rounding)
    percent: bool
    context: str


def _parse(token: str) -> tuple[float, int, bool]:
    percent = token.rstrip().endswith("%")
    body = token.rstrip("% ").replace(",", "").replace("−", "-")
    mantissa = body.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if "e" in body.lower():
        exponent = int(body.lower().split("e")[1])
        decimals = max(decimals - exponent, 0)
    return float(body), decimals, percent


def numbers_in(text: str) -> list[float]:
    """Every number in an output or a code cell (sign kept; thousands separators allowed)."""
    values = []
    text = re.sub(r"(?<=\d)_(?=\d)", "", text)  # 100_000 in code
    for match in NUMBER.finditer(text):
        try:
            values.append(_parse(match.group())[0])
        except ValueError:
            continue
    return values


def _strip_markdown(text: str) -> str:
    text = re.sub(r"<a id=[^>]*></a>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"`[^`]*`", " ", text)  # inline code: names, not quoted results
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))  # headings


def quoted_numbers(markdown: str) -> list[Quoted]:
    """The numbers a markdown cell quotes, with their printed rounding."""
    text = _strip_markdown(markdown)
    found: list[Quoted] = []
    for math_match in MATH.finditer(text):
        for power in POWER.finditer(math_match.group()):
            mantissa, exponent = power.group(1), int(power.group(2).replace("−", "-"))
            digits = len(mantissa.split(".")[1]) if mantissa and "." in mantissa else 0
            value = float(mantissa or 1) * 10.0**exponent
            found.append(Quoted(power.group(), value, max(digits - exponent, 0), False, math_match.group()))
        without_powers = POWER.sub(" ", math_match.group())
        for decimal in re.finditer(r"(?<![\w.^_{])[-−]?\d+\.\d+", without_powers):
            value, decimals, _ = _parse(decimal.group())
            found.append(Quoted(decimal.group(), value, decimals, False, math_match.group()))
    prose = MATH.sub(" ", text)
    for match in NUMBER.finditer(prose):
        token = match.group().strip()
        before = prose[max(0, match.start() - 12) : match.start()]
        if CONTEXT_SKIP.search(before) or re.search(r"[A-Za-z]$", before):  # "chapter 4", "x10", "B1"
            continue
        try:
            value, decimals, percent = _parse(token)
        except ValueError:
            continue
        if decimals == 0 and not percent and abs(value) <= 10:
            continue
        if decimals == 0 and 1900 <= value <= 2030:  # a year
            continue
        context = prose[max(0, match.start() - 40) : match.end() + 20].replace("\n", " ")
        found.append(Quoted(token, value, decimals, percent, context))
    return found


def agrees(quoted: Quoted, candidates: list[float]) -> bool:
    """Does ``quoted``, at its printed rounding, equal one of the candidates (or its absolute value)?"""
    targets = [quoted.value]
    tolerances = [0.5 * 10.0**-quoted.decimals]
    if quoted.percent:  # "62 %" may be a printed 0.62
        targets.append(quoted.value / 100)
        tolerances.append(0.5 * 10.0 ** -(quoted.decimals + 2))
    for target, tolerance in zip(targets, tolerances):
        tolerance = tolerance * (1 + 1e-9) + 1e-12
        for x in candidates:
            if abs(x - target) <= tolerance or abs(abs(x) - abs(target)) <= tolerance:
                return True
            # A power of ten quoted as "$10^{-3}$" agrees with 0.001 and with a printed 1.0e-03.
            if target != 0 and x != 0 and quoted.decimals > 6 and math.isclose(x, target, rel_tol=0.05):
                return True
    return False


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def check_notebook(path: Path) -> list[str]:
    """One line per quoted number that no output, code cell, constant or allow-list entry accounts for."""
    return _check(path)[0]


def stale_allowances(path: Path) -> list[str]:
    """Allow-list entries of the chapter that its prose no longer needs (printed now, or no longer quoted)."""
    return _check(path)[1]


def _check(path: Path) -> tuple[list[str], list[str]]:
    nb = json.loads(path.read_text())
    chapter = path.name[:2]
    candidates: list[float] = list(MATH_CONSTANTS)
    timings: list[float] = []  # printed by cells tagged timing: they differ on every machine and run
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        candidates += numbers_in(_text(cell["source"]))
        printed = timings if "timing" in cell.get("metadata", {}).get("tags", []) else candidates
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                printed += numbers_in(_text(output["text"]))
            elif "text/plain" in output.get("data", {}):
                printed += numbers_in(_text(output["data"]["text/plain"]))
    allowed = ALLOWED.get(chapter, {})
    problems, used = [], set()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        prose = _text(cell["source"])
        # A paragraph may quote timings only as what they are: numbers of "the run stored here".
        quotes_stored_run = STORED_RUN in " ".join(prose.split())
        for quoted in quoted_numbers(prose):
            if agrees(quoted, candidates) or (quotes_stored_run and agrees(quoted, timings)):
                continue
            if quoted.text.rstrip("% ") in allowed:
                used.add(quoted.text.rstrip("% "))
                continue
            problems.append(f"{path.name} cell {index}: {quoted.text!r} is not printed anywhere: "
                            f"...{quoted.context}...")
    return problems, sorted(set(allowed) - used)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="two-digit chapter numbers (default: all)")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.chapters:
        paths = [p for p in paths if p.name[:2] in args.chapters]
    problems = [line for path in paths for line in check_notebook(path)]
    print("\n".join(problems) or f"every quoted number agrees with an output ({len(paths)} notebooks)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
