"""Start JupyterLab on a free loopback port with a random token, and open notebooks in Chromium.

Shared by the browser tests. Each test module opens its own Playwright session: the sync
API cannot nest, so two notebooks are never open at once.
"""

from __future__ import annotations

import json
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
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser here
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


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


@contextmanager
def static_server(directory: Path, timeout: float = 20.0) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port (Python's http.server); yield its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the static server did not start on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def fresh_copy(notebook: Path) -> Path:
    """The notebook without outputs, under build/ (git-ignored).

    Committed outputs hold widget views whose models only exist in the kernel that made them;
    JupyterLab would log "widget model not found" for them before the cells run again.
    """
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    target = REPO / "build" / "browser-test" / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data))
    return target


@contextmanager
def notebook_run_in_lab(notebook: Path, explorers: int, app: str = "lab",
                        viewport: tuple[int, int] = (1400, 1000)):
    """``notebook`` (a fresh copy) open in Chromium, after Run All Cells.

    ``app`` is "lab" (JupyterLab 4) or "notebook" (Notebook 7, served by the same server when
    the notebook package is installed). Yields (page, console_errors) once ``explorers`` explorer
    readouts exist and the kernel is idle.
    """
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    copy = fresh_copy(notebook)
    with jupyter_lab(REPO) as (url, token), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        console_errors: list[str] = []
        page.on("console", lambda message: _keep_if_error(message, console_errors))
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        relative = copy.relative_to(REPO).as_posix()
        path = f"lab/tree/{relative}" if app == "lab" else f"notebooks/{relative}"
        page.goto(f"{url}/{path}?token={token}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        wait_until_kernels_idle(url, token)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.locator(".course-explorer-readout").nth(explorers - 1).wait_for(state="attached", timeout=120_000)
        wait_until_kernels_idle(url, token)
        try:
            yield page, console_errors
        finally:
            browser.close()
            copy.unlink(missing_ok=True)


def wait_until_kernels_idle(url: str, token: str, timeout: float = 120.0) -> None:
    """Poll the server's REST API until a kernel runs and every kernel is idle (works for Lab and Notebook)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/kernels?token={token}", timeout=5) as response:
                kernels = json.loads(response.read())
        except OSError:  # the server answers 500 now and then while a kernel starts or restarts: ask again
            time.sleep(0.5)
            continue
        if kernels and all(k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.3)
    raise TimeoutError(f"the kernel was not idle within {timeout:.0f} s")


def assert_no_error_outputs(page) -> None:
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert stderr.count() == 0, stderr.all_inner_texts()
    assert page.locator(".jp-RenderedText .ansi-red-fg, .jp-OutputArea-output .jp-RenderedText[data-mime-type="
                        "'application/vnd.jupyter.error']").count() == 0


def _keep_if_error(message: Any, errors: list[str]) -> None:
    """A console message of the page, kept when it is an error."""
    if message.type == "error":
        errors.append(message.text)
