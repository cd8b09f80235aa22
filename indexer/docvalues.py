"""Filter, facet and sort values of every document, in lists indexed by document number.

Loaded from the index's `values` column once per index version (per segment, so an incremental
update only loads its new segment). Filters then become set intersections, facet counts `Counter`s
(or, over thousands of matches, big-integer bitmaps and popcounts) and sorts precomputed orders:
C-speed loops, which keep faceted search within milliseconds at 25,000 repositories. The field
lengths kept here serve BM25F (indexer.scoring).
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, fields
from itertools import chain

from whoosh.reading import IndexReader

from councilcode.indexer.schema import ARCHIVED, FORK, PUBLICCODE, SEARCH_FIELDS, parse_values
from councilcode.licences import licence_family

NO_LICENCE = "none"  # the filter and facet value for repositories without a licence

# Archived repositories and forks stay findable but rank a little lower.
ARCHIVED_FACTOR = 0.8
FORK_FACTOR = 0.85
# So do a council's copies of its own work made to show, try or test it (`GdsBlazorComponents-Demo`
# beside `GdsBlazorComponents`, `saml_tools_demo`, `locate-api-test`, a `ZZSandBox`): the work
# itself is what a searcher wants first. Told by the name's last word, read from the sort name.
DEMO_FACTOR = 0.8
_DEMO_NAME = re.compile(r"(?:^|[-_.])(?:demo|test|tests|sandbox|example|examples|playground)$|^zz")

SORTS = ("relevance", "pushed", "stars", "name", "reuse")
_BITMAP_FROM = 1500  # documents in a result from which facets are counted with bitmaps

# A document without values cannot happen, but must not break a search.
_EMPTY_ROW = ("", "", None, None, (), 0, 0, 0, "", (0,) * len(SEARCH_FIELDS), 0)


@dataclass
class SegmentValues:
    """The values of one segment's documents (segment-local numbering)."""

    council: list[str]
    owner: list[str]
    license: list[str | None]
    language: list[str | None]
    topics: list[tuple[str, ...]]
    flags: list[int]
    stars: list[int]
    pushed: list[int]
    sort_name: list[str]
    lengths: list[tuple[int, ...]]
    reuse: list[int]

    @classmethod
    def load(cls, reader: IndexReader) -> SegmentValues:
        rows = [parse_values(raw) if raw else _EMPTY_ROW for raw in reader.column_reader("values")]
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(fields(cls))
        return cls(*(list(column) for column in columns))


