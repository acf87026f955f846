"""Find a student's notebooks and rebuild them from the pristine release.

Only one thing is taken from a student's notebook: the source of each answer
cell (tag ``solution`` in the release). A cell of the release is found in the
student's notebook by its cell id; else by Colab's ``metadata.id``; else by its
tags and ``metadata.course`` (nbformat 4.4 and older have no cell ids); else by
its position among the code cells when the notebook has as many as the
release, with a note; else it is unanswered, with a note. Everything else
(check cells, their expected outputs, tags, nbval markers, kernel, metadata)
comes from the released exercise notebook, so editing, deleting or adding check
cells, or printing what a check would print, gains nothing.

Submissions are only read, never written.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20_000_000  # a bigger file is not read (an exercise notebook is ~10 kB)
MAX_ANSWER_CHARS = 200_000  # per answer cell; longer sources are refused
MAX_FILES = 100  # files read per student folder (notebooks first); the rest are ignored with a note
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
    answer_exercise: dict[str, str]  # answer cell id -> exercise id
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


def _metadata(cell: dict) -> dict:
    metadata = cell.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def cell_tags(cell: dict) -> list:
    """A cell's tags, or [] when its metadata holds none (or something that is not a list)."""
    tags = _metadata(cell).get("tags", [])
    return tags if isinstance(tags, list) else []


def _course(cell: dict) -> dict:
    course = _metadata(cell).get("course")
    return course if isinstance(course, dict) else {}


def cell_source(cell: dict) -> str | None:
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
            course = _course(cell)
            if cell["cell_type"] != "code":
                continue
            if "solution" in cell_tags(cell):
                answer_ids.append(cell["id"])
                answer_exercise[cell["id"]] = str(course["exercise"])
            elif "check" in cell_tags(cell):
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


def _read_notebook(path: Path, shown: str) -> dict | str:
    """A parsed notebook, or a note (a string) saying why the file is not one."""
    size = path.stat().st_size
    if size == 0:
        return f"{shown}: empty file"
    if size > MAX_NOTEBOOK_BYTES:
        return f"{shown}: {size / 1e6:.0f} MB, too large for a notebook (limit {MAX_NOTEBOOK_BYTES / 1e6:.0f} MB)"
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except RecursionError:
        return f"{shown}: malformed notebook (JSON nested too deeply)"
    except (UnicodeDecodeError, ValueError) as exc:
        kind = "malformed notebook" if path.suffix == ".ipynb" else "not a notebook"
        return f"{shown}: {kind} ({type(exc).__name__}: {str(exc)[:80]})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        kind = "malformed notebook" if path.suffix == ".ipynb" else "not a notebook"
        return f"{shown}: {kind} (no list of cells)"
    if not all(isinstance(cell, dict) for cell in nb["cells"]):
        return f"{shown}: malformed notebook (a cell is not an object)"
    return nb


def _files(folder: Path) -> list[Path]:
    """The regular files under ``folder`` (no links followed, no hidden files or folders), sorted."""
    found = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            path = Path(root) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


def find_submission(folder: Path, release: dict[str, ReleasedNotebook]) -> Submission:
    """Read a student's folder (any file names, sub-folders too) without modifying it."""
    folder = Path(folder)
    submission = Submission(folder.name)
    files = _files(folder)
    if len(files) > MAX_FILES:
        files.sort(key=lambda p: (p.suffix != ".ipynb", str(p)))
        submission.notes.append(f"{len(files)} files in the folder: read the first {MAX_FILES} (notebooks first)")
        files = sorted(files[:MAX_FILES])
    candidates: dict[str, list[StudentNotebook]] = {}
    for path in files:
        shown = str(path.relative_to(folder))
        nb = _read_notebook(path, shown)
        if isinstance(nb, str):
            submission.notes.append(nb)
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
    sources = {c.get("id"): cell_source(c) for c in released.nb["cells"]}
    return sum(student_nb.answers.get(i) not in (None, sources.get(i)) for i in released.answer_ids)


def match_cells(nb: dict, released: ReleasedNotebook, indices: list[int]) -> dict[int, tuple[dict, str]]:
    """The student's cell for each release cell index in ``indices``, and how it was found.

    By cell id, else by ``metadata.id`` (Colab), else by the same tags and
    ``metadata.course`` (exercise), else ("position") by its place among the code
    cells when the student's notebook carries none of the release's ids and has exactly
    as many code cells as the release.
    A student cell is matched to one release cell at most.
    """
    cells = nb["cells"]
    used: set[int] = set()
    found: dict[int, tuple[dict, str]] = {}

    def take(index: int, how: str, test) -> None:
        if index in found:
            return
        for k, cell in enumerate(cells):
            if k not in used and test(cell):
                used.add(k)
                found[index] = (cell, how)
                return

    release_cells = released.nb["cells"]
    for index in indices:
        cell_id = release_cells[index].get("id")
        take(index, "id", lambda c, i=cell_id: c.get("id") == i)
    for index in indices:
        cell_id = release_cells[index].get("id")
        take(index, "metadata.id", lambda c, i=cell_id: _metadata(c).get("id") == i)
    for index in indices:
        original = release_cells[index]
        exercise, kind = _course(original).get("exercise"), "check" if "check" in cell_tags(original) else "solution"
        if exercise is None:
            continue
        take(index, "tags", lambda c, e=exercise, t=kind: (
            c.get("cell_type") == "code" and t in cell_tags(c) and _course(c).get("exercise") == e
        ))
    release_ids = {c.get("id") for c in release_cells if isinstance(c.get("id"), str)}
    has_ids = any(c.get("id") in release_ids or _metadata(c).get("id") in release_ids for c in cells)
    release_code = [k for k, c in enumerate(release_cells) if c.get("cell_type") == "code"]
    student_code = [k for k, c in enumerate(cells) if c.get("cell_type") == "code"]
    if not has_ids and len(release_code) == len(student_code):  # positions mean nothing once cells carry ids
        for index in indices:
            if index in found or index not in release_code:
                continue
            k = student_code[release_code.index(index)]
            if k not in used:
                used.add(k)
                found[index] = (cells[k], "position")
    return found


