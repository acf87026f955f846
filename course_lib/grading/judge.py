"""The judge: student code runs in a child process, the comparison in the parent.

The child (``python -I -m course_lib.grading.judge FD``) reads a request on
stdin: the code cells of each rebuilt notebook (setup and answer cells, never
the checks) and a seed chosen at grading time. It runs each notebook's cells in
a fresh namespace, in a forked process of its own (so a crash costs that
notebook only), calls ``exercises.collect_outputs`` on what the answer
cells defined, and writes plain JSON (never pickle) to the pipe FD, a channel of
its own: what the student prints goes to stdout, which the parent drops.

The parent (``run_judge``) reads that JSON with a size cap and calls
``spec.judge(outputs, seed)``, which works on decoded data only. The parent
never runs student code.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..exercises import Verdict, specs_for
from .assemble import ReleasedNotebook, _source, _tags
from .run import Finished, Limits, child_environment, read_capped, run_limited

JSON_CAP = 8 * 1024**2  # bytes of judge output read


@dataclass
class JudgeRun:
    """The judge's verdict per exercise id, and how the child ended."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    problem: str | None = None  # a note when the child did not deliver (timeout, crash, bad JSON)
    problems: list[str] = field(default_factory=list)  # notebooks whose answers crashed their fork
    finished: Finished | None = None


def judge_request(notebooks: list[tuple[ReleasedNotebook, dict]], seed: int, cell_seconds: float) -> dict:
    """What the child needs: per notebook, its setup and answer cells in order (no check cells)."""
    request = {"seed": seed, "cell_seconds": cell_seconds, "notebooks": []}
    for released, nb in notebooks:
        cells = []
        for cell in nb["cells"]:
            if cell.get("cell_type") != "code" or "check" in _tags(cell):
                continue
            exercise = released.answer_exercise.get(cell.get("id"))
            cells.append({"exercise": exercise, "source": _source(cell) or ""})
        request["notebooks"].append({"notebook": released.id, "cells": cells})
    return request


