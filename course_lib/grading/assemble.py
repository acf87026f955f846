"""Find a student's notebooks and rebuild them from the pristine release.

Only one thing is taken from a student's notebook: the source of each answer
cell (tag ``solution`` in the release), matched by cell id. Everything else
(check cells, their expected outputs, tags, nbval markers, kernel, metadata)
comes from the released exercise notebook, so editing, deleting or adding check
cells, or printing what a check would print, gains nothing.

Submissions are only read, never written.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20_000_000  # a bigger file is not read (an exercise notebook is ~10 kB)
MAX_ANSWER_CHARS = 200_000  # per answer cell; longer sources are refused
RELEASE_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+$")
NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$", re.MULTILINE)  # "# NBVAL_SKIP" and friends


@dataclass(frozen=True)
class CheckCell:
    """A check cell of the release: its position, exercise and points."""

    index: int
    exercise: str
    points: int


@dataclass(frozen=True)
class ReleasedNotebook:
    """A pristine exercise notebook (exercises/NN_topic.ipynb) and where its answers and checks are."""

    id: str
    nb: dict
    answer_ids: tuple[str, ...]  # cell ids of the answer cells, in order
    answer_exercise: dict  # answer cell id -> exercise id
    checks: tuple[CheckCell, ...]


@dataclass
class StudentNotebook:
    """What is taken from one student notebook: the answer sources, by cell id."""

    notebook: str
    path: Path
    answers: dict[str, str] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)  # exercises whose stored check output says "passed"


@dataclass
class Submission:
    """One student's folder: the notebooks found, and notes on everything else."""

    student: str
    notebooks: dict[str, StudentNotebook] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _tags(cell: dict) -> list:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _source(cell: dict) -> str | None:
    """A cell's source as one string, or None if it is neither a string nor a list of strings."""
    source = cell.get("source")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return None


def load_release(exercises_dir: Path) -> dict[str, ReleasedNotebook]:
    """The released exercise notebooks of ``exercises_dir``, by notebook id ("04_adagrad").

    Raises
    ------
    ValueError
        If the folder holds no exercise notebook, or one is not a valid release.
    """
    exercises_dir = Path(exercises_dir)
    paths = sorted(p for p in exercises_dir.glob("*.ipynb") if RELEASE_NAME.match(p.stem))
    if not paths:
        raise ValueError(f"exercises_dir {str(exercises_dir)!r} holds no exercise notebook (NN_topic.ipynb)")
    release = {}
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        answer_ids, answer_exercise, checks = [], {}, []
        for index, cell in enumerate(nb["cells"]):
            course = cell.get("metadata", {}).get("course", {})
            if cell["cell_type"] != "code":
                continue
            if "solution" in _tags(cell):
                answer_ids.append(cell["id"])
                answer_exercise[cell["id"]] = course.get("exercise")
            elif "check" in _tags(cell):
                checks.append(CheckCell(index, str(course["exercise"]), int(course["points"])))
        if not checks:
            raise ValueError(f"{path}: a released exercise notebook without check cells")
        release[path.stem] = ReleasedNotebook(path.stem, nb, tuple(answer_ids), answer_exercise, tuple(checks))
    return release


def _identify(nb: dict, path: Path, release: dict[str, ReleasedNotebook]) -> str | None:
    """The release notebook id of a student notebook: its metadata, else its file name."""
    metadata = nb.get("metadata")
    course = metadata.get("course") if isinstance(metadata, dict) else None
    notebook_id = course.get("notebook") if isinstance(course, dict) else None
    if isinstance(notebook_id, str) and notebook_id in release:
        return notebook_id
    name = re.sub(r"[^a-z0-9]+", "_", path.stem.lower())
    for candidate in release:  # "04_adagrad (1).ipynb", "Copy of 04_adagrad.ipynb"
        if candidate in name:
            return candidate
    match = re.match(r"^(?:ex(?:ercises?)?_?)?(\d\d?)(?:_|$)", name)  # "04_mine.ipynb", "ex4.ipynb"
    if match:
        by_number = [c for c in release if int(c[:2]) == int(match.group(1))]
        if len(by_number) == 1:
            return by_number[0]
    return None


