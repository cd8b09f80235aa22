"""Repositories to groups: vectors, clustering, then what each group shows (label, councils, reuse).

The numerical work is in `indexer.group_clusters` and the text work in `indexer.group_terms`;
`indexer.collaborate` holds the records this makes and stores them at index time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from councilcode.catalogue import slugify
from councilcode.indexer.collaborate import THRESHOLD, Group, GroupRepository
from councilcode.indexer.group_clusters import NEIGHBOURS, average_linkage, neighbour_graph, tfidf_vectors
from councilcode.indexer.group_terms import BIGRAM_SEPARATOR, RepositoryTerms, TermExtractor
from councilcode.records import Repository

REUSE_SIMILARITY = 0.8  # a fork this close to another member is a copy of it
LABEL_PHRASES = 2
KEY_TERMS = 6
SEARCH_WORDS = 3
BIGRAM_PREFERENCE = 1.5  # a bigram beats a unigram unless the unigram is half as strong again


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
        reuse=[
            _member(m, reuse_of[m.full_name]) for m in sorted(members, key=_member_order) if m.full_name in reuse_of
        ],
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
    names = [d.name_words for d in described]
    chosen: list[Phrase] = []
    covered: set[str] = set()
    for score, term in candidates:
        if BIGRAM_SEPARATOR not in term:
            term = _more_specific(term, councils_using)
        stems = set(term.split(BIGRAM_SEPARATOR))
        if stems <= covered:
            continue  # "drupal" after "localgov drupal"
        covered |= stems
        chosen.append(Phrase(round(score, 4), term, extractor.spell(term, names)))
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
