"""Building and updating the index from the catalogue: incremental updates, rebuilds, locking."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

import councilcode.indexer.build
from councilcode.catalogue import Catalogue, HandleResult
from councilcode.indexer.build import catalogue_entries, update_index
from councilcode.indexer.generations import IndexBusy, IndexStore
from councilcode.indexer.schema import SCHEMA_VERSION
from councilcode.indexer.search import Searcher, SearchRequest
from councilcode.records import Repository
from tests.factories import make_repository
from tests.helpers import entry_of
from tests.relevance.corpus_records import store_in_catalogue

BASE = [
    make_repository(
        "BinCouncil/bin-days",
        "Bin Council",
        id=1,
        description="Bin collection days by postcode",
        readme="# bin-days\n\nBin collection days by postcode",
        pushed_at="2024-01-01T00:00:00Z",
    ),
    make_repository(
        "BinCouncil/gritting",
        "Bin Council",
        id=2,
        description="Where the gritters are",
        readme="# gritting\n\nWhere the gritters are",
        pushed_at="2024-01-01T00:00:00Z",
    ),
    make_repository(
        "BinCouncil/parking",
        "Bin Council",
        id=3,
        description="Parking permits online",
        readme="# parking\n\nParking permits online",
        pushed_at="2024-01-01T00:00:00Z",
    ),
]
POTHOLES = make_repository(
    "BinCouncil/potholes",
    "Bin Council",
    id=4,
    description="Report a pothole",
    readme="# potholes\n\nReport a pothole",
    pushed_at="2024-01-01T00:00:00Z",
)
LIBRARIES = make_repository(
    "BinCouncil/libraries",
    "Bin Council",
    id=5,
    description="Library loans",
    readme="# libraries\n\nLibrary loans",
    pushed_at="2024-01-01T00:00:00Z",
)


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    catalogue, index_dir = tmp_path / "catalogue.sqlite", tmp_path / "index"
    store_in_catalogue(catalogue, BASE)
    return catalogue, index_dir


def store(catalogue: Path, repos: list[Repository], handle: str = "BinCouncil") -> None:
    with Catalogue(catalogue) as cat:
        council = repos[0].council if repos else "Bin Council"
        cat.store_handle(HandleResult(handle, council, "Organization", repos), None)


def found(index_dir: Path, q: str) -> list[str]:
    with Searcher(index_dir) as searcher:
        return [hit.full_name for hit in searcher.search(SearchRequest(q=q)).results]


def test_first_run_builds_then_updates_only_what_changed(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    first = update_index(catalogue, index_dir)
    assert (first.added, first.updated, first.removed, first.total, first.rebuilt) == (3, 0, 0, 3, True)
    assert first.seconds >= 0

    again = update_index(catalogue, index_dir)
    assert (again.added, again.updated, again.removed, again.total, again.rebuilt) == (0, 0, 0, 3, False)
    assert not again.changed

    changed = [replace(BASE[0], description="Bin collection days and garden waste"), BASE[1]]
    changed.append(POTHOLES)
    store(catalogue, changed)  # parking removed, bin-days changed, potholes added
    report = update_index(catalogue, index_dir)
    assert (report.added, report.updated, report.removed, report.total) == (1, 1, 1, 3)
    assert found(index_dir, "garden waste")[0] == "BinCouncil/bin-days"
    assert found(index_dir, "pothole") == ["BinCouncil/potholes"]
    assert found(index_dir, "parking") == []


def test_a_renamed_repository_is_updated_in_place(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    renamed = replace(BASE[2], name="parking-permits", full_name="BinCouncil/parking-permits")
    store(catalogue, [BASE[0], BASE[1], renamed])
    report = update_index(catalogue, index_dir)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert found(index_dir, "parking") == ["BinCouncil/parking-permits"]


def test_rebuild_switches_generation_and_removes_the_old_one(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    before = IndexStore(index_dir).current()
    assert before is not None
    report = update_index(catalogue, index_dir, rebuild=True)
    assert report.rebuilt and (report.added, report.updated, report.removed) == (0, 0, 0)
    after = IndexStore(index_dir).current()
    assert after is not None and after.name != before.name
    assert not before.path.exists()
    assert json.loads((index_dir / "CURRENT").read_text()) == {"generation": after.name, "schema": SCHEMA_VERSION}
    assert sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-")) == [after.name]


def test_a_half_built_generation_left_by_a_crash_is_cleaned_up(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    (index_dir / "gen-000099").mkdir()
    (index_dir / "gen-000099" / "junk").write_text("x")
    update_index(catalogue, index_dir)
    assert not (index_dir / "gen-000099").exists()


def test_an_index_of_another_schema_version_is_rebuilt(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    current = IndexStore(index_dir).current()
    assert current is not None
    IndexStore(index_dir).switch_to(current.path, SCHEMA_VERSION - 1)
    report = update_index(catalogue, index_dir)
    assert report.rebuilt and report.added == 3


def test_readers_never_see_a_half_built_index(paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    store(catalogue, [*BASE, POTHOLES, LIBRARIES])
    building, release = threading.Event(), threading.Event()
    real_document = councilcode.indexer.build.document

    def slow_document(repo: Repository) -> dict:
        building.set()
        release.wait(10)
        return real_document(repo)

    monkeypatch.setattr(councilcode.indexer.build, "document", slow_document)
    with Searcher(index_dir) as searcher:
        worker = threading.Thread(target=update_index, args=(catalogue, index_dir), kwargs={"rebuild": True})
        worker.start()
        try:
            assert building.wait(10)
            # Mid-build: the new generation exists on disk, but readers still get the old one, whole.
            assert searcher.stats()["repositories"] == 3
            assert searcher.search(SearchRequest(q="gritters")).total == 1
            assert len([p for p in index_dir.iterdir() if p.name.startswith("gen-")]) == 2
        finally:
            release.set()
            worker.join(30)
        # Once switched, the same searcher picks up the new generation by itself.
        assert searcher.stats()["repositories"] == 5
        assert [h.full_name for h in searcher.search(SearchRequest(q="library")).results] == ["BinCouncil/libraries"]


def test_searcher_picks_up_an_incremental_update(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    with Searcher(index_dir) as searcher:
        assert searcher.search(SearchRequest(q="pothole")).total == 0
        store(catalogue, [*BASE, POTHOLES])
        update_index(catalogue, index_dir)
        assert searcher.search(SearchRequest(q="pothole")).total == 1
        assert searcher.stats() == {"repositories": 4, "councils": 1}


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    with IndexStore(index_dir).write_lock():
        started = time.monotonic()
        with pytest.raises(IndexBusy, match=r"another `councilcode index` has been writing to .* for more than 0.3 s"):
            update_index(catalogue, index_dir, lock_timeout=0.3)
        assert 0.25 < time.monotonic() - started < 5


def test_a_second_writer_proceeds_once_the_first_finishes(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    holding = threading.Event()

    def hold() -> None:
        with IndexStore(index_dir).write_lock():
            holding.set()
            time.sleep(0.4)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(5)
    report = update_index(catalogue, index_dir, lock_timeout=10)
    holder.join()
    assert report.total == 3


def test_whoosh_lock_held_elsewhere_is_reported_as_busy(paths: tuple[Path, Path]) -> None:
    catalogue, index_dir = paths
    update_index(catalogue, index_dir)
    current = IndexStore(index_dir).current()
    assert current is not None
    store(catalogue, [*BASE, POTHOLES])
    ix = whoosh_index.open_dir(str(current.path))
    writer = ix.writer()
    try:
        with pytest.raises(IndexBusy):
            update_index(catalogue, index_dir, lock_timeout=0.2)
    finally:
        writer.cancel()
        ix.close()


def test_no_catalogue(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `councilcode crawl` first"):
        update_index(tmp_path / "missing.sqlite", tmp_path / "index")


def test_an_empty_catalogue_gives_an_empty_index(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.sqlite"
    Catalogue(catalogue).close()
    report = update_index(catalogue, tmp_path / "index")
    assert report.total == 0
    with Searcher(tmp_path / "index") as searcher:
        response = searcher.search(SearchRequest(q="anything"))
        assert response.total == 0 and response.suggestion is None
        assert searcher.stats() == {"repositories": 0, "councils": 0}


def test_catalogue_rows_and_records_have_the_same_fingerprints(paths: tuple[Path, Path]) -> None:
    catalogue, _ = paths
    odd = replace(BASE[0], id=9, full_name="BinCouncil/odd", name="odd", topics=["a-b", "ünïcode"], archived=True)
    store(catalogue, [*BASE, odd])
    from_rows = {entry.key: entry for entry in catalogue_entries(catalogue)}
    for repo in [*BASE, odd]:
        entry = from_rows[str(repo.id)]
        assert entry.fingerprint == entry_of(repo).fingerprint
        assert entry.load() == repo
