"""Indexing records straight from memory, for tests that need an index but no catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from councilcode.indexer.build import Entry, IndexReport, index_entries
from councilcode.indexer.generations import IndexStore
from councilcode.records import Repository


def index_repositories(store: IndexStore, repositories: Iterable[Repository], *, rebuild: bool = False) -> IndexReport:
    """Make the index in `store` hold exactly `repositories`. The caller holds `store.write_lock()`."""
    return index_entries(store, [Entry.of(repo) for repo in repositories], rebuild=rebuild)
