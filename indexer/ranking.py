"""Which documents match a query, and in what order, on top of BM25F term impacts.

Plain-word queries (any word may match): each word's group scores a document by the sum of its
stems' impacts plus the best of its synonyms' (at their lower weight); a document's score is the
sum over words, times a coordination factor rewarding documents that match more of the words,
times a small demotion for archived repositories and forks. A word found in most documents
finds nothing by itself beside rarer words, but still counts for the documents they found. The
best-scoring window is then re-ranked with a bonus for the words appearing together, in order, as
a phrase.

Queries in Whoosh syntax are matched exactly: terms and AND/OR/NOT by set algebra over cached
postings, phrases and wildcards by Whoosh's matchers; they are scored by the same term impacts.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.searching import Searcher as WhooshSearcher

from councilcode.indexer.docvalues import DocValues
from councilcode.indexer.query import NEAR, ParsedQuery, compound_parts, positive_terms
from councilcode.indexer.scoring import Bm25f
from councilcode.indexer.snippets import Terms

# A document matching one of two words typed keeps this share of its score, plus the rest times the
# share of the words it matches.
COORDINATION_FLOOR = 0.3
COMMON_SHARE = 0.5  # a word in more than this share of documents is left out beside rarer ones
PHRASE_BONUS = 0.3  # score x 1.3 when the words typed appear together in that order
PHRASE_SLOP = NEAR - 1  # words allowed between them: as close as a several-word name's (query.NEAR)
RESCORE_WINDOW = 50  # how many of the best documents the phrase bonus may reorder
# How many the opening bonus may reorder: a results page, whose records are read for snippets anyway,
# so the bonus costs almost nothing (a window of 50 read 30 more records a search).
OPENING_WINDOW = 20
OPENING_BONUS = 0.5  # score x 1.5 when every word typed is in the name or the README's opening
OPENING_BLOCKS = 2  # of README text (blocks are headings, paragraphs...): its title and first paragraph
OPENING_CHARS = 300  # at most, so a README that opens with a wall of text does not count as all opening
_MAX_GAP = 80  # characters between two words of a phrase
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Matches:
    """The documents a query and its filters match, and how they score (no scores when browsing).

    A document's score is its raw BM25F score times its demotion factor times, for queries of
    several words, the coordination multiplier for the number of words it matched (`tiers`).
    """

    docs: Collection[int]
    raw: dict[int, float] | None = None
    factors: list[float] | None = None
    words: int = 1
    matched: dict[int, int] | None = None  # document -> number of words it matched
    tiers: dict[int, list[int]] | None = None  # number of words matched -> documents

    def multiplier(self, matched: int) -> float:
        """Coordination: the share of the score kept by a document matching `matched` words."""
        if self.words <= 1:
            return 1.0
        return COORDINATION_FLOOR + (1.0 - COORDINATION_FLOOR) * matched / self.words

    def score(self, doc: int) -> float:
        if not self.raw or self.factors is None:
            return 0.0
        raw = self.raw.get(doc)
        if not raw:
            return 0.0
        matched = self.matched.get(doc, self.words) if self.matched is not None else self.words
        return raw * self.factors[doc] * self.multiplier(matched)


def match(
    parsed: ParsedQuery,
    bm25f: Bm25f,
    searcher: WhooshSearcher,
    values: DocValues,
    allowed: Collection[int] | None,
) -> Matches:
    """Every document matching `parsed` among `allowed` (None: all), scored unless browsing."""
    if parsed.empty:
        return Matches(docs=allowed if allowed is not None else values.live_set)
    if parsed.groups:
        return _word_matches(parsed, bm25f, values, allowed)
    raw = _syntax_scores(parsed, bm25f, searcher, allowed)
    return Matches(docs=raw.keys(), raw=raw, factors=values.factors)


def _group_scores(group: dict[str, float], bm25f: Bm25f) -> dict[int, float]:
    originals = [term for term, weight in group.items() if weight >= 1.0]
    alternatives = [(term, weight) for term, weight in group.items() if weight < 1.0]
    if len(originals) == 1 and not alternatives:
        return bm25f.impacts(originals[0])  # shared with the cache: read only
    scores: dict[int, float] = {}
    for term in originals:
        _add(scores, bm25f.impacts(term))
    if alternatives:
        best: dict[int, float] = {}
        for term, weight in alternatives:
            for doc, impact in _alternative_impacts(term, bm25f).items():
                value = weight * impact
                if value > best.get(doc, 0.0):
                    best[doc] = value
        _add(scores, best)
    return scores


def _alternative_impacts(term: str, bm25f: Bm25f) -> dict[int, float]:
    """A synonym's impacts; for a compound of several stems (`salt spreading`), the documents having
    them together (query.NEAR), each scored by the mean of their impacts (one word's worth, as a
    synonym is)."""
    parts = compound_parts(term)
    if len(parts) == 1:
        return bm25f.impacts(term)
    each = [bm25f.impacts(part) for part in parts]
    together = bm25f.near_docs(tuple(parts), NEAR)
    return {doc: sum(impacts.get(doc, 0.0) for impacts in each) / len(each) for doc in together}


def _informative(groups: tuple[dict[str, float], ...], bm25f: Bm25f) -> list[dict[str, float]]:
    """The words worth matching: a word found in most documents (`council` in a council
    catalogue) says little and would make almost everything match, so beside rarer words it finds
    no documents of its own. It still counts, in score and coordination, for the documents the rarer
    words found (see `_word_matches`), and in the phrase bonus."""
    if len(groups) < 2:
        return list(groups)
    rare = [g for g in groups if min(bm25f.share(term) for term in g if g[term] >= 1.0) <= COMMON_SHARE]
    return rare or list(groups)


def _add(into: dict[int, float], scores: dict[int, float]) -> None:
    get = into.get
    for doc, score in scores.items():
        into[doc] = get(doc, 0.0) + score


def _word_matches(parsed: ParsedQuery, bm25f: Bm25f, values: DocValues, allowed: Collection[int] | None) -> Matches:
    informative = _informative(parsed.groups, bm25f)
    groups = [_group_scores(group, bm25f) for group in informative]
    if len(groups) == 1:
        raw = groups[0]
    else:
        raw = dict(groups[0])
        for scores in groups[1:]:
            _add(raw, scores)
    if len(informative) < len(parsed.groups):
        # A common word left out still tells documents apart among those the rarer words found:
        # `data pipeline` wants the pipeline whose README says data, not any repository named pipeline.
        raw = dict(raw)
        for group in parsed.groups:
            if any(group is kept for kept in informative):
                continue
            scores = _group_scores(group, bm25f)
            found = {doc: scores[doc] for doc in raw.keys() & scores.keys()}
            _add(raw, found)
            groups.append(found)
    if allowed is not None:
        raw = {doc: raw[doc] for doc in raw.keys() & allowed}
    if len(groups) == 1:
        return Matches(docs=raw.keys(), raw=raw, factors=values.factors)
    matched: Counter[int] = Counter()
    for scores in groups:
        matched.update(scores.keys())
    tiers: dict[int, list[int]] = {}
    for doc in raw:
        tiers.setdefault(matched[doc], []).append(doc)
    return Matches(docs=raw.keys(), raw=raw, factors=values.factors, words=len(groups), matched=matched, tiers=tiers)


def _syntax_scores(
    parsed: ParsedQuery,
    bm25f: Bm25f,
    searcher: WhooshSearcher,
    allowed: Collection[int] | None,
) -> dict[int, float]:
    docs = set(_matching(parsed.query, bm25f, searcher))
    if allowed is not None:
        docs &= set(allowed)
    scores = dict.fromkeys(docs, 0.0)
    for term in positive_terms(parsed.query, searcher.reader()):
        impacts = bm25f.impacts(term)
        if len(docs) < len(impacts):
            for doc in docs:
                impact = impacts.get(doc)
                if impact:
                    scores[doc] += impact
        else:
            for doc, impact in impacts.items():
                if doc in scores:
                    scores[doc] += impact
    return scores


def _matching(q: wq.Query, bm25f: Bm25f, searcher: WhooshSearcher) -> frozenset[int]:
    """Documents matching a parsed query: set algebra over cached term postings for terms and
    AND/OR/NOT (fast), Whoosh's matchers for the rest (phrases, wildcards)."""
    if isinstance(q, wq.Term):
        text = q.text.decode("utf-8") if isinstance(q.text, bytes) else str(q.text)
        return bm25f.field_docs(q.fieldname, text)
    if isinstance(q, wq.AndNot):
        return _matching(q.a, bm25f, searcher) - _matching(q.b, bm25f, searcher)
    if isinstance(q, wq.AndMaybe):
        return _matching(q.a, bm25f, searcher)
    if isinstance(q, wq.And):
        wanted = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        unwanted = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        if wanted:
            found = frozenset.intersection(*(_matching(s, bm25f, searcher) for s in wanted))
            for s in unwanted:
                found -= _matching(s, bm25f, searcher)
            return found
    elif isinstance(q, wq.Or) and not any(isinstance(s, wq.Not) for s in q.subqueries):
        return frozenset().union(*(_matching(s, bm25f, searcher) for s in q.subqueries))
    elif isinstance(q, wq.Not):
        return bm25f.values.live_set - _matching(q.query, bm25f, searcher)
    elif q is wq.NullQuery:
        return frozenset()
    return frozenset(searcher.docs_for_query(q)) & bm25f.values.live_set


