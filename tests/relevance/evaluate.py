"""nDCG@k of the search over judged queries (tests/relevance/judgements.yaml)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from councilcode.indexer.search import Searcher, SearchRequest

JUDGEMENTS = Path(__file__).with_name("judgements.yaml")


CLASSES = ("exact", "other", "one", "broad")  # kinds of query, as the judgements file defines them


@dataclass(frozen=True)
class Judged:
    query: str
    grades: dict[str, int]  # full name (lower case) -> grade
    kind: str = "exact"  # one of CLASSES
    set: int = 1  # which judged set: 1, or a held-out set written before a round of ranking work


@dataclass(frozen=True)
class QueryResult:
    query: str
    ndcg: float
    ranking: list[str]
    grades: dict[str, int]
    kind: str = "exact"
    set: int = 1


def load_judgements(path: Path = JUDGEMENTS) -> list[Judged]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [
        Judged(
            query=item["query"],
            grades={name.lower(): int(g) for name, g in item["relevant"].items()},
            kind=item["class"],
            set=int(item.get("set", 1)),
        )
        for item in data["queries"]
    ]


def dcg(grades: list[int]) -> float:
    """Discounted cumulative gain with exponential gain (2^grade - 1) and log2 discount."""
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg(ranking: list[str], grades: dict[str, int], k: int = 10) -> float:
    """nDCG@k of a ranking of full names against graded judgements (unjudged = 0)."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(name.lower(), 0) for name in ranking[:k]]) / ideal


def evaluate(searcher: Searcher, judged: list[Judged], k: int = 10) -> list[QueryResult]:
    results = []
    for item in judged:
        response = searcher.search(SearchRequest(q=item.query, limit=k))
        ranking = [hit.full_name for hit in response.results]
        results.append(
            QueryResult(item.query, ndcg(ranking, item.grades, k), ranking, item.grades, item.kind, item.set)
        )
    return results


def mean(results: list[QueryResult]) -> float:
    return sum(r.ndcg for r in results) / len(results) if results else 0.0


def by_class(results: list[QueryResult]) -> dict[str, list[QueryResult]]:
    """The results of each class of query, in CLASSES order (classes with no query left out)."""
    groups: dict[str, list[QueryResult]] = {kind: [] for kind in CLASSES}
    for r in results:
        groups.setdefault(r.kind, []).append(r)
    return {kind: found for kind, found in groups.items() if found}


def report(results: list[QueryResult]) -> str:
    """A table per query (nDCG@10 and the top four results with their grades), then per class."""
    lines = [f"{'query':36} {'class':6} nDCG@10  top results (grade)"]
    for r in results:
        top = ", ".join(f"{name.split('/')[1]}({r.grades.get(name.lower(), 0)})" for name in r.ranking[:4])
        lines.append(f"{r.query:36} {r.kind:6} {r.ndcg:7.3f}  {top}")
    for kind, found in by_class(results).items():
        lines.append(f"{'class ' + kind:36} {'':6} {mean(found):7.3f}  over {len(found)} queries")
    for number in sorted({r.set for r in results}):
        found = [r for r in results if r.set == number]
        lines.append(f"{f'set {number}':36} {'':6} {mean(found):7.3f}  over {len(found)} queries")
    lines.append(f"{'mean':36} {'':6} {mean(results):7.3f}  over {len(results)} queries")
    return "\n".join(lines)
