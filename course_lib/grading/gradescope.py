"""Grading on Gradescope: ``python -m course_lib gradescope --out autograder.zip`` builds the autograder.

Gradescope's autograder specification: a zip with ``setup.sh`` (run once, as
root, when Gradescope builds the image) and ``run_autograder`` (run once per
submission, in ``/autograder``) at its root. Gradescope unpacks the zip into
``/autograder/source``, puts the student's files in ``/autograder/submission``
and reads ``/autograder/results/results.json``.

What the zip holds:

- ``setup.sh``: installs Python, pip, venv and bubblewrap with apt, then
  course_lib from the copy in the zip (``course_lib-src/``, with the ``grade``
  extra: pytest, nbval, nbclient) in a virtual environment; only PyPI is needed;
- ``run_autograder``: ``python -m course_lib gradescope-run``, which grades the
  submission with the same pipeline as ``grade`` (rebuild from the release,
  nbval, the judge) and writes results.json;
- ``exercises/``: the released notebooks the submission is rebuilt from (never ``solutions/``);
- ``autograder.json``: the options chosen when the zip was built (limits, visibility).

The submission may be one notebook, several, folders of them, or zip files
(unpacked with limits on size and count, never outside their folder).
``AUTOGRADER_ROOT`` (default ``/autograder``) and ``AUTOGRADER_PYTHON`` let
``run_autograder`` run outside Gradescope, in a folder laid out the same way.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ..exercises import SPECS
from .assemble import load_release
from .grade import CHECKOUT, ClassResult, SubmissionResult, default_exercises, grade_class
from .run import GRADESCOPE_LIMITS, kill_tree

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's visibility values
CONFIG_NAME = "autograder.json"
SOURCE_NAME = "course_lib-src"
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")  # what pip needs to build course_lib
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same zip
OUTPUT_CHARS = 20_000  # of the summary shown to the student

# Limits on what is unpacked from zip files in a submission.
MAX_SUBMISSION_FILES = 2_000
MAX_SUBMISSION_BYTES = 200 * 1024**2

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (base image: Ubuntu 22.04 or newer).
# It installs course_lib from the copy shipped in this zip, in a virtual environment; only PyPI is needed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"  # /autograder/source
root="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
# bubblewrap: the sandbox for student code, used where the image allows user namespaces.
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else
  "course_lib needs Python 3.10 or newer, this image has " + sys.version.split()[0]
  + ": choose the Ubuntu 22.04 (or newer) base image in the autograder settings")'

python3 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --quiet --upgrade pip
"$root/venv/bin/python" -m pip install --quiet "$here/course_lib-src[grade]"
# Fail the build now, not at the first submission: the grader imports and the release loads.
"$root/venv/bin/python" -m course_lib gradescope-run --self-check --root "$root"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission, in /autograder; it writes /autograder/results/results.json.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON let it run outside Gradescope, in a folder laid out the same way.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-$root/venv/bin/python}"
cd "$root"
exec "$python" -m course_lib gradescope-run --root "$root"
"""


# ---- building the zip ----------------------------------------------------------------------


