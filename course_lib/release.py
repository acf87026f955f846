"""``python -m course_lib release``: write exercises/ from solutions/.

For every ``solutions/NN_<topic>.ipynb``:

1. execute it top to bottom in a fresh kernel (nbclient) and store the outputs
   back into the solutions notebook, so that its check cells hold the pass
   lines the checker prints for right answers;
2. build ``exercises/NN_<topic>.ipynb`` from it (``build_exercise``): in cells
   tagged ``solution`` the code between ``### BEGIN SOLUTION`` and
   ``### END SOLUTION`` becomes ``raise NotImplementedError("Exercise 4.1: <hint>")``
   and the outputs are cleared; cells tagged ``check`` keep their outputs (nbval
   compares them); other code cells lose their outputs; markdown, metadata and
   cell ids are kept.

Running it twice gives identical files. ``--check`` writes nothing and exits
with 1 when exercises/ is out of date with the stored solutions (no kernel needed).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path
from typing import Any

from .exercise_specs import SPECS, specs_for
from .where import refuse_in_browser

refuse_in_browser("course_lib.release", "python -m course_lib release")

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
EXECUTION_TIMEOUT = 120  # seconds per cell


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
        raise ReleaseError(f"{name}: no exercises are defined for it in course_lib/exercise_specs.py")
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
            spec = specs.get(course.get("exercise"))
            if spec is None:
                raise ReleaseError(f"{where}: course.exercise {course.get('exercise')!r} not in {sorted(specs)}")
            if course.get("points") != spec.points:
                raise ReleaseError(f"{where}: points {course.get('points')!r}, but {spec.id} is worth {spec.points}")
            if "nbval-check-output" not in tags:
                raise ReleaseError(f"{where}: a check cell must also be tagged 'nbval-check-output'")
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
        if "check" not in tags:
            # A check cell keeps its count: nbval refuses a cell with outputs but no count
            # ("Unrun reference cell has outputs") when a student runs the self-check.
            cell.execution_count = None
        if "solution" in tags:
            spec = SPECS[_course(cell)["exercise"]]
            where = f"{name} cell {cell.get('id')}"
            cell.source = hide_solution(cell.source, f"Exercise {spec.id}: {spec.hint}", where)
        if "check" not in tags:
            cell.outputs = []
    return nb


def execute(nb: Any, directory: Path) -> Any:
    """Run ``nb`` top to bottom in a fresh python3 kernel, in ``directory``; outputs stored in it."""
    from nbclient import NotebookClient  # imported here: only instructors need it

    client = NotebookClient(
        nb, timeout=EXECUTION_TIMEOUT, kernel_name="python3", allow_errors=True, record_timing=False,
        resources={"metadata": {"path": str(directory)}},
    )
    client.execute()
    return nb


def _write_if_changed(nb: Any, path: Path) -> bool:
    import nbformat

    text = nbformat.writes(nb) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def solution_paths(solutions: Path) -> list[Path]:
    return sorted(p for p in solutions.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def out_of_date(solutions: Path, exercises: Path) -> list[str]:
    """Names of the exercise notebooks that differ from what the stored solutions release to."""
    import nbformat

    stale = []
    for path in solution_paths(solutions):
        exercise = build_exercise(nbformat.read(path, as_version=4), path.stem)
        target = exercises / path.name
        if not target.exists() or target.read_text(encoding="utf-8") != nbformat.writes(exercise) + "\n":
            stale.append(path.name)
    return stale


def release(solutions: Path, exercises: Path, names: list[str] | None = None, execute_first: bool = True) -> list[str]:
    """Execute and release the solutions notebooks; return the files that changed."""
    import nbformat

    changed = []
    paths = [p for p in solution_paths(solutions) if not names or p.stem in names or p.name in names]
    if names and len(paths) != len(names):
        raise ReleaseError(f"unknown notebook(s) among {names}; found {[p.stem for p in solution_paths(solutions)]}")
    exercises.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        validate(nb, path.stem)
        if execute_first:
            execute(nb, path.parent)
            check_outputs(nb, path.stem)
            if _write_if_changed(nb, path):
                changed.append(str(path))
        else:
            check_outputs(nb, path.stem)
        if _write_if_changed(build_exercise(nb, path.stem), exercises / path.name):
            changed.append(str(exercises / path.name))
    return changed


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m course_lib release``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m course_lib release", description="Write exercises/ from solutions/ (instructors)."
    )
    parser.add_argument("notebooks", nargs="*", help="release only these (e.g. 04_adagrad); default: all")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions", help="default: %(default)s")
    parser.add_argument("--exercises", type=Path, default=ROOT / "exercises", help="default: %(default)s")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if exercises/ is out of date")
    parser.add_argument(
        "--no-execute", action="store_true", help="use the outputs stored in the solutions instead of running them"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = out_of_date(args.solutions, args.exercises)
            for name in stale:
                print(f"out of date: {args.exercises / name} (run `python -m course_lib release`)")
            print("exercises/ is up to date with solutions/" if not stale else f"{len(stale)} notebook(s) out of date")
            return 1 if stale else 0
        changed = release(args.solutions, args.exercises, args.notebooks or None, not args.no_execute)
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 1
    for path in changed:
        print(f"wrote {path}")
    print(f"released {len(solution_paths(args.solutions))} notebook(s); {len(changed)} file(s) changed")
    return 0
