"""``python -m course_lib release``: write exercises/ from solutions/.

The solutions are executed once, by the course's one notebook builder
(``make notebooks NB=04``, tools/notebooks.py), which writes the executed
``solutions/NN_topic.ipynb`` from its source ``solutions/NN_topic.md``. The
release executes nothing. For every solutions notebook it:

1. refuses it when its .ipynb is not built from its current .md (run
   ``make notebooks NB=NN`` first), when it is malformed (``validate``) or when a
   check cell did not print its pass line (``check_outputs``);
2. builds ``exercises/NN_topic.ipynb`` (``build_exercise``): in cells tagged
   ``solution`` the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
   becomes ``raise NotImplementedError("Exercise 4.1: <hint>")``; every code
   cell loses its outputs and execution count, so that a learner sees no
   verdict before running a check; markdown, metadata, cell ids and the tags
   ``solution`` and ``check`` with ``metadata.course`` (which the grader reads)
   are kept;
3. writes it with its paired MyST source ``exercises/NN_topic.md`` (jupytext),
   so that ``tools/notebooks.py --check`` holds for exercises/ too.

Check cells are tagged ``nbval-check-output`` in solutions/ (nbval compares the
pass line there) and not in exercises/: under ``pytest --nbval-lax`` a released
check cell passes when the check returns and fails, with the checker's message,
when it raises, whatever output a learner's earlier run left stored in it.

Running it twice gives identical files. ``--check`` writes nothing and exits
with 1 when exercises/ (a .ipynb or a .md) is out of date with solutions/.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..where import refuse_in_browser
from . import SPECS, specs_for

refuse_in_browser("course_lib.exercises.release", "python -m course_lib release")

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
TEXT_FORMAT = "md:myst"
# The notebook metadata a .md keeps besides jupytext's own: the same filter as jupytext.toml's.
NOTEBOOK_METADATA_FILTER = "course"
COMPARED_OUTPUT_TAG = "nbval-check-output"  # solutions/ only: see the module docstring
# The course checkout this module runs from (an editable install); an installed copy has none.
CHECKOUT = Path(__file__).resolve().parents[2]


class ReleaseError(ValueError):
    """A solutions notebook that cannot be released; the message says where and why."""


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _course(cell_or_nb: Any) -> dict:
    course = cell_or_nb.get("metadata", {}).get("course", {})
    return course if isinstance(course, dict) else {}


def hide_solution(source: str, hint: str, where: str) -> str:
    """Replace each BEGIN/END SOLUTION region of ``source`` by a raise with the hint."""
    lines, out, inside = source.split("\n"), [], False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ReleaseError(f"{where}: line {number} opens a solution region inside another one")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}raise NotImplementedError({hint!r})")
        elif stripped == END:
            if not inside:
                raise ReleaseError(f"{where}: line {number} closes a solution region that was never opened")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ReleaseError(f"{where}: a solution region is never closed ({END!r} missing)")
    return "\n".join(out)


def validate(nb: Any, name: str) -> None:
    """Raise ReleaseError unless ``nb`` is a well-formed solutions notebook called ``name``."""
    notebook_id = _course(nb).get("notebook")
    if notebook_id != name:
        raise ReleaseError(f"{name}: metadata course.notebook is {notebook_id!r}, expected {name!r}")
    specs = {spec.id: spec for spec in specs_for(name)}
    if not specs:
        raise ReleaseError(f"{name}: no exercises are defined for it in course_lib/exercises/")
    checked, answered = [], []
    for index, cell in enumerate(nb.cells):
        where = f"{name} cell {index} (id {cell.get('id')})"
        tags, course = _tags(cell), _course(cell)
        if BEGIN in cell.source and "solution" not in tags:
            raise ReleaseError(f"{where}: has {BEGIN!r} but is not tagged 'solution' (its answer would leak)")
        if "solution" in tags:
            if cell.cell_type != "code" or BEGIN not in cell.source:
                raise ReleaseError(f"{where}: a 'solution' cell must be code containing {BEGIN!r}")
            if course.get("exercise") not in specs:
                raise ReleaseError(f"{where}: course.exercise {course.get('exercise')!r} not in {sorted(specs)}")
            answered.append(course["exercise"])
        if "check" in tags:
            spec = specs.get(str(course.get("exercise")))
            if spec is None:
                raise ReleaseError(f"{where}: course.exercise {course.get('exercise')!r} not in {sorted(specs)}")
            if course.get("points") != spec.points:
                raise ReleaseError(f"{where}: points {course.get('points')!r}, but {spec.id} is worth {spec.points}")
            if COMPARED_OUTPUT_TAG not in tags:
                raise ReleaseError(f"{where}: a check cell must also be tagged {COMPARED_OUTPUT_TAG!r}")
            expected_source = f'check("{spec.id}", {spec.symbol})'
            if cell.source.strip() != expected_source:
                raise ReleaseError(f"{where}: a check cell's source must be {expected_source!r}")
            checked.append(spec.id)
    for exercise_id in specs:
        if checked.count(exercise_id) != 1 or answered.count(exercise_id) != 1:
            raise ReleaseError(
                f"{name}: exercise {exercise_id} needs exactly one 'solution' and one 'check' cell, "
                f"found {answered.count(exercise_id)} and {checked.count(exercise_id)}"
            )


def check_outputs(nb: Any, name: str) -> None:
    """Raise ReleaseError unless every check cell of the executed ``nb`` printed its pass line."""
    for cell in nb.cells:
        if "check" in _tags(cell):
            exercise_id = _course(cell)["exercise"]
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            if not text.startswith(f"Exercise {exercise_id} passed:"):
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                got = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else (text.strip() or "no output")
                raise ReleaseError(f"{name}: the solution of exercise {exercise_id} does not pass: {got}")


def build_exercise(solution: Any, name: str) -> Any:
    """The released exercise notebook for an (executed) solutions notebook; ``solution`` is not modified."""
    validate(solution, name)
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = _tags(cell)
        cell.outputs, cell.execution_count = [], None
        if "solution" in tags:
            spec = SPECS[_course(cell)["exercise"]]
            where = f"{name} cell {cell.get('id')}"
            cell.source = hide_solution(cell.source, f"Exercise {spec.id}: {spec.hint}", where)
        if "check" in tags:
            cell.metadata["tags"] = [tag for tag in tags if tag != COMPARED_OUTPUT_TAG]
    return nb


# ---- files -----------------------------------------------------------------------------


def _jupytext():
    try:
        import jupytext  # imported here: only instructors need it (the test extras)
    except ImportError:
        raise ReleaseError(
            "the release writes each exercise notebook's .md source with jupytext, which is not installed: "
            "pip install jupytext (or the course's test extras: pip install -e '.[test]')"
        ) from None
    return jupytext


def _cell_inputs(nb: Any) -> list[tuple]:
    """What a notebook's text source determines: each cell's type, source, tags and course metadata."""
    return [
        (c.cell_type, c.source.rstrip("\n"), tuple(_tags(c)), repr(c.get("metadata", {}).get("course")))
        for c in nb.cells
    ]


def _require_built_from_source(nb: Any, path: Path) -> None:
    """Raise ReleaseError when the executed ``path`` (.ipynb) is not the build of its .md source."""
    source = path.with_suffix(".md")
    if not source.exists():
        return  # a solutions folder without text sources: the .ipynb is the source
    built, expected = _cell_inputs(nb), _cell_inputs(_jupytext().read(source, fmt=TEXT_FORMAT))
    if built != expected:
        differ = next((i for i, (a, b) in enumerate(zip(built, expected)) if a != b), min(len(built), len(expected)))
        raise ReleaseError(
            f"{path.name} is not built from its source {source.name} (cell {differ} differs): "
            f"run `make notebooks NB={path.stem[:2]}` (tools/notebooks.py) first, then release"
        )


def markdown_source(nb: Any) -> str:
    """The paired MyST Markdown source of an exercise notebook, as jupytext writes it."""
    jupytext = _jupytext()
    from jupytext.config import JupytextConfiguration

    config = JupytextConfiguration(notebook_metadata_filter=NOTEBOOK_METADATA_FILTER)
    return jupytext.writes(nb, fmt=TEXT_FORMAT, config=config)


def _without_jupytext_version(text: str) -> str:
    # jupytext writes its own version into the header: another jupytext alone is not a change of content.
    return re.sub(r"(?m)^\s*jupytext_version: .*\n", "", text, count=1)


def _same(path: Path, text: str) -> bool:
    if not path.exists():
        return False
    old = path.read_text(encoding="utf-8")
    return old == text or (path.suffix == ".md" and _without_jupytext_version(old) == _without_jupytext_version(text))


def released_files(solution_path: Path, exercises: Path) -> dict[Path, str]:
    """The exercise files (.ipynb and .md) that ``solution_path`` releases to, with their text."""
    import nbformat

    nb = nbformat.read(solution_path, as_version=4)
    name = solution_path.stem
    validate(nb, name)
    _require_built_from_source(nb, solution_path)
    check_outputs(nb, name)
    exercise = build_exercise(nb, name)
    target = exercises / solution_path.name
    return {target: nbformat.writes(exercise) + "\n", target.with_suffix(".md"): markdown_source(exercise)}


def solution_paths(solutions: Path) -> list[Path]:
    return sorted(p for p in solutions.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def _select(solutions: Path, names: list[str] | None) -> list[Path]:
    paths = [p for p in solution_paths(solutions) if not names or p.stem in names or p.name in names]
    if names and len(paths) != len(names):
        raise ReleaseError(f"unknown notebook(s) among {names}; found {[p.stem for p in solution_paths(solutions)]}")
    return paths


def out_of_date(solutions: Path, exercises: Path, names: list[str] | None = None) -> list[str]:
    """The exercise files (.ipynb or .md, by name) that differ from what solutions/ releases to."""
    stale = []
    for path in _select(solutions, names):
        for target, text in released_files(path, exercises).items():
            if not _same(target, text):
                stale.append(target.name)
    return stale


def release(solutions: Path, exercises: Path, names: list[str] | None = None) -> list[str]:
    """Release the (executed) solutions notebooks; return the exercise files that changed."""
    paths = _select(solutions, names)
    exercises.mkdir(parents=True, exist_ok=True)
    changed = []
    for path in paths:
        for target, text in released_files(path, exercises).items():
            if not _same(target, text):
                target.write_text(text, encoding="utf-8")
                changed.append(str(target))
        keep_source_newer(exercises / path.with_suffix(".md").name, exercises / path.name)
    return changed


def keep_source_newer(source: Path, built: Path) -> None:
    """Give a paired .md source the modification time of its .ipynb if it is older.

    jupytext's contents manager (installed with the test extras) refuses to open a paired .ipynb that is
    more recent than its .md, for fear of losing edits made to the .ipynb; a build or a release writes the
    .ipynb after its source, so without this `make lab` would refuse every notebook just written.
    Used by the release and by tools/notebooks.py.
    """
    built_ns = built.stat().st_mtime_ns
    if source.stat().st_mtime_ns < built_ns:
        os.utime(source, ns=(built_ns, built_ns))


# ---- the command -------------------------------------------------------------------------


def default_folder(name: str) -> Path:
    """``name`` (solutions or exercises) in the course checkout this package runs from, else in the current folder."""
    if (CHECKOUT / "solutions").is_dir():
        return CHECKOUT / name
    return Path.cwd() / name


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m course_lib release``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m course_lib release",
        description="Write exercises/ from the executed solutions/ (instructors; run `make notebooks` first).",
    )
    parser.add_argument("notebooks", nargs="*", help="release only these (e.g. 04_adagrad); default: all")
    parser.add_argument(
        "--solutions", type=Path, default=None,
        help="the solutions folder (default: solutions/ of the course checkout, else of the current folder)",
    )
    parser.add_argument(
        "--exercises", type=Path, default=None, help="where to write (default: exercises/ beside the solutions)"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if exercises/ is out of date")
    args = parser.parse_args(argv)
    solutions = args.solutions or default_folder("solutions")
    exercises = args.exercises or solutions.parent / "exercises"
    if not solutions.is_dir():
        print(
            f"release failed: the solutions folder {solutions} does not exist. The release works on a checkout "
            "of the course: run it from the checkout's root folder, or pass --solutions DIR (and --exercises DIR)",
            file=sys.stderr,
        )
        return 1
    try:
        if args.check:
            stale = out_of_date(solutions, exercises, args.notebooks or None)
            for name in stale:
                print(f"out of date: {exercises / name} (run `python -m course_lib release`)")
            print("exercises/ is up to date with solutions/" if not stale else f"{len(stale)} file(s) out of date")
            return 1 if stale else 0
        changed = release(solutions, exercises, args.notebooks or None)
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 1
    for path in changed:
        print(f"wrote {path}")
    print(f"released {len(_select(solutions, args.notebooks or None))} notebook(s); {len(changed)} file(s) changed")
    return 0
