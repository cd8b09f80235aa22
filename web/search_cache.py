"""The viewer's cache of finished answers by address, keyed by index version: a new index is never served stale.

Popular searches (a shared link going round, a facet everyone clicks) repeat; answering them again costs
a search and a page render (or a JSON encoding), and a cached answer is given on the event loop without
either, and without waiting for the Searcher's lock. It is the one search cache in the viewer: the
Searcher below keeps each search's matches and facets (indexer.search) for other pages and sorts.
The key starts with the index's current generation and the modification time of its folder, which
every rebuild and every incremental commit change, so an entry can never outlive the index it came from.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache

from councilcode.indexer import IndexStore

T = TypeVar("T")

DEFAULT_ENTRIES = 512


# index dir -> (the pointer file's identity, the generation it named): the pointer is replaced
# atomically (a new inode) whenever it changes, so a stat() tells whether to read it again.
_POINTERS: dict[Path, tuple[tuple[int, int, int, int], str, Path]] = {}


def index_version(index_dir: Path) -> tuple[str, int] | None:
    """(generation name, folder mtime in ns) of the current index, or None when there is none."""
    store = IndexStore(index_dir)
    try:
        pointer = os.stat(store.pointer)
    except OSError:
        _POINTERS.pop(index_dir, None)
        return None
    identity = (pointer.st_ino, pointer.st_dev, pointer.st_mtime_ns, pointer.st_size)
    known = _POINTERS.get(index_dir)
    if known is not None and known[0] == identity:
        name, path = known[1], known[2]
    else:
        generation = store.current()
        if generation is None:
            return None
        name, path = generation.name, generation.path
        _POINTERS[index_dir] = (identity, name, path)
    try:
        folder = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(folder.st_mode):
        return None
    return name, folder.st_mtime_ns


@dataclass
class IndexCache:
    """The least recently used of at most `max_entries` answers; safe to share between threads."""

    index_dir: Path
    max_entries: int = DEFAULT_ENTRIES
    _entries: LRUCache[tuple[Any, ...], Any] = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._entries = LRUCache(max(1, self.max_entries))  # max_entries <= 0: nothing is stored (see _find)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer stored for `key` under the current index, or `compute()` stored for next time.

        Answers are shared between requests: callers must not change them. Nothing is stored when
        there is no index, or when `compute` raises.
        """
        full_key, found = self._find(key)
        if found is not None:
            return found
        answer = compute()
        if full_key is None:
            return answer
        with self._lock:
            self._entries[full_key] = answer
        return answer

    def get(self, key: Hashable) -> Any:
        """The answer stored for `key` under the current index, or None (nothing is computed)."""
        return self._find(key)[1]

    def _find(self, key: Hashable) -> tuple[tuple[Any, Hashable] | None, Any]:
        """(the key under the current index, its stored answer or None); no key when nothing is cached."""
        version = index_version(self.index_dir)
        if version is None or self.max_entries <= 0:
            return None, None
        full_key = (version, key)
        with self._lock:  # a look-up reorders the entries, so it takes the lock too
            found = self._entries.get(full_key)
        return full_key, found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
