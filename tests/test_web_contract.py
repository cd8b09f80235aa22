"""The API keeps the contract /openapi.json documents: schemathesis, run as CI runs it (`--checks all`),
against `councilcode serve` on 127.0.0.1 over the sample data, bounded in examples and time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from councilcode.settings import DataDir

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25  # per operation and phase: about 500 requests, a minute at most here
RUN_TIMEOUT = 300.0  # seconds
# schemathesis' own command line, from the interpreter running the tests (no PATH needed).
SCHEMATHESIS = [sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(web_data_dir: DataDir) -> Iterator[str]:
    """`councilcode serve` over the sample data on a free port; its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "councilcode", "serve", "--data-dir", str(web_data_dir.root), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_schemathesis_finds_no_failure_with_every_check(served: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            *SCHEMATHESIS,
            "run",
            f"{served}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "20261130",  # the same cases every run, so a failure here is reproducible
            "--request-timeout",
            "10",
            "--workers",
            "1",
        ],
        cwd=tmp_path,  # hypothesis keeps its example database in the working directory
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1]