def build_autograder(
    out: Path,
    exercises_dir: Path | None = None,
    notebooks: list[str] | None = None,
    visibility: str = "visible",
    timeout: float = GRADESCOPE_LIMITS.wall_seconds,
    cell_timeout: float = GRADESCOPE_LIMITS.cell_seconds,
) -> Path:
    """Write the Gradescope autograder zip to ``out``; return its path.

    Parameters
    ----------
    out : the zip to write (``autograder.zip``).
    exercises_dir : the released exercise notebooks (default: exercises/ of the course checkout).
    notebooks : the notebook ids this assignment grades (default: all of the release), e.g. ``["04_adagrad"]``.
    visibility : when students see each exercise's result: one of ``VISIBILITIES``.
    timeout, cell_timeout : wall-clock seconds per submission and per notebook cell.
    """
    exercises_dir = default_exercises() if exercises_dir is None else Path(exercises_dir)
    release = load_release(exercises_dir)
    if notebooks:
        unknown = [n for n in notebooks if n not in release]
        if unknown:
            raise ValueError(f"notebooks {unknown!r} are not in the release; known: {', '.join(release)}")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, got {visibility!r}")
    if not timeout > 0 or not cell_timeout > 0:
        raise ValueError(f"timeout and cell_timeout must be > 0 seconds, got {timeout!r} and {cell_timeout!r}")
    missing = [name for name in PROJECT_FILES if not (CHECKOUT / name).is_file()]
    if missing:
        raise ValueError(f"build the autograder from a checkout of the course: {', '.join(missing)} not in {CHECKOUT}")
    chosen = notebooks or list(release)
    config = {"notebooks": chosen, "visibility": visibility, "timeout": timeout,
              "cell_timeout": min(cell_timeout, timeout)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
        (CONFIG_NAME, (json.dumps(config, indent=1) + "\n").encode(), 0o644),
    ]
    for notebook_id in chosen:
        entries.append((f"exercises/{notebook_id}.ipynb", (Path(exercises_dir) / f"{notebook_id}.ipynb").read_bytes(),
                        0o644))
    for name in PROJECT_FILES:
        entries.append((f"{SOURCE_NAME}/{name}", (CHECKOUT / name).read_bytes(), 0o644))
    package = CHECKOUT / "course_lib"
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(CHECKOUT)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc" \
                and not any(part.startswith(".") for part in relative.parts):
            entries.append((f"{SOURCE_NAME}/{relative.as_posix()}", path.read_bytes(), 0o644))
    temp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (stat.S_IFREG | mode) << 16  # unzip keeps the scripts executable
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    os.replace(temp, out)
    return out


