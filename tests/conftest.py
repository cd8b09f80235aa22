"""Shared fixtures: a running GitHub API emulator, a data dir, configs, and the real council corpus."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from councilcode.cli.jobs import CrawlSettings
from councilcode.crawler.github import RetryPolicy
from councilcode.settings import DataDir
from tests.github_emulator import CORPUS_DIR, GitHubEmulator

# Retries in tests back off in milliseconds, not seconds, and give up on a silent server quickly.
FAST_RETRY = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05, timeout=1.0, secondary_delay=0.2)


@pytest.fixture
def emulator() -> Iterator[GitHubEmulator]:
    with GitHubEmulator() as server:
        yield server


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS_DIR / "orgs.json").is_file():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    return CORPUS_DIR


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


def config_text(councils: dict[str, list[str]]) -> str:
    """orgs.yaml text for {council name: [handles]}."""
    lines = ["councils:"]
    for name, handles in councils.items():
        # JSON strings are YAML strings, so names with '&' or ':' need no thought.
        lines += [f"  - name: {json.dumps(name)}", f"    github: [{', '.join(handles)}]"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[dict[str, list[str]]], Path]:
    def write(councils: dict[str, list[str]]) -> Path:
        path = tmp_path / "orgs.yaml"
        path.write_text(config_text(councils), encoding="utf-8")
        return path

    return write


@pytest.fixture
def crawl_settings(
    emulator: GitHubEmulator, data_dir: DataDir, write_config: Callable[[dict[str, list[str]]], Path]
) -> Callable[..., CrawlSettings]:
    """Settings for crawling the emulator: `crawl_settings({"Council": ["handle"]}, concurrency=4)`."""

    def make(councils: dict[str, list[str]], **overrides: object) -> CrawlSettings:
        values: dict[str, object] = {
            "config": write_config(councils),
            "data_dir": data_dir,
            "api_url": emulator.url,
            "token": "test-token",
            "retry": FAST_RETRY,
            "api": "rest",  # the REST crawl unless a test asks for GraphQL
        }
        values.update(overrides)
        return CrawlSettings(**values)  # type: ignore[arg-type]

    return make
