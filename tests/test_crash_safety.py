"""`kill -9` at any moment, then one more crawl, gives the same catalogue as an uninterrupted crawl."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from councilcode.catalogue import Catalogue
from councilcode.cli.jobs import run_crawl
from councilcode.settings import DataDir
from tests.github_emulator import GitHubEmulator, add_synthetic_repos
from tests.helpers import config_text

ROOT = Path(__file__).resolve().parents[1]


def _crawl_process(config: Path, data_dir: Path, api_url: str, api: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GITHUB_TOKEN": "t", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "councilcode",
            "crawl",
            "--config",
            str(config),
            "--data-dir",
            str(data_dir),
            "--api-url",
            api_url,
            "--api",
            api,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for_requests(server: GitHubEmulator, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while server.stats.total_requests < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"the crawl made fewer than {count} requests in {timeout}s")
        time.sleep(0.01)


# A first REST crawl makes about 520 requests, a GraphQL one 7 queries; the kill points leave work
# for the next run either way.
KILL_POINTS = {"rest": ((40, 250), (20, 150)), "graphql": ((1, 6), (1, 4))}


@pytest.mark.slow
@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_two_kill_9s_and_one_more_run_leave_the_catalogue_of_an_uninterrupted_crawl(crawl_settings, tmp_path, api):
    rng = random.Random(20261123)
    councils = {f"Council {i}": [f"Council{i}"] for i in range(6)}
    with GitHubEmulator(latency=0.005) as server:
        for i in range(6):
            server.add_account(f"Council{i}")
            add_synthetic_repos(server, f"Council{i}", 80, seed=i)
        reference = crawl_settings(councils, api_url=server.url, data_dir=DataDir(tmp_path / "reference"), api=api)
        run_crawl(reference)
        with Catalogue(reference.data_dir.catalogue, readonly=True) as catalogue:
            expected = [r.to_dict() for r in catalogue.repositories()]

        config = tmp_path / "orgs.yaml"
        config.write_text(config_text(councils), encoding="utf-8")
        data_dir = tmp_path / "killed"
        for kill_after in (rng.randint(*KILL_POINTS[api][0]), rng.randint(*KILL_POINTS[api][1])):
            server.reset_stats()
            process = _crawl_process(config, data_dir, server.url, api)
            _wait_for_requests(server, kill_after)
            process.kill()  # SIGKILL: no clean-up of any kind
            process.wait(timeout=10)
        final = _crawl_process(config, data_dir, server.url, api)
        output, _ = final.communicate(timeout=120)
        assert final.returncode == 0, output.decode()
        assert b"Traceback" not in output

    db = sqlite3.connect(data_dir / "catalogue.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    statuses = [row[0] for row in db.execute("SELECT status FROM crawl_runs ORDER BY id")]
    db.close()
    assert statuses[-1] == "ok" and set(statuses[:-1]) <= {"interrupted", "ok"}
    with Catalogue(data_dir / "catalogue.sqlite", readonly=True) as catalogue:
        assert [r.to_dict() for r in catalogue.repositories()] == expected