def build_main(argv: list[str] | None = None) -> int:
    """``python -m course_lib gradescope --out autograder.zip``: 0 on success, 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m course_lib gradescope",
                                     description="Build a Gradescope autograder zip for the course's exercises.")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip (default autograder.zip)")
    parser.add_argument("--exercises", type=Path, default=None,
                        help="the released exercise notebooks (default: exercises/ of the course checkout)")
    parser.add_argument("--notebooks", nargs="+", default=None, metavar="NOTEBOOK",
                        help="grade only these notebooks, e.g. 04_adagrad 05_rmsprop (default: all)")
    parser.add_argument("--visibility", default="visible", choices=VISIBILITIES,
                        help="when students see each exercise's result (default visible)")
    parser.add_argument("--timeout", type=float, default=GRADESCOPE_LIMITS.wall_seconds,
                        help=f"wall-clock seconds per submission (default {GRADESCOPE_LIMITS.wall_seconds:g})")
    parser.add_argument("--cell-timeout", type=float, default=GRADESCOPE_LIMITS.cell_seconds,
                        help=f"seconds per notebook cell (default {GRADESCOPE_LIMITS.cell_seconds:g})")
    args = parser.parse_args(argv)
    if args.out.is_dir():
        print(f"error: --out {str(args.out)!r} is a folder; give a file name such as autograder.zip", file=sys.stderr)
        return 2
    try:
        exercises = default_exercises("--exercises FOLDER") if args.exercises is None else args.exercises
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not exercises.is_dir():
        print(f"error: --exercises {str(exercises)!r} is not a folder", file=sys.stderr)
        return 2
    try:
        out = build_autograder(args.out, exercises, args.notebooks, args.visibility, args.timeout,
                               args.cell_timeout)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with zipfile.ZipFile(out) as archive:
        count = len(archive.namelist())
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} kB, {count} files): upload it in the assignment's "
          "Configure Autograder page, base image Ubuntu 22.04 or newer")
    return 0


# ---- one submission, inside Gradescope's container -------------------------------------------


def stage_submission(submission: Path, into: Path) -> list[str]:
    """Copy the student's files into ``into`` (regular files only) and unpack any zip there; notes.

    The submission is only read. A zip ``work.zip`` is unpacked into ``work.zip.d/``;
    members with absolute or ``..`` paths, links and anything past the count or size
    limits are skipped with a note.
    """
    notes: list[str] = []
    into.mkdir(parents=True, exist_ok=True)
    budget = {"files": MAX_SUBMISSION_FILES, "bytes": MAX_SUBMISSION_BYTES}
    for directory, folders, files in os.walk(submission):  # os.walk does not follow links to folders
        folders.sort()
        for name in sorted(files):
            path = Path(directory) / name
            shown = str(path.relative_to(submission))
            if path.is_symlink() or not path.is_file():
                notes.append(f"{shown}: not a regular file (a link?); ignored")
                continue
            size = path.stat().st_size
            if budget["files"] <= 0 or size > budget["bytes"]:
                notes.append(f"{shown}: over the submission's limit of {MAX_SUBMISSION_FILES} files or "
                             f"{MAX_SUBMISSION_BYTES // 1024**2} MB; ignored")
                continue
            target = into / shown
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
                notes += _unzip(path, into / f"{shown}.d", shown, budget)
                continue
            shutil.copyfile(path, target)
            budget["files"] -= 1
            budget["bytes"] -= size
    return notes


def _unzip(path: Path, into: Path, shown: str, budget: dict) -> list[str]:
    """Unpack a zip from a submission within the budget; notes on what was skipped."""
    notes = []
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                mode = info.external_attr >> 16
                if info.is_dir():
                    continue
                if member.is_absolute() or ".." in member.parts or "\\" in info.filename:
                    notes.append(f"{shown}: member {info.filename[:80]!r} points outside the zip; ignored")
                    continue
                if stat.S_ISLNK(mode):
                    notes.append(f"{shown}: member {info.filename[:80]!r} is a link; ignored")
                    continue
                if budget["files"] <= 0 or info.file_size > budget["bytes"]:
                    notes.append(f"{shown}: over the submission's limit of {MAX_SUBMISSION_FILES} files or "
                                 f"{MAX_SUBMISSION_BYTES // 1024**2} MB; the rest of the zip is ignored")
                    break
                target = into.joinpath(*member.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as sink:
                    # Copy at most the declared size: a zip that lies about its sizes stops there.
                    sink.write(source.read(info.file_size + 1)[: info.file_size])
                budget["files"] -= 1
                budget["bytes"] -= info.file_size
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:  # encrypted, corrupt, ...
        notes.append(f"{shown}: zip file could not be unpacked ({type(exc).__name__}: {str(exc)[:80]})")
    return notes


def _become_subreaper() -> None:
    """Orphaned descendants (a double-forked process) are re-parented to this process, not to init.

    So that ``kill_tree`` at the end finds every process the student's code started,
    wherever it moved: none can rewrite results.json after it is written. Linux only.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _grade(staging: Path, exercises: Path, config: dict) -> ClassResult:
    """The same pipeline as ``grade`` (rebuild, nbval, judge) on the one staged submission.

    The OS sandbox of issue 10 is passed here when it is available, and only here:
    Gradescope's container holds one submission, but the sandbox also keeps the
    student's code away from the grader and from results/.
    """
    limits = GRADESCOPE_LIMITS.with_times(config.get("timeout"), config.get("cell_timeout"))
    return grade_class(staging, jobs=1, exercises_dir=exercises, limits=limits)


def results_json(result: ClassResult, student: SubmissionResult, visibility: str = "visible",
                 notes: Sequence[str] = (), seconds: float | None = None) -> dict:
    """results.json in Gradescope's format: one test per exercise, the total and a summary."""
    tests = []
    for exercise, points in result.exercises.items():
        spec = SPECS.get(exercise)
        earned = student.points.get(exercise, 0)
        tests.append({
            "name": f"Exercise {exercise}: {spec.title}" if spec else f"Exercise {exercise}",
            "number": exercise,
            "score": float(earned),
            "max_score": float(points),
            "status": "passed" if earned >= points else "failed",
            "output": student.feedback.get(exercise, "not graded"),
            "visibility": visibility,
            **({"tags": [spec.notebook]} if spec else {}),
        })
    all_notes = list(notes) + list(student.notes)
    summary = [f"Total: {student.total} / {result.max_total} points, checked on cases drawn with seed {result.seed}."]
    if all_notes:
        summary += ["", "Notes:"] + [f"- {note}" for note in all_notes]
    output = "\n".join(summary)
    if len(output) > OUTPUT_CHARS:
        output = output[:OUTPUT_CHARS] + "\n... (cut)"
    return {
        "score": float(student.total),
        "execution_time": int(round(result.seconds if seconds is None else seconds)),
        "output": output,
        "stdout_visibility": "hidden",
        "extra_data": {"seed": result.seed, "notes": all_notes, "skipped": student.skipped,
                       "mistakes": student.mistakes, "timings": {k: round(v, 3) for k, v in student.timings.items()}},
        "tests": tests,
    }


