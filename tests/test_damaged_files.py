"""Damaged files under a running viewer, on copies of a real data dir (the corpus crawled from the emulator).

Each damage gives a message naming the file and the fix; the viewer never dies, serves the last good
index generation where one is left, and `councilcode index --rebuild` recovers from the catalogue.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from councilcode.cli import cli
from councilcode.cli.jobs import CrawlSettings, run_crawl
from councilcode.indexer.build import update_index
from councilcode.indexer.generations import IndexStore
from councilcode.settings import DataDir
from councilcode.web.app import create_app
from tests.github_emulator import CORPUS_DIR, GitHubEmulator, load_corpus
from tests.helpers import FAST_RETRY, config_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus_data(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """The corpus crawled from the emulator and indexed, once for the module; tests damage copies."""
    if not (CORPUS_DIR / "orgs.json").is_file():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    corpus_dir = CORPUS_DIR
    root = tmp_path_factory.mktemp("corpus-data")
    with GitHubEmulator() as emulator:
        accounts = load_corpus(emulator, corpus_dir)
        config = root / "orgs.yaml"
        config.write_text(config_text({f"Council {handle}": [handle] for handle in accounts}), encoding="utf-8")
        data_dir = DataDir(root / "data")
        settings = CrawlSettings(config=config, data_dir=data_dir, api_url=emulator.url, token="t", retry=FAST_RETRY)
        run_crawl(settings)
    update_index(data_dir.catalogue, data_dir.index)
    return data_dir


@pytest.fixture
def copy(corpus_data: DataDir, tmp_path: Path) -> DataDir:
    shutil.copytree(corpus_data.root, tmp_path / "data", ignore=shutil.ignore_patterns("*.lock", "*WRITELOCK"))
    return DataDir(tmp_path / "data")


@pytest.fixture
def client(copy: DataDir) -> Iterator[TestClient]:
    with TestClient(create_app(copy), raise_server_exceptions=False) as test_client:
        yield test_client


def current_generation(data_dir: DataDir) -> Path:
    generation = IndexStore(data_dir.index).current()
    assert generation is not None
    return generation.path


def biggest_segment(data_dir: DataDir) -> Path:
    return max(current_generation(data_dir).glob("*.seg"), key=lambda p: p.stat().st_size)


def rebuild(data_dir: DataDir) -> None:
    result = CliRunner().invoke(cli, ["index", "--rebuild", "--data-dir", str(data_dir.root)])
    assert result.exit_code == 0, result.output


def assert_names(response_text: str, *parts: str) -> None:
    for part in parts:
        assert part in response_text, part
    assert "Traceback" not in response_text


def test_a_segment_cut_short_under_the_viewer_is_reported_and_rebuilt(copy: DataDir, client: TestClient) -> None:
    assert client.get("/search?q=gritting").status_code == 200
    segment = biggest_segment(copy)
    # Under a memory-mapped reader this killed the process (SIGBUS); it must be an answer instead.
    os.truncate(segment, segment.stat().st_size // 3)
    for path in ("/search?q=planning", "/api/search?q=bins&sort=name&page=2", "/feeds/search.atom?q=map"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert_names(response.text, segment.name, "councilcode index --rebuild")
    health = client.get("/healthz")
    assert health.status_code == 503
    assert_names(health.text, segment.name, "councilcode index --rebuild")
    assert client.get("/about").status_code == 200  # the viewer is alive and serving what it can
    rebuild(copy)
    assert client.get("/search?q=gritting").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_viewer_started_on_a_cut_short_index_says_which_file(copy: DataDir) -> None:
    segment = biggest_segment(copy)
    os.truncate(segment, segment.stat().st_size - 10)
    with TestClient(create_app(copy), raise_server_exceptions=False) as client:
        response = client.get("/api/search?q=gritting")
        assert response.status_code == 503
        assert_names(response.json()["error"]["message"], segment.name, "councilcode index --rebuild")
        assert client.get("/repos/east-sussex-county-council/Escc.Gritting").status_code == 200  # from the catalogue
    result = CliRunner().invoke(cli, ["search", "gritting", "--data-dir", str(copy.root)])
    assert result.exit_code == 1 and segment.name in result.output and "Traceback" not in result.output
    # A plain `index` notices the damage and builds a new generation rather than failing.
    assert CliRunner().invoke(cli, ["index", "--data-dir", str(copy.root)]).exit_code == 0
    with TestClient(create_app(copy), raise_server_exceptions=False) as client:
        assert client.get("/api/search?q=gritting").json()["total"] > 0


def test_the_last_good_generation_is_served_while_the_current_one_is_damaged(copy: DataDir) -> None:
    good = current_generation(copy)
    older = good.with_name("gen-000000")
    shutil.copytree(good, older)
    segment = biggest_segment(copy)
    os.truncate(segment, segment.stat().st_size // 2)
    with TestClient(create_app(copy), raise_server_exceptions=False) as client:
        assert client.get("/api/search?q=gritting").json()["total"] > 0
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["index"]["generation"] == "gen-000000"
        assert_names(health.text, segment.name)


def test_a_deleted_generation_names_the_pointer(copy: DataDir, client: TestClient) -> None:
    assert client.get("/search?q=gritting").status_code == 200
    generation = current_generation(copy)
    shutil.rmtree(generation)
    response = client.get("/api/search?q=housing")
    assert response.status_code == 503
    assert_names(response.text, "CURRENT", generation.name, "councilcode index --rebuild")
    rebuild(copy)
    assert client.get("/api/search?q=housing").status_code == 200


def test_a_missing_pointer_keeps_the_open_generation_served(copy: DataDir, client: TestClient) -> None:
    assert client.get("/search?q=gritting").status_code == 200
    (copy.index / "CURRENT").unlink()
    assert client.get("/api/search?q=gritting").json()["total"] > 0
    health = client.get("/healthz")
    assert health.status_code == 503
    assert_names(health.text, "CURRENT", "is missing", "councilcode index --rebuild")
    with TestClient(create_app(copy), raise_server_exceptions=False) as fresh:
        # A viewer started now serves the whole generation that is still there.
        assert fresh.get("/api/search?q=gritting").json()["total"] > 0
    rebuild(copy)
    assert json.loads((copy.index / "CURRENT").read_text(encoding="utf-8"))["generation"].startswith("gen-")
    assert client.get("/healthz").status_code == 200


def test_a_catalogue_that_is_not_sqlite_is_named_and_search_goes_on(copy: DataDir, client: TestClient) -> None:
    copy.catalogue.write_bytes(b"this is not an SQLite database\n" * 100)
    for path in ("/repos/east-sussex-county-council/Escc.Gritting", "/api/councils", "/councils"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert_names(response.text, "catalogue.sqlite", "councilcode crawl")
    health = client.get("/healthz")
    assert health.status_code == 503 and "catalogue.sqlite" in health.text
    assert client.get("/api/search?q=gritting").json()["total"] > 0  # the index still answers
    result = CliRunner().invoke(cli, ["index", "--rebuild", "--data-dir", str(copy.root)])
    assert result.exit_code == 1 and "catalogue.sqlite" in result.output and "Traceback" not in result.output


def test_a_catalogue_that_fails_its_integrity_check_is_named(copy: DataDir, client: TestClient) -> None:
    size = copy.catalogue.stat().st_size
    page = 4096
    with open(copy.catalogue, "r+b") as file:
        # Scribble over the b-tree pages after the first few: the header stays valid, the tables do not.
        for offset in range(4 * page, size, 3 * page):
            file.seek(offset)
            file.write(b"\xff" * 64)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert_names(health.text, "catalogue.sqlite", "is damaged")
    assert client.get("/about").status_code == 200
