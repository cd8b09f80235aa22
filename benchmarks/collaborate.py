"""Collaboration-finder benchmark: how long grouping takes, stage by stage.

    python benchmarks/collaborate.py [--repos 25000] [--runs 1]

For N synthetic council repositories (tests/relevance/synthetic.py: 400 fictional councils, 28
services, so groups are large and the similarity graph denser than a real catalogue's) and for the
real corpus plus 300 distractors (skipped when absent), it measures:

- each stage: terms (README to words), TF-IDF vectors, the k-nearest-neighbour graph (and each
  repository's most similar work at other councils), average-linkage
  clustering, and making the groups (reuse, labels);
- the whole of `build_groups`, as an index run pays it when the catalogue has changed;
- `refresh_groups` when nothing changed (every other index run): a digest of the fingerprints.

Target: grouping 25,000 repositories well under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from councilcode.indexer.collaborate import THRESHOLD, build_groups, refresh_groups  # noqa: E402
from councilcode.indexer.group_clusters import NEIGHBOURS, average_linkage, neighbour_graph, tfidf_vectors  # noqa: E402
from councilcode.indexer.group_finder import SIMILAR  # noqa: E402
from councilcode.indexer.group_terms import TermExtractor  # noqa: E402
from councilcode.records import Repository  # noqa: E402
from tests.helpers import entry_of  # noqa: E402
from tests.relevance.corpus_records import corpus_available, load_corpus_repositories  # noqa: E402
from tests.relevance.synthetic import distractors, synthetic_repositories  # noqa: E402


def stages(repositories: list[Repository]) -> dict[str, float]:
    """Seconds per stage of one grouping, done step by step."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    extractor = TermExtractor()
    described = [extractor.terms(repo) for repo in repositories]
    times["terms"] = time.perf_counter() - started

    started = time.perf_counter()
    councils = [r.council for r in repositories]
    vectors = tfidf_vectors([d.weights for d in described], councils)
    times["vectors"] = time.perf_counter() - started

    started = time.perf_counter()
    edges, _ = neighbour_graph(vectors.matrix, k=NEIGHBOURS, owners=councils, others=SIMILAR)
    times["graph"] = time.perf_counter() - started

    started = time.perf_counter()
    average_linkage(len(repositories), edges, THRESHOLD)
    times["clustering"] = time.perf_counter() - started
    return times


def measure(label: str, repositories: list[Repository], runs: int) -> None:
    print(f"\n{label}: {len(repositories):,} repositories")
    for stage, seconds in stages(repositories).items():
        print(f"  {stage:<12} {seconds:7.2f} s")
    totals, count = [], 0
    for _ in range(runs):
        groups = build_groups(repositories)
        totals.append(groups.seconds)
        count = len(groups.groups)
    sizes = sorted((len(g.repositories) + len(g.reuse) for g in groups.groups), reverse=True)
    print(f"  build_groups {statistics.median(totals):7.2f} s (median of {runs}) -> {count:,} groups")
    if sizes:
        print(f"  group sizes: largest {sizes[:5]}, median {statistics.median(sizes)}")
    with tempfile.TemporaryDirectory() as work:
        entries = [entry_of(repo) for repo in repositories]
        refresh_groups(work, entries)
        started = time.perf_counter()
        refresh_groups(work, entries)
        print(f"  refresh with nothing changed {time.perf_counter() - started:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", type=int, default=25_000, help="synthetic repositories (default 25000)")
    parser.add_argument("--runs", type=int, default=1, help="times to run build_groups (default 1)")
    args = parser.parse_args()
    if corpus_available():
        measure("real corpus + distractors", load_corpus_repositories() + distractors(), args.runs)
    measure("synthetic", synthetic_repositories(args.repos), args.runs)


if __name__ == "__main__":
    main()