def _failure_results(problem: str, seconds: float) -> dict:
    """results.json when the autograder itself failed: score 0 and what to tell the instructor."""
    return {
        "score": 0.0,
        "execution_time": int(round(seconds)),
        "output": f"The autograder could not grade this submission ({problem}). Please tell your instructor; "
                  "resubmitting will not help until it is fixed.",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def _write_results(results_dir: Path, results: dict) -> Path:
    """results.json, written to a fresh temp file and renamed over whatever the student left in its place."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "results.json"
    if path.is_dir() and not path.is_symlink():  # a folder planted there would make the rename fail
        shutil.rmtree(path)
    handle, temp = tempfile.mkstemp(dir=results_dir, prefix=".results.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(results, stream, indent=1, allow_nan=False)
    os.replace(temp, path)  # a link at results.json is replaced, never followed
    return path


def run_autograder(root: Path = Path("/autograder")) -> dict:
    """Grade ``root/submission`` with the release in ``root/source``; write and return results.json."""
    start = time.monotonic()
    root = Path(root)
    _become_subreaper()
    try:
        source = root / "source"
        config_path = source / CONFIG_NAME
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        visibility = config.get("visibility", "visible")
        if visibility not in VISIBILITIES:
            raise ValueError(f"{CONFIG_NAME}: visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
        with tempfile.TemporaryDirectory(prefix="gradescope-") as temp:
            staging = Path(temp) / "class"
            notes = stage_submission(root / "submission", staging / "submission")
            result = _grade(staging, source / "exercises", config)
            kill_tree(os.getpid(), group=False)  # whatever the student's code left running, before writing
        results = results_json(result, result.results[0], visibility, notes, time.monotonic() - start)
    except Exception as exc:  # noqa: BLE001 - Gradescope must get a results.json whatever happened
        traceback.print_exc()  # stdout/stderr go to the instructor's view only
        kill_tree(os.getpid(), group=False)
        results = _failure_results(f"{type(exc).__name__}: {str(exc)[:200]}", time.monotonic() - start)
    _write_results(root / "results", results)
    return results


def run_main(argv: list[str] | None = None) -> int:
    """``python -m course_lib gradescope-run [--root /autograder] [--self-check]`` (what run_autograder calls)."""
    parser = argparse.ArgumentParser(prog="python -m course_lib gradescope-run",
                                     description="Grade /autograder/submission and write results/results.json.")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")),
                        help="the folder laid out like Gradescope's (source/, submission/, results/)")
    parser.add_argument("--self-check", action="store_true",
                        help="only check that the grader imports and the release in root/source loads (setup.sh)")
    args = parser.parse_args(argv)
    if args.self_check:
        import nbval  # noqa: F401 - the grader's nbval run needs it

        release = load_release(args.root / "source" / "exercises")
        print(f"course_lib {Path(__file__).parent.parent} ready: {len(release)} notebooks ({', '.join(release)})")
        return 0
    print(f"grading {args.root / 'submission'} with course_lib from {Path(__file__).parent.parent}")
    results = run_autograder(args.root)
    print(f"score {results['score']:g} in {results['execution_time']} s; tests: "
          + ", ".join(f"{t['number']} {t['score']:g}/{t['max_score']:g}" for t in results["tests"]))
    return 0
