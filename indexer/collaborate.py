"""Collaboration finder: groups of repositories at different councils that do the same kind of thing.

Computed at index time (`refresh_groups`, called by `indexer.build.update_index`) and kept as
`collaborate.json` beside the index, written atomically. See docs/collaborate.md for the design:

1. each repository becomes a TF-IDF vector of what it is (`indexer.group_terms`): its name,
   description, topics and README opening, without boilerplate, stemmed, with bigrams;
2. each one's most similar others by cosine similarity make a sparse graph, and average-linkage
   agglomerative clustering over it stops at a similarity threshold (`indexer.group_clusters`),
   so the number of groups is not fixed in advance;
3. groups that span fewer than two councils are dropped; forks of another member are shown apart
   as reuse; each group is labelled with its most distinctive terms, bigrams first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from crawler.catalogue import slugify
from crawler.models import Repository
from indexer.group_clusters import NEIGHBOURS, average_linkage, neighbour_graph, tfidf_vectors
from indexer.group_terms import BIGRAM_SEPARATOR, RepositoryTerms, TermExtractor

log = logging.getLogger(__name__)

FILENAME = "collaborate.json"
FORMAT_VERSION = 1  # of the file; also part of the fingerprint, so a new algorithm recomputes
ALGORITHM_VERSION = 1
THRESHOLD = 0.3  # average cosine similarity within a group; see docs/collaborate.md
REUSE_SIMILARITY = 0.8  # a fork this close to another member is a copy of it
LABEL_PHRASES = 2
KEY_TERMS = 6
SEARCH_WORDS = 3
BIGRAM_PREFERENCE = 1.5  # a bigram beats a unigram unless the unigram is half as strong again


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

    def group_of(self, full_name: str) -> Group | None:
        """The group a repository belongs to (as a member or as reuse), if any."""
        wanted = full_name.lower()
        for group in self.groups:
            for repo in (*group.repositories, *group.reuse):
                if repo.full_name.lower() == wanted:
                    return group
        return None


# -- grouping --------------------------------------------------------------------------------------


def find_groups(repositories: Sequence[Repository], *, threshold: float = THRESHOLD) -> list[Group]:
    """Groups of similar repositories spanning two or more councils, most councils first."""
    extractor = TermExtractor()
    described = [extractor.terms(repo) for repo in repositories]
    vectors = tfidf_vectors([d.weights for d in described], [repo.council for repo in repositories])
    edges = neighbour_graph(vectors.matrix, k=NEIGHBOURS)
    groups = []
    for members in average_linkage(len(repositories), edges, threshold):
        group = _make_group(
            [repositories[i] for i in members],
            [described[i] for i in members],
            vectors.matrix[members],
            vectors.terms,
            extractor,
        )
        if group is not None:
            groups.append(group)
    groups.sort(key=lambda g: (-len(g.councils), -len(g.repositories), g.label, g.id))
    return groups


def build_groups(repositories: Sequence[Repository], *, source: str = "", threshold: float = THRESHOLD) -> Groups:
    """`find_groups` with when and how long it took."""
    started = time.perf_counter()
    groups = find_groups(repositories, threshold=threshold)
    return Groups(
        groups=groups,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        repositories=len(repositories),
        seconds=round(time.perf_counter() - started, 3),
        source=source,
    )


def _make_group(
    members: list[Repository],
    described: list[RepositoryTerms],
    rows: sparse.csr_matrix,
    terms: list[str],
    extractor: TermExtractor,
) -> Group | None:
    similarity = (rows @ rows.T).toarray()
    reuse_of = _reuse(members, similarity)
    built = [m for m in members if m.full_name not in reuse_of]
    councils = sorted({m.council for m in built}, key=str.lower)
    if len(councils) < 2:
        return None  # one council's own work, or one project and its forks: not duplicated effort
    phrases = _distinctive_terms(members, described, rows, terms, extractor)
    label = _label(phrases)
    names = sorted(m.full_name.lower() for m in members)
    digest = hashlib.sha1("\n".join(names).encode("utf-8")).hexdigest()[:6]
    n = len(members)
    cohesion = float((similarity.sum() - np.trace(similarity)) / (n * (n - 1))) if n > 1 else 1.0
    return Group(
        id=f"{slugify(label) or 'group'}-{digest}",
        label=label,
        terms=[p.text for p in phrases[:KEY_TERMS]],
        search_query=_search_query(phrases),
        councils=councils,
        repositories=[_member(m) for m in sorted(built, key=_member_order)],
        reuse=[_member(m, reuse_of[m.full_name]) for m in sorted(members, key=_member_order) if m.full_name in reuse_of],
        cohesion=round(cohesion, 3),
    )


def _member_order(repo: Repository) -> tuple[str, str]:
    return (repo.council.lower(), repo.full_name.lower())


def _member(repo: Repository, of: str | None = None) -> GroupRepository:
    return GroupRepository(
        full_name=repo.full_name,
        council=repo.council,
        license=repo.license,
        pushed_at=repo.pushed_at,
        html_url=repo.html_url or f"https://github.com/{repo.full_name}",
        fork=repo.fork,
        of=of,
    )


def _reuse(members: list[Repository], similarity: np.ndarray) -> dict[str, str]:
    """{fork's full name: the member it copies}: forks with the same name as another member, or
    almost the same text. The original is preferred to another copy of it."""
    found: dict[str, str] = {}
    for i, repo in enumerate(members):
        if not repo.fork:
            continue
        candidates = [
            j
            for j, other in enumerate(members)
            if j != i and (other.name.lower() == repo.name.lower() or similarity[i, j] >= REUSE_SIMILARITY)
        ]
        if candidates:
            best = max(candidates, key=lambda j: (not members[j].fork, float(similarity[i, j]), members[j].full_name))
            found[repo.full_name] = members[best].full_name
    return found


@dataclass(frozen=True)
class Phrase:
    """A candidate for a group's label: a term (stem or stem bigram) as written, and its score."""

    score: float
    term: str
    text: str

    @property
    def stems(self) -> set[str]:
        return set(self.term.split(BIGRAM_SEPARATOR))


def _distinctive_terms(
    members: list[Repository],
    described: list[RepositoryTerms],
    rows: sparse.csr_matrix,
    terms: list[str],
    extractor: TermExtractor,
) -> list[Phrase]:
    """The group's terms, best first. A term scores its weight in the group's centroid, doubled
    when every member's name has it (a name is the summary its authors chose), and counts only if
    members at two or more councils use it; bigrams are preferred, and a word inside a better
    bigram is left out."""
    centroid = np.asarray(rows.mean(axis=0)).ravel()
    present = rows.tocsc()
    candidates: list[tuple[float, str]] = []
    for j in np.flatnonzero(centroid):
        users = present.indices[present.indptr[j] : present.indptr[j + 1]]
        if len({members[i].council for i in users}) < 2:
            continue
        term = terms[j]
        in_names = sum(term in d.name_terms for d in described) / len(members)
        bonus = BIGRAM_PREFERENCE if BIGRAM_SEPARATOR in term else 1.0
        candidates.append((float(centroid[j]) * bonus * (1.0 + in_names), term))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    # How many councils use each term anywhere (not only among their strongest terms).
    councils_using: dict[str, set[str]] = {}
    for member, d in zip(members, described, strict=True):
        for term in d.weights:
            councils_using.setdefault(term, set()).add(member.council)
    chosen: list[Phrase] = []
    covered: set[str] = set()
    for score, term in candidates:
        if BIGRAM_SEPARATOR not in term:
            term = _more_specific(term, councils_using)
        stems = set(term.split(BIGRAM_SEPARATOR))
        if stems <= covered:
            continue  # "drupal" after "localgov drupal"
        covered |= stems
        chosen.append(Phrase(round(score, 4), term, extractor.spell(term)))
        if len(chosen) >= max(KEY_TERMS, SEARCH_WORDS):
            break
    return chosen


def _more_specific(word: str, councils_using: dict[str, set[str]]) -> str:
    """A bigram with `word` that (nearly) every council using `word` also uses ("localgov" ->
    "localgov drupal"), else `word`."""
    using = len(councils_using.get(word, ()))
    best, best_count = word, 1
    for term, councils in councils_using.items():
        if BIGRAM_SEPARATOR in term and word in term.split(BIGRAM_SEPARATOR):
            count = len(councils)
            if count >= 0.9 * using and (count, term) > (best_count, best):
                best, best_count = term, count
    return best


def _label(phrases: list[Phrase]) -> str:
    """The best phrase, and the second when it is a different idea nearly as strong."""
    if not phrases:
        return "similar repositories"
    texts = [phrases[0].text]
    for phrase in phrases[1:LABEL_PHRASES]:
        if phrase.score >= 0.5 * phrases[0].score and not phrase.stems & phrases[0].stems:
            texts.append(phrase.text)
    return ", ".join(texts)


def _search_query(phrases: list[Phrase]) -> str:
    """Single words of the best terms joined with OR, so a search finds every member that has any."""
    words: list[str] = []
    for phrase in phrases:
        for word in phrase.text.lower().split():
            if word not in words:
                words.append(word)
    return " OR ".join(words[:SEARCH_WORDS])


# -- storage ---------------------------------------------------------------------------------------


def groups_path(index_dir: Path | str) -> Path:
    return Path(index_dir) / FILENAME


def write_groups(index_dir: Path | str, groups: Groups) -> Path:
    """Write the groups beside the index in one atomic step (a reader sees the old file or the new)."""
    path = groups_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{FILENAME}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(groups.to_json(), handle, ensure_ascii=False, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
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

    def load(self) -> Repository: ...


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
