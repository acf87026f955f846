"""The repository's set-up: environment.yml agrees with pyproject.toml, imports stay light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI (a test extra)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(requirements):
    return {re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].strip().lower(): r.replace(" ", "") for r in requirements}


def conda_dependencies(text):
    """The entries of the top-level `dependencies:` list of environment.yml (a small YAML subset)."""
    entries, section = [], None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            section = line.split(":")[0]
        elif section == "dependencies" and re.match(r"^  - ", line):
            entries.append(line[4:].split("#")[0].strip())
    return entries


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    text = (ROOT / "environment.yml").read_text()
    entries = [e for e in conda_dependencies(text) if e not in ("pip", "pip:")]
    python = [e for e in entries if re.match(r"python\b", e)]
    conda = requirement_names(e for e in entries if e not in python)
    assert conda == requirement_names(project["dependencies"]), "environment.yml and pyproject.toml disagree"
    assert python == ["python" + project["requires-python"]]
    assert re.search(r"^      - -e \.$", text, re.M), "environment.yml must install the course itself (pip: -e .)"


def test_import_is_light():
    heavy = "('matplotlib', 'ipywidgets', 'IPython', 'torch')"
    code = f"import sys, course_lib; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_dataset_ships_with_the_package():
    import course_lib.problems as problems

    assert (Path(problems.__file__).parent / "data" / "digits.npz").stat().st_size < 100_000


def test_the_code_is_ruff_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_version_is_written_once():
    from importlib.metadata import version

    import course_lib

    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject.split("[tool.setuptools.dynamic]")[0]
    assert version("course_lib") == course_lib.__version__
