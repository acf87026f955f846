"""A class of submissions for the grader's tests, built from solutions/ and exercises/.

``build_class(root)`` writes one folder per student under ``root`` and returns,
per student, what the grader must give: the exercises that lose their points,
a phrase the feedback of the first of them must contain, and phrases the notes
must contain. Every student starts from the full solutions (27 points), except
where a case says otherwise, and changes one thing.

The cases come in classes: known mistakes, tampering with the notebook, broken
files, attacks on the grader and the other students (``attacks.py``: each one
gains points if it works), gradebook pollution, and notebooks written by other
tools (nbformat 4.0 and 4.4 without cell ids, Colab's ``metadata.id``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from attacks import ATTACKS, NBVAL_ONLY, attack_source  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


@dataclass(frozen=True)
class Expected:
    lost: tuple[str, ...] = ()  # exercises scored 0 (all others score full points)
    feedback: str = ""  # must appear in the feedback of lost[0]
    notes: tuple[str, ...] = ()  # each must appear in the notes
    all_lost: bool = False  # every exercise scores 0


# ---- known mistakes: (exercise, answer source, the hint the checker must name) -------------------

MISTAKES = {
    "eps_inside_sqrt": ("4.1", '''def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
    G = G + g * g
    return w - lr * g / np.sqrt(G + eps), G
''', "eps on the wrong side of the square root"),
    "accumulate_after_step": ("4.1", '''def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):
    w = w - lr * g / (np.sqrt(G) + eps)
    return w, G + g * g
''', "accumulating g² after the step"),
    "v_with_g": ("5.1", '''def rmsprop_update(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v = gamma * v + (1 - gamma) * g
    return w - lr * g / (np.sqrt(v) + eps), v
''', "v updated with g instead of g²"),
    "in_place": ("5.1", '''def rmsprop_update(w, g, v, lr=1e-2, gamma=0.99, eps=1e-8):
    v *= gamma
    v += (1 - gamma) * g * g
    w -= lr * g / (np.sqrt(v) + eps)
    return w, v
''', "inputs modified in place"),
    "adadelta_old_v": ("6.1", '''def adadelta_update(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    dw = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = gamma * v + (1 - gamma) * g * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - lr * dw, v, u
''', "AdaDelta using the previous E[g²]"),
    "adadelta_lr_scaled": ("6.1", '''def adadelta_update(w, g, v, u, lr=1.0, gamma=0.9, eps=1e-6):
    v = gamma * v + (1 - gamma) * g * g
    dw = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = gamma * u + (1 - gamma) * dw * dw
    return w - dw, v, u
''', "accumulating the lr-scaled step"),
    "no_bias_correction": ("7.1", '''def adam_update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v
''', "missing bias correction"),
    "partial_bias_correction": ("7.1", '''def adam_update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    return w - lr * m_hat / (np.sqrt(v) + eps), m, v
''', "partial bias correction (m only)"),
    "t_from_zero": ("7.1", '''def adam_update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** (t - 1))
    v_hat = v / (1 - beta2 ** (t - 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
''', "step counter starting at 0"),
    "sign_error": ("1.1", '''def gd_update(w, g, lr):
    return w + lr * g
''', "sign error"),
}

ANSWER_CELL = {"1.1": ("01_gradient_descent", "ex1-1-answer"), "4.1": ("04_adagrad", "ex4-1-answer"),
               "4.2": ("04_adagrad", "ex4-2-answer"), "5.1": ("05_rmsprop", "ex5-1-answer"),
               "6.1": ("06_adadelta", "ex6-1-answer"), "7.1": ("07_adam", "ex7-1-answer")}
PASS_4_1 = "Exercise 4.1 passed: adagrad_update matches the reference on 50 cases"
WRONG_4_1 = MISTAKES["eps_inside_sqrt"][1]


def _load(folder: Path, notebook: str) -> dict:
    return json.loads((folder / f"{notebook}.ipynb").read_text(encoding="utf-8"))


def _save(folder: Path, notebook: str, nb: dict) -> None:
    (folder / f"{notebook}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _cell(nb: dict, cell_id: str) -> dict:
    return next(cell for cell in nb["cells"] if cell.get("id") == cell_id)


def _student(root: Path, name: str, source: Path = SOLUTIONS) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for path in sorted(source.glob("0*.ipynb")):
        shutil.copy(path, folder / path.name)
    return folder


def _answer(folder: Path, exercise: str, source: str) -> None:
    notebook, cell_id = ANSWER_CELL[exercise]
    nb = _load(folder, notebook)
    _cell(nb, cell_id)["source"] = source
    _save(folder, notebook, nb)


def _edit_check(folder: Path, edit) -> None:
    nb = _load(folder, "04_adagrad")
    edit(nb, _cell(nb, "ex4-1-check"))
    _save(folder, "04_adagrad", nb)


def _all_notebooks(folder: Path, edit) -> None:
    """Apply ``edit(nb)`` to every notebook of a student."""
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        edit(nb)
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _nbformat_4_0(nb: dict) -> None:
    """As nbformat 4.0 writes it: no cell ids, no tags, no course metadata in the cells."""
    nb["nbformat_minor"] = 0
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"] = {}


def _nbformat_4_4(nb: dict) -> None:
    """As nbformat 4.4 writes it: no cell ids (tags and metadata kept)."""
    nb["nbformat_minor"] = 4
    for cell in nb["cells"]:
        cell.pop("id", None)


def _colab(nb: dict) -> None:
    """As Colab keeps it: nbformat 4.0, the id in metadata.id (tags and metadata kept)."""
    nb["nbformat_minor"] = 0
    for cell in nb["cells"]:
        cell["metadata"] = dict(cell["metadata"], id=cell.pop("id"))


def _recreated(nb: dict) -> None:
    """Cells re-created by a tool: new ids, tags and metadata kept."""
    for cell in nb["cells"]:
        cell["id"] = uuid.uuid4().hex[:8]


def build_class(root: Path, grader_pid: int | None = None, out: Path | None = None) -> dict[str, Expected]:
    """Write the corpus under ``root``; return what each student must get.

    ``grader_pid`` and ``out`` (the grader's pid and the gradebook it will write) are
    given to the attacks, as an attacker could learn them.
    """
    grader_pid = os.getpid() if grader_pid is None else grader_pid
    out = root.parent / "out" / "grades.csv" if out is None else out
    expected: dict[str, Expected] = {}
    _student(root, "full")
    expected["full"] = Expected()
    renamed = _student(root, "full_renamed")  # any file names: identified by the notebook's metadata
    for k, path in enumerate(sorted(renamed.glob("*.ipynb"))):
        path.rename(renamed / f"homework ({k}).ipynb")
    expected["full_renamed"] = Expected()
    _student(root, "blank", EXERCISES)
    expected["blank"] = Expected(all_lost=True)

    for name, (exercise, source, hint) in MISTAKES.items():
        _answer(_student(root, f"mistake_{name}"), exercise, source)
        expected[f"mistake_{name}"] = Expected((exercise,), hint)

    # Tampering: each keeps a wrong 4.1 (or none) and tries to pass anyway.
    folder = _student(root, "tamper_fake_output", EXERCISES)
    _answer(folder, "4.1", f"print({PASS_4_1!r})")
    _edit_check(folder, lambda nb, cell: cell.update(  # looks run, with the pass line (not what the release ships)
        execution_count=7, outputs=[{"name": "stdout", "output_type": "stream", "text": [PASS_4_1 + "\n"]}]
    ))
    expected["tamper_fake_output"] = Expected(all_lost=True, notes=("stored output says exercise 4.1 passed",))

    folder = _student(root, "tamper_edited_check")
    _answer(folder, "4.1", WRONG_4_1)
    _edit_check(folder, lambda nb, cell: cell.update(source=f"print({PASS_4_1!r})"))
    expected["tamper_edited_check"] = Expected(
        ("4.1",), "eps on the wrong side", ("check cell of exercise 4.1 was edited",)
    )

    folder = _student(root, "tamper_deleted_check")
    _answer(folder, "4.1", WRONG_4_1)
    _edit_check(folder, lambda nb, cell: nb["cells"].remove(cell))
    expected["tamper_deleted_check"] = Expected(
        ("4.1",), "eps on the wrong side", ("check cell of exercise 4.1 was deleted",)
    )

    folder = _student(root, "tamper_nbval_skip")
    _answer(folder, "4.1", WRONG_4_1)
    _edit_check(folder, lambda nb, cell: cell.update(
        source="# NBVAL_SKIP\n" + "".join(cell["source"]), metadata={"tags": ["nbval-skip"]}
    ))
    expected["tamper_nbval_skip"] = Expected(
        ("4.1",), "eps on the wrong side", ("was edited", "has changed tags")
    )

    folder = _student(root, "tamper_marker_in_answer")  # NBVAL_RAISES_EXCEPTION hides nothing: markers removed
    _answer(folder, "4.1", "# NBVAL_RAISES_EXCEPTION\n" + WRONG_4_1)
    expected["tamper_marker_in_answer"] = Expected(
        ("4.1",), "eps on the wrong side", ("nbval marker in the answer cell of exercise 4.1",)
    )

    folder = _student(root, "tamper_monkeypatched_check")
    lines = {"4.1": PASS_4_1, "4.2": "Exercise 4.2 passed: that is AdaGrad's effective learning rate after the "
             "gradients 3 and 4"}
    _answer(folder, "4.1", WRONG_4_1 + f"\n\ndef check(exercise_id, answer):\n    print({lines!r}[exercise_id])\n")
    expected["tamper_monkeypatched_check"] = Expected(
        ("4.1",), "eps on the wrong side", ("disagreement on 4.1: only the judge failed it",)
    )

    folder = _student(root, "tamper_infinite_loop")
    _answer(folder, "4.1", "while True:\n    pass\n")
    expected["tamper_infinite_loop"] = Expected(("4.1", "4.2"), "did not finish", ("timeout",))

    folder = _student(root, "tamper_slow_function")
    _answer(folder, "4.1", "def adagrad_update(w, g, G, lr=1e-2, eps=1e-10):\n    while True:\n        pass\n")
    expected["tamper_slow_function"] = Expected(("4.1",), "did not return within")

    folder = _student(root, "tamper_memory_bomb")
    _answer(folder, "4.1", "blob = bytearray(16 * 1024**3)\n" + MISTAKES["eps_inside_sqrt"][1])
    expected["tamper_memory_bomb"] = Expected(("4.1",), "MemoryError", ("memory limit",))

    folder = _student(root, "tamper_os_exit")
    _answer(folder, "4.1", "import os\nos._exit(3)\n")
    expected["tamper_os_exit"] = Expected(("4.1", "4.2"), "crash", ("crash: the kernel died", "exit code 3"))

    folder = _student(root, "tamper_output_flood")
    _answer(folder, "4.1", "import sys\nwhile True:\n    sys.stdout.write('flood ' * 10000)\n")
    expected["tamper_output_flood"] = Expected(("4.1",), "did not finish", ("output flood",))

    folder = _student(root, "tamper_judge_channel")  # garbage into every pipe it can find, then a right answer
    right_4_1 = "".join(_cell(_load(SOLUTIONS, "04_adagrad"), "ex4-1-answer")["source"])
    _answer(folder, "4.1", "import os, stat\nfor fd in range(3, 64):\n    try:\n"
            "        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n            os.write(fd, b'{not json')\n"
            "    except OSError:\n        pass\n" + right_4_1)
    expected["tamper_judge_channel"] = Expected(("4.1", "4.2"), "malformed JSON", ("malformed JSON",))

    folder = _student(root, "broken_malformed_json")
    (folder / "04_adagrad.ipynb").write_text('{"cells": [{"cell_type": "code", ', encoding="utf-8")
    expected["broken_malformed_json"] = Expected(
        ("4.1", "4.2"), "missing", ("04_adagrad.ipynb: malformed notebook", "missing notebook 04_adagrad")
    )

    folder = _student(root, "broken_wrong_file_type")
    (folder / "04_adagrad.ipynb").unlink()
    (folder / "04_adagrad.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    expected["broken_wrong_file_type"] = Expected(
        ("4.1", "4.2"), "missing", ("04_adagrad.pdf: not a notebook", "missing notebook 04_adagrad")
    )

    folder = _student(root, "broken_empty_file")
    (folder / "04_adagrad.ipynb").write_bytes(b"")
    expected["broken_empty_file"] = Expected(("4.1", "4.2"), "missing", ("04_adagrad.ipynb: empty file",))

    (root / "broken_empty_folder").mkdir()
    expected["broken_empty_folder"] = Expected(all_lost=True, notes=("missing notebook 01_gradient_descent",))

    folder = _student(root, "broken_deep_json")  # a bad file is that file's problem: RecursionError
    (folder / "extra.ipynb").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    expected["broken_deep_json"] = Expected(notes=("extra.ipynb: malformed notebook (JSON nested too deeply)",))

    folder = _student(root, "broken_huge_file")
    with open(folder / "big.ipynb", "wb") as stream:
        stream.truncate(21_000_000)
    expected["broken_huge_file"] = Expected(notes=("big.ipynb: 21 MB, too large",))

    folder = _student(root, "broken_metadata_not_a_dict")
    _all_notebooks(folder, lambda nb: [cell.update(metadata=["not", "a", "dict"]) for cell in nb["cells"]
                                       if cell["cell_type"] == "markdown" or cell.get("id") == "ex1-1-answer"])
    expected["broken_metadata_not_a_dict"] = Expected()

    _build_attacks(root, expected, grader_pid, out)
    _build_pollution(root, expected)
    _build_other_tools(root, expected)
    return expected


def _build_attacks(root: Path, expected: dict, grader_pid: int, out: Path) -> None:
    """Attacks on the grader and the class (attacks.py): each gains 1.1's points if it works."""
    for name in ATTACKS:
        _answer(_student(root, name), "1.1", attack_source(name, grader_pid, str(out), str(root)))
        if name in NBVAL_ONLY:
            expected[name] = Expected(("1.1",), "sign error", ("disagreement on 1.1: only the judge failed it",))
        else:
            expected[name] = Expected(("1.1",), "sign error")


FORMULA_NAME = '=HYPERLINK("evil.example","grades")'  # a folder name: no slashes


def _build_pollution(root: Path, expected: dict) -> None:
    """Names and files that try to break the gradebook."""
    folder = _student(root, FORMULA_NAME)
    (folder / f"{FORMULA_NAME}.ipynb").write_text("not json", encoding="utf-8")
    expected[FORMULA_NAME] = Expected(notes=(f"{FORMULA_NAME}.ipynb: malformed notebook",))

    folder = _student(root, "pollution_check_tags_flood")  # 100k extra cells tagged check: a 7 MB note, once
    nb = _load(folder, "04_adagrad")
    nb["cells"] += [{"cell_type": "code", "id": f"x{k}", "metadata": {"tags": ["check"]}, "source": "",
                     "outputs": [], "execution_count": None} for k in range(100_000)]
    _save(folder, "04_adagrad", nb)
    expected["pollution_check_tags_flood"] = Expected(notes=("tags check added to 100000 cells",))

    for name in ("Zo\u00eb", "Zo\u00e9"):  # Zoë and Zoé: one safe name, two students, two feedback files
        _student(root, name)
        expected[name] = Expected()


def _build_other_tools(root: Path, expected: dict) -> None:
    """Notebooks saved by other tools: graded like the others, matched by ids, tags or position."""
    _all_notebooks(_student(root, "format_nbformat_4_0"), _nbformat_4_0)
    expected["format_nbformat_4_0"] = Expected(notes=("matched by its position among the code cells",))
    _all_notebooks(_student(root, "format_nbformat_4_4"), _nbformat_4_4)
    expected["format_nbformat_4_4"] = Expected()
    _all_notebooks(_student(root, "format_colab"), _colab)
    expected["format_colab"] = Expected()
    _all_notebooks(_student(root, "format_recreated_cells"), _recreated)
    expected["format_recreated_cells"] = Expected()

    folder = _student(root, "format_no_ids_extra_cell")  # positions no longer line up: unanswered, never guessed
    _all_notebooks(folder, _nbformat_4_0)
    nb = _load(folder, "01_gradient_descent")
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
                           "execution_count": None})
    _save(folder, "01_gradient_descent", nb)
    expected["format_no_ids_extra_cell"] = Expected(("1.1", "1.2"), "", ("answer cell of exercise 1.1 not found",))