@dataclass(frozen=True)
class Phrase:
    """The words typed, in order, each as the stems it was searched by."""

    words: tuple[Terms, ...]

    def found_in(self, text: str | None) -> bool:
        """True if the words appear in order with at most PHRASE_SLOP other words between each."""
        if not text:
            return False
        occurrences = [terms.find(text) for terms in self.words]
        if not all(occurrences):
            return False
        starts = [[start for start, _ in found] for found in occurrences]
        for _start, end in occurrences[0]:
            position = end
            for i in range(1, len(occurrences)):
                j = bisect.bisect_left(starts[i], position)
                if j == len(starts[i]):
                    return False
                gap = text[position : starts[i][j]]
                if len(gap) > _MAX_GAP or len(_WORD.findall(gap)) > PHRASE_SLOP:
                    break
                position = occurrences[i][j][1]
            else:
                return True
        return False


def phrase_of(parsed: ParsedQuery) -> Phrase | None:
    """The phrase to look for when re-ranking: the words typed, if there are two or more."""
    if len(parsed.sequence) < 2:
        return None
    words = []
    for group in parsed.groups:
        terms = Terms.of(stem for stem, weight in group.items() if weight >= 1.0)
        if terms is None:
            return None
        words.append(terms)
    return Phrase(tuple(words))


