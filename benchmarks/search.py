"""Search benchmark: councilcode's Whoosh index against SQLite FTS5 on the same documents.

    python benchmarks/search.py [--repos 25000] [--keep DIR]

For N synthetic council repositories (tests/relevance/synthetic.py) and for the real corpus
(shared/corpus/uk-councils, skipped when absent) it measures, for both engines:

- index build time from the SQLite catalogue (text preparation included for both);
- search latency p50/p95 with the facet counts a results page shows (council, licence, language,
  topic), the total, one page of 20 hits and their snippets, over ~130 requests: judged queries,
  catalogue-style queries, filters, sorts, second pages and browsing. Three passes: a fresh searcher
  (nothing cached), the same words with other filters (term statistics cached, results not), and
  exact repeats (a results page the web viewer asks for again);
- re-indexing 100 changed repositories (and an update that finds nothing to do).

FTS5 is the reference: `porter unicode61` tokenizer, bm25() with the same column weights, facets
by GROUP BY over a side table. Targets: search p95 with facets <= 50 ms at 25,000 repositories;
re-indexing 100 changed repositories <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from councilcode.catalogue import Catalogue, HandleResult  # noqa: E402
from councilcode.indexer.build import update_index  # noqa: E402
from councilcode.indexer.schema import FIELD_BOOSTS, SEARCH_FIELDS, document  # noqa: E402
from councilcode.indexer.search import Searcher, SearchRequest  # noqa: E402
from councilcode.records import Repository  # noqa: E402
from tests.relevance.corpus_records import corpus_available, load_corpus_repositories, store_in_catalogue  # noqa: E402
from tests.relevance.evaluate import load_judgements  # noqa: E402
from tests.relevance.synthetic import synthetic_repositories  # noqa: E402

CATALOGUE_QUERIES = [
    "parking permits", "council tax", "library", "payroll", "planning applications", "bin collection days",
    "web map", "gritting routes", "open data portal", "school admissions", "taxi licensing", "allotment",
    "electoral register", "data", "api", "service", "docker", "booking", "pension fund", "freedom of information",
    "blue badge", "leisure centre", "staff", "residents", "permit renewals", "design system components",
    "drupal site", "waste", "potholes", "transparency",
]  # fmt: skip
PAGE = 20


@dataclass
class Timing:
    p50: float
    p95: float
    count: int


def percentiles(seconds: list[float]) -> Timing:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return Timing(p50=statistics.median(ordered) * 1000, p95=p95 * 1000, count=len(ordered))


def requests_for(queries: list[str], councils: list[str], seed: int = 5) -> list[SearchRequest]:
    """Judged and catalogue queries, plus filtered, sorted, paged and browsing variants."""
    rng = random.Random(seed)
    requests = [SearchRequest(q=q, limit=PAGE) for q in queries]
    for q in rng.sample(queries, k=min(12, len(queries))):
        requests.append(SearchRequest(q=q, limit=PAGE, council=rng.choice(councils)))
        requests.append(SearchRequest(q=q, limit=PAGE, license=rng.choice(["MIT", "OGL", "none"])))
        requests.append(SearchRequest(q=q, limit=PAGE, sort=rng.choice(["pushed", "stars", "name"])))
        requests.append(SearchRequest(q=q, limit=PAGE, page=2))
    requests += [
        SearchRequest(limit=PAGE),
        SearchRequest(limit=PAGE, sort="stars"),
        SearchRequest(limit=PAGE, council=rng.choice(councils)),
        SearchRequest(limit=PAGE, license="OGL", sort="name"),
        SearchRequest(limit=PAGE, language="Python", pushed_since="2024-01-01"),
    ]
    return requests


# -- councilcode (Whoosh) -----------------------------------------------------------------------


def whoosh_latency(index_dir: Path, requests: list[SearchRequest]) -> dict[str, Timing]:
    def run(searcher: Searcher, batch: list[SearchRequest]) -> list[float]:
        times = []
        for request in batch:
            started = time.perf_counter()
            searcher.search(request)
            times.append(time.perf_counter() - started)
        return times

    # No background warm-up: the first pass shows what a just-started server pays.
    with Searcher(index_dir, warm_up=False) as searcher:
        cold = run(searcher, requests)
        # Same words, another filter: term statistics are cached, results are not.
        other = [replace(r, archived=False) if r.archived is None else replace(r, archived=None) for r in requests]
        terms_warm = run(searcher, other)
        repeat = run(searcher, requests)
    return {"cold": percentiles(cold), "terms cached": percentiles(terms_warm), "repeat": percentiles(repeat)}


# -- SQLite FTS5 reference ----------------------------------------------------------------------


def fts_build(db_path: Path, catalogue_path: Path) -> float:
    started = time.perf_counter()
    with Catalogue(catalogue_path, readonly=True) as catalogue:
        repositories = catalogue.repositories()
    db = sqlite3.connect(db_path)
    columns = ", ".join(SEARCH_FIELDS)
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE fts USING fts5({columns}, tokenize='porter unicode61');
        CREATE TABLE meta (rowid INTEGER PRIMARY KEY, full_name TEXT, council TEXT, license TEXT, language TEXT,
                           pushed TEXT, stars INTEGER, archived INTEGER, fork INTEGER, name TEXT);
        CREATE TABLE topics (rowid INTEGER, topic TEXT);
        """
    )
    with db:
        for rowid, repo in enumerate(repositories, start=1):
            _fts_insert(db, rowid, repo)
        db.execute("CREATE INDEX topics_rowid ON topics (rowid)")
        db.execute("CREATE INDEX meta_pushed ON meta (pushed)")
    db.close()
    return time.perf_counter() - started


