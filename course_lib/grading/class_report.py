"""What the class got wrong: ``class-report.md`` and ``class-report.png`` for the instructor.

Per exercise: how many students passed, made each known mistake the checker
names ("eps on the wrong side of the square root: 11 of 40"), failed otherwise,
or skipped it (the answer left as released, still raising NotImplementedError);
the points distribution; the exercises most often skipped; and how long the
notebooks took (median). The mistake names come as data from the judge's
verdicts (``SubmissionResult.mistakes``), not from parsing the feedback text.

No student is named: the report is about the class, and is safe to share with
teaching assistants.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..exercises import SPECS
from .grade import ClassResult

OUTCOMES = ("passed", "known mistake", "other wrong answer", "skipped")
TOP_MISTAKES = 12  # bars in the picture; the Markdown lists them all


@dataclass
class ExerciseSummary:
    """How the class did on one exercise."""

    exercise: str
    title: str
    points: int
    outcomes: Counter = field(default_factory=Counter)  # OUTCOMES -> students
    mistakes: Counter = field(default_factory=Counter)  # known mistake name -> students
    scores: Counter = field(default_factory=Counter)  # points earned -> students


def summarise(result: ClassResult) -> list[ExerciseSummary]:
    """One ExerciseSummary per exercise, in the release's order."""
    summaries = []
    for exercise, points in result.exercises.items():
        spec = SPECS.get(exercise)
        summary = ExerciseSummary(exercise, spec.title if spec else "", points)
        for student in result.results:
            earned = student.points.get(exercise, 0)
            summary.scores[earned] += 1
            if earned >= points:
                summary.outcomes["passed"] += 1
            elif exercise in student.skipped:
                summary.outcomes["skipped"] += 1
            elif exercise in student.mistakes:
                summary.outcomes["known mistake"] += 1
                summary.mistakes[student.mistakes[exercise]] += 1
            else:
                summary.outcomes["other wrong answer"] += 1
        summaries.append(summary)
    return summaries


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def report_markdown(result: ClassResult, picture: str | None = "class-report.png") -> str:
    """The class report in Markdown (``picture``: the PNG's file name to link, or None)."""
    n = len(result.results)
    summaries = summarise(result)
    totals = [student.total for student in result.results]
    lines = ["# Class report", ""]
    if not n:
        return "\n".join(lines + ["No submissions were graded.", ""])
    lines += [
        f"{n} submissions, {len(result.exercises)} exercises, {result.max_total} points; cases drawn with seed "
        f"{result.seed}.",
        "",
        f"- Total points: median {statistics.median(totals):g} of {result.max_total}, "
        f"lowest {min(totals)}, highest {max(totals)}; full marks: {totals.count(result.max_total)} of {n}.",
        f"- Time per submission (median): notebooks run under nbval "
        f"{_seconds(_median([s.timings['nbval'] for s in result.results if 'nbval' in s.timings]))}, "
        f"whole grading {_seconds(_median([s.timings['total'] for s in result.results if 'total' in s.timings]))}.",
        f"- Submissions with notes (timeouts, crashes, tampering, missing files): "
        f"{sum(1 for s in result.results if s.notes)} of {n}; see the notes column of the gradebook.",
        "",
    ]
    if picture:
        lines += [f"![Outcomes per exercise, known mistakes and totals]({picture})", ""]

    mistakes = [(s, name, count) for s in summaries for name, count in s.mistakes.items()]
    mistakes.sort(key=lambda item: (-item[2], item[0].exercise, item[1]))
    lines += ["## Known mistakes", ""]
    if mistakes:
        lines += ["What to re-teach first: the mistakes the checker recognised, most frequent first.", ""]
        lines += [f"- **{s.exercise}** {name}: {count} of {n}" for s, name, count in mistakes]
    else:
        lines.append("No known mistake was recognised.")
    lines.append("")

    skipped = sorted((s for s in summaries if s.outcomes["skipped"]), key=lambda s: (-s.outcomes["skipped"],))
    lines += ["## Most often skipped", ""]
    if skipped:
        lines += [f"{k}. **{s.exercise}** {s.title}: {s.outcomes['skipped']} of {n}" for k, s in
                  enumerate(skipped[:5], start=1)]
    else:
        lines.append("Every student attempted every exercise.")
    lines.append("")

    lines += [
        "## Per exercise", "",
        "| exercise | points | passed | known mistake | other wrong answer | skipped | points earned: students |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in summaries:
        scores = ", ".join(f"{points}: {count}" for points, count in sorted(s.scores.items(), reverse=True))
        counts = " | ".join(str(s.outcomes[outcome]) for outcome in OUTCOMES)
        lines.append(f"| {s.exercise} {s.title} | {s.points} | {counts} | {scores} |")
    lines.append("")
    return "\n".join(lines)


# ---- the picture ------------------------------------------------------------------------

# Each outcome has a grey level AND a hatch, so the picture reads in greyscale and for every colour vision.
STYLE = {
    "passed": {"facecolor": "#FFFFFF", "hatch": ""},
    "known mistake": {"facecolor": "#5A5A5A", "hatch": ""},
    "other wrong answer": {"facecolor": "#B4B4B4", "hatch": "///"},
    "skipped": {"facecolor": "#FFFFFF", "hatch": "..."},
}


def report_figure(result: ClassResult):
    """A matplotlib Figure (Agg, no pyplot): outcomes per exercise, known mistakes, and totals."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    summaries = summarise(result)
    n = max(1, len(result.results))
    rows = max(1, len(summaries))
    figure = Figure(figsize=(13, max(5.0, 0.42 * rows + 2.2)), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 2, width_ratios=(1.15, 1), height_ratios=(1, 1.3))
    _outcomes_panel(figure.add_subplot(grid[:, 0]), summaries, n)
    _totals_panel(figure.add_subplot(grid[0, 1]), result)
    _mistakes_panel(figure.add_subplot(grid[1, 1]), summaries, n)
    figure.suptitle(f"Class report: {len(result.results)} submissions, seed {result.seed}", fontsize=13)
    return figure


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _outcomes_panel(ax, summaries: list[ExerciseSummary], n: int) -> None:
    labels = [_shorten(f"{s.exercise} {s.title}", 44) for s in summaries]
    positions = range(len(summaries))
    left = [0] * len(summaries)
    for outcome in OUTCOMES:
        counts = [s.outcomes[outcome] for s in summaries]
        bars = ax.barh(positions, counts, left=left, height=0.7, edgecolor="black", linewidth=0.8,
                       label=outcome, **STYLE[outcome])
        for bar, count in zip(bars, counts):
            if count and bar.get_width() >= 0.06 * n:  # label the segment when there is room
                dark = STYLE[outcome]["facecolor"] == "#5A5A5A"
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(count),
                        ha="center", va="center", fontsize=9, color="white" if dark else "black",
                        bbox=None if dark or not STYLE[outcome]["hatch"] else
                        {"facecolor": "white", "edgecolor": "none", "pad": 1.5})
        left = [a + b for a, b in zip(left, counts)]
    ax.set_yticks(list(positions), labels, fontsize=9)
    ax.set_ylim(len(summaries) - 0.5, -0.5)  # the first exercise on top
    ax.set_xlim(0, n)
    ax.set_xlabel("students")
    ax.set_title("Outcome per exercise", loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False, fontsize=9)


def _totals_panel(ax, result: ClassResult) -> None:
    totals = Counter(student.total for student in result.results)
    xs = range(result.max_total + 1)
    ax.bar(xs, [totals.get(x, 0) for x in xs], width=0.8, facecolor="#5A5A5A", edgecolor="black")
    ax.set_xlim(-0.7, result.max_total + 0.7)
    ax.set_xlabel(f"total points (of {result.max_total})")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Distribution of totals", loc="left")


def _mistakes_panel(ax, summaries: list[ExerciseSummary], n: int) -> None:
    mistakes = sorted(((count, s.exercise, name) for s in summaries for name, count in s.mistakes.items()),
                      key=lambda item: (-item[0], item[1], item[2]))[:TOP_MISTAKES]
    ax.set_title("Known mistakes (students)", loc="left")
    if not mistakes:
        ax.text(0.5, 0.5, "no known mistake recognised", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    positions = range(len(mistakes))
    ax.barh(positions, [count for count, _, _ in mistakes], height=0.6, facecolor="#5A5A5A", edgecolor="black")
    ax.set_yticks(list(positions), [_shorten(f"{exercise}: {name}", 48) for _, exercise, name in mistakes],
                  fontsize=9)
    ax.set_ylim(max(len(mistakes), 6) - 0.5, -0.5)  # bars keep their thickness when there are few
    for position, (count, _, _) in zip(positions, mistakes):
        ax.text(count, position, f" {count} of {n}", va="center", fontsize=9)
    ax.set_xlim(0, max(count for count, _, _ in mistakes) * 1.3)
    ax.xaxis.get_major_locator().set_params(integer=True)


def write_class_report(result: ClassResult, folder: Path) -> tuple[Path, Path]:
    """Write ``class-report.md`` and ``class-report.png`` into ``folder``; return both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    markdown, picture = folder / "class-report.md", folder / "class-report.png"
    figure = report_figure(result)
    figure.savefig(picture)
    markdown.write_text(report_markdown(result, picture.name), encoding="utf-8")
    return markdown, picture