def _read_notebook(path: Path, shown: str) -> tuple[dict | None, str | None]:
    """A parsed notebook, or None and a note saying why the file is not one."""
    size = path.stat().st_size
    if size == 0:
        return None, f"{shown}: empty file"
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"{shown}: {size / 1e6:.0f} MB, too large for a notebook (limit {MAX_NOTEBOOK_BYTES / 1e6:.0f} MB)"
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        kind = "malformed notebook" if path.suffix == ".ipynb" else "not a notebook"
        return None, f"{shown}: {kind} ({type(exc).__name__}: {str(exc)[:80]})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        kind = "malformed notebook" if path.suffix == ".ipynb" else "not a notebook"
        return None, f"{shown}: {kind} (no list of cells)"
    if not all(isinstance(cell, dict) for cell in nb["cells"]):
        return None, f"{shown}: malformed notebook (a cell is not an object)"
    return nb, None


def find_submission(folder: Path, release: dict[str, ReleasedNotebook]) -> Submission:
    """Read a student's folder (any file names, sub-folders too) without modifying it."""
    folder = Path(folder)
    submission = Submission(folder.name)
    files = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    candidates: dict[str, list[StudentNotebook]] = {}
    for path in files:
        shown = str(path.relative_to(folder))
        nb, problem = _read_notebook(path, shown)
        if nb is None:
            submission.notes.append(problem)
            continue
        notebook_id = _identify(nb, path, release)
        if notebook_id is None:
            submission.notes.append(f"{shown}: not one of the exercise notebooks ({', '.join(release)}); ignored")
            continue
        student_nb = StudentNotebook(notebook_id, path)
        _take_answers(nb, release[notebook_id], student_nb, shown, submission.notes)
        _note_tampering(nb, release[notebook_id], student_nb, shown, submission.notes)
        candidates.setdefault(notebook_id, []).append(student_nb)
    for notebook_id in release:
        found = candidates.get(notebook_id, [])
        if not found:
            submission.notes.append(f"missing notebook {notebook_id}")
            continue
        # Several copies: grade the one with the most answers written, then the newest.
        found.sort(key=lambda s: (-_written(s, release[notebook_id]), -s.path.stat().st_mtime, str(s.path)))
        submission.notebooks[notebook_id] = found[0]
        if len(found) > 1:
            others = ", ".join(str(s.path.relative_to(folder)) for s in found[1:])
            submission.notes.append(
                f"several notebooks for {notebook_id}: graded {found[0].path.relative_to(folder)}, ignored {others}"
            )
    return submission


def _written(student_nb: StudentNotebook, released: ReleasedNotebook) -> int:
    """How many answer cells differ from the release."""
    sources = {c.get("id"): _source(c) for c in released.nb["cells"]}
    return sum(student_nb.answers.get(i) not in (None, sources.get(i)) for i in released.answer_ids)


def _take_answers(nb: dict, released: ReleasedNotebook, student_nb: StudentNotebook, shown: str, notes: list) -> None:
    """Copy the source of the student's answer cells, matched by cell id, into ``student_nb``."""
    by_id: dict[str, dict] = {}
    for cell in nb["cells"]:
        cell_id = cell.get("id")
        if isinstance(cell_id, str) and cell_id in released.answer_ids and cell_id not in by_id:
            by_id[cell_id] = cell
    for cell_id in released.answer_ids:
        exercise = released.answer_exercise.get(cell_id)
        cell = by_id.get(cell_id)
        if cell is None:
            notes.append(f"{shown}: answer cell of exercise {exercise} not found (cell id {cell_id!r}); unanswered")
            continue
        source = _source(cell)
        if cell.get("cell_type") != "code" or source is None:
            notes.append(f"{shown}: answer cell of exercise {exercise} is not a code cell with text; unanswered")
        elif len(source) > MAX_ANSWER_CHARS:
            too_long = f"over {MAX_ANSWER_CHARS} characters"
            notes.append(f"{shown}: answer cell of exercise {exercise} is {too_long}; unanswered")
        else:
            if NBVAL_MARKER.search(source):  # a skipped answer cell would only hurt its author
                notes.append(f"{shown}: nbval marker in the answer cell of exercise {exercise} (removed)")
                source = NBVAL_MARKER.sub("", source)
            student_nb.answers[cell_id] = source