def run_judge(
    notebooks: list[tuple[ReleasedNotebook, dict]], seed: int, workdir: Path, limits: Limits
) -> JudgeRun:
    """Run the answers in a limited child process and judge its JSON in this process."""
    request = judge_request(notebooks, seed, limits.cell_seconds)
    expected = [spec for released, _ in notebooks for spec in specs_for(released.id)]
    read_end, write_end = os.pipe()
    received: list = []
    reader = threading.Thread(
        target=read_capped, args=(os.fdopen(read_end, "rb"), JSON_CAP + 1, received), daemon=True
    )
    reader.start()
    try:
        finished = run_limited(
            [sys.executable, "-I", "-m", "course_lib.grading.judge", str(write_end)],
            cwd=workdir, limits=limits, stdin=json.dumps(request).encode(),
            env=child_environment(), pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    reader.join(10)
    data = received[0] if received else b""
    run = JudgeRun(finished=finished)
    outputs, problem = _parse(data, finished, limits)
    run.problem = problem
    if outputs is not None:
        problems = outputs.get("problems")
        run.problems = [str(p)[:300] for p in problems] if isinstance(problems, list) else []
        outputs = outputs.get("outputs") if isinstance(outputs.get("outputs"), dict) else {}
    for spec in expected:
        if outputs is None:
            run.verdicts[spec.id] = Verdict(False, f"Exercise {spec.id} failed: not judged ({problem})")
        else:
            # Known-mistake variants overflow or take square roots of negatives on purpose: no
            # warnings (errstate is per thread, unlike warnings filters, so it is safe with --jobs).
            with np.errstate(all="ignore"):
                run.verdicts[spec.id] = spec.judge(outputs.get(spec.id), seed)
    return run


def _parse(data: bytes, finished: Finished, limits: Limits) -> tuple[dict | None, str | None]:
    """The child's JSON as a dict by exercise id, or None and why not."""
    if finished.timed_out:
        return None, f"timeout: the answers ran longer than {limits.wall_seconds:g} s"
    if len(data) > JSON_CAP:
        return None, f"the answers' outputs are over {JSON_CAP // 1024**2} MB"
    if not data:
        code = finished.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return None, f"crash: the process running the answers ended without a result ({how})"
    try:
        outputs = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"malformed JSON from the process running the answers ({type(exc).__name__})"
    if not isinstance(outputs, dict):
        return None, "malformed JSON from the process running the answers (not an object)"
    return outputs, None


# ---- the child ------------------------------------------------------------------


class _CellTimeout(BaseException):
    """A cell ran past its time limit (BaseException: an ``except Exception`` does not swallow it)."""


def _without_magics(source: str) -> str:
    """Drop IPython-only lines (%magic, !shell) that plain Python cannot compile."""
    return "\n".join(line for line in source.split("\n") if not line.lstrip().startswith(("%", "!")))


def _run_cell(source: str, namespace: dict, seconds: float) -> str | None:
    """Execute one cell; None, or why it failed ("NameError: ...")."""

    def on_alarm(signum, frame):
        raise _CellTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        exec(compile(_without_magics(source), "<answer cell>", "exec"), namespace)  # noqa: S102 - isolated child
    except _CellTimeout:
        return f"the cell did not finish within {seconds:g} s (an endless loop?)"
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too: report and go on
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def _answers_outputs(notebook: dict, seed: int, cell_seconds: float, collect_outputs) -> dict:
    """Run one notebook's cells in a fresh namespace; the outputs of each of its exercises."""
    namespace: dict = {"__name__": "__main__"}
    cell_errors: dict[str, str] = {}
    for cell in notebook["cells"]:
        error = _run_cell(cell["source"], namespace, cell_seconds)
        if error and cell["exercise"]:
            cell_errors[cell["exercise"]] = error
    results = {}
    for spec in specs_for(notebook["notebook"]):
        if spec.symbol in namespace:
            outputs = collect_outputs(spec, namespace[spec.symbol], seed)
        else:
            why = f" (your answer cell raised {cell_errors[spec.id]})" if spec.id in cell_errors else ""
            outputs = {"exercise": spec.id, "seed": seed, "error": f"{spec.symbol} is not defined{why}"}
        try:
            results[spec.id] = json.loads(json.dumps(outputs, allow_nan=False))
        except (TypeError, ValueError) as exc:
            results[spec.id] = {"exercise": spec.id, "seed": seed, "error": f"outputs not JSON-able: {exc}"}
    return results


def _in_fork(
    notebook: dict, seed: int, cell_seconds: float, collect_outputs, main_fd: int
) -> tuple[dict, str | None]:
    """``_answers_outputs`` in a forked process, so that a crash (os._exit) costs one notebook only."""
    read_end, write_end = os.pipe()
    cpu_budget = int(cell_seconds * (len(notebook["cells"]) + 1) + 25 * len(specs_for(notebook["notebook"])))
    pid = os.fork()
    if pid == 0:  # the forked child: run the student's code, send JSON, leave without cleanup
        os.close(read_end)
        os.close(main_fd)  # the student's code can reach this notebook's channel only, not the others'
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_budget, cpu_budget + 5))
        with os.fdopen(write_end, "w", encoding="utf-8") as channel:
            channel.write(json.dumps(_answers_outputs(notebook, seed, cell_seconds, collect_outputs)))
        os._exit(0)
    os.close(write_end)
    received: list = []
    read_capped(os.fdopen(read_end, "rb"), JSON_CAP + 1, received)
    _, status = os.waitpid(pid, 0)
    data = received[0]
    name = notebook["notebook"]
    code = os.waitstatus_to_exitcode(status)
    if not data or len(data) > JSON_CAP:
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        problem = f"crash: the answers of {name} stopped the process running them ({how})"
    else:
        try:
            results = json.loads(data.decode("utf-8"))
            if isinstance(results, dict):
                return results, None
            problem = f"malformed JSON from the answers of {name}"
        except (UnicodeDecodeError, ValueError):
            problem = f"malformed JSON from the answers of {name}"
    error = {"seed": seed, "error": f"not judged ({problem})"}
    return {spec.id: dict(error, exercise=spec.id) for spec in specs_for(name)}, problem


def _child(fd: int) -> None:
    from ..exercises import collect_outputs  # bound before any student code runs

    request = json.loads(sys.stdin.read())
    seed = int(request["seed"])
    channel = os.fdopen(fd, "w", encoding="utf-8")
    sys.stdout = open(os.devnull, "w")  # what the student prints goes nowhere
    os.chdir(tempfile.mkdtemp(prefix="judge-"))
    results: dict = {}
    problems = []
    for notebook in request["notebooks"]:
        outputs, problem = _in_fork(notebook, seed, float(request["cell_seconds"]), collect_outputs, fd)
        results.update(outputs)
        if problem:
            problems.append(problem)
    channel.write(json.dumps({"outputs": results, "problems": problems}))
    channel.close()


if __name__ == "__main__":
    _child(int(sys.argv[1]))
    os._exit(0)  # skip interpreter shutdown: student objects' __del__ and atexit hooks do not run

