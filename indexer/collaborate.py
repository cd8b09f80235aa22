"""Collaboration finder: groups of repositories at different councils that do the same kind of thing.

Computed at index time (`refresh_groups`, called by `indexer.build.update_index`) and kept as
`collaborate.json` beside the index, written atomically. See docs/collaborate.md for the design:

1. each repository becomes a TF-IDF vector of what it is (`indexer.group_terms`): its name,
   description, topics and README opening, without boilerplate, stemmed, with bigrams;
2. each one's most similar others by cosine similarity make a sparse graph, and average-linkage
   agglomerative clustering over it stops at a similarity threshold (`indexer.group_clusters`),
   so the number of groups is not fixed in advance;
3. groups that span fewer than two councils are dropped; forks of another member are shown apart
   as reuse; each group is labelled with its most distinctive terms, bigrams first
   (`indexer.group_finder`).

This module holds the records, their file and the index-time hook, and imports none of the
numerical libraries, so the commands and the web viewer that only read groups start quickly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from councilcode.files import write_atomically
from councilcode.records import Repository

log = logging.getLogger(__name__)

FILENAME = "collaborate.json"
FORMAT_VERSION = 1  # of the file; also part of the fingerprint, so a new algorithm recomputes
ALGORITHM_VERSION = 1
THRESHOLD = 0.3  # average cosine similarity within a group; see docs/collaborate.md


@dataclass(frozen=True)
class GroupRepository:
    """One repository in a group, as /collaborate and /api/collaborate show it."""

    full_name: str
    council: str
    license: str | None
    pushed_at: str | None
    html_url: str
    fork: bool
    of: str | None = None  # for reuse: the member it is a copy of


@dataclass(frozen=True)
class Group:
    """Repositories at two or more councils that do the same kind of thing."""

    id: str
    label: str
    terms: list[str]  # the most distinctive terms, as written, best first
    search_query: str  # words that find the group's repositories with /search
    councils: list[str]  # councils that built one (reuse not counted), by name
    repositories: list[GroupRepository]  # built independently
    reuse: list[GroupRepository] = field(default_factory=list)  # forks of another member
    cohesion: float = 0.0  # mean cosine similarity between members

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def public_json(self) -> dict[str, Any]:
        """The group as `councilcode collaborate --json` prints it (the API adds this site's URLs)."""
        return {
            "id": self.id,
            "label": self.label,
            "terms": self.terms,
            "councils": self.councils,
            "repositories": [_public_repository(r) for r in self.repositories],
            "reuse": [{**_public_repository(r), "of": r.of} for r in self.reuse],
            "cohesion": self.cohesion,
            "search_query": self.search_query,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Group:
        return cls(
            id=data["id"],
            label=data["label"],
            terms=list(data.get("terms", [])),
            search_query=data.get("search_query", ""),
            councils=list(data["councils"]),
            repositories=[GroupRepository(**r) for r in data["repositories"]],
            reuse=[GroupRepository(**r) for r in data.get("reuse", [])],
            cohesion=float(data.get("cohesion", 0.0)),
        )


def _public_repository(repo: GroupRepository) -> dict[str, Any]:
    return {
        "full_name": repo.full_name,
        "council": repo.council,
        "license": repo.license,
        "pushed_at": repo.pushed_at,
        "html_url": repo.html_url,
        "fork": repo.fork,
    }


@dataclass(frozen=True)
class Groups:
    """Every group found in one run, and what the run looked at."""

    groups: list[Group]
    generated_at: str
    repositories: int  # how many repositories were compared
    seconds: float
    source: str = ""  # fingerprint of the catalogue records and algorithm the groups came from

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "generated_at": self.generated_at,
            "repositories": self.repositories,
            "seconds": self.seconds,
            "source": self.source,
            "groups": [g.to_json() for g in self.groups],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Groups:
        return cls(
            groups=[Group.from_json(g) for g in data["groups"]],
            generated_at=data["generated_at"],
            repositories=int(data.get("repositories", 0)),
            seconds=float(data.get("seconds", 0.0)),
            source=str(data.get("source", "")),
        )

    def public_json(self) -> dict[str, Any]:
        """Every group, as `councilcode collaborate --json` prints them."""
        return {
            "generated_at": self.generated_at,
            "repositories_compared": self.repositories,
            "total": len(self.groups),
            "groups": [g.public_json() for g in self.groups],
        }

    def group_of(self, full_name: str) -> Group | None:
        """The group a repository belongs to (as a member or as reuse), if any."""
        return self._by_repository.get(full_name.lower())

    @cached_property
    def _by_repository(self) -> dict[str, Group]:
        # Worked out once per loaded file (the web viewer keeps one per version of the file).
        return {repo.full_name.lower(): g for g in self.groups for repo in (*g.repositories, *g.reuse)}


# -- grouping (the work is in indexer.group_finder) -----------------------------------------------


def build_groups(repositories: Sequence[Repository], *, source: str = "", threshold: float = THRESHOLD) -> Groups:
    """Groups of similar repositories spanning two or more councils, with when and how long it took."""
    # numpy and scipy take half a second to import: only the index run that groups should pay it.
    from councilcode.indexer.group_finder import find_groups

    started = time.perf_counter()
    groups = find_groups(repositories, threshold=threshold)
    return Groups(
        groups=groups,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        repositories=len(repositories),
        seconds=round(time.perf_counter() - started, 3),
        source=source,
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
        groups = group([r.load() for r in records], source=source, threshold=threshold)
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