def _fts_insert(db: sqlite3.Connection, rowid: int, repo: Repository) -> None:
    doc = document(repo)
    db.execute(
        f"INSERT INTO fts (rowid, {', '.join(SEARCH_FIELDS)}) VALUES (?, {', '.join('?' * len(SEARCH_FIELDS))})",
        [rowid, *(doc[f] for f in SEARCH_FIELDS)],
    )
    db.execute(
        "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rowid, repo.full_name, repo.council, repo.license, repo.language, repo.pushed_at, repo.stars,
         int(repo.archived), int(repo.fork), repo.name.lower()),
    )  # fmt: skip
    db.executemany("INSERT INTO topics VALUES (?, ?)", [(rowid, t.lower()) for t in repo.topics])


def _fts_match(q: str) -> str | None:
    words = [w for w in "".join(c if c.isalnum() else " " for c in q).split() if w]
    return " OR ".join(f'"{w}"' for w in words) or None


def fts_search(db: sqlite3.Connection, request: SearchRequest) -> None:
    """A results page like councilcode's: total, 4 facets, one page of hits with snippets."""
    where, args = [], []
    match = _fts_match(request.q)
    if match:
        where.append("fts MATCH ?")
        args.append(match)
    if request.council:
        where.append("m.council = ?")
        args.append(request.council)
    if request.license == "none":
        where.append("m.license IS NULL")
    elif request.license == "OGL":
        where.append("m.license LIKE 'OGL-UK-%'")
    elif request.license:
        where.append("m.license = ?")
        args.append(request.license)
    if request.language:
        where.append("m.language = ?")
        args.append(request.language)
    if request.pushed_since:
        where.append("m.pushed >= ?")
        args.append(request.pushed_since)
    source = "fts JOIN meta m ON m.rowid = fts.rowid" if match else "meta m"
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    weights = ", ".join(str(FIELD_BOOSTS[f]) for f in SEARCH_FIELDS)
    if match and request.sort == "relevance":
        order = f"bm25(fts, {weights})"
    else:
        order = {"stars": "m.stars DESC", "name": "m.name"}.get(request.sort, "m.pushed DESC")
    snippet = "snippet(fts, -1, '<mark>', '</mark>', '…', 24)" if match else "''"
    offset = (request.page - 1) * request.limit
    db.execute(
        f"SELECT m.full_name, {snippet} FROM {source} {clause} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, request.limit, offset],
    ).fetchall()
    db.execute(f"SELECT count(*) FROM {source} {clause}", args).fetchone()
    for column in ("m.council", "coalesce(m.license, 'none')", "m.language"):
        db.execute(
            f"SELECT {column}, count(*) FROM {source} {clause} GROUP BY 1 ORDER BY 2 DESC LIMIT 50", args
        ).fetchall()
    db.execute(
        f"SELECT t.topic, count(*) FROM {source} JOIN topics t ON t.rowid = m.rowid {clause} "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
        args,
    ).fetchall()


