"""Fixtures for the browser tests: Playwright's API, the corpus data dir, `councilcode serve` in a subprocess,
Chromium, and a trapped page. Registered once through `pytest_plugins` in tests/conftest.py; each skips
cleanly when Chromium, Playwright or the corpus is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web_fixtures import CORPUS_DIR, build_corpus_data_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


# Set before any page script could run: a payload that fires would change these.
TRAP = """
window.__pwned = undefined;
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
  const original = window[name];
  window[name] = (...args) => { window.__alerts.push(name); };
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def playwright_api() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api


@pytest.fixture(scope="module")
def corpus_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CORPUS_DIR / "README.md").is_file():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    data_dir = build_corpus_data_dir(CORPUS_DIR, tmp_path_factory.mktemp("corpus-data"))
    return data_dir.root


@pytest.fixture(scope="module")
def server(corpus_data: Path, playwright_api: Any) -> Iterator[str]:
    """`councilcode serve` in a subprocess on a free port; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from councilcode.cli.serve import serve_command; serve_command()",
        "--data-dir",
        str(corpus_data),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"serve did not start:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(playwright_api: Any) -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page with the payload trap installed and every dialog recorded and dismissed."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    context.add_init_script(TRAP)
    new_page = context.new_page()
    new_page.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog: Any) -> None:
        new_page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    new_page.on("dialog", on_dialog)
    yield new_page
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now; skips the test when axe-core is not installed."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm install` in the repository root")
    # evaluate() goes through the DevTools protocol, which the page's CSP (rightly) does not cover.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )
