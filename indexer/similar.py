"""Similar work at other councils: the repositories most like one repository, by the collaboration
finder's own vectors and similarity (indexer.group_finder), so a repository page and /collaborate
agree on what is alike.

The grouping run works out each repository's most similar repositories at other councils (cosine
similarity of the vectors it groups by: what a repository does, from its name, description, topics
and README opening) and stores them with the groups beside the index. Here they are read back,
once per version of that file, and mapped to index documents.

Until groups have been worked out for an index (its first index run has not finished grouping, or
grouping failed), the Whoosh-side method below stands in: the repository's key terms (Whoosh's Bo1
weighting) scored by BM25F over all the weighted fields, relative to its own score.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.classify import Bo1Model, Expander
from whoosh.searching import Searcher as WhooshSearcher

from councilcode.indexer.collaborate import Groups, groups_path, load_groups
from councilcode.indexer.names import topic_words
from councilcode.indexer.schema import FIELD_BOOSTS
from councilcode.indexer.scoring import Bm25f

# (field, how many key terms to take from it)
_KEY_TERMS = (("readme", 15), ("description", 8), ("topics", 8), ("name", 5))
MIN_SCORE = 0.05  # below this the overlap is a word or two of boilerplate


@dataclass(frozen=True)
class SimilarDoc:
    docnum: int
    score: float


class _StoredGroups:
    """The groups file of one index directory, parsed once per version of the file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int, int] | None = None
        self._groups: Groups | None = None

    def get(self, index_root: Path) -> Groups | None:
        path = groups_path(index_root)
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if key != self._key:
                self._groups, self._key = load_groups(index_root), key
            return self._groups


_STORED = _StoredGroups()


def _index_root(searcher: WhooshSearcher) -> Path | None:
    """The index directory (the parent of the generation this searcher reads), where the groups are."""
    storage = getattr(getattr(searcher, "_ix", None), "storage", None)
    folder = getattr(storage, "folder", None)
    return Path(folder).parent if folder else None


def similar_docs(
    searcher: WhooshSearcher,
    bm25f: Bm25f,
    docnum: int,
    record: dict[str, Any],
    exclude: Collection[int],
    limit: int,
) -> list[SimilarDoc]:
    """The `limit` documents most like `docnum`, leaving out `exclude` (its own council's)."""
    root = _index_root(searcher)
    groups = _STORED.get(root) if root is not None else None
    if groups is not None and groups.similar:
        found: list[SimilarDoc] = []
        for full_name, score in groups.similar_to(record["full_name"]):
            other = searcher.document_number(key=full_name.lower())
            if other is None or other == docnum or other in exclude:
                continue  # no longer indexed, or (after a council was renamed) now the same council's
            found.append(SimilarDoc(docnum=other, score=round(score, 4)))
            if len(found) >= limit:
                break
        return found
    # Before groups exist: key terms scored by BM25F, relative to the repository's own score.
    scores = _key_term_scores(searcher, bm25f, record)
    baseline = scores.get(docnum, 0.0)
    if not baseline:
        return []
    best = heapq.nlargest(
        limit,
        ((score, doc) for doc, score in scores.items() if doc != docnum and doc not in exclude),
    )
    relative = ((min(1.0, score / baseline), doc) for score, doc in best)
    return [SimilarDoc(docnum=doc, score=round(score, 4)) for score, doc in relative if score >= MIN_SCORE]


def key_terms(searcher: WhooshSearcher, record: dict[str, Any]) -> dict[str, float]:
    """{stemmed term: weight} characterising a repository, from its stored record."""
    readme = record.get("readme_text") or ""
    description = record.get("description") or ""
    texts = {
        "readme": readme,
        "description": description,
        "topics": " ".join(topic_words(record.get("topics") or [])),
        "name": record.get("name_text") or "",
    }
    weights: dict[str, float] = {}
    reader = searcher.reader()
    for field, count in _KEY_TERMS:
        if not texts[field].strip():
            continue
        expander = Expander(reader, field, model=Bo1Model)
        expander.add_text(texts[field])
        for term, weight in expander.expanded_terms(count, normalize=True):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            weights[term] = max(weights.get(term, 0.0), weight * FIELD_BOOSTS[field])
    return weights


def _key_term_scores(searcher: WhooshSearcher, bm25f: Bm25f, record: dict[str, Any]) -> dict[int, float]:
    """{docnum: BM25F score of the repository's key terms}, the repository itself included."""
    scores: dict[int, float] = {}
    get = scores.get
    for term, weight in key_terms(searcher, record).items():
        impacts = bm25f.impacts(term)
        if len(impacts) < 2:  # only this repository has it (its own name): it can only inflate the baseline
            continue
        for doc, impact in impacts.items():
            scores[doc] = get(doc, 0.0) + weight * impact
    return scores