def _answer_indices(released: ReleasedNotebook) -> list[int]:
    ids = set(released.answer_ids)
    return [k for k, cell in enumerate(released.nb["cells"]) if cell.get("id") in ids]


def _take_answers(nb: dict, released: ReleasedNotebook, student_nb: StudentNotebook, shown: str, notes: list) -> None:
    """Copy the source of the student's answer cells (found by ``match_cells``) into ``student_nb``."""
    matched = match_cells(nb, released, _answer_indices(released))
    for index in _answer_indices(released):
        cell_id = released.nb["cells"][index]["id"]
        exercise = released.answer_exercise.get(cell_id)
        cell, how = matched.get(index, (None, None))
        if cell is None:
            notes.append(f"{shown}: answer cell of exercise {exercise} not found (no cell with id {cell_id!r}, "
                         "nor with its tags, and the code cells do not line up with the release); unanswered")
            continue
        if how == "position":
            notes.append(f"{shown}: answer cell of exercise {exercise} matched by its position among the code cells "
                         "(the notebook has no cell ids or tags); check that it is the right cell")
        source = cell_source(cell)
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


def _shown_outputs(cell: dict) -> tuple[str, object]:
    """What a check cell displays: the text of its outputs, and its execution count."""
    outputs = cell.get("outputs")
    if not isinstance(outputs, list):
        outputs = []
    text = "".join(str(o.get("text", "")) for o in outputs if isinstance(o, dict))
    return text, cell.get("execution_count")


def _note_tampering(nb: dict, released: ReleasedNotebook, student_nb: StudentNotebook, shown: str, notes: list) -> None:
    """Notes on check cells and nbval markers the student changed: all ignored, the release's are used.

    A check cell "claims" a pass when it shows "Exercise X passed" and its outputs differ from
    what the release shipped in that cell (whatever the release ships: a pass line, or nothing).
    """
    release_cells = {cell.get("id"): cell for cell in released.nb["cells"]}
    matched = match_cells(nb, released, [check.index for check in released.checks])
    for check in released.checks:
        original = released.nb["cells"][check.index]
        cell, how = matched.get(check.index, (None, None))
        where = f"{shown}: check cell of exercise {check.exercise}"
        if cell is None:
            notes.append(f"{where} was deleted (the release's is used)")
            continue
        if (cell_source(cell) or "").strip() != (cell_source(original) or "").strip():
            notes.append(f"{where} was edited (the release's is used)")
        if how != "position" and sorted(map(str, cell_tags(cell))) != sorted(cell_tags(original)):
            notes.append(f"{where} has changed tags (the release's are used)")
        text, count = _shown_outputs(cell)
        if f"Exercise {check.exercise} passed" in text and (text, count) != _shown_outputs(original):
            student_nb.claimed.add(check.exercise)
    matched_ids = {id(cell) for cell, _ in matched.values()}
    found: dict[str, list[str]] = {}  # what was added -> the cells it was added to (one note per kind)
    for cell in nb["cells"]:
        cell_id = cell.get("id") if isinstance(cell.get("id"), str) else "(no id)"
        if id(cell) in matched_ids or cell_id in released.answer_ids:
            continue
        original = release_cells.get(cell_id)
        added_tags = {str(t) for t in cell_tags(cell)} - set(cell_tags(original) if original else [])
        suspicious = sorted(t for t in added_tags if t == "check" or t.startswith(("nbval", "raises-exception")))
        if suspicious:
            found.setdefault(f"tags {', '.join(suspicious)} added to", []).append(cell_id)
        source = cell_source(cell) or ""
        if original is None and NBVAL_MARKER.search(source):
            found.setdefault("nbval marker in an added", []).append(cell_id)
        elif (original is not None and NBVAL_MARKER.search(source)
              and not NBVAL_MARKER.search(cell_source(original) or "")):
            found.setdefault("nbval marker added to", []).append(cell_id)
    for what, cells in found.items():
        if len(cells) == 1:
            notes.append(f"{shown}: {what} cell {cells[0][:40]!r} (ignored)")
        else:
            shown_ids = ", ".join(repr(c[:40]) for c in cells[:3])
            notes.append(f"{shown}: {what} {len(cells)} cells ({shown_ids}, ...) (ignored)")


def rebuild(released: ReleasedNotebook, answers: dict[str, str]) -> dict:
    """The release with the student's answer sources put in (missing answers keep the release's)."""
    nb = copy.deepcopy(released.nb)
    for cell in nb["cells"]:
        if cell.get("id") in answers:
            cell["source"] = answers[cell["id"]]
        if cell["cell_type"] == "code" and "check" not in cell_tags(cell):
            cell["outputs"], cell["execution_count"] = [], None
        elif cell["cell_type"] == "code":
            cell["execution_count"] = 1  # nbval refuses "unrun" reference cells that have outputs
            if not cell.get("outputs"):
                # A release whose check cells ship no output (no verdict before the learner runs them): an
                # output comparison would fail every right answer; the check raising on failure decides.
                cell["metadata"]["tags"] = [t for t in cell_tags(cell) if t != "nbval-check-output"]
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
