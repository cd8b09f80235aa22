"""BM25F ranking worked out from the index's postings in plain Python dictionaries.

Whoosh's own scorer walks a tree of matchers for every matching document (tens of microseconds
each): fine for a page, far too slow to rank 20,000 matches for facets and totals within 50 ms.
Here each stemmed term's contribution to each document (its "impact") is computed once from its
postings in every weighted field, cached for the index version, and a query's scores are sums of
those dictionaries.

This is BM25F proper (Robertson and Zaragoza): a term's frequency in each field is weighted by the
field's boost and normalised by the field's length, the results are summed, and the sum is
saturated once, so a word repeated in every field does not count several times over.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from cachetools import LRUCache
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from councilcode.indexer.docvalues import DocValues
from councilcode.indexer.schema import FIELD_BOOSTS

K1 = 1.2
# Length normalisation per field: names and topics are short, so a little longer is no dilution.
FIELD_B: dict[str, float] = {"name": 0.3, "topics": 0.3, "description": 0.5, "council": 0.3, "language": 0.0}
DEFAULT_B = 0.75
CACHE_TERMS = 2048  # impact dictionaries kept per index version


class Bm25f:
    """Term impacts for one index version (reader plus its `DocValues`). Not thread-safe on its own."""

    def __init__(
        self,
        reader: IndexReader,
        values: DocValues,
        boosts: dict[str, float] = FIELD_BOOSTS,
        k1: float = K1,
    ) -> None:
        self.reader = reader
        self.values = values
        self.boosts = boosts
        self.k1 = k1
        self.documents = len(values.live)
        # Least recently used first out; the Searcher's lock guards both.
        self._cache: LRUCache[str, dict[int, float]] = LRUCache(CACHE_TERMS)
        self._field_docs: LRUCache[tuple[str, str], frozenset[int]] = LRUCache(CACHE_TERMS)
        self._near_docs: LRUCache[tuple[tuple[str, ...], int], frozenset[int]] = LRUCache(CACHE_TERMS)

    def impacts(self, term: str) -> dict[int, float]:
        """{document: BM25F score of `term` (a stemmed search term)} for every live document having it."""
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        impacts = self._cache[term] = self._compute(term)
        return impacts

    def share(self, term: str) -> float:
        """Roughly what share of documents contain `term` (its largest share in any one field):
        known from the term dictionary, without reading postings."""
        if not self.documents:
            return 0.0
        most = 0
        for field in self.boosts:
            try:
                most = max(most, self.reader.doc_frequency(field, term))
            except (KeyError, TermNotFound):
                continue
        return most / self.documents

    def field_docs(self, field: str, term: str) -> frozenset[int]:
        """Live documents with `term` in `field` (for queries that name a field or combine terms)."""
        key = (field, term)
        cached = self._field_docs.get(key)
        if cached is not None:
            return cached
        docs = frozenset(doc for ids, _ in self._postings(field, term) for doc in ids) & self.values.live_set
        self._field_docs[key] = docs
        return docs

    def near_docs(self, stems: tuple[str, ...], slop: int) -> frozenset[int]:
        """Live documents where `stems` come in this order, each at most `slop` positions after the
        last, in one weighted field: a name of several words as written, not its words scattered
        over a README (Whoosh's phrase matching over the positions the index keeps)."""
        key = (stems, slop)
        cached = self._near_docs.get(key)
        if cached is not None:
            return cached
        near = wq.Or([wq.Phrase(field, list(stems), slop=slop) for field, boost in self.boosts.items() if boost])
        searcher = Searcher(self.reader, closereader=False)
        docs = self._near_docs[key] = frozenset(searcher.docs_for_query(near)) & self.values.live_set
        return docs

    def frequent_terms(self, field: str, count: int) -> list[tuple[int, str]]:
        """(frequency, term) of the `count` most frequent terms of `field`: the costliest impacts."""
        found = []
        try:
            for frequency, term in self.reader.most_frequent_terms(field, number=count):
                found.append((int(frequency), term.decode("utf-8") if isinstance(term, bytes) else str(term)))
        except (KeyError, TermNotFound):
            return []
        return found

    def _compute(self, term: str) -> dict[int, float]:
        weighted: dict[int, float] = {}
        get = weighted.get
        for field, boost in self.boosts.items():
            average = self.values.average_lengths.get(field) or 0.0
            if not average or not boost:
                continue
            b = FIELD_B.get(field, DEFAULT_B)
            lengths = self.values.field_lengths[field]
            # norm(d) = 1 - b + b * length(d) / average, folded into two constants.
            base, slope = 1.0 - b, b / average
            for ids, frequencies in self._postings(field, term):
                for doc, frequency in zip(ids, frequencies, strict=False):
                    weighted[doc] = get(doc, 0.0) + boost * frequency / (base + slope * lengths[doc])
        live = self.values.live_set
        if len(weighted) != len(live):  # deleted documents keep their postings until a merge
            weighted = {doc: w for doc, w in weighted.items() if doc in live}
        if not weighted:
            return {}
        found = len(weighted)
        idf = math.log(1.0 + (self.documents - found + 0.5) / (found + 0.5))
        k1 = self.k1
        scale = idf * (k1 + 1.0)
        return {doc: scale * w / (w + k1) for doc, w in weighted.items()}

    def _postings(self, field: str, term: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
        """(document numbers, term frequencies) a block at a time, across the reader's segments."""
        for segment, offset in self.reader.leaf_readers():
            try:
                matcher = segment.postings(field, term)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):  # hides deleted documents; we drop those above
                matcher = matcher.child
            for ids, frequencies in _blocks(matcher):
                yield (ids if not offset else [doc + offset for doc in ids]), frequencies


# The private members of Whoosh 2.7's on-disk postings matcher (whoosh.codec.whoosh3.W3LeafMatcher) that the
# fast path reads. whoosh-reloaded is pinned to one version because of them: see docs/whoosh.md, and
# tests/test_whoosh_internals.py, which fails if a real search stops taking the fast path.
BLOCK_MEMBERS = ("_read_ids", "_read_weights", "_next_block", "_blocklength")


def reads_blocks(matcher) -> bool:  # noqa: ANN001 - a Whoosh matcher
    """True when `matcher` can be read a block at a time (the fast path)."""
    return all(hasattr(matcher, member) for member in BLOCK_MEMBERS)


def _blocks(matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:  # noqa: ANN001 - a Whoosh matcher
    # Whoosh 2.7's on-disk matcher decodes whole blocks (~128 postings); reading them a block at
    # a time is ten times quicker than stepping through postings. Other matchers step.
    return _read_blocks(matcher) if reads_blocks(matcher) else _step_postings(matcher)


def _read_blocks(matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:  # noqa: ANN001
    """The fast path: each block's decoded ids and frequencies as Whoosh holds them."""
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield matcher._ids, matcher._weights
        matcher._next_block()


def _step_postings(matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:  # noqa: ANN001
    """The slow path, through the public Matcher interface: right with any matcher, ten times slower."""
    ids, frequencies = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        frequencies.append(matcher.weight())
        matcher.next()
    yield ids, frequencies
