"""Searching the index: the API the web viewer and `councilcode search` use.

A `Searcher` is long-lived and shared between threads. It keeps, per index version, one Whoosh
searcher (stored records, term postings, query syntax), the per-document filter, facet and sort
values (indexer.docvalues), cached BM25F term impacts (indexer.scoring) and recent results; it
serves requests one at a time under a lock (each takes milliseconds) and, before each, notices a
rebuilt generation or an incremental commit and moves to it.

A search: parse (indexer.query) -> filter sets -> matching documents and scores (indexer.ranking)
-> facet counts over all matches -> one page, ranked or sorted -> snippets (indexer.snippets) and
a spelling suggestion (indexer.spelling).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache
from whoosh.searching import Searcher as WhooshSearcher

from councilcode.errors import CouncilcodeError
from councilcode.indexer.docvalues import ARCHIVED, FORK, SORTS, DocValues, SegmentValues
from councilcode.indexer.generations import (
    Generation,
    IndexDamaged,
    IndexMissing,
    IndexStore,
    check_generation,
    open_generation,
)
from councilcode.indexer.query import NEAR, ParsedQuery, QueryBuilder, compound_parts
from councilcode.indexer.ranking import (
    Matches,
    Opening,
    Phrase,
    match,
    opening_of,
    phrase_of,
    ranked,
    readme_opening,
)
from councilcode.indexer.schema import PUBLICCODE
from councilcode.indexer.scoring import Bm25f
from councilcode.indexer.similar import similar_docs
from councilcode.indexer.snippets import Terms, prepare_texts, snippet_of
from councilcode.indexer.spelling import suggest
from councilcode.reuse import CHECKS

log = logging.getLogger(__name__)

__all__ = [
    "BOOLEAN_FILTERS",
    "DEFAULT_LIMIT",
    "FILTERS",
    "IndexDamaged",
    "InvalidSearch",
    "MAX_LIMIT",
    "IndexMissing",
    "SearchHit",
    "SearchRequest",
    "SearchResponse",
    "Searcher",
    "SimilarRepo",
]

T = TypeVar("T")

# A search's filters, one value each, in the order links spell them (the web viewer's URLs use this order).
FILTERS: tuple[str, ...] = (
    "council",
    "license",
    "language",
    "topic",
    "owner",
    "archived",
    "fork",
    "pushed_since",
    "has_publiccode",
    "min_reuse",
)
BOOLEAN_FILTERS = frozenset({"archived", "fork", "has_publiccode"})
MAX_REUSE = len(CHECKS)  # the reuse score is the number of checks passed
_VALUE_FILTERS = ("council", "owner", "license", "language", "topic")  # matched by value (DocValues.docs_with)
DEFAULT_LIMIT = 20  # results a page
MAX_LIMIT = 100
WARM_TERMS = 200  # most searched terms recomputed in the background when the index changes
_CACHED_RESULTS = 512  # recent (query, filters) results kept per index version
_CACHED_RECORDS = 4096  # stored records (decompressed) kept per index version
_CACHED_SNIPPETS = 8192  # (document, query terms) snippets and phrase checks kept per index version
FACET_LIMIT = 50


class InvalidSearch(CouncilcodeError, ValueError):
    """A search value out of range (an unknown sort, a page of 0, a date that is not one); the message says
    what to use instead. A ValueError too, for callers that check values that way."""

    exit_code = 2


@dataclass
class SearchRequest:
    """One search: query text, filters, sort and page. Invalid values raise InvalidSearch (a ValueError)."""

    q: str = ""
    license: str | None = None  # SPDX id, "OGL" (the whole OGL family) or "none"
    council: str | None = None
    owner: str | None = None
    language: str | None = None
    topic: str | None = None
    archived: bool | None = None
    fork: bool | None = None
    pushed_since: str | None = None  # "YYYY-MM-DD"
    has_publiccode: bool | None = None
    min_reuse: int | None = None  # reuse score at least this (0 to MAX_REUSE)
    sort: str = "relevance"  # relevance | pushed | stars | name | reuse
    page: int = 1
    limit: int = DEFAULT_LIMIT
    facet_limit: int = FACET_LIMIT  # most frequent values kept per facet

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InvalidSearch, with a message a person can act on, for a value out of range."""
        if self.sort not in SORTS:
            raise InvalidSearch(f"unknown sort {self.sort!r}: use one of {', '.join(SORTS)}")
        if not _whole(self.page, 1):
            raise InvalidSearch(f"page must be a whole number from 1, not {self.page!r}")
        if not _whole(self.limit, 1, MAX_LIMIT):
            raise InvalidSearch(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {self.limit!r}")
        if not isinstance(self.facet_limit, int) or self.facet_limit < 0:
            raise InvalidSearch(f"facet_limit must be a whole number from 0, not {self.facet_limit!r}")
        if self.pushed_since:
            pushed_since_timestamp(self.pushed_since)
        if self.min_reuse is not None and not _whole(self.min_reuse, 0, MAX_REUSE):
            raise InvalidSearch(f"min_reuse must be a whole number from 0 to {MAX_REUSE}, not {self.min_reuse!r}")


def _whole(value: object, lowest: int, highest: int | None = None) -> bool:
    """Whether `value` is a whole number (not a bool, which Python counts as one) from `lowest` to `highest`."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return lowest <= value and (highest is None or value <= highest)


def _filter_key(value: str | bool | int | None) -> str | bool | int | None:
    """A filter's value as the result cache tells values apart: text ignores case and spaces (as the filters
    do), but archived=False is not the same as no archived filter."""
    if isinstance(value, str):
        return value.strip().lower() or None
    return value


def pushed_since_timestamp(value: str) -> int:
    """`YYYY-MM-DD` -> seconds since 1970 at the start of that day (UTC)."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidSearch(f"pushed_since must be a date written YYYY-MM-DD, not {value!r}") from None
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
    reuse_score: int
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
            "reuse_score": self.reuse_score,
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