def _note_tampering(nb: dict, released: ReleasedNotebook, student_nb: StudentNotebook, shown: str, notes: list) -> None:
    """Notes on check cells and nbval markers the student changed: all ignored, the release's are used."""
    release_cells = {cell.get("id"): cell for cell in released.nb["cells"]}
    student_cells = {cell.get("id"): cell for cell in nb["cells"] if isinstance(cell.get("id"), str)}
    for check in released.checks:
        original = released.nb["cells"][check.index]
        cell = student_cells.get(original.get("id"))
        where = f"{shown}: check cell of exercise {check.exercise}"
        if cell is None:
            notes.append(f"{where} was deleted (the release's is used)")
            continue
        if (_source(cell) or "").strip() != (_source(original) or "").strip():
            notes.append(f"{where} was edited (the release's is used)")
        if sorted(map(str, _tags(cell))) != sorted(_tags(original)):
            notes.append(f"{where} has changed tags (the release's are used)")
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        text = "".join(str(o.get("text", "")) for o in outputs if isinstance(o, dict))
        if f"Exercise {check.exercise} passed" in text and cell.get("execution_count") is not None:
            student_nb.claimed.add(check.exercise)  # run in the student's kernel (the release's is unrun)
    check_ids = {released.nb["cells"][check.index].get("id") for check in released.checks}
    for cell_id, cell in student_cells.items():
        if cell_id in check_ids or cell_id in released.answer_ids:
            continue
        original = release_cells.get(cell_id)
        added_tags = {str(t) for t in _tags(cell)} - set(_tags(original) if original else [])
        suspicious = sorted(t for t in added_tags if t == "check" or t.startswith(("nbval", "raises-exception")))
        if suspicious:
            notes.append(f"{shown}: tags {', '.join(suspicious)} added to cell {cell_id[:40]!r} (ignored)")
        source = _source(cell) or ""
        if original is None and NBVAL_MARKER.search(source):
            notes.append(f"{shown}: nbval marker in an added cell {cell_id[:40]!r} (ignored)")
        elif original is not None and NBVAL_MARKER.search(source) and not NBVAL_MARKER.search(_source(original) or ""):
            notes.append(f"{shown}: nbval marker added to cell {cell_id[:40]!r} (ignored)")


def rebuild(released: ReleasedNotebook, answers: dict[str, str]) -> dict:
    """The release with the student's answer sources put in (missing answers keep the release's)."""
    nb = copy.deepcopy(released.nb)
    for cell in nb["cells"]:
        if cell.get("id") in answers:
            cell["source"] = answers[cell["id"]]
        if cell["cell_type"] == "code" and "check" not in _tags(cell):
            cell["outputs"], cell["execution_count"] = [], None
        elif cell["cell_type"] == "code":
            cell["execution_count"] = 1  # nbval refuses "unrun" reference cells that have outputs
    return nb


RESET_SOURCE = "from course_lib.grading.kernel_guard import clear_namespace\nclear_namespace()"
OUTPUT_CAP_CHARS = 1_000_000  # what one cell may print in the grading kernel
GUARD_SOURCE = f"from course_lib.grading.kernel_guard import cap_output\ncap_output({OUTPUT_CAP_CHARS})"


def _grader_cell(cell_id: str, source: str) -> dict:
    return {
        "cell_type": "code", "id": cell_id, "execution_count": None,
        "metadata": {"tags": ["nbval-ignore-output"]}, "outputs": [], "source": source,
    }


def combine(notebooks: list[tuple[ReleasedNotebook, dict]]) -> tuple[dict, dict[int, CheckCell], list[str]]:
    """One notebook made of several rebuilt ones (one kernel for the whole submission).

    A first grader cell caps what each cell may print (``kernel_guard``); a
    grader cell between chapters clears the namespace, so that one chapter's
    answers cannot stand in for another's. Returns the notebook and, for each
    check cell, its index among the code cells (nbval calls the i-th code cell "Cell i"),
    and the notebook id each code cell comes from.
    """
    first = notebooks[0][1]
    combined = {"cells": [], "metadata": copy.deepcopy(first["metadata"]), "nbformat": 4, "nbformat_minor": 5}
    combined["metadata"].pop("course", None)
    checks: dict[int, CheckCell] = {}
    owners: list[str] = []
    combined["cells"].append(_grader_cell("grader-guard", GUARD_SOURCE))
    owners.append(notebooks[0][0].id)
    for released, nb in notebooks:
        if len(combined["cells"]) > 1:
            combined["cells"].append(_grader_cell(f"grader-reset-{released.id}", RESET_SOURCE))
            owners.append(released.id)
        by_position = {check.index: check for check in released.checks}
        for index, cell in enumerate(nb["cells"]):
            if index in by_position:
                checks[len(owners)] = by_position[index]
            if cell["cell_type"] == "code":
                owners.append(released.id)
            combined["cells"].append(dict(cell, id=f"{released.id}-{cell.get('id')}"))
    return combined, checks, owners
