"""The index-versioned caches: hits, eviction, and never serving an answer from an older index."""

from __future__ import annotations

from pathlib import Path

from councilcode.catalogue import Catalogue, HandleResult
from councilcode.indexer.build import update_index
from councilcode.indexer.search import Searcher, SearchRequest
from councilcode.web.app import create_app
from councilcode.web.search_cache import IndexCache, index_version
from tests.factories import make_repository
from tests.web_fixtures import DORSET, TestClient, build_data_dir, sample_repositories


def test_repeated_answers_come_from_the_cache(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    calls: list[str] = []

    def compute(key: str) -> object:
        calls.append(key)
        return object()

    cache = IndexCache(data_dir.index, max_entries=2)
    first = cache.get_or_compute("a", lambda: compute("a"))
    assert cache.get_or_compute("a", lambda: compute("a")) is first
    assert calls == ["a"]
    cache.get_or_compute("b", lambda: compute("b"))
    cache.get_or_compute("c", lambda: compute("c"))
    assert len(cache) == 2  # the least recently used made way
    cache.get_or_compute("a", lambda: compute("a"))
    assert calls == ["a", "b", "c", "a"]


def test_an_incremental_update_invalidates_the_cache(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    before = index_version(data_dir.index)
    with Searcher(data_dir.index) as searcher:
        cache = IndexCache(data_dir.index)

        def lighthouse() -> int:
            return cache.get_or_compute("lighthouse", lambda: searcher.search(SearchRequest(q="lighthouse"))).total

        assert lighthouse() == 0
        dorset = [
            *sample_repositories()["Dorset-Council-UK"],
            make_repository(
                "Dorset-Council-UK/lighthouse",
                DORSET,
                id=60,
                pushed_at="2024-01-01T00:00:00Z",
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2024-01-01T00:00:00Z",
            ),
        ]
        with Catalogue(data_dir.catalogue) as catalogue:
            catalogue.store_handle(HandleResult("Dorset-Council-UK", DORSET, "Organization", dorset), None)
        update_index(data_dir.catalogue, data_dir.index)  # incremental: same generation, new segment
        assert index_version(data_dir.index) != before
        assert lighthouse() == 1


def test_result_pages_are_cached_per_address(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    app = create_app(data_dir)
    with TestClient(app) as client:
        first = client.get("/search?q=gritting")
        again = client.get("/search?q=gritting")
        assert first.text == again.text
        assert len(app.state.web.pages) == 1
        assert client.get("/search?q=gritting&sort=name").text != first.text
        assert len(app.state.web.pages) == 2


def test_api_answers_are_cached_per_address_and_keep_their_json(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    app = create_app(data_dir)
    with TestClient(app) as client:
        first = client.get("/api/search?q=gritting&limit=5")
        again = client.get("/api/search?limit=5&q=gritting")  # the same search, spelt in another order
        assert first.status_code == again.status_code == 200
        assert first.headers["content-type"] == "application/json"
        assert first.content == again.content
        assert len(app.state.web.pages) == 1
        with Searcher(data_dir.index) as searcher:
            assert first.json() == searcher.search(SearchRequest(q="gritting", limit=5)).to_json()
        client.get("/search?q=gritting&limit=5")
        assert len(app.state.web.pages) == 2  # a results page is another answer, at another address


def test_no_index_means_no_caching(tmp_path: Path) -> None:
    assert index_version(tmp_path / "nothing") is None
    cache = IndexCache(tmp_path / "nothing")
    cache.get_or_compute("a", object)
    assert len(cache) == 0
