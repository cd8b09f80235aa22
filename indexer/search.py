"""Searching the index: the API the web viewer and `councilcode search` use.

A `Searcher` is long-lived and shared: it keeps one Whoosh searcher and the per-document filter,
facet and sort values, serves requests one at a time under a lock (each takes milliseconds), and
before each request notices a rebuilt generation or an incremental commit and reopens.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index
from whoosh.scoring import BM25F
from whoosh.searching import Searcher as WhooshSearcher

from indexer.docvalues import ARCHIVED, FORK, SORTS, DocValues, SegmentValues
from indexer.generations import IndexMissing, IndexStore
from indexer.query import ParsedQuery, QueryBuilder
from indexer.similar import similar_docs
from indexer.snippets import make_snippet, term_pattern
from indexer.spelling import suggest

__all__ = [
    "IndexMissing",
    "SearchHit",
    "SearchRequest",
    "SearchResponse",
    "Searcher",
    "SimilarRepo",
]

T = TypeVar("T")

MAX_LIMIT = 100
# A document matching one of two words typed keeps this share of its score, plus the rest times the
# share of words it matches.
COORDINATION_FLOOR = 0.3
FACET_LIMIT = 50

# Short fields (name, topics) should not lose much for being a little longer than average.
_WEIGHTING = {"B": 0.75, "K1": 1.2, "name_B": 0.3, "topics_B": 0.3, "council_B": 0.3, "language_B": 0.0}


@dataclass
class SearchRequest:
    """One search: query text, filters, sort and page. Invalid values raise ValueError."""

    q: str = ""
    license: str | None = None  # SPDX id, "OGL" (the whole OGL family) or "none"
    council: str | None = None
    owner: str | None = None
    language: str | None = None
    topic: str | None = None
    archived: bool | None = None
    fork: bool | None = None
    pushed_since: str | None = None  # "YYYY-MM-DD"
    sort: str = "relevance"  # relevance | pushed | stars | name
    page: int = 1
    limit: int = 20
    facet_limit: int = FACET_LIMIT  # most frequent values kept per facet

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError, with a message a person can act on, for a value out of range."""
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}: use one of {', '.join(SORTS)}")
        if not isinstance(self.page, int) or isinstance(self.page, bool) or self.page < 1:
            raise ValueError(f"page must be a whole number from 1, not {self.page!r}")
        if not isinstance(self.limit, int) or isinstance(self.limit, bool) or not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {self.limit!r}")
        if not isinstance(self.facet_limit, int) or self.facet_limit < 0:
            raise ValueError(f"facet_limit must be a whole number from 0, not {self.facet_limit!r}")
        if self.pushed_since:
            pushed_since_timestamp(self.pushed_since)


