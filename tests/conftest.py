"""Shared fixtures: a running GitHub API emulator, a data dir, configs, and the real council corpus.

Fixtures are defined once and found by name: the ones here, and those of the modules named in
`pytest_plugins` (the web sample data and app, the browser and server). Test modules never import fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from councilcode.cli.jobs import CrawlSettings
from councilcode.settings import DataDir
from tests.github_emulator import CORPUS_DIR, GitHubEmulator
from tests.helpers import FAST_RETRY, config_text

pytest_plugins = ["tests.web_fixtures", "tests.browser.fixtures"]


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