@dataclass(frozen=True)
class Opening:
    """The words typed, to look for where a repository says what it is: its name, description and
    the opening of its README. A word found by one of its synonyms counts at the synonym's weight."""

    # (stems, synonyms as phrases of one word or more, their weight)
    words: tuple[tuple[Terms | None, tuple[Phrase, ...], float], ...]

    def share(self, text: str) -> float:
        """The share of the words typed found in `text` (0 to 1)."""
        credit = 0.0
        for originals, alternatives, weight in self.words:
            if originals is not None and originals.find(text):
                credit += 1.0
            elif any(alternative.found_in(text) for alternative in alternatives):
                credit += weight
        return credit / len(self.words)


def readme_opening(text: str | None) -> str:
    """How a README opens: its first blocks (a title and a paragraph, mostly), where it says what
    the repository is. Later text is as likely to be installation steps or incidental mentions."""
    if not text:
        return ""
    return "\n\n".join(text[: OPENING_CHARS * 2].split("\n\n")[:OPENING_BLOCKS])[:OPENING_CHARS]


def opening_of(parsed: ParsedQuery) -> Opening | None:
    """The words to look for in openings, for plain-word queries."""
    if not parsed.groups:
        return None
    words = []
    for group in parsed.groups:
        alternatives = [term for term, weight in group.items() if weight < 1.0]
        single = Terms.of(term for term in alternatives if len(compound_parts(term)) == 1)
        compounds = tuple(
            Phrase(tuple(Terms((stem,)) for stem in compound_parts(term)))
            for term in alternatives
            if len(compound_parts(term)) > 1
        )
        words.append(
            (
                Terms.of(stem for stem, weight in group.items() if weight >= 1.0),
                ((Phrase((single,)),) if single is not None else ()) + compounds,
                max((group[term] for term in alternatives), default=0.0),
            )
        )
    return Opening(tuple(words))


def ranked(
    matches: Matches,
    wanted: int,
    has_phrase: Callable[[int], bool] | None = None,
    opening: Callable[[int], float] | None = None,
) -> list[tuple[float, int]]:
    """The best `wanted` (score, doc) pairs, best first; `has_phrase` and `opening` (the share of
    the words typed in a document's opening) re-rank the top window.

    Within a tier (documents matching the same number of words) the coordination multiplier is
    the same, so the best of each tier by raw score times demotion are the only candidates.
    """
    raw, factors = matches.raw or {}, matches.factors or []
    needed = max(wanted, RESCORE_WINDOW) if has_phrase else max(wanted, OPENING_WINDOW) if opening else wanted

    def demoted(doc: int) -> float:
        return raw[doc] * factors[doc]

    tiers = matches.tiers if matches.tiers is not None else {matches.words: list(raw)}
    candidates = []
    for matched, docs in tiers.items():
        multiplier = matches.multiplier(matched)
        candidates.extend((demoted(doc) * multiplier, doc) for doc in heapq.nlargest(needed, docs, key=demoted))
    pairs = sorted(candidates, key=_best_first)[:needed]
    if has_phrase:
        head = [
            (value * (1.0 + PHRASE_BONUS) if has_phrase(doc) else value, doc) for value, doc in pairs[:RESCORE_WINDOW]
        ]
        pairs = sorted(head, key=_best_first) + pairs[RESCORE_WINDOW:]
    if opening:
        head = [(value * (1.0 + OPENING_BONUS * opening(doc)), doc) for value, doc in pairs[:OPENING_WINDOW]]
        pairs = sorted(head, key=_best_first) + pairs[OPENING_WINDOW:]
    return pairs[:wanted]


def _best_first(pair: tuple[float, int]) -> tuple[float, int]:
    return (-pair[0], pair[1])