def pushed_since_timestamp(value: str) -> int:
    """`YYYY-MM-DD` -> seconds since 1970 at the start of that day (UTC)."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"pushed_since must be a date written YYYY-MM-DD, not {value!r}") from None
    return int(day.timestamp())


@dataclass
class SearchHit:
    full_name: str
    council: str
    description: str | None
    license: str | None
    language: str | None
    topics: list[str]
    stars: int
    pushed_at: str | None
    html_url: str
    archived: bool
    fork: bool
    score: float
    snippet: str  # plain text
    snippet_html: str  # the same snippet, HTML-escaped, with matched words in <mark>…</mark>

    def to_json(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "council": self.council,
            "description": self.description,
            "license": self.license,
            "language": self.language,
            "topics": list(self.topics),
            "stars": self.stars,
            "pushed_at": self.pushed_at,
            "html_url": self.html_url,
            "archived": self.archived,
            "fork": self.fork,
            "score": self.score,
            "snippet": self.snippet,
        }


@dataclass
class SearchResponse:
    total: int
    results: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    page: int
    limit: int
    plain: bool = False  # True when the query's syntax was broken and its plain words were searched

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_json(self) -> dict[str, Any]:
        """Exactly the JSON of `councilcode search --json`."""
        return {
            "total": self.total,
            "results": [hit.to_json() for hit in self.results],
            "facets": {name: dict(counts) for name, counts in self.facets.items()},
            "suggestion": self.suggestion,
        }


@dataclass
class SimilarRepo:
    full_name: str
    council: str
    description: str | None
    score: float


@dataclass
class _State:
    """One open index version."""

    generation: str
    ix: Any
    searcher: WhooshSearcher
    values: DocValues
    queries: QueryBuilder

    def close(self) -> None:
        try:
            self.searcher.close()
        finally:
            self.ix.close()


class Searcher:
    """Long-lived; safe to share between threads of a web server; picks up a re-built or updated
    index on its own."""

    def __init__(self, index_dir: Path | str) -> None:
        """Open the index in `index_dir`; raises IndexMissing (a FileNotFoundError) if there is none."""
        self.index_dir = Path(index_dir)
        self._store = IndexStore(self.index_dir)
        self._lock = threading.RLock()
        self._segments: dict[str, SegmentValues] = {}
        self._state: _State | None = None
        self._closed = False
        with self._lock:
            self._current()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public API ------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search: matches, facet counts over all of them, one page of hits, a suggestion."""
        request.validate()
        with self._lock:
            return self._retrying(lambda state: self._search(state, request))

    def similar(self, full_name: str, limit: int = 5) -> list[SimilarRepo]:
        """The repositories of other councils most like `full_name`; [] when it is not indexed."""
        if limit < 1:
            return []
        with self._lock:
            return self._retrying(lambda state: self._similar(state, full_name, limit))

    def stats(self) -> dict[str, int]:
        """{"repositories": N, "councils": M} in the index as it is now."""
        with self._lock:
            state = self._current()
            return {"repositories": len(state.values), "councils": state.values.councils()}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._state is not None:
                self._state.close()
                self._state = None
            self._segments.clear()

    # -- index versions --------------------------------------------------------------------------

    def _current(self) -> _State:
        """The open state for the index as it is now, reopening after a rebuild or an update."""
        if self._closed:
            raise RuntimeError("this Searcher is closed")
        generation = self._store.current()
        if generation is None:
            self._drop_state()
            raise IndexMissing(self.index_dir)
        state = self._state
        if state is not None and state.generation == generation.name:
            try:
                if state.searcher.up_to_date():
                    return state
                searcher = state.searcher.refresh()  # reuses the readers of unchanged segments
            except OSError:
                self._drop_state()
                return self._current()
            state = self._make_state(generation.name, state.ix, searcher, state.queries)
            self._state = state
            return state
        self._drop_state()
        try:
            ix = index.open_dir(str(generation.path))
        except (OSError, index.EmptyIndexError):
            raise IndexMissing(self.index_dir) from None
        searcher = ix.searcher(weighting=BM25F(**_WEIGHTING))
        self._state = self._make_state(generation.name, ix, searcher, QueryBuilder(ix.schema))
        return self._state

    def _make_state(self, generation: str, ix: Any, searcher: WhooshSearcher, queries: QueryBuilder) -> _State:
        values = DocValues(searcher.reader(), self._segments)
        return _State(generation=generation, ix=ix, searcher=searcher, values=values, queries=queries)

    def _drop_state(self) -> None:
        if self._state is not None:
            with contextlib.suppress(OSError):
                self._state.close()
            self._state = None
            self._segments.clear()

    def _retrying(self, work: Callable[[_State], T]) -> T:
        state = self._current()
        try:
            return work(state)
        except OSError:
            # The generation was removed under us (a rebuild finished): reopen once and retry.
            self._drop_state()
            return work(self._current())

    # -- searching -------------------------------------------------------------------------------

    def _allowed(self, values: DocValues, request: SearchRequest) -> frozenset[int] | set[int] | None:
        """Documents the filters let through, or None when there are no filters."""
        sets = []
        for name in ("council", "owner", "license", "language", "topic"):
            wanted = getattr(request, name)
            if wanted is not None and str(wanted).strip():
                sets.append(values.docs_with(name, str(wanted)))
        if request.archived is not None:
            sets.append(values.flagged(ARCHIVED, request.archived))
        if request.fork is not None:
            sets.append(values.flagged(FORK, request.fork))
        allowed: frozenset[int] | set[int] | None = None
        if sets:
            sets.sort(key=len)
            allowed = sets[0].intersection(*sets[1:])
        if request.pushed_since:
            allowed = values.pushed_since(
                allowed if allowed is not None else values.live, pushed_since_timestamp(request.pushed_since)
            )
        return allowed

    def _search(self, state: _State, request: SearchRequest) -> SearchResponse:
        values = state.values
        parsed = state.queries.parse(request.q)
        allowed = self._allowed(values, request)
        scored: list[tuple[float, int]] = []
        if parsed.empty:
            docs: Any = allowed if allowed is not None else values.live_set
        elif allowed is not None and not allowed:
            docs = ()
        else:
            scored = self._scored(state, parsed, allowed)
            docs = [doc for _, doc in scored]

        sort = request.sort
        if sort == "relevance" and parsed.empty:
            sort = "pushed"  # nothing to rank by: newest work first
        wanted = request.page * request.limit
        if sort == "relevance":
            page_pairs = heapq.nlargest(wanted, scored)[wanted - request.limit :]
        else:
            scores = dict((doc, score) for score, doc in scored)
            ordered = heapq.nsmallest(wanted, docs, key=values.rank(sort))[wanted - request.limit :]
            page_pairs = [(scores.get(doc, 0.0), doc) for doc in ordered]

        return SearchResponse(
            total=len(docs),
            results=self._hits(state, page_pairs, parsed),
            facets=values.facets(docs, request.facet_limit),
            suggestion=suggest(state.searcher.reader(), parsed.text, parsed.words) if not parsed.empty else None,
            page=request.page,
            limit=request.limit,
            plain=parsed.plain,
        )

    def _scored(self, state: _State, parsed: ParsedQuery, allowed: frozenset[int] | set[int] | None):
        """(score, doc) for every matching document, after demotion and the coordination factor."""
        coordinate = len(parsed.groups) > 1
        results = state.searcher.search(
            parsed.query, limit=None, filter=set(allowed) if allowed is not None else None, terms=coordinate
        )
        factors = state.values.factors
        if not coordinate:
            return [(score * factors[doc], doc) for score, doc in results.top_n]
        # Reward documents matching more of the words typed: BM25 alone lets one frequent word win.
        group_of: dict[bytes, list[int]] = {}
        for i, group in enumerate(parsed.groups):
            for term in group:
                group_of.setdefault(term.encode("utf-8"), []).append(i)
        count = len(parsed.groups)
        docterms = results.docterms
        scored = []
        for score, doc in results.top_n:
            matched = {i for _, term in docterms.get(doc, ()) for i in group_of.get(term, ())}
            coverage = len(matched) / count
            scored.append((score * factors[doc] * (COORDINATION_FLOOR + (1 - COORDINATION_FLOOR) * coverage), doc))
        return scored

    def _hits(self, state: _State, pairs: list[tuple[float, int]], parsed: ParsedQuery) -> list[SearchHit]:
        pattern = term_pattern(parsed.terms)
        hits = []
        for score, doc in pairs:
            record = state.searcher.stored_fields(doc)["record"]
            snippet = make_snippet([record.get("description"), record.get("readme_text")], pattern)
            hits.append(
                SearchHit(
                    full_name=record["full_name"],
                    council=record["council"],
                    description=record.get("description"),
                    license=record.get("license"),
                    language=record.get("language"),
                    topics=list(record.get("topics") or []),
                    stars=int(record.get("stars") or 0),
                    pushed_at=record.get("pushed_at"),
                    html_url=record.get("html_url") or f"https://github.com/{record['full_name']}",
                    archived=bool(record.get("archived")),
                    fork=bool(record.get("fork")),
                    score=round(float(score), 4),
                    snippet=snippet.text,
                    snippet_html=snippet.html,
                )
            )
        return hits

    def _similar(self, state: _State, full_name: str, limit: int) -> list[SimilarRepo]:
        docnum = state.searcher.document_number(key=full_name.strip().lower())
        if docnum is None:
            return []
        record = state.searcher.stored_fields(docnum)["record"]
        same_council = set(state.values.docs_with("council", record["council"]))
        found = similar_docs(state.searcher, docnum, record, same_council, limit)
        similar = []
        for doc in found:
            other = state.searcher.stored_fields(doc.docnum)["record"]
            similar.append(
                SimilarRepo(
                    full_name=other["full_name"],
                    council=other["council"],
                    description=other.get("description"),
                    score=doc.score,
                )
            )
        return similar
