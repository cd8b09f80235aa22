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
from councilcode.indexer.group_clusters import (
    NEIGHBOURS,
    attach_to_centroids,
    average_linkage,
    neighbour_graph,
    tfidf_vectors,
)
from councilcode.indexer.group_kinds import KINDS, Kind, KindOf, kinds_of
from councilcode.indexer.group_records import THRESHOLD, Group, GroupRepository, SharedWords
from councilcode.indexer.group_terms import (
    BIGRAM_SEPARATOR,
    KIND_TERMS,
    RepositoryTerms,
    TermExtractor,
    kind_words,
    variants,
)
from councilcode.records import Repository

REUSE_SIMILARITY = 0.8  # a fork this close to another member is a copy of it
LABEL_PHRASES = 2
KEY_TERMS = 6
SEARCH_WORDS = 3
BIGRAM_PREFERENCE = 1.5  # a bigram beats a unigram unless the unigram is half as strong again
SHARED_WORDS = 8  # words shown as the reason for a group
SIMILAR = 8  # similar repositories at other councils kept per repository
SIMILAR_MIN = 0.1  # below this cosine two repositories share a word or two, not a purpose
# A repository in no group joins a kind's group when its cosine with the group's centroid is at
# least this. Measured: precision 0.87 from 0.3 to 0.5, 0.81 at 0.25; see docs/collaborate.md.
ATTACH = 0.35
# Inside a kind's cluster, members at two or more councils whose average similarity is at least this
# are a group of their own (near-copies of one product). Measured: the same groups from 0.55 to 0.8;
# at 0.5 the design systems split in two and recall falls to 0.38. 0 turns it off.
SUBGROUP = 0.6
CARRY_OVER = 0.5  # a group keeps an old group's id when it holds at least this share of the old members