@dataclass(frozen=True)
class _Result:
    matches: Matches
    facets: dict[str, list[tuple[str, int]]]  # every value, most frequent first
    suggestion: str | None


@dataclass
class _State:
    """One open index version, and what has been worked out about it."""

    generation: str
    ix: Any
    version: int  # the Whoosh commit (TOC generation) the searcher reads
    searcher: WhooshSearcher
    values: DocValues
    queries: QueryBuilder
    bm25f: Bm25f
    # (query, filters) -> matches, facet counts and suggestion: a second page costs nothing.
    # Least recently used entries go first; all are read and written under the Searcher's lock.
    results: LRUCache[tuple, _Result] = field(default_factory=lambda: LRUCache(_CACHED_RESULTS))
    # Work that depends only on the index version, kept so popular documents and words cost
    # nothing the second time: stored records (each a zlib decompression), snippets and phrase
    # checks per (document, words), snippet texts, and spelling corrections per word.
    records: LRUCache[int, dict[str, Any]] = field(default_factory=lambda: LRUCache(_CACHED_RECORDS))
    snippets: LRUCache[tuple, Any] = field(default_factory=lambda: LRUCache(_CACHED_SNIPPETS))
    phrases: LRUCache[tuple, Any] = field(default_factory=lambda: LRUCache(_CACHED_SNIPPETS))
    texts: LRUCache[int, Any] = field(default_factory=lambda: LRUCache(_CACHED_RECORDS))  # snippet texts per document
    corrections: dict[str, str | None] = field(default_factory=dict)

    def record(self, doc: int) -> dict[str, Any]:
        """The stored record of `doc` (shared: read only)."""
        found = self.records.get(doc)
        if found is None:
            found = self.searcher.stored_fields(doc)["record"]
            self.records[doc] = found
        return found

    def close(self) -> None:
        try:
            self.searcher.close()
        finally:
            self.ix.close()


