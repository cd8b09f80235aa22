"""Build or update the search index from the SQLite catalogue.

Incremental by default: each indexed document carries a fingerprint of its catalogue record, and
only records added, changed or removed since are written (one atomic Whoosh commit). A rebuild, a
missing index or an index of an older schema builds a new generation and switches to it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from whoosh import index
from whoosh.index import LockError

from councilcode.catalogue import Catalogue, CatalogueDamaged, repository_from_row
from councilcode.indexer.collaborate import refresh_groups
from councilcode.indexer.generations import Generation, IndexBusy, IndexStore, check_generation, open_generation
from councilcode.indexer.schema import SCHEMA_VERSION, document, fingerprint_row, make_schema
from councilcode.records import Repository

log = logging.getLogger(__name__)

WRITER_MEMORY_MB = 256
REBUILD_FROM_CHANGES = 2000


@dataclass(frozen=True)
class IndexReport:
    """What one `update_index` call did. `total` is the number of repositories now indexed."""

    added: int
    updated: int
    removed: int
    total: int
    seconds: float  # until the index was committed and visible to searches
    rebuilt: bool = False
    group_seconds: float = 0.0  # then refreshing the collaboration groups (only when records changed)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class Entry:
    """One repository to index: its id, the fingerprint of its record, and how to get the record."""

    key: str  # GitHub's repository id, as text
    fingerprint: bytes
    load: Callable[[], Repository]


@dataclass(frozen=True)
class _Diff:
    added: list[Entry]
    updated: list[Entry]
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
    store = IndexStore(index_dir)
    with store.write_lock(lock_timeout):
        # Read the catalogue only once we hold the lock, so the last writer writes the newest data.
        started = time.perf_counter()
        entries = catalogue_entries(catalogue_path)
        report = index_entries(store, entries, rebuild=rebuild, lock_timeout=lock_timeout)
        indexed = time.perf_counter()
        # Collaboration groups are derived from the same records: refreshed (only if they changed)
        # under the same lock, so they always describe the catalogue the index describes. Searches
        # already see the new index meanwhile.
        refresh_groups(store.root, entries)
    return replace(
        report,
        seconds=round(indexed - started, 3),
        group_seconds=round(time.perf_counter() - indexed, 3),
    )


def catalogue_entries(catalogue_path: Path | str) -> list[Entry]:
    """Every repository in the catalogue as an `Entry`, reading rows directly.

    Building 25,000 `Repository` objects just to find the hundred that changed costs about a
    second; fingerprints of the rows as stored cost a fraction of that (`fingerprint(Repository)`
    hashes the same row form), and only the records that changed are then built.
    """
    try:
        with Catalogue(catalogue_path, readonly=True) as catalogue:
            rows = catalogue.repository_rows()
    except sqlite3.DatabaseError as exc:
        raise CatalogueDamaged(Path(catalogue_path), exc) from exc
    return [Entry(str(row[0]), fingerprint_row(row).encode("ascii"), partial(repository_from_row, row)) for row in rows]


def index_entries(
    store: IndexStore,
    entries: list[Entry],
    *,
    rebuild: bool = False,
    lock_timeout: float = 30.0,
) -> IndexReport:
    """Make the index hold exactly `entries`. The caller holds `store.write_lock()`."""
    started = time.perf_counter()
    current = store.current()
    usable = current is not None and current.schema_version == SCHEMA_VERSION and index.exists_in(current.path)
    previous: dict[str, bytes] = {}
    if usable and current is not None:
        # Read even for a rebuild, whose report says what changed since; a damaged index is not read.
        try:
            check_generation(current.path)
            previous = _indexed_fingerprints(current)
        except Exception as exc:  # noqa: BLE001 - a damaged index is rebuilt from the catalogue, whatever broke
            log.warning("%s; building a new index from the catalogue instead", exc)
            usable = False
    diff = _diff(previous, entries)
    changes = len(diff.added) + len(diff.updated) + len(diff.removed)
    # Whoosh updates a document by deleting and re-adding it; past a quarter of the index, writing
    # a fresh generation is quicker (and just as invisible to readers).
    if rebuild or not usable or changes > max(REBUILD_FROM_CHANGES, len(entries) // 4):
        _build_generation(store, entries)
        rebuilt = True
    else:
        assert current is not None
        if changes:
            _apply(current, diff, lock_timeout)
        rebuilt = False
    store.remove_unused()
    return IndexReport(
        added=len(diff.added),
        updated=len(diff.updated),
        removed=len(diff.removed),
        total=len(entries),
        seconds=round(time.perf_counter() - started, 3),
        rebuilt=rebuilt,
    )


def _indexed_fingerprints(generation: Generation) -> dict[str, bytes]:
    """{repository id: fingerprint} of every live document in a generation."""
    ix = open_generation(generation.path)
    try:
        with ix.reader() as reader:
            found: dict[str, bytes] = {}
            for segment, _offset in reader.leaf_readers():
                if segment.segment() is None:  # an empty index
                    continue
                # Whole columns at once: ten times quicker than looking documents up one by one.
                pairs = zip(segment.column_reader("id"), segment.column_reader("fingerprint"), strict=True)
                if segment.has_deletions():
                    found.update(pair for doc, pair in enumerate(pairs) if not segment.is_deleted(doc))
                else:
                    found.update(pairs)
            return found
    finally:
        ix.close()


def _diff(previous: dict[str, bytes], entries: list[Entry]) -> _Diff:
    added, updated = [], []
    for entry in entries:
        old = previous.get(entry.key)
        if old is None:
            added.append(entry)
        elif old != entry.fingerprint:
            updated.append(entry)
    wanted = {entry.key for entry in entries}
    removed = [key for key in previous if key not in wanted]
    return _Diff(added=added, updated=updated, removed=removed)


def _build_generation(store: IndexStore, entries: list[Entry]) -> None:
    path = store.new_generation()
    ix = index.create_in(str(path), make_schema())
    try:
        writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        try:
            for entry in entries:
                writer.add_document(**document(entry.load()))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    finally:
        ix.close()
    store.switch_to(path, SCHEMA_VERSION)


def _apply(generation: Generation, diff: _Diff, lock_timeout: float) -> None:
    ix = open_generation(generation.path, readonly=False)
    try:
        try:
            writer = ix.writer(timeout=lock_timeout, limitmb=WRITER_MEMORY_MB)
        except LockError:
            # Our own lock file keeps councilcode writers apart; this is some other Whoosh writer.
            raise IndexBusy(generation.path, lock_timeout) from None
        try:
            for key in diff.removed:
                writer.delete_by_term("id", key)
            for entry in diff.added + diff.updated:
                writer.update_document(**document(entry.load()))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()  # Whoosh writes the new segment list in one atomic rename
    finally:
        ix.close()
