"""Start JupyterLab on a free loopback port with a random token, for the browser tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser here


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyter_lab(root: Path, timeout: float = 60.0) -> Iterator[tuple[str, str]]:
    """Run ``jupyter lab`` rooted at ``root``; yield (base URL, token); stop the server afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    with tempfile.TemporaryDirectory(prefix="lab-test-") as home:
        # Do not ask about (or fetch) Jupyter news: the popup covers the page and there is no network.
        notification = Path(home, "settings", "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings")
        notification.parent.mkdir(parents=True)
        notification.write_text('{"fetchNews": "false", "checkForUpdates": false}')
        command = [
            str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.disable_check_xsrf=True",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={home}/settings", f"--LabApp.workspaces_dir={home}/workspaces",
            # No network: no PyPI extension manager, no terminals.
            "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            command.append("--allow-root")
        log = open(Path(home) / "lab.log", "w")  # closed in finally
        # The kernel should draw as it does for a learner (inline), not with the tests' Agg setting.
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        env["JUPYTER_RUNTIME_DIR"] = f"{home}/runtime"
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    raise RuntimeError(f"JupyterLab did not start on {url}:\n{(Path(home) / 'lab.log').read_text()}")
                time.sleep(0.3)
            yield url, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
