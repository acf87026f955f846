"""The judge's child: runs a submission's answers on the cases the grader sent, in its sandbox.

``python -I -m course_lib.grading.judge_child FD`` reads the request (see
``judge.judge_request``) on stdin. Each notebook's cells run in a fresh namespace,
in a forked process of its own (so a crash costs that notebook only); then the
collector (``spec.collect`` of ``exercises.judging``, given the grader's cases in
place of the spec's case maker) runs what the answer cells defined, and the
results go back as JSON through the pipe FD. This module never imports the
references: the grader keeps them.
"""

from __future__ import annotations

import copy
import json
import os
import resource
import signal
import sys
from typing import Any

from ..exercises.judging import BatchingSpec, FunctionSpec, ValueSpec, one_line
from .run import read_capped

JSON_CAP = 8 * 1024**2  # bytes a notebook's fork may send back
KINDS = {cls.__name__: cls for cls in (FunctionSpec, ValueSpec, BatchingSpec)}


class _CellTimeout(BaseException):
    """A cell ran past its time limit (BaseException: an ``except Exception`` does not swallow it)."""


def collector(plan: dict):
    """A spec that can collect but not judge: the grader's fields and cases, no reference, no mistakes."""
    fields: dict[str, Any] = {
        name: tuple(value) if isinstance(value, list) else value for name, value in plan["fields"].items()
    }
    spec = KINDS[plan["kind"]](**fields)
    cases = plan["cases"]
    # The instance attribute stands in for the class's case maker (the seeded cases come from the grader).
    object.__setattr__(spec, "cases", lambda seed=None: copy.deepcopy(cases))
    return spec


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
        exec(compile(_without_magics(source), "<answer cell>", "exec"), namespace)  # noqa: S102 - sandboxed child
    except _CellTimeout:
        return f"the cell did not finish within {seconds:g} s (an endless loop?)"
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too: report and go on
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def _collect(spec, answer, seed: int) -> dict:
    try:
        return spec.collect(answer, seed)
    except Exception as exc:  # noqa: BLE001 - e.g. an answer whose __eq__ or __float__ raises
        return {"exercise": spec.id, "seed": seed, "error": f"{spec.symbol} could not be checked: {one_line(exc, 160)}"}


def _answers_outputs(notebook: dict, specs: list, seed: int, cell_seconds: float) -> dict:
    """Run one notebook's cells in a fresh namespace; the outputs of each of its exercises."""
    namespace: dict = {"__name__": "__main__"}
    cell_errors: dict[str, str] = {}
    for cell in notebook["cells"]:
        error = _run_cell(cell["source"], namespace, cell_seconds)
        if error and cell["exercise"]:
            cell_errors[cell["exercise"]] = error
    results = {}
    for spec in specs:
        if spec.symbol in namespace:
            outputs = _collect(spec, namespace[spec.symbol], seed)
        else:
            why = f" (your answer cell raised {cell_errors[spec.id]})" if spec.id in cell_errors else ""
            outputs = {"exercise": spec.id, "seed": seed, "error": f"{spec.symbol} is not defined{why}"}
        try:
            results[spec.id] = json.loads(json.dumps(outputs, allow_nan=False))
        except (TypeError, ValueError, RecursionError) as exc:
            results[spec.id] = {"exercise": spec.id, "seed": seed, "error": f"outputs not JSON-able: {exc}"}
    return results


def _in_fork(notebook: dict, specs: list, seed: int, cell_seconds: float, main_fd: int) -> tuple[dict, str | None]:
    """``_answers_outputs`` in a forked process, so that a crash (os._exit) costs one notebook only."""
    read_end, write_end = os.pipe()
    cpu_budget = int(cell_seconds * (len(notebook["cells"]) + 1) + 25 * len(specs))
    pid = os.fork()
    if pid == 0:  # the forked child: run the student's code, send JSON, leave without cleanup
        os.close(read_end)
        os.close(main_fd)  # the student's code can reach this notebook's channel only, not the others'
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_budget, cpu_budget + 5))
        with os.fdopen(write_end, "w", encoding="utf-8") as channel:
            channel.write(json.dumps(_answers_outputs(notebook, specs, seed, cell_seconds)))
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
        except (UnicodeDecodeError, ValueError, RecursionError):
            problem = f"malformed JSON from the answers of {name}"
    error = {"seed": seed, "error": f"not judged ({problem})"}
    return {spec.id: dict(error, exercise=spec.id) for spec in specs}, problem


def main(fd: int) -> None:
    request = json.loads(sys.stdin.read())
    seed = int(request["seed"])
    channel = os.fdopen(fd, "w", encoding="utf-8")
    sys.stdout = open(os.devnull, "w")  # what the student prints goes nowhere
    # The working folder is empty already: the sandbox's tmpfs, or without one a folder the grader removes.
    results: dict = {}
    problems = []
    for notebook in request["notebooks"]:
        specs = [collector(plan) for plan in notebook["exercises"]]  # made before any student code runs
        outputs, problem = _in_fork(notebook, specs, seed, float(request["cell_seconds"]), fd)
        results.update(outputs)
        if problem:
            problems.append(problem)
    channel.write(json.dumps({"outputs": results, "problems": problems}))
    channel.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
    os._exit(0)  # skip interpreter shutdown: student objects' __del__ and atexit hooks do not run