class Searcher:
    """Long-lived; safe to share between threads of a web server; picks up a re-built or updated
    index on its own."""

    def __init__(self, index_dir: Path | str, *, warm_up: bool = True) -> None:
        """Open the index in `index_dir`; raises IndexMissing (a FileNotFoundError) if there is none.

        `warm_up`: prepare sorts, facets, recently searched and frequent words and the vocabulary's
        names of several words in the background after opening and after each index change (off for
        one-off searches such as the command line).
        """
        self._warm_up = warm_up
        self.index_dir = Path(index_dir)
        self._store = IndexStore(self.index_dir)
        self._lock = threading.RLock()
        self._segments: dict[str, SegmentValues] = {}
        self._popular: Counter[str] = Counter()  # terms of recent searches, to warm after an update
        self._state: _State | None = None
        self._closed = False
        self._warned = ""  # the last problem logged, so a damaged index is not logged on every search
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

    @property
    def generation(self) -> str | None:
        """The generation being served (the last good one, while the current one cannot be used)."""
        with self._lock:
            return self._current().generation

    def stats(self) -> dict[str, int]:
        """{"repositories": N, "councils": M} in the index as it is now."""
        with self._lock:
            return self._retrying(
                lambda state: {"repositories": len(state.values), "councils": state.values.councils()}
            )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._state is not None:
                self._state.close()
                self._state = None
            self._segments.clear()

    # -- index versions --------------------------------------------------------------------------

    def _current(self) -> _State:
        """The open state for the index as it is now, reopening after a rebuild or an update.

        When the pointer is missing or names a generation that is not there, the generation already
        open (or else the newest whole one) goes on being served, and the problem is logged.
        """
        if self._closed:
            raise RuntimeError("this Searcher is closed")
        generation = self._store.current()
        state = self._state
        if generation is None:
            problem = self._store.problem()
            if problem is None:
                self._drop_state()
                raise IndexMissing(self.index_dir)
            if state is not None and (self.index_dir / state.generation).is_dir():
                generation = Generation(state.generation, self.index_dir / state.generation, 0)
            else:
                generation = self._store.last_good(0)
                if generation is None:
                    self._drop_state()
                    raise problem
            self._warn(f"{problem}; meanwhile serving {generation.name}")
        if state is not None and state.generation == generation.name:
            try:
                version = state.ix.latest_generation()
            except OSError:  # the generation went away under us
                self._drop_state()
                return self._open(generation)
            if version == state.version:
                return state
            check_generation(generation.path)
            # An incremental update committed. A fresh searcher rather than Whoosh's refresh(), whose
            # reader reuse can bring back segments a merge removed; values of unchanged segments
            # are reused all the same (see DocValues).
            self._state = self._make_state(state.generation, state.ix, version, state.queries)
            state.searcher.close()
            self._start_warming(self._state)
            return self._state
        self._drop_state()
        return self._open(generation)

    def _warn(self, message: str) -> None:
        if message != self._warned:
            log.warning("search index: %s", message)
            self._warned = message

    def _open(self, generation: Generation) -> _State:
        try:
            check_generation(generation.path)
        except IndexDamaged as damage:
            # Serve the last good generation where one is left (a rebuild keeps none once it switched).
            fallback = self._store.last_good(generation.schema_version, skip=generation.name)
            if fallback is None:
                raise
            self._warn(f"{damage}; meanwhile serving {fallback.name}")
            generation = fallback
        try:
            ix = open_generation(generation.path)
        except FileNotFoundError:
            raise IndexMissing(self.index_dir) from None
        except Exception as exc:  # noqa: BLE001 - the check passed, so the files changed since
            raise IndexDamaged(generation.path, f"cannot be read ({exc})") from exc
        self._state = self._make_state(generation.name, ix, ix.latest_generation(), QueryBuilder(ix.schema))
        self._start_warming(self._state)
        return self._state

    def _make_state(self, generation: str, ix: Any, version: int, queries: QueryBuilder) -> _State:
        searcher = ix.searcher()
        values = DocValues(searcher.reader(), self._segments)
        bm25f = Bm25f(searcher.reader(), values)
        return _State(
            generation=generation,
            ix=ix,
            version=version,
            searcher=searcher,
            values=values,
            queries=queries,
            bm25f=bm25f,
        )

    def _start_warming(self, state: _State) -> None:
        """In the background, prepare what the first searches on a new index version would otherwise
        pay for: sort orders, facet bitmaps, the impacts of the words recent searches used (the
        first search for a common word costs a hundred milliseconds, later ones a few), the index's
        most frequent terms, and where the vocabulary's names of several words are (finding a name's
        words together made the first "customer portal" or "design system" the slowest searches)."""
        if not self._warm_up:
            return
        terms = [term for term, _ in self._popular.most_common(WARM_TERMS)]
        steps: list[Callable[[], object]] = [state.values.prepare_sort(sort) for sort in SORTS[1:]]
        steps.append(state.values.prepare_facets)
        steps.extend(lambda term=term: state.bm25f.impacts(term) for term in terms)
        if len(terms) < WARM_TERMS:
            # Too few recent searches (a server just started): the index's most frequent terms,
            # whose impacts cost tens of milliseconds each the first time, and which are searched.
            frequent: dict[str, int] = {}
            for name in state.bm25f.boosts:
                steps.append(lambda name=name: self._note_frequent(state, name, frequent))
            steps.append(lambda: self._warm_frequent(state, frequent, WARM_TERMS - len(terms), set(terms)))
        steps.append(lambda: self._warm_names(state))
        threading.Thread(target=self._warm, args=(state, steps), name="search-warm-up", daemon=True).start()

    def _warm_names(self, state: _State) -> None:
        """Queue the vocabulary's names of several words: each word's impacts, then where the words
        come together (Whoosh's span matching, the dearest part of the first search for one), a step
        each, so that no step holds the lock for long. Like `_warm_frequent`, a step of the first warm-up
        that queues a thread of its own: working the names out (some milliseconds) is then not done by
        the request that opened the index."""
        names = [tuple(compound_parts(term)) for term in state.queries.compound_terms()]
        words = dict.fromkeys(word for name in names for word in name)
        steps: list[Callable[[], object]] = [lambda word=word: state.bm25f.impacts(word) for word in words]
        steps.extend(lambda name=name: state.bm25f.near_docs(name, NEAR) for name in names)
        threading.Thread(target=self._warm, args=(state, steps), name="search-warm-up", daemon=True).start()

    @staticmethod
    def _note_frequent(state: _State, field_name: str, frequent: dict[str, int]) -> None:
        for frequency, term in state.bm25f.frequent_terms(field_name, WARM_TERMS):
            frequent[term] = max(frequent.get(term, 0), frequency)

    def _warm_frequent(self, state: _State, frequent: dict[str, int], count: int, done: set[str]) -> None:
        """Queue the `count` most frequent terms not already warmed, most frequent first, one a step."""
        chosen = [term for term in sorted(frequent, key=lambda t: (-frequent[t], t)) if term not in done][:count]
        steps = [lambda term=term: state.bm25f.impacts(term) for term in chosen]
        threading.Thread(target=self._warm, args=(state, steps), name="search-warm-up", daemon=True).start()

    def _warm(self, state: _State, steps: list[Callable[[], object]]) -> None:
        for step in steps:
            with self._lock:  # one step at a time, so searches never wait long
                if self._state is not state:
                    return
                with contextlib.suppress(Exception):  # warming is an optimisation, never a failure
                    step()

    def _note_terms(self, parsed: ParsedQuery) -> None:
        # The stems of a several-word alternative, each with its own impacts worth warming.
        self._popular.update(stem for group in parsed.groups for term in group for stem in compound_parts(term))
        if len(self._popular) > 4 * WARM_TERMS:  # forget the long tail
            self._popular = Counter(dict(self._popular.most_common(WARM_TERMS)))

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
        except (IndexMissing, IndexDamaged):
            raise
        except Exception:  # noqa: BLE001 - a file changed under us; anything else fails again below
            # The generation was removed under us (a rebuild finished), or a file of it was damaged:
            # reopen once (which checks every file) and retry.
            self._drop_state()
            try:
                return work(self._current())
            except (IndexMissing, IndexDamaged):
                raise
            except Exception:
                # Name the damaged file if that is what failed; anything else is a fault of ours.
                generation = self._store.current()
                if generation is not None:
                    check_generation(generation.path)
                raise

    # -- searching -------------------------------------------------------------------------------

    def _allowed(self, values: DocValues, request: SearchRequest) -> frozenset[int] | set[int] | None:
        """Documents the filters let through, or None when there are no filters."""
        sets = []
        for name in _VALUE_FILTERS:
            wanted = getattr(request, name)
            if wanted is not None and str(wanted).strip():
                sets.append(values.docs_with(name, str(wanted)))
        if request.archived is not None:
            sets.append(values.flagged(ARCHIVED, request.archived))
        if request.fork is not None:
            sets.append(values.flagged(FORK, request.fork))
        if request.has_publiccode is not None:
            sets.append(values.flagged(PUBLICCODE, request.has_publiccode))
        allowed: frozenset[int] | set[int] | None = None
        if sets:
            sets.sort(key=len)
            allowed = sets[0].intersection(*sets[1:])
        if request.min_reuse:
            allowed = values.reuse_at_least(allowed if allowed is not None else values.live, request.min_reuse)
        if request.pushed_since:
            allowed = values.pushed_since(
                allowed if allowed is not None else values.live, pushed_since_timestamp(request.pushed_since)
            )
        return allowed

    def _search(self, state: _State, request: SearchRequest) -> SearchResponse:
        values = state.values
        parsed = state.queries.parse(request.q)
        self._note_terms(parsed)
        result = self._result(state, parsed, request)
        matches = result.matches
        sort = request.sort
        if sort == "relevance" and parsed.empty:
            sort = "pushed"  # nothing to rank by: newest work first
        wanted = request.page * request.limit
        if sort == "relevance":
            phrase = phrase_of(parsed)
            has_phrase = (lambda doc: self._has_phrase(state, doc, phrase)) if phrase else None
            words = opening_of(parsed)
            opening = (lambda doc: self._opening(state, doc, words)) if words else None
            pairs = ranked(matches, wanted, has_phrase, opening)[wanted - request.limit :]
        else:
            ordered = values.first(sort, wanted, matches.docs)[wanted - request.limit :]
            pairs = [(matches.score(doc), doc) for doc in ordered]
        return SearchResponse(
            total=len(matches.docs),
            results=self._hits(state, pairs, parsed),
            facets={name: dict(counts[: request.facet_limit]) for name, counts in result.facets.items()},
            suggestion=result.suggestion,
            page=request.page,
            limit=request.limit,
            plain=parsed.plain,
        )

    def _result(self, state: _State, parsed: ParsedQuery, request: SearchRequest) -> _Result:
        key = (
            str(parsed.query) if parsed.query is not None else "",
            tuple(_filter_key(getattr(request, name)) for name in FILTERS),
        )
        cached = state.results.get(key)
        if cached is not None:
            return cached
        allowed = self._allowed(state.values, request)
        matches = match(parsed, state.bm25f, state.searcher, state.values, allowed)
        result = _Result(
            matches=matches,
            facets=state.values.facet_counts(matches.docs),
            suggestion=(
                suggest(state.searcher.reader(), parsed.text, parsed.words, state.corrections)
                if not parsed.empty
                else None
            ),
        )
        state.results[key] = result
        return result

    @staticmethod
    def _has_phrase(state: _State, doc: int, phrase: Phrase) -> bool:
        return _per_document(
            state,
            doc,
            phrase,
            lambda record: any(phrase.found_in(text) for text in _texts(record, record.get("readme_text"))),
        )

    @staticmethod
    def _opening(state: _State, doc: int, words: Opening) -> float:
        return _per_document(
            state,
            doc,
            words,
            lambda record: words.share(
                "\n".join(filter(None, _texts(record, readme_opening(record.get("readme_text")))))
            ),
        )

    def _hits(self, state: _State, pairs: list[tuple[float, int]], parsed: ParsedQuery) -> list[SearchHit]:
        terms = Terms.of(parsed.terms)
        hits = []
        for score, doc in pairs:
            record = state.record(doc)
            key = (doc, terms)
            snippet = state.snippets.get(key)
            if snippet is None:
                texts = state.texts.get(doc)
                if texts is None:
                    texts = prepare_texts([record.get("description"), record.get("readme_text")])
                    state.texts[doc] = texts
                snippet = snippet_of(texts, terms)
                state.snippets[key] = snippet
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
                    reuse_score=int(record.get("reuse_score") or 0),
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
        record = state.record(docnum)
        same_council = state.values.docs_with("council", record["council"])
        found = similar_docs(state.searcher, state.bm25f, docnum, record, same_council, limit)
        similar = []
        for doc in found:
            other = state.record(doc.docnum)
            similar.append(
                SimilarRepo(
                    full_name=other["full_name"],
                    council=other["council"],
                    description=other.get("description"),
                    score=doc.score,
                )
            )
        return similar


def _texts(record: dict[str, Any], readme: str | None) -> tuple[str | None, ...]:
    """Where a document says what it is: its name's words, description and (some of) its README."""
    return (record.get("name_text"), record.get("description"), readme)


def _per_document(state: _State, doc: int, what: Phrase | Opening, check: Callable[[dict[str, Any]], T]) -> T:
    """`check` of a document's stored record, kept per (document, what) for the index version."""
    key = (doc, what)
    found = state.phrases.get(key)
    if found is None:
        found = check(state.record(doc))
        state.phrases[key] = found
    return found
