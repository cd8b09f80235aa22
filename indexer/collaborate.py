"""Collaboration finder: groups of repositories at different councils that do the same kind of thing.

Computed at index time (`refresh_groups`, called by `indexer.build.update_index`) and kept as
`collaborate.json` beside the index, written atomically. See docs/collaborate.md for the design:

1. each repository becomes a TF-IDF vector of what it is (`indexer.group_terms`): its name,
   description, topics and README opening, without boilerplate, stemmed, with bigrams;
2. each one's most similar others by cosine similarity make a sparse graph, and average-linkage
   agglomerative clustering over it stops at a similarity threshold (`indexer.group_clusters`),
   so the number of groups is not fixed in advance;
3. groups that span fewer than two councils are dropped; forks of another member are shown apart
   as reuse; each group is named by the kind of work its best terms name, or by those terms, and
   keeps the id of the previous run's group it carries on (`indexer.group_finder`);
4. each repository's most similar work at other councils, by the same vectors, is stored with the
   groups for "Similar work at other councils" (`indexer.similar`).

The records are in `indexer.group_records`; this module holds their file and the index-time hook,
and imports none of the numerical libraries, so the commands and the web viewer that only read
groups start quickly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from councilcode.files import write_atomically
from councilcode.indexer.group_records import (  # noqa: F401 - the records are used through this module too
    ALGORITHM_VERSION,
    FORMAT_VERSION,
    THRESHOLD,
    Group,
    GroupRepository,
    Groups,
    SharedWords,
)
from councilcode.records import Repository

log = logging.getLogger(__name__)

FILENAME = "collaborate.json"


# -- grouping (the work is in indexer.group_finder) -----------------------------------------------


def build_groups(
    repositories: Sequence[Repository],
    *,
    source: str = "",
    threshold: float = THRESHOLD,
    previous: Groups | None = None,
) -> Groups:
    """Groups of similar repositories spanning two or more councils, with when and how long it took.
    Groups that carry on one of `previous` keep its id, so links to them survive regrouping."""
    # numpy and scipy take half a second to import: only the index run that groups should pay it.
    from councilcode.indexer.group_finder import find_groups_and_similar

    started = time.perf_counter()
    groups, similar = find_groups_and_similar(
        repositories, threshold=threshold, previous=previous.groups if previous else ()
    )
    return Groups(
        groups=groups,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        repositories=len(repositories),
        seconds=round(time.perf_counter() - started, 3),
        source=source,
        similar=similar,
    )


# -- storage ---------------------------------------------------------------------------------------


def groups_path(index_dir: Path | str) -> Path:
    return Path(index_dir) / FILENAME


def write_groups(index_dir: Path | str, groups: Groups) -> Path:
    """Write the groups beside the index in one atomic step (a reader sees the old file or the new)."""
    path = groups_path(index_dir)
    write_atomically(path, json.dumps(groups.to_json(), ensure_ascii=False, separators=(",", ":")))
    return path


def load_groups(index_dir: Path | str) -> Groups | None:
    """The stored groups, or None when they have not been computed (or the file is unreadable)."""
    try:
        data = json.loads(groups_path(index_dir).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT_VERSION:
            return None
        return Groups.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- the index-time hook ---------------------------------------------------------------------------


class Record(Protocol):
    """What `refresh_groups` needs of each catalogue record (indexer.build.Entry has it)."""

    key: str
    fingerprint: bytes
    load: Callable[[], Repository]


def source_fingerprint(records: Iterable[Record], threshold: float = THRESHOLD) -> str:
    """A digest of every record's fingerprint and of the algorithm: equal digests, equal groups."""
    digest = hashlib.sha256(f"collaborate {ALGORITHM_VERSION} {threshold}\n".encode())
    for key, fingerprint in sorted((r.key, r.fingerprint) for r in records):
        digest.update(key.encode("utf-8") + b"\0" + fingerprint + b"\n")
    return digest.hexdigest()


def refresh_groups(
    index_dir: Path | str,
    records: Sequence[Record],
    *,
    threshold: float = THRESHOLD,
    group: Callable[..., Groups] = build_groups,
) -> Groups | None:
    """Recompute and store the groups if the catalogue changed since they were last computed.

    Called with the index's write lock held, after the index is updated. A failure here is logged
    and leaves the previous groups in place: the index itself is already safely committed.
    """
    try:
        source = source_fingerprint(records, threshold)
        stored = load_groups(index_dir)
        if stored is not None and stored.source == source:
            return stored
        groups = group([r.load() for r in records], source=source, threshold=threshold, previous=stored)
        write_groups(index_dir, groups)
        log.info(
            "found %d collaboration groups among %d repositories in %.1f s",
            len(groups.groups),
            groups.repositories,
            groups.seconds,
        )
        return groups
    except Exception:  # noqa: BLE001 - derived data: never fail an index run that has already committed
        log.exception("could not compute collaboration groups in %s", index_dir)
        return None
