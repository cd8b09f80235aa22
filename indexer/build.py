"""Build or update the search index from the SQLite catalogue.

Incremental by default: each indexed document carries a fingerprint of its catalogue record, and
only records added, changed or removed since are written (one atomic Whoosh commit). A rebuild, a
missing index or an index of an older schema builds a new generation and switches to it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index
from whoosh.index import LockError

from crawler.catalogue import Catalogue
from crawler.models import Repository
from indexer.generations import Generation, IndexBusy, IndexStore
from indexer.schema import SCHEMA_VERSION, document, fingerprint, make_schema

WRITER_MEMORY_MB = 256


@dataclass(frozen=True)
class IndexReport:
    """What one `update_index` call did. `total` is the number of repositories now indexed."""

    added: int
    updated: int
    removed: int
    total: int
    seconds: float
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class _Diff:
    added: list[Repository]
    updated: list[Repository]
    removed: list[str]  # ids


def update_index(
    catalogue_path: Path | str,
    index_dir: Path | str,
    *,
    rebuild: bool = False,
    lock_timeout: float = 30.0,
) -> IndexReport:
    """Bring the index in `index_dir` up to date with the catalogue; build it if there is none.

    Raises FileNotFoundError when there is no catalogue and `IndexBusy` when another writer holds
    the index for more than `lock_timeout` seconds.
    """
    started = time.perf_counter()
    store = IndexStore(index_dir)
    with store.write_lock(lock_timeout):
        # Read the catalogue only once we hold the lock, so the last writer writes the newest data.
        with Catalogue(catalogue_path, readonly=True) as catalogue:
            repositories = catalogue.repositories()
        report = index_repositories(store, repositories, rebuild=rebuild, lock_timeout=lock_timeout)
    return IndexReport(
        added=report.added,
        updated=report.updated,
        removed=report.removed,
        total=report.total,
        seconds=round(time.perf_counter() - started, 3),
        rebuilt=report.rebuilt,
    )


def index_repositories(
    store: IndexStore,
    repositories: Iterable[Repository],
    *,
    rebuild: bool = False,
    lock_timeout: float = 30.0,
) -> IndexReport:
    """Make the index hold exactly `repositories`. The caller holds `store.write_lock()`.

    Separate from `update_index` so tests and benchmarks can index records without a catalogue.
    """
    started = time.perf_counter()
    repositories = list(repositories)
    current = store.current()
    usable = current is not None and current.schema_version == SCHEMA_VERSION and index.exists_in(current.path)
    previous = _indexed_fingerprints(current) if usable and current is not None else {}
    diff = _diff(previous, repositories)
    if rebuild or not usable:
        _build_generation(store, repositories)
        rebuilt = True
    else:
        assert current is not None
        if diff.added or diff.updated or diff.removed:
            _apply(current, diff, lock_timeout)
        rebuilt = False
    store.remove_unused()
    return IndexReport(
        added=len(diff.added),
        updated=len(diff.updated),
        removed=len(diff.removed),
        total=len(repositories),
        seconds=round(time.perf_counter() - started, 3),
        rebuilt=rebuilt,
    )


def _indexed_fingerprints(generation: Generation) -> dict[str, bytes]:
    """{repository id: fingerprint} of every live document in a generation."""
    ix = index.open_dir(str(generation.path))
    try:
        with ix.reader() as reader:
            ids = reader.column_reader("id")
            prints = reader.column_reader("fingerprint")
            return {ids[docnum]: prints[docnum] for docnum in reader.all_doc_ids()}
    finally:
        ix.close()


def _diff(previous: dict[str, bytes], repositories: list[Repository]) -> _Diff:
    added, updated = [], []
    wanted = set()
    for repo in repositories:
        key = str(repo.id)
        wanted.add(key)
        old = previous.get(key)
        if old is None:
            added.append(repo)
        elif old != fingerprint(repo).encode("ascii"):
            updated.append(repo)
    removed = [key for key in previous if key not in wanted]
    return _Diff(added=added, updated=updated, removed=removed)


def _build_generation(store: IndexStore, repositories: list[Repository]) -> None:
    path = store.new_generation()
    ix = index.create_in(str(path), make_schema())
    try:
        writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        try:
            for repo in repositories:
                writer.add_document(**document(repo))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    finally:
        ix.close()
    store.switch_to(path, SCHEMA_VERSION)


def _apply(generation: Generation, diff: _Diff, lock_timeout: float) -> None:
    ix = index.open_dir(str(generation.path))
    try:
        try:
            writer = ix.writer(timeout=lock_timeout, limitmb=WRITER_MEMORY_MB)
        except LockError:
            # Our own lock file keeps councilcode writers apart; this is some other Whoosh writer.
            raise IndexBusy(generation.path, lock_timeout) from None
        try:
            for key in diff.removed:
                writer.delete_by_term("id", key)
            for repo in diff.added + diff.updated:
                writer.update_document(**document(repo))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()  # Whoosh writes the new segment list in one atomic rename
    finally:
        ix.close()
