"""What the benchmarks ran on: CPU, cores, load, library versions and BLAS."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sys
from typing import Any

import numpy as np


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _numpy_blas() -> Any:
    """numpy's BLAS as numpy.show_config reports it (it prints; we capture)."""
    try:
        config = np.show_config(mode="dicts")
        return config.get("Build Dependencies", {}).get("blas", {})
    except TypeError:  # numpy < 1.25 has no mode argument
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            np.show_config()
        return buffer.getvalue()


def describe() -> dict[str, Any]:
    """A dict describing the machine and the software, for the results JSON."""
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "numpy_blas": _numpy_blas(),
    }
    try:
        import threadpoolctl

        info["threadpools"] = threadpoolctl.threadpool_info()
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    return info


def one_line(info: dict[str, Any]) -> str:
    """'AMD EPYC, 2 cores, numpy 2.4.6, torch 2.13.0+cpu' for the printed table."""
    torch = f", torch {info['torch']} ({info.get('torch_threads')} threads)" if info.get("torch") else ", no torch"
    load = info.get("load_average")
    load_text = f", load {load[0]:.2f}" if load else ""
    return f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, numpy {info['numpy']}{torch}{load_text}"