# Plain names for kinds of work, by the term (stem or stem bigram, as `TermExtractor` makes them)
# that says a group is that kind. A group is named by the first of its distinctive terms found
# here; other groups by their best phrases. Every term of a kind in `group_kinds.KINDS` names its
# kind, whose label is written there once; Drupal is plain Drupal unless it says LocalGov Drupal
# (see `_kind_label`). The rest are kinds of work with no kind of their own: general council
# vocabulary, like CONCEPTS in indexer.group_terms, which brings the different names for these
# kinds to these terms.
KIND_LABELS: dict[str, str] = {
    **{term: kind.label for kind in KINDS for term in kind.terms},
    "drupal": "Drupal sites and modules",
    "qgis plugin": next(kind.label for kind in KINDS if kind.key == "qgis"),
    "chatbot": "Chatbots",
    "wagtail": "Wagtail sites",
    "prototyp": "Prototypes",
    "social care": "Social care",
    "googl analyt": "Web analytics",
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
    kinds = kinds_of(described, vectors.matrix, vectors.terms)
    for members, kind in _clusters(councils, kinds, edges, threshold, vectors.matrix):
        group = _make_group(
            [repositories[i] for i in members],
            [described[i] for i in members],
            vectors.matrix[members],
            vectors.terms,
            extractor,
            kind,
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


def _clusters(
    councils: Sequence[str],
    kinds: Sequence[tuple[KindOf, ...]],
    edges: dict[tuple[int, int], float],
    threshold: float,
    matrix: sparse.csr_matrix,
) -> list[tuple[list[int], Kind | None]]:
    """Clusters of repository indexes, each with the kind of work it is (or None).

    1. The repositories whose names say one kind of work are that kind's cluster, when the
       kind's repositories (named so or not) are at two or more councils.
    2. The others are clustered by average linkage over the similarity graph.
    3. A repository still alone whose strongest terms say a kind joins that kind's cluster (or
       starts one with others like it, at two councils or more), and so does a cluster of
       repositories all of one kind: their text said what they are, and similarity found them
       nothing else. One that similarity put with other kinds of work stays with them.
    4. A repository still alone whose words are those of a kind's cluster (cosine with its
       centroid at least ATTACH) joins the best such cluster.
    5. A repository with a second kind (a platform and what it does: a Drupal site search) is
       also in that kind's cluster, so clusters of kinds can share members.
    """
    first = [found[0] if found else None for found in kinds]
    named: dict[Kind, list[int]] = {}
    spans: dict[Kind, set[str]] = {}  # the councils of each kind's repositories, named or not
    for i, found in enumerate(kinds):
        for n, kind_of in enumerate(found):
            spans.setdefault(kind_of.kind, set()).add(councils[i])
            if kind_of.named and n == 0:
                named.setdefault(kind_of.kind, []).append(i)
    by_kind = {kind: members for kind, members in named.items() if len(spans[kind]) >= 2}
    taken = {i for members in by_kind.values() for i in members}
    rest = {pair: sim for pair, sim in edges.items() if pair[0] not in taken and pair[1] not in taken}
    linked = []
    waiting: dict[Kind, list[int]] = {}
    for members in average_linkage(len(councils), rest, threshold):
        same = {first[i].kind if first[i] is not None else None for i in members}
        if len(same) == 1 and None not in same:
            waiting.setdefault(same.pop(), []).extend(members)  # all one kind: part of the kind's cluster
        else:
            linked.append(members)
    grouped = taken | {i for members in linked for i in members} | {i for m in waiting.values() for i in m}
    for i, found in enumerate(first):
        if found is not None and i not in grouped:
            waiting.setdefault(found.kind, []).append(i)
    for kind, members in waiting.items():
        by_kind.setdefault(kind, []).extend(members)
    seconds = [(i, found[1].kind) for i, found in enumerate(kinds) if len(found) > 1]
    for i, kind in seconds:
        by_kind.setdefault(kind, []).append(i)
    # A kind whose repositories ended up at one council is no group; they may still join another kind.
    kind_clusters = [(kind, members) for kind, members in by_kind.items() if len({councils[i] for i in members}) >= 2]
    grouped = {i for _, members in kind_clusters for i in members} | {i for members in linked for i in members}
    alone = [i for i in range(len(councils)) if i not in grouped]
    for i, n in attach_to_centroids(matrix, [m for _, m in kind_clusters], alone, ATTACH).items():
        kind_clusters[n][1].append(i)
    if SUBGROUP:
        kind_clusters = _split_kinds(kind_clusters, councils, edges)
    return [(members, kind) for kind, members in kind_clusters] + [(members, None) for members in linked]


def _split_kinds(
    kind_clusters: list[tuple[Kind, list[int]]], councils: Sequence[str], edges: dict[tuple[int, int], float]
) -> list[tuple[Kind, list[int]]]:
    """Each kind's cluster, less the sub-clusters inside it whose members are far more like each
    other than like the rest (average linkage at SUBGROUP, at two councils or more): several
    councils' copies of one product are a group of their own within the kind ("Staff intranets:
    intranet news"). A sub-cluster stays in when the rest would be left at one council."""
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for (i, j), sim in edges.items():
        if sim >= SUBGROUP:
            neighbours.setdefault(i, []).append((j, sim))
            neighbours.setdefault(j, []).append((i, sim))
    split: list[tuple[Kind, list[int]]] = []
    for kind, members in kind_clusters:
        local = {i: n for n, i in enumerate(members)}
        inside = {
            (local[i], local[j]): sim
            for i in members
            for j, sim in neighbours.get(i, ())
            if j in local and local[i] < local[j]
        }
        rest = set(members)
        for sub in average_linkage(len(members), inside, SUBGROUP):
            part = [members[n] for n in sub]
            left = rest.difference(part)
            if len({councils[i] for i in part}) >= 2 and len({councils[i] for i in left}) >= 2:
                split.append((kind, part))
                rest = left
        split.append((kind, [i for i in members if i in rest]))
    return split


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
    kind: Kind | None = None,
) -> Group | None:
    similarity = (rows @ rows.T).toarray()
    reuse_of = _reuse(members, similarity)
    built = [m for m in members if m.full_name not in reuse_of]
    councils = sorted({m.council for m in built}, key=str.lower)
    if len(councils) < 2:
        return None  # one council's own work, or one project and its forks: not duplicated effort
    phrases, councils_using = _distinctive_terms(members, described, rows, terms, extractor)
    if kind is not None:
        phrases = _with_kind_term(phrases, kind, councils_using, described, extractor)
    label = _label(phrases) if kind is None else _kind_label(kind, councils_using, set(councils))
    names = sorted(m.full_name.lower() for m in members)
    digest = hashlib.sha1("\n".join(names).encode("utf-8")).hexdigest()[:6]
    n = len(members)
    cohesion = float((similarity.sum() - np.trace(similarity)) / (n * (n - 1))) if n > 1 else 1.0
    return Group(
        id=f"{slugify(label) or 'group'}-{digest}",
        label=label,
        terms=[p.text for p in phrases[:KEY_TERMS]],
        search_query=_search_query(
            phrases, described, extractor, _kind_search_words(kind, described, extractor) if kind else ()
        ),
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


def _with_kind_term(
    phrases: list[Phrase],
    kind: Kind,
    councils_using: dict[str, set[str]],
    described: list[RepositoryTerms],
    extractor: TermExtractor,
) -> list[Phrase]:
    """`phrases` with the kind's own term first among the words members share when it is not
    already there: it is why they were grouped, even when it is all some of their names say."""
    if any(p.term in kind.terms for p in phrases):
        return phrases
    # the kind's own terms, else the words of names that said the kind ("forms" in two names)
    said = (*kind.terms, *sorted({BIGRAM_SEPARATOR.join(map(extractor.stem, name.split())) for name in kind.names}))
    term = max(said, key=lambda t: (len(councils_using.get(t, ())), t in kind.terms, t))
    if len(councils_using.get(term, ())) < 2:
        return phrases
    score = phrases[0].score if phrases else 1.0
    spelled = extractor.spell(term, [d.name_words for d in described])
    return [Phrase(score, term, spelled), *phrases]


def _kind_label(kind: Kind, councils_using: dict[str, set[str]], councils: set[str]) -> str:
    """The kind's plain name; Drupal work that does not say LocalGov Drupal at two councils is
    plain Drupal."""
    if kind.key == "drupal" and len(councils_using.get("localgov drupal", set()) & councils) < 2:
        return KIND_LABELS["drupal"]
    return kind.label


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


def _kind_search_words(kind: Kind, described: list[RepositoryTerms], extractor: TermExtractor) -> list[str]:
    """Words that say the kind, as few as find every member that uses one: a group of gazetteers
    holds a geocoder whose text says "geocoder" and not "gazetteer"."""
    said = {*kind.names, *(w for term in kind.terms for w in kind_words(term))}
    candidates = {w for w in said | {v for s in said for v in variants(s)} if BIGRAM_SEPARATOR not in w}
    # The kind's own term is in the weights of every member (each writes one of its words).
    uses = {word: _writing(word, described, extractor, frozenset(kind.terms)) for word in candidates}
    return _cover(uses, set(range(len(described))), SEARCH_WORDS)


def _search_query(
    phrases: list[Phrase], described: list[RepositoryTerms], extractor: TermExtractor, first: Sequence[str] = ()
) -> str:
    """Single words of the best terms joined with OR, so a search finds every member that has any;
    a kind's group first has the words that say its kind (`first`). Members joined to the group by
    other words than the best (an inventory of laptops beside loans of office equipment) would be left
    out, so up to SEARCH_WORDS words of the group's other key terms follow, as few as find them."""
    words: list[str] = list(first)
    for phrase in phrases:
        for word in phrase.text.lower().split():
            if word not in words:
                words.append(word)
    chosen = words[: SEARCH_WORDS + len(first)]
    found = {n for word in chosen for n in _writing(word, described, extractor, KIND_TERMS)}
    key_words = {w for phrase in phrases[:KEY_TERMS] for w in phrase.text.lower().split()} - set(chosen)
    uses = {word: _writing(word, described, extractor, KIND_TERMS) for word in key_words}
    chosen += _cover(uses, set(range(len(described))) - found, SEARCH_WORDS)
    return " OR ".join(chosen)


def _writing(word: str, described: list[RepositoryTerms], extractor: TermExtractor, added: frozenset[str]) -> set[int]:
    """The members whose name or text has `word`, which a search for it finds. `added`: terms the
    extractor puts in a repository's weights for other words it writes (a kind's term for any of the
    kind's words: "bin" adds waste's), so for those only the word itself, among the kind words or the
    name's, shows it was written."""
    stem = extractor.stem(word)
    return {
        n
        for n, d in enumerate(described)
        if word in d.kind_words or word in d.name_parts or (stem in d.weights and stem not in added)
    }


def _cover(uses: dict[str, set[int]], left: set[int], limit: int) -> list[str]:
    """Up to `limit` words, each the one that finds most of the members still `left` (then the
    shorter, then the later in the alphabet, so the choice is the same every run)."""
    chosen: list[str] = []
    left = set(left)
    while left and len(chosen) < limit:
        word = max(uses, key=lambda w: (len(uses[w] & left), -len(w), w), default=None)
        if word is None or not uses[word] & left:
            break
        chosen.append(word)
        left -= uses[word]
    return chosen