class DocValues:
    """Every document's values for one reader, plus lazily built look-up tables.

    Not thread-safe on its own: `indexer.search.Searcher` calls it under its lock.
    """

    def __init__(self, reader: IndexReader, cache: dict[str, SegmentValues] | None = None) -> None:
        """Load from `reader`, reusing `cache` (segment id -> values) and leaving it holding only
        this reader's segments."""
        cache = cache if cache is not None else {}
        fresh: dict[str, SegmentValues] = {}
        parts: list[SegmentValues] = []
        live: list[int] = []
        for segment_reader, offset in reader.leaf_readers():
            segment = segment_reader.segment()
            if segment is None:  # the reader of an empty index
                continue
            segment_id = segment.segment_id()
            values = cache.get(segment_id) or SegmentValues.load(segment_reader)
            fresh[segment_id] = values
            parts.append(values)
            if segment_reader.has_deletions():
                live.extend(offset + d for d in segment_reader.all_doc_ids())
            else:
                live.extend(range(offset, offset + len(values.council)))
        cache.clear()
        cache.update(fresh)

        def joined(name: str) -> list:
            return list(chain.from_iterable(getattr(p, name) for p in parts))

        self.council: list[str] = joined("council")
        self.owner: list[str] = joined("owner")
        self.license: list[str | None] = joined("license")
        self.language: list[str | None] = joined("language")
        self.topics: list[tuple[str, ...]] = joined("topics")
        self.flags: list[int] = joined("flags")
        self.stars: list[int] = joined("stars")
        self.pushed: list[int] = joined("pushed")
        self.sort_name: list[str] = joined("sort_name")
        self.reuse: list[int] = joined("reuse")
        # Words per search field and document, and the average over live documents, for BM25F.
        lengths: list[tuple[int, ...]] = joined("lengths")
        self.field_lengths: dict[str, list[int]] = {
            field: [row[i] for row in lengths] for i, field in enumerate(SEARCH_FIELDS)
        }
        self.average_lengths: dict[str, float] = {
            field: (sum(column[d] for d in live) / len(live) if live else 0.0)
            for field, column in self.field_lengths.items()
        }
        self.live: list[int] = live
        self.factors: list[float] = [
            _factor(flags, name) for flags, name in zip(self.flags, self.sort_name, strict=True)
        ]
        self.live_set: frozenset[int] = frozenset(live)
        self._tables: dict[str, dict[str, frozenset[int]]] = {}
        self._orders: dict[str, list[int]] = {}
        self._ranks: dict[str, list[int]] = {}
        self._all_facets: dict[str, list[tuple[str, int]]] | None = None
        self._bitmaps: dict[str, dict[str, int]] | None = None
        self._councils: int | None = None

    def __len__(self) -> int:
        return len(self.live)

    # -- filters ---------------------------------------------------------------------------------

    def docs_with(self, field: str, value: str) -> frozenset[int]:
        """Live documents whose `field` (council, owner, license, language, topic) is `value`.

        Case-insensitive. `license` also takes "OGL" (every OGL version) and "none".
        """
        table = self._tables.get(field)
        if table is None:
            table = self._tables[field] = self._build_table(field)
        return table.get(value.strip().lower(), frozenset())

    def _build_table(self, field: str) -> dict[str, frozenset[int]]:
        groups: dict[str, set[int]] = {}
        if field == "topic":
            for doc in self.live:
                for topic in self.topics[doc]:
                    groups.setdefault(topic, set()).add(doc)
        elif field == "license":
            for doc in self.live:
                licence = self.license[doc]
                keys = {licence.lower(), (licence_family(licence) or "").lower()} if licence else {NO_LICENCE}
                for key in keys - {""}:
                    groups.setdefault(key, set()).add(doc)
        elif field in ("council", "owner", "language"):
            column: list = getattr(self, field)
            for doc in self.live:
                value = column[doc]
                if value:
                    groups.setdefault(value.lower(), set()).add(doc)
        else:
            raise ValueError(f"cannot filter on {field!r}")
        return {key: frozenset(docs) for key, docs in groups.items()}

    def flagged(self, flag: int, wanted: bool) -> frozenset[int]:
        """Live documents that are (or, with wanted=False, are not) archived / forks."""
        key = f"flag{flag}"
        table = self._tables.get(key)
        if table is None:
            yes = frozenset(d for d in self.live if self.flags[d] & flag)
            table = self._tables[key] = {"yes": yes, "no": self.live_set - yes}
        return table["yes" if wanted else "no"]

    def reuse_at_least(self, docs: Iterable[int], score: int) -> set[int]:
        reuse = self.reuse
        return {d for d in docs if reuse[d] >= score}

    def pushed_since(self, docs: Iterable[int], timestamp: int) -> set[int]:
        pushed = self.pushed
        return {d for d in docs if pushed[d] >= timestamp}

    # -- ranking ---------------------------------------------------------------------------------

    def _order(self, sort: str) -> list[int]:
        """Live documents in `sort` order (pushed: newest first; stars, reuse: most first; name: A-Z)."""
        order = self._orders.get(sort)
        if order is None:
            pushed, stars, names, reuse = self.pushed, self.stars, self.sort_name, self.reuse
            keys: dict[str, Callable[[int], tuple]] = {
                "reuse": lambda d: (-reuse[d], -pushed[d], names[d]),
                "pushed": lambda d: (-pushed[d], names[d]),
                "stars": lambda d: (-stars[d], -pushed[d], names[d]),
                "name": lambda d: (names[d],),
            }
            if sort not in keys:
                raise ValueError(f"no precomputed order for sort {sort!r}")
            order = self._orders[sort] = sorted(self.live, key=keys[sort])
        return order

    def prepare_sort(self, sort: str) -> Callable[[], object]:
        """A step working out `sort`'s order ahead of the first search that needs it."""
        return lambda: self.rank(sort)

    def prepare_facets(self) -> None:
        """Work out the counts over everything and the facet bitmaps ahead of time."""
        self.facet_counts(self.live_set)
        self._facet_bitmaps()

    def rank(self, sort: str) -> Callable[[int], int]:
        """Key function giving each document's position in `sort` order."""
        ranks = self._ranks.get(sort)
        if ranks is None:
            ranks = [0] * len(self.council)
            for position, doc in enumerate(self._order(sort)):
                ranks[doc] = position
            self._ranks[sort] = ranks
        return ranks.__getitem__

    def first(self, sort: str, count: int, docs: Collection[int]) -> list[int]:
        """The first `count` of `docs` in `sort` order."""
        if docs is self.live_set or len(docs) == len(self.live):
            return self._order(sort)[:count]
        return heapq.nsmallest(count, docs, key=self.rank(sort))

    # -- facets ----------------------------------------------------------------------------------

    def facet_counts(self, docs: Collection[int]) -> dict[str, list[tuple[str, int]]]:
        """Counts of council, licence ("none" for no licence), language, topic, has_publiccode
        ("true"/"false") and reuse_score ("0" to "10") over `docs`, most frequent first (then by name)."""
        if docs is self.live_set or len(docs) == len(self.live):
            if self._all_facets is None:
                self._all_facets = self._count(self.live)
            return self._all_facets
        if len(docs) < _BITMAP_FROM:
            return self._count(docs)
        # Large sets: one big-integer AND and popcount per facet value beats hashing every document.
        bitmap = _bitmap(docs, len(self.council))
        return {
            facet: _ordered(
                Counter({value: count for value, bits in table.items() if (count := (bits & bitmap).bit_count())})
            )
            for facet, table in self._facet_bitmaps().items()
        }

    def _count(self, docs: Iterable[int]) -> dict[str, list[tuple[str, int]]]:
        docs = docs if isinstance(docs, Collection) else list(docs)
        licences = Counter(map(self.license.__getitem__, docs))
        if None in licences:
            licences[NO_LICENCE] += licences.pop(None)
        languages = Counter(map(self.language.__getitem__, docs))
        languages.pop(None, None)
        return {
            "council": _ordered(Counter(map(self.council.__getitem__, docs))),
            "license": _ordered(licences),
            "language": _ordered(languages),
            "topic": _ordered(Counter(chain.from_iterable(map(self.topics.__getitem__, docs)))),
            "has_publiccode": _ordered(Counter(_yes_no(self.flags[d] & PUBLICCODE) for d in docs)),
            "reuse_score": _ordered(Counter(str(self.reuse[d]) for d in docs)),
        }

    def _facet_bitmaps(self) -> dict[str, dict[str, int]]:
        if self._bitmaps is None:
            groups: dict[str, dict[str, list[int]]] = {
                "council": {},
                "license": {},
                "language": {},
                "topic": {},
                "has_publiccode": {},
                "reuse_score": {},
            }
            for doc in self.live:
                groups["has_publiccode"].setdefault(_yes_no(self.flags[doc] & PUBLICCODE), []).append(doc)
                groups["reuse_score"].setdefault(str(self.reuse[doc]), []).append(doc)
                groups["council"].setdefault(self.council[doc], []).append(doc)
                groups["license"].setdefault(self.license[doc] or NO_LICENCE, []).append(doc)
                if self.language[doc]:
                    groups["language"].setdefault(self.language[doc], []).append(doc)
                for topic in self.topics[doc]:
                    groups["topic"].setdefault(topic, []).append(doc)
            size = len(self.council)
            self._bitmaps = {
                facet: {value: _bitmap(members, size) for value, members in table.items()}
                for facet, table in groups.items()
            }
        return self._bitmaps

    def councils(self) -> int:
        """How many councils have live documents."""
        if self._councils is None:
            self._councils = len({self.council[d] for d in self.live})
        return self._councils


def _yes_no(value: int) -> str:
    """A yes/no facet's value as its filter takes it back (has_publiccode=true)."""
    return "true" if value else "false"


def _factor(flags: int, sort_name: str) -> float:
    """Score multiplier: a little lower for archived repositories, forks and demonstration copies."""
    factor = DEMO_FACTOR if _DEMO_NAME.search(sort_name.split("\x00", 1)[0]) else 1.0
    if not flags:
        return factor
    return factor * (ARCHIVED_FACTOR if flags & ARCHIVED else 1.0) * (FORK_FACTOR if flags & FORK else 1.0)


def _bitmap(docs: Iterable[int], size: int) -> int:
    """A set of document numbers as the bits of one integer."""
    bits = bytearray((size + 7) // 8)
    for doc in docs:
        bits[doc >> 3] |= 1 << (doc & 7)
    return int.from_bytes(bits, "little")


def _ordered(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0]).lower()))
