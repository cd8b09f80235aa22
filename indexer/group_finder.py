"""Repositories to groups: vectors, clustering, then what each group shows (label, councils, reuse,
the words members share), and each repository's most similar work at other councils.

The numerical work is in `indexer.group_clusters` and the text work in `indexer.group_terms`; the
records are `indexer.group_records`, which `indexer.collaborate` stores at index time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from councilcode.catalogue import slugify
from councilcode.indexer.group_clusters import NEIGHBOURS, average_linkage, neighbour_graph, tfidf_vectors
from councilcode.indexer.group_records import THRESHOLD, Group, GroupRepository, SharedWords
from councilcode.indexer.group_terms import BIGRAM_SEPARATOR, RepositoryTerms, TermExtractor
from councilcode.records import Repository

REUSE_SIMILARITY = 0.8  # a fork this close to another member is a copy of it
LABEL_PHRASES = 2
KEY_TERMS = 6
SEARCH_WORDS = 3
BIGRAM_PREFERENCE = 1.5  # a bigram beats a unigram unless the unigram is half as strong again
SHARED_WORDS = 8  # words shown as the reason for a group
SIMILAR = 8  # similar repositories at other councils kept per repository
SIMILAR_MIN = 0.1  # below this cosine two repositories share a word or two, not a purpose
CARRY_OVER = 0.5  # a group keeps an old group's id when it holds at least this share of the old members

# Plain names for kinds of work, by the term (stem or stem bigram, as `TermExtractor` makes them)
# that says a group is that kind. A group is named by the first of its distinctive terms found
# here; other groups by their best phrases. General council vocabulary, like CONCEPTS in
# indexer.group_terms, which brings the different names for these kinds to these terms.
KIND_LABELS: dict[str, str] = {
    "design system": "Design systems and component libraries",
    "localgov drupal": "LocalGov Drupal sites and modules",
    "drupal": "Drupal sites and modules",
    "umbraco": "Umbraco sites and packages",
    "wordpress": "WordPress themes and plugins",
    "sharepoint": "SharePoint customisations",
    "opendata": "Open data publishing",
    "dashboard": "Dashboards of local statistics",
    "map": "Web maps and map tools",
    "qgis": "QGIS plugins",
    "qgis plugin": "QGIS plugins",
    "gazett": "Address gazetteers and address lookup",
    "wast": "Bins, waste and recycling",
    "school closur": "School and service closures",
    "verint": "Verint customisations",
    "govpay": "GOV.UK Pay integrations",
    "intranet": "Staff intranets",
    "code standard": "Coding standards and manuals",
    "prototyp kit": "Prototypes made with the GOV.UK Prototype Kit",
    "jadu": "Jadu CMS customisations",
    "food hygien": "Food hygiene",
    "chatbot": "Chatbots",
    "wagtail": "Wagtail sites",
    "prototyp": "Prototypes",
    "social care": "Social care",
    "googl analyt": "Web analytics",
    "solr": "Site search",
    "pollut": "Air quality",
    "air qualiti": "Air quality",
    "geocod": "Geocoding",
    "migrat": "Content migration",
}
KIND_RANK = 3  # a kind names a group only if its term is among the group's best few


def find_groups(
    repositories: Sequence[Repository], *, threshold: float = THRESHOLD, previous: Sequence[Group] = ()
) -> list[Group]:
    """Groups of similar repositories spanning two or more councils, most councils first."""
    return find_groups_and_similar(repositories, threshold=threshold, previous=previous)[0]


def find_groups_and_similar(
    repositories: Sequence[Repository], *, threshold: float = THRESHOLD, previous: Sequence[Group] = ()
) -> tuple[list[Group], dict[str, list[tuple[str, float]]]]:
    """The groups, and {full name (lower case): [(full name, cosine), ...]}: each repository's most
    similar repositories at other councils by the same vectors, for "Similar work at other councils".
    A group that carries on one of `previous` (holds most of its members) keeps its id."""
    extractor = TermExtractor()
    described = [extractor.terms(repo) for repo in repositories]
    councils = [repo.council for repo in repositories]
    vectors = tfidf_vectors([d.weights for d in described], councils)
    edges, nearest = neighbour_graph(vectors.matrix, k=NEIGHBOURS, owners=councils, others=SIMILAR)
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
    groups = _carry_ids_over(_distinct_labels(groups), previous)
    similar = {
        repositories[i].full_name.lower(): [
            (repositories[j].full_name, round(score, 4)) for j, score in found if score >= SIMILAR_MIN
        ]
        for i, found in nearest.items()
    }
    return groups, {name: found for name, found in similar.items() if found}


def _distinct_labels(groups: list[Group]) -> list[Group]:
    """Groups (most councils first) whose labels tell them apart: when several are the same kind of
    work, all but the first add what sets them apart ("Web maps and map tools: leaflet")."""
    seen: set[str] = set()
    distinct = []
    for group in groups:
        label = group.label
        if label in seen:
            words = set(label.lower().replace(",", " ").split())
            extra = next((t for t in group.terms if not set(t.lower().split()) & words), None)
            label = f"{label}: {extra}" if extra else label
            group = replace(group, label=label)
        seen.add(label)
        distinct.append(group)
    return distinct


def _carry_ids_over(groups: list[Group], previous: Sequence[Group]) -> list[Group]:
    """Groups with the id of the previous group each carries on, so /collaborate/{id} links survive
    a member joining, leaving or changing. Best overlaps first; each old id goes to one group."""
    if not previous:
        return groups
    old_members = {g.id: {r.full_name.lower() for r in g.members} for g in previous}
    candidates = []
    for n, group in enumerate(groups):
        members = {r.full_name.lower() for r in group.members}
        for old_id, old in old_members.items():
            shared = len(members & old)
            if shared >= 2 and shared >= CARRY_OVER * len(old):
                candidates.append((-shared, old_id, n))
    candidates.sort()
    taken: dict[int, str] = {}
    used: set[str] = set()
    for _, old_id, n in candidates:
        if n not in taken and old_id not in used:
            taken[n] = old_id
            used.add(old_id)
    carried = []
    for n, group in enumerate(groups):
        if n in taken:
            group = replace(group, id=taken[n])
        elif group.id in used:  # a new group's own id (label and members) already carried on: keep ids unique
            group = replace(group, id=f"{group.id}-{n}")
        carried.append(group)
    return carried


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
    phrases, councils_using = _distinctive_terms(members, described, rows, terms, extractor)
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
        shared=[
            SharedWords(p.text, len(councils_using.get(p.term, set()) & set(councils))) for p in phrases[:SHARED_WORDS]
        ],
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
) -> tuple[list[Phrase], dict[str, set[str]]]:
    """The group's terms, best first, and the councils using each term. A term scores its weight in
    the group's centroid, doubled when every member's name has it (a name is the summary its
    authors chose), and counts only if members at two or more councils use it; bigrams are
    preferred, and a word inside a better bigram is left out."""
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
        if len(chosen) >= max(KEY_TERMS, SEARCH_WORDS, SHARED_WORDS):
            break
    return chosen, councils_using


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
    """The kind of work when one of the best terms names a known kind ("Design systems and component
    libraries"); otherwise the best phrase, and the second when it is a different idea nearly as
    strong ("Parking permits, visitor parking")."""
    if not phrases:
        return "Similar repositories"
    for phrase in phrases[:KIND_RANK]:
        for term in (phrase.term, *phrase.term.split(BIGRAM_SEPARATOR)):
            if term in KIND_LABELS:
                return KIND_LABELS[term]
    texts = [phrases[0].text]
    for phrase in phrases[1:LABEL_PHRASES]:
        if phrase.score >= 0.5 * phrases[0].score and not phrase.stems & phrases[0].stems:
            texts.append(phrase.text)
    label = ", ".join(texts)
    return label[:1].upper() + label[1:]


def _search_query(phrases: list[Phrase]) -> str:
    """Single words of the best terms joined with OR, so a search finds every member that has any."""
    words: list[str] = []
    for phrase in phrases:
        for word in phrase.text.lower().split():
            if word not in words:
                words.append(word)
    return " OR ".join(words[:SEARCH_WORDS])
