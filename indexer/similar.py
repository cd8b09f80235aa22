"""Similar work at other councils: repositories whose key terms overlap one repository's.

Like Whoosh's `more_like_this`, but over several fields at once: the key terms of the README,
description, topics and name (Whoosh's Bo1 weighting against each field's collection statistics)
are scored by BM25F over all the weighted fields, leaving out the repository's own council.
Scores are relative to the repository's own score for the same query, so 1.0 is "as alike as it
is to itself" and they compare across repositories.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from whoosh.classify import Bo1Model, Expander
from whoosh.searching import Searcher as WhooshSearcher

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


def similar_docs(
    searcher: WhooshSearcher,
    bm25f: Bm25f,
    docnum: int,
    record: dict[str, Any],
    exclude: Collection[int],
    limit: int,
) -> list[SimilarDoc]:
    """The `limit` documents most like `docnum`, leaving out `exclude` (its own council's)."""
    weights = key_terms(searcher, record)
    scores: dict[int, float] = {}
    get = scores.get
    for term, weight in weights.items():
        impacts = bm25f.impacts(term)
        if len(impacts) < 2:  # only this repository has it (its own name): it can only inflate the baseline
            continue
        for doc, impact in impacts.items():
            scores[doc] = get(doc, 0.0) + weight * impact
    baseline = scores.get(docnum, 0.0)
    if not baseline:
        return []
    best = heapq.nlargest(
        limit,
        ((score, doc) for doc, score in scores.items() if doc != docnum and doc not in exclude),
    )
    found = []
    for score, doc in best:
        relative = min(1.0, score / baseline)
        if relative >= MIN_SCORE:
            found.append(SimilarDoc(docnum=doc, score=round(relative, 4)))
    return found
