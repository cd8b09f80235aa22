"""Similar work at other councils: repositories whose key terms overlap one repository's.

Like Whoosh's `more_like_this`, but over several fields at once: the key terms of the README,
description, topics and name (Bo1 weighting against each field's collection statistics) are
searched in all of those fields, and the result is masked to other councils' repositories.
Scores are relative to the repository's own score for the same query, so 1.0 is "as alike as it
is to itself" and they compare across repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.classify import Bo1Model, Expander
from whoosh.searching import Searcher as WhooshSearcher

from indexer.names import document_vocabulary, name_words, topic_words
from indexer.schema import FIELD_BOOSTS

# (field, how many key terms to take from it)
_KEY_TERMS = (("readme", 15), ("description", 8), ("topics", 8), ("name", 5))
_MATCH_FIELDS = ("name", "topics", "description", "readme")
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
        "name": " ".join(name_words(record.get("name") or "", document_vocabulary(readme, description))),
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
    searcher: WhooshSearcher, docnum: int, record: dict[str, Any], exclude: set[int], limit: int
) -> list[SimilarDoc]:
    """The `limit` documents most like `docnum`, leaving out `exclude` (its own council's)."""
    weights = key_terms(searcher, record)
    if not weights:
        return []
    q = wq.Or(
        [
            wq.Term(field, term, boost=weight * FIELD_BOOSTS[field])
            for term, weight in weights.items()
            for field in _MATCH_FIELDS
        ]
    )
    own = searcher.search(q, limit=1, filter={docnum})
    baseline = own.score(0) if len(own) else 0.0
    if not baseline:
        return []
    results = searcher.search(q, limit=limit, mask=exclude | {docnum})
    found = []
    for hit in results:
        score = min(1.0, hit.score / baseline)
        if score >= MIN_SCORE:
            found.append(SimilarDoc(docnum=hit.docnum, score=round(score, 4)))
    return found