def fts_latency(db_path: Path, requests: list[SearchRequest]) -> dict[str, Timing]:
    db = sqlite3.connect(db_path)

    def run(batch: list[SearchRequest]) -> list[float]:
        times = []
        for request in batch:
            started = time.perf_counter()
            fts_search(db, request)
            times.append(time.perf_counter() - started)
        return times

    cold = run(requests)
    repeat = run(requests)
    db.close()
    return {"cold": percentiles(cold), "terms cached": percentiles(repeat), "repeat": percentiles(repeat)}


def fts_reindex(db_path: Path, changed: list[Repository], rowids: dict[str, int]) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    with db:
        for repo in changed:
            rowid = rowids[repo.full_name]
            db.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
            db.execute("DELETE FROM meta WHERE rowid = ?", (rowid,))
            db.execute("DELETE FROM topics WHERE rowid = ?", (rowid,))
            _fts_insert(db, rowid, repo)
    db.close()
    return time.perf_counter() - started


# -- running ------------------------------------------------------------------------------------


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def change_some(catalogue_path: Path, repositories: list[Repository], count: int) -> list[Repository]:
    """Change `count` repositories (description and push date) in the catalogue; return them."""
    step = max(1, len(repositories) // count)
    changed = {
        r.full_name: replace(r, description=f"{r.description or ''} (changed)", pushed_at="2026-11-20T12:00:00Z")
        for r in repositories[::step][:count]
    }
    by_owner: dict[str, list[Repository]] = {}
    for repo in repositories:
        by_owner.setdefault(repo.owner, []).append(changed.get(repo.full_name, repo))
    with Catalogue(catalogue_path) as catalogue:
        for owner in {r.owner for r in changed.values()}:
            repos = by_owner[owner]
            catalogue.store_handle(HandleResult(owner, repos[0].council, "Organization", repos), None)
    return list(changed.values())


def measure(label: str, repositories: list[Repository], queries: list[str], work: Path) -> dict[str, object]:
    print(f"\n== {label}: {len(repositories):,} repositories", flush=True)
    work.mkdir(parents=True, exist_ok=True)
    catalogue_path, index_dir, fts_path = work / "catalogue.sqlite", work / "index", work / "fts.sqlite"
    store_in_catalogue(catalogue_path, repositories)
    with Catalogue(catalogue_path, readonly=True) as catalogue:
        stored = catalogue.repositories()

    def timed(what: str, fn: Callable[[], object]) -> float:
        print(f"   {what}…", end=" ", flush=True)
        started = time.perf_counter()
        fn()
        seconds = time.perf_counter() - started
        print(f"{seconds:.2f} s", flush=True)
        return seconds

    results: dict[str, object] = {"repositories": len(repositories)}
    results["build"] = (
        timed("Whoosh build", lambda: update_index(catalogue_path, index_dir, rebuild=True)),
        timed("FTS5 build", lambda: fts_build(fts_path, catalogue_path)),
    )
    results["size"] = (size_mb(index_dir), size_mb(fts_path))
    councils = sorted({r.council for r in repositories})
    requests = requests_for(queries, councils)
    print(f"   {len(requests)} search requests a pass", flush=True)
    results["latency"] = (whoosh_latency(index_dir, requests), fts_latency(fts_path, requests))

    count = min(100, len(stored))
    changed = change_some(catalogue_path, stored, count)
    rowids = {r.full_name: i for i, r in enumerate(stored, start=1)}
    reports = []
    timed(f"Whoosh re-index {count} changed", lambda: reports.append(update_index(catalogue_path, index_dir)))
    fts_update = timed(f"FTS5 re-index {count} changed", lambda: fts_reindex(fts_path, changed, rowids))
    # The index is searchable once committed; the collaboration groups are refreshed after that.
    results["reindex"] = (reports[-1].seconds, fts_update, count)
    results["groups"] = reports[-1].group_seconds
    results["noop"] = timed("Whoosh update, nothing changed", lambda: update_index(catalogue_path, index_dir))
    return results


def print_table(all_results: list[tuple[str, dict]]) -> None:
    rows: list[tuple[str, str, str, str]] = []
    for label, r in all_results:
        rows.append((f"{label} ({r['repositories']:,} repositories)", "", "", ""))
        whoosh_build, fts_build_s = r["build"]
        rows.append(("  index build from catalogue", f"{whoosh_build:.1f} s", f"{fts_build_s:.1f} s",
                     f"{whoosh_build / fts_build_s:.1f}x"))  # fmt: skip
        whoosh_size, fts_size = r["size"]
        rows.append(("  index size", f"{whoosh_size:.1f} MB", f"{fts_size:.1f} MB", f"{whoosh_size / fts_size:.1f}x"))
        whoosh_lat, fts_lat = r["latency"]
        for phase in ("cold", "terms cached", "repeat"):
            w, f = whoosh_lat[phase], fts_lat[phase]
            note = " (FTS5: 2nd pass)" if phase != "cold" else ""
            rows.append((f"  search p50, {phase}{note}", f"{w.p50:.1f} ms", f"{f.p50:.1f} ms", f"{w.p50 / f.p50:.2f}x"))
            rows.append((f"  search p95, {phase}", f"{w.p95:.1f} ms", f"{f.p95:.1f} ms", f"{w.p95 / f.p95:.2f}x"))
        whoosh_up, fts_up, count = r["reindex"]
        rows.append(
            (f"  re-index {count} changed", f"{whoosh_up:.2f} s", f"{fts_up:.2f} s", f"{whoosh_up / fts_up:.1f}x")
        )
        rows.append(("  then collaboration groups refreshed", f"{r['groups']:.2f} s", "-", ""))
        rows.append(("  update with nothing changed", f"{r['noop']:.2f} s", "-", ""))
    widths = [max(len(row[i]) for row in rows + [("", "Whoosh", "SQLite FTS5", "ratio")]) for i in range(4)]
    print()
    header = ("", "Whoosh", "SQLite FTS5", "ratio")
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    print("\nratio = Whoosh / FTS5 (below 1: Whoosh is faster). Targets at 25,000: p95 <= 50 ms, re-index 100 <= 2 s.")
    print("Whoosh latency includes snippets with <mark> highlighting, a spelling check and 4 facets over all matches.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", type=int, default=25_000, help="synthetic repositories (default 25000)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="councilcode-bench-"))
    judged = [j.query for j in load_judgements()]
    results = []
    try:
        synthetic = synthetic_repositories(args.repos)
        results.append(("synthetic", measure("synthetic", synthetic, judged + CATALOGUE_QUERIES, work / "synthetic")))
        if corpus_available():
            results.append(("real corpus", measure("real corpus", load_corpus_repositories(), judged, work / "corpus")))
        else:
            print("\n(the real corpus is not there: skipped)")
        print_table(results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nPython {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
