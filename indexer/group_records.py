"""The records of the collaboration finder: groups, their members, and what one run found.

Apart from `indexer.collaborate` (which stores them and runs the grouping at index time) and
`indexer.group_finder` (which makes them) so that neither imports the other's module back: the
finder needs the records, the store needs the finder, and the records need neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

FORMAT_VERSION = 1  # of the file; new fields are optional, so older files still load
# Part of the digest that decides whether groups are recomputed: a new algorithm regroups.
ALGORITHM_VERSION = 4
THRESHOLD = 0.22  # mean cosine similarity between a group's members; see docs/collaborate.md


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
class SharedWords:
    """Words that members of a group share: why they were grouped."""

    words: str  # as written ("design system")
    councils: int  # how many of the group's councils use them


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
    shared: list[SharedWords] = field(default_factory=list)  # why they were grouped, most councils first

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def public_json(self, limit: int | None = None) -> dict[str, Any]:
        """The group as `councilcode collaborate --json` prints it (/api/collaborate adds the site's URLs and
        how many repositories and forks there are, and can list fewer: at most `limit` of each)."""
        return {
            "id": self.id,
            "label": self.label,
            "terms": self.terms,
            "councils": self.councils,
            "repositories": [_public_repository(r) for r in self.repositories[:limit]],
            "reuse": [{**_public_repository(r), "of": r.of} for r in self.reuse[:limit]],
            "cohesion": self.cohesion,
            "search_query": self.search_query,
            "shared": [asdict(s) for s in self.shared],
        }

    @property
    def members(self) -> list[GroupRepository]:
        return [*self.repositories, *self.reuse]

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
            shared=[SharedWords(**s) for s in data.get("shared", [])],
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
    # {full name (lower case): [(full name, similarity), ...]}: each repository's most similar work at
    # other councils by the grouping's own similarity, for "Similar work at other councils". Kept as
    # read from the file (pairs as lists) until asked for: a catalogue's worth of pairs is most of the
    # file, and every index run reads the file to see whether anything changed.
    similar: dict[str, Sequence[Sequence[Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "generated_at": self.generated_at,
            "repositories": self.repositories,
            "seconds": self.seconds,
            "source": self.source,
            "groups": [g.to_json() for g in self.groups],
            "similar": {name: [[other, score] for other, score in found] for name, found in self.similar.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Groups:
        return cls(
            groups=[Group.from_json(g) for g in data["groups"]],
            generated_at=data["generated_at"],
            repositories=int(data.get("repositories", 0)),
            seconds=float(data.get("seconds", 0.0)),
            source=str(data.get("source", "")),
            similar=data.get("similar") or {},
        )

    def public_json(self) -> dict[str, Any]:
        """Every group, as `councilcode collaborate --json` prints them."""
        return {**self.summary_json(), "groups": [g.public_json() for g in self.groups]}

    def summary_json(self) -> dict[str, Any]:
        """`public_json` without the groups, for a caller that writes them its own way."""
        return {
            "generated_at": self.generated_at,
            "repositories_compared": self.repositories,
            "total": len(self.groups),
        }

    def groups_of(self, full_name: str) -> list[Group]:
        """Every group a repository belongs to, most councils first: a repository can be in a
        platform's group and in the group of the kind of work it does (a Drupal intranet)."""
        return list(self._by_repository.get(full_name.lower(), ()))

    def similar_to(self, full_name: str) -> list[tuple[str, float]]:
        """The work at other councils most like `full_name`, most similar first."""
        return [(str(other), float(score)) for other, score in self.similar.get(full_name.lower(), ())]

    @cached_property
    def _by_repository(self) -> dict[str, list[Group]]:
        # Worked out once per loaded file (the web viewer keeps one per version of the file).
        found: dict[str, list[Group]] = {}
        for group in self.groups:
            for repo in group.members:
                found.setdefault(repo.full_name.lower(), []).append(group)
        return found
