"""tools/lite.py without the network: Pyodide's files are used only when the official lock vouches for them."""

from __future__ import annotations

import hashlib
import zipfile

import nbformat
import pytest

from tools import lite

NUMPY = b"numpy's wheel"
OPENBLAS = b"openblas"


def lock(**overrides) -> dict:
    packages = {
        "numpy": {"file_name": "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "depends": ["openblas"],
                  "sha256": hashlib.sha256(NUMPY).hexdigest()},
        "openblas": {"file_name": "openblas-0.3.26.zip", "depends": [], "sha256": hashlib.sha256(OPENBLAS).hexdigest()},
        "prompt-toolkit": {"file_name": "prompt_toolkit.whl", "depends": [], "sha256": "0"},
        "ipython": {"file_name": "ipython.whl", "depends": ["prompt_toolkit"], "sha256": "0"},
    }
    for name, entry in overrides.items():
        packages[name].update(entry)
    return {"info": {"version": lite.PYODIDE_VERSION}, "packages": packages}


def carrier(tmp_path, files: dict[str, bytes]):
    path = tmp_path / "carrier.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(lite.PYODIDE_WHEELS_FOLDER + name, data)
    return path


def test_dependencies_come_from_the_lock_with_normalised_names():
    assert lite.needed_packages(lock(), roots=("numpy",)) == ["numpy", "openblas"]
    assert lite.needed_packages(lock(), roots=("ipython",)) == ["ipython", "prompt-toolkit"]
    with pytest.raises(SystemExit, match="'scipy' is not a package of Pyodide"):
        lite.needed_packages(lock(), roots=("scipy",))


def test_files_whose_sha256_matches_the_lock_are_used(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "PYODIDE_PACKAGES", ("numpy",))
    files = {"numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl": NUMPY, "openblas-0.3.26.zip": OPENBLAS}
    assert lite.verified_pyodide_files(lock(), carrier(tmp_path, files)) == files


def test_a_file_that_differs_from_the_lock_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "PYODIDE_PACKAGES", ("numpy",))
    files = {"numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl": NUMPY + b"!", "openblas-0.3.26.zip": OPENBLAS}
    with pytest.raises(SystemExit, match="numpy-2.0.2-cp312.*official pyodide-lock.json says .*the build stops"):
        lite.verified_pyodide_files(lock(), carrier(tmp_path, files))


def test_a_missing_file_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "PYODIDE_PACKAGES", ("numpy",))
    with pytest.raises(SystemExit, match="does not carry openblas-0.3.26.zip"):
        lite.verified_pyodide_files(lock(), carrier(tmp_path, {"numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl":
                                                               NUMPY}))


def test_the_site_shows_still_pictures_until_a_cell_runs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("explore('adam')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        lite.WIDGET_VIEW: {"model_id": "dead"}, "image/png": "iVBOR", "text/plain": "explorer"})]
    nb.cells = [cell]
    source = tmp_path / "01_x.ipynb"
    nbformat.write(nb, source)
    lite.lite_copy(source, tmp_path / "site" / "01_x.ipynb")
    data = nbformat.read(tmp_path / "site" / "01_x.ipynb", as_version=4).cells[0].outputs[0].data
    assert lite.WIDGET_VIEW not in data and data["image/png"] == "iVBOR"


def test_the_browser_never_asks_pypi_and_pyodide_comes_from_the_chosen_place():
    local = lite.lite_config("local")["jupyter-config-data"]["litePluginSettings"]
    cdn = lite.lite_config("cdn")["jupyter-config-data"]["litePluginSettings"]
    kernel = "@jupyterlite/pyodide-kernel-extension:kernel"
    assert local[kernel] == {"disablePyPIFallback": True}  # the build points pyodideUrl at ./static/pyodide/
    assert cdn[kernel]["pyodideUrl"] == f"https://cdn.jsdelivr.net/pyodide/v{lite.PYODIDE_VERSION}/full/pyodide.js"
