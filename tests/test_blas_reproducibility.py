"""Every checked output is the same under other BLAS kernels, thread counts and numpy SIMD paths.

A learner's machine has another CPU: OpenBLAS picks another kernel for it, and several threads split a sum
differently. A checked number that changes with those (a chaotic run, a printed round-off error) is not a
result. OpenBLAS can be told to use another CPU's kernel (``OPENBLAS_CORETYPE``), and numpy can be told to
leave out its AVX-512 loops (``NPY_DISABLE_CPU_FEATURES``), so each setting below re-runs every notebook that
has checked outputs, in a subprocess with that environment (``tools/replay_checked.py``), and compares.

The default setting (this CPU's kernel, one thread) is what nbval runs in the rest of the suite. A setting
that this machine cannot honour (another CPU family, another BLAS) is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPLAY = ROOT / "tools" / "replay_checked.py"

# Kernels from two other CPU generations, with two threads (another summation order in the threaded
# kernels); and the kernel of AVX2 machines (the AMD EPYC the outputs were first made on) with numpy's own
# loops also restricted to AVX2, as on a CPU without AVX-512.
SETTINGS = {
    "SkylakeX, 2 threads": {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "2"},
    "Sandybridge, 2 threads": {"OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "2"},
    "Haswell, 1 thread, numpy without AVX-512": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1",
                                                 "numpy_without_avx512": "yes"},
}


def checked_notebooks() -> list[Path]:
    """The executed notebooks of notebooks/ and solutions/ that have at least one checked cell."""
    found = []
    for path in sorted([*ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"), *ROOT.glob("solutions/[0-9][0-9]_*.ipynb")]):
        cells = nbformat.read(path, as_version=4).cells
        if any("nbval-check-output" in c.metadata.get("tags", []) for c in cells):
            found.append(path)
    return found


def _avx512_dispatch() -> list[str]:
    """numpy's dispatched SIMD targets that need AVX-512 and that this CPU has (empty without AVX-512)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return [f for f in __cpu_dispatch__ if ("AVX512" in f or f == "X86_V4") and __cpu_features__.get(f)]


def environment(setting: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    for name, value in setting.items():
        if name == "numpy_without_avx512":
            disabled = _avx512_dispatch()
            if not disabled:
                pytest.skip("this CPU has no AVX-512, so numpy's loops are the AVX2 ones already")
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(disabled)
        else:
            env[name] = value
    return env


def _kernel_in_use(env: dict[str, str]) -> dict:
    probe = subprocess.run([sys.executable, str(REPLAY), "--describe"], env=env, cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout)


@pytest.mark.slow
@pytest.mark.blas
@pytest.mark.parametrize("name", list(SETTINGS))
def test_checked_outputs_are_the_same_under_another_blas_setting(name):
    setting = SETTINGS[name]
    env = environment(setting)
    used = _kernel_in_use(env)
    if not used["blas"] or used["blas"][0]["api"] != "openblas":
        pytest.skip(f"numpy does not use OpenBLAS here ({used['blas']}), so OPENBLAS_CORETYPE cannot pick a kernel")
    kernel = used["blas"][0]
    if (kernel["kernel"] or "").lower() != setting["OPENBLAS_CORETYPE"].lower():
        pytest.skip(f"OpenBLAS does not offer the {setting['OPENBLAS_CORETYPE']} kernel on this CPU "
                    f"(it fell back to {kernel['kernel']})")
    assert kernel["threads"] == int(setting["OPENBLAS_NUM_THREADS"]), f"the thread count did not reach OpenBLAS: {used}"
    if "numpy_without_avx512" in setting:
        assert not used["avx512"], f"numpy still dispatches to AVX-512: {used}"

    notebooks = checked_notebooks()
    assert len(notebooks) >= 10, f"expected the chapters and solutions, found {[p.name for p in notebooks]}"
    run = subprocess.run([sys.executable, str(REPLAY), *map(str, notebooks)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, (
        f"checked outputs differ under {name} ({kernel['kernel']}, {kernel['threads']} threads): a checked "
        f"number that depends on the CPU or BLAS is not a result; see CONTRIBUTING.md\n{run.stdout}\n{run.stderr}"
    )
