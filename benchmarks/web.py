"""Load test of `councilcode serve`: search pages and /api/search under concurrent clients.

    python benchmarks/web.py [--repos 25000] [--clients 16] [--requests 3000] [--duration 60]
                             [--workers 2] [--data-dir DIR] [--during-change]

Builds a synthetic catalogue and index (or reuses those in --data-dir), starts `councilcode serve`
with uvicorn in a subprocess on 127.0.0.1, then runs --clients concurrent httpx clients, each
sending requests in turn, until --requests have been sent or --duration seconds have passed.
Prints p50/p95/p99 per kind of request and any errors, and exits 1 if the search page's p95 is
over the target (150 ms with 16 clients on 25,000 repositories).

--during-change measures the viewer while the data under it changes: the same stream of requests
first for --duration seconds with nothing else running (idle), then while `councilcode index --rebuild`
and after it an incremental `councilcode crawl` (of new handles served by the GitHub API emulator,
which ends in an incremental index) run on the same data dir. Both p95s are printed side by side;
it exits 1 if any request failed or the p95 during the change is more than twice the idle one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402

from councilcode.catalogue import Catalogue, HandleResult  # noqa: E402
from councilcode.records import Council, Repository  # noqa: E402
from councilcode.settings import DataDir  # noqa: E402

TARGET_P95_MS = 150.0
CHANGE_P95_RATIO = 2.0  # p95 while the index changes, against idle
CHANGE_TIMEOUT = 1800.0  # seconds the rebuild and crawl may take before the benchmark gives up


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TOPICS = _words(
    "waste recycling planning parking gritting roads housing repairs library schools maps gis open-data "
    "api frontend design-system drupal wordpress forms payments council-tax benefits social-care "
    "transport bins street-lighting potholes elections democracy committees licensing food-hygiene trees "
    "parks allotments noise air-quality flooding highways buses cycling admissions children public-health "
    "dashboard analytics chatbot accessibility umbraco dotnet azure aws terraform power-bi sharepoint "
    "dynamics"
)
WORDS = _words(
    "service council resident data report application system website portal booking request collection "
    "missed bin garden permit street light fault pothole road winter salt route vehicle depot tracking "
    "map layer boundary ward parish school place admission appeal transport route timetable stop library "
    "book loan catalogue event room hire payment invoice debt recovery benefit claim housing tenant "
    "repair job contractor asset inspection tree survey park play area allotment plot waiting list "
    "cemetery burial licence taxi premises alcohol food hygiene rating inspection noise complaint "
    "nuisance pollution air monitor sensor flood risk gully drain grant funding budget spend transparency "
    "contract procurement supplier election poll candidate ballot result committee meeting agenda minutes "
    "decision councillor member ward consultation survey feedback accessibility design pattern component "
    "template frontend backend api integration import export pipeline warehouse dashboard metric chart "
    "geospatial address gazetteer postcode lookup search index cache queue worker scheduler notification "
    "email sms letter"
)
LANGUAGES = ("C#", "JavaScript", "TypeScript", "Python", "PHP", "Ruby", "Java", "Go", "HTML", "CSS", "R", "Shell")
LICENCES = (
    ("MIT", 40),
    (None, 28),
    ("OGL-UK-3.0", 8),
    ("GPL-3.0", 6),
    ("Apache-2.0", 6),
    ("GPL-2.0", 4),
    ("BSD-3-Clause", 3),
    ("AGPL-3.0", 3),
    ("OGL-UK-2.0", 2),
)
COUNCIL_KINDS = ("County Council", "District Council", "Borough Council", "City Council", "Council")
PLACES = _words(
    "Ashford Barnet Bexley Bolton Bradford Brent Bristol Bury Calder Camden Carlisle Cheshire Chester "
    "Cornwall Coventry Croydon Derby Devon Dorset Dudley Durham Ealing Enfield Essex Exeter Gateshead "
    "Halton Harrow Havering Hertford Hull Kent Kirklees Lambeth Leeds Leicester Lewisham Lincoln "
    "Liverpool Luton Medway Merton Newham Norfolk Norwich Oldham Oxford Plymouth Poole Preston Reading "
    "Redbridge Rochdale Rutland Salford Sandwell Sefton Sheffield Slough Solihull Somerset Stockport "
    "Suffolk Sunderland Surrey Sutton Swindon Thurrock Torbay Trafford Wakefield Walsall Warrington "
    "Westminster Wigan Wiltshire Wirral York"
)


# -- the synthetic catalogue -------------------------------------------------------------------


# Searches people make of a council code catalogue.
SEARCHES = (
    "parking permits", "council tax", "library", "payroll", "planning applications", "bin collection",
    "missed bin", "web map", "gritting routes", "open data", "school admissions", "taxi licensing",
    "allotments", "electoral register", "api", "docker", "room booking", "pension fund", "foi requests",
    "blue badge", "leisure centre", "design system", "drupal", "wordpress theme", "waste", "potholes",
    "transparency spending", "food hygiene", "street lighting", "housing repairs", "social care",
    "bus timetable", "flood risk", "noise complaints", "tree survey", "committee minutes", "chatbot",
    "accessibility", "postcode lookup", "gis layers",
)  # fmt: skip

GENERIC = _words(
    "data council service application system website project code api user report information public "
    "support install build test run file page form value list update version release local government"
)
_SYLLABLES = _words("ba be bo da de do ka ke ko la le lo ma me mo na ne no ra re ro sa se so ta te to va ve vo")


@dataclass(frozen=True)
class Vocabulary:
    """Words ranked by frequency with Zipf weights, as in real prose: a few words are everywhere,
    council services sit in the middle, and a long tail of rare words follows."""

    words: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def build(cls, rng: random.Random, size: int = 6_000, exponent: float = 1.07) -> Vocabulary:
        services = list(WORDS)
        rng.shuffle(services)
        tail: list[str] = []
        seen = set(GENERIC) | set(services)
        while len(GENERIC) + len(services) + len(tail) < size:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                tail.append(word)
        words = (*GENERIC, *services, *tail)
        total, cumulative = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1 / rank**exponent
            cumulative.append(total)
        return cls(words, tuple(cumulative))

    def sentence(self, rng: random.Random, length: int) -> str:
        chosen = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        return " ".join(chosen).capitalize() + "."


def synthetic_catalogue(count: int, seed: int = 2024) -> tuple[list[Council], dict[str, list[Repository]]]:
    """`count` repositories by handle, and their councils: the indexer's generator when it is there
    (tests/relevance/synthetic.py, so both benchmarks measure the same data), else our own."""
    try:
        from tests.relevance.synthetic import synthetic_repositories
    except ImportError:
        return own_synthetic_catalogue(count, seed)
    councils: dict[str, str] = {}  # handle -> council; a handle belongs to one council only
    repositories: dict[str, list[Repository]] = {}
    for repo in synthetic_repositories(count):
        council = councils.setdefault(repo.owner, repo.council)
        repositories.setdefault(repo.owner, []).append(replace(repo, council=council))
    by_council: dict[str, list[str]] = {}
    for handle, council in councils.items():
        by_council.setdefault(council, []).append(handle)
    return [Council(name, tuple(handles), "district", "England", None) for name, handles in by_council.items()], (
        repositories
    )


def own_synthetic_catalogue(count: int, seed: int = 2024) -> tuple[list[Council], dict[str, list[Repository]]]:
    """`count` repositories spread over councils of varied size, the same every time for a seed."""
    rng = random.Random(seed)
    vocabulary = Vocabulary.build(rng)
    council_count = max(1, count // 60)
    councils: list[Council] = []
    for i in range(council_count):
        place = PLACES[i % len(PLACES)]
        name = f"{place} {COUNCIL_KINDS[i % len(COUNCIL_KINDS)]}" + (
            f" {i // len(PLACES) + 1}" if i >= len(PLACES) else ""
        )
        councils.append(Council(name, (f"{place.lower()}-council-{i}",), "district", "England", None))
    licence_values = [value for value, _ in LICENCES]
    licence_weights = [weight for _, weight in LICENCES]
    start = datetime(2012, 1, 1, tzinfo=UTC)
    repositories: dict[str, list[Repository]] = {c.github[0]: [] for c in councils}
    for number in range(1, count + 1):
        # Some councils publish far more than others (roughly Zipf).
        council = councils[
            min(int(rng.paretovariate(1.2)) - 1, council_count - 1)
            if rng.random() < 0.5
            else rng.randrange(council_count)
        ]
        handle = council.github[0]
        topics = rng.sample(TOPICS, rng.randint(0, 4))
        name = "-".join(rng.sample(WORDS, rng.randint(1, 3))) + f"-{number}"
        pushed = start + timedelta(seconds=rng.randrange(0, 14 * 365 * 86400))
        paragraphs = [vocabulary.sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 6))]
        readme = f"# {name}\n\n" + "\n\n".join(paragraphs) + "\n\n## Installation\n\n```\nnpm install\n```\n"
        repositories[handle].append(
            Repository(
                id=number,
                full_name=f"{handle}/{name}",
                owner=handle,
                name=name,
                council=council.name,
                description=vocabulary.sentence(rng, rng.randint(4, 12)),
                html_url=f"https://github.com/{handle}/{name}",
                language=rng.choice(LANGUAGES),
                topics=topics,
                stars=int(rng.paretovariate(1.5)) - 1,
                archived=rng.random() < 0.1,
                fork=rng.random() < 0.15,
                default_branch="main",
                created_at=(pushed - timedelta(days=rng.randint(0, 2000))).strftime("%Y-%m-%dT%H:%M:%SZ"),
                pushed_at=pushed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                updated_at=pushed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                readme=readme,
                readme_path="README.md",
                license=rng.choices(licence_values, licence_weights)[0],
            )
        )
    return councils, repositories


def build_data(data_dir: DataDir, count: int) -> None:
    """Catalogue and index of `count` synthetic repositories, unless data_dir already holds them."""
    from councilcode.indexer.build import update_index

    if data_dir.catalogue.exists():
        with Catalogue(data_dir.catalogue, readonly=True) as catalogue:
            existing = catalogue.count_repositories()
        if existing == count:
            started = time.perf_counter()
            update_index(data_dir.catalogue, data_dir.index)  # rebuilds if the index schema changed since
            print(
                f"reusing {existing:,} repositories in {data_dir.root} (index checked in "
                f"{time.perf_counter() - started:.1f} s)"
            )
            return
        raise SystemExit(f"{data_dir.root} holds {existing:,} repositories, not {count:,}: use another --data-dir")
    started = time.perf_counter()
    councils, repositories = synthetic_catalogue(count)
    data_dir.ensure()
    with Catalogue(data_dir.catalogue) as catalogue:
        catalogue.sync_councils(councils)
        run_id = catalogue.start_run()
        by_handle = {handle: c.name for c in councils for handle in c.github}
        for handle, repos in repositories.items():
            catalogue.store_handle(HandleResult(handle, by_handle[handle], "Organization", repos), run_id)
        catalogue.finish_run(run_id, status="ok", handles_total=len(councils))
    print(f"catalogue: {count:,} repositories, {len(councils):,} councils in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    update_index(data_dir.catalogue, data_dir.index, rebuild=True)
    print(f"index built in {time.perf_counter() - started:.1f} s")


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: DataDir, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-c",
        "from councilcode.cli.serve import serve_command; serve_command()",
        "--data-dir",
        str(data_dir.root),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit("serve exited before it was ready")
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("serve did not become ready within 60 s")


# -- the load ----------------------------------------------------------------------------------


def request_mix(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, path) pairs: mostly search pages with varied words, filters, sorts and pages; some API."""
    rng = random.Random(seed)
    paths: list[tuple[str, str]] = []
    for _ in range(count):
        params: dict[str, str] = {}
        roll = rng.random()
        if roll < 0.45:
            params["q"] = rng.choice(SEARCHES)
        elif roll < 0.65:
            # Council services, in one to three words.
            params["q"] = " ".join(rng.sample(WORDS + TOPICS, rng.choice((1, 1, 2, 2, 3))))
        elif roll < 0.75:
            params["q"] = " ".join(rng.sample(GENERIC, rng.choice((1, 2))))  # broad words that match thousands
        elif roll < 0.85:
            params["q"] = rng.choice(WORDS)[:-1] + "x"  # a misspelling, for "did you mean"
        if rng.random() < 0.25:
            params["license"] = rng.choice(("MIT", "OGL-UK-3.0", "GPL-3.0"))
        if rng.random() < 0.15:
            params["language"] = rng.choice(LANGUAGES)
        if rng.random() < 0.15:
            params["sort"] = rng.choice(("pushed", "stars", "name"))
        if rng.random() < 0.15:
            params["page"] = str(rng.randint(2, 5))
        kind = "api" if rng.random() < 0.25 else "search"
        path = ("/api/search" if kind == "api" else "/search") + ("?" + urlencode(params) if params else "")
        paths.append((kind, path))
    return paths


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)


async def run_load(
    base: str,
    mix: list[tuple[str, str]],
    clients: int,
    duration: float,
    until: Callable[[], bool] | None = None,
) -> tuple[Results, float]:
    """Send `mix` from `clients` concurrent clients for at most `duration` seconds. With `until`, the
    mix is sent again and again until `until()` is true (or the duration is up) instead of once."""
    results = Results()
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in mix:
        queue.put_nowait(item)
    deadline = time.perf_counter() + duration

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while time.perf_counter() < deadline and not (until is not None and until()):
                try:
                    kind, path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    if until is None:
                        return
                    for item in mix:
                        queue.put_nowait(item)
                    continue
                started = time.perf_counter()
                try:
                    response = await http.get(path)
                    ok = response.status_code == 200
                    problem = f"{response.status_code} {path}"
                except httpx.HTTPError as exc:
                    ok, problem = False, f"{type(exc).__name__} {path}"
                elapsed = (time.perf_counter() - started) * 1000
                results.latencies.setdefault(kind, []).append(elapsed)
                if not ok:
                    results.errors[kind] = results.errors.get(kind, 0) + 1
                    if len(results.error_examples) < 5:
                        results.error_examples.append(problem)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return results, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(results: Results, elapsed: float) -> float:
    """Print the table; return the search page's p95 in milliseconds."""
    print(f"\n{'kind':<8} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for kind in sorted(results.latencies):
        values = results.latencies[kind]
        print(
            f"{kind:<8} {len(values):>9,} {results.errors.get(kind, 0):>7} {percentile(values, 0.50):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f} {statistics.fmean(values):>8.1f}"
        )
    total = sum(len(v) for v in results.latencies.values())
    print(f"\n{total:,} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s")
    for example in results.error_examples:
        print(f"error: {example}")
    return percentile(results.latencies.get("search", []), 0.95)


@contextmanager
def serving(args: argparse.Namespace) -> Iterator[tuple[DataDir, str]]:
    """The data built (or reused), `serve` started on it and warmed up: (data dir, base URL)."""
    with tempfile.TemporaryDirectory(prefix="councilcode-bench-") as scratch:
        data_dir = DataDir(args.data_dir or Path(scratch) / "data")
        build_data(data_dir, args.repos)
        port = free_port()
        server = start_server(data_dir, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            # Load the index, the searcher's term statistics and the templates before measuring, as a
            # server that has been up for a while has (other queries than the measured ones).
            asyncio.run(run_load(base, request_mix(args.warmup, seed=1), args.clients, 120))
            print(f"\n{args.clients} clients, {args.workers} worker(s), {args.repos:,} repositories")
            yield data_dir, base
        finally:
            server.terminate()
            server.wait(timeout=15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=25_000, help="synthetic repositories (default 25000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=3_000, help="requests to send in all (default 3000)")
    parser.add_argument("--duration", type=float, default=60.0, help="stop after this many seconds (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="`serve --workers`: one per core here (default 2)")
    parser.add_argument("--warmup", type=int, default=300, help="requests sent before measuring (default 300)")
    parser.add_argument("--data-dir", type=Path, default=None, help="build here and keep (default: a temporary dir)")
    parser.add_argument(
        "--during-change",
        action="store_true",
        help="measure idle, then while `index --rebuild` and an incremental crawl+index run on the data dir",
    )
    parser.add_argument("--new-repos", type=int, default=600, help="repositories the incremental crawl adds (600)")
    parser.add_argument(
        "--writer-nice",
        type=int,
        default=10,
        help="niceness of the rebuild and crawl, as deploy/systemd sets it (default 10; 0 for none)",
    )
    args = parser.parse_args(argv)
    if args.during_change:
        return main_during_change(args)

    with serving(args) as (_data_dir, base):
        results, elapsed = asyncio.run(run_load(base, request_mix(args.requests), args.clients, args.duration))
    p95 = report(results, elapsed)
    met = p95 <= TARGET_P95_MS
    print(f"\nsearch page p95 {p95:.1f} ms: target {TARGET_P95_MS:.0f} ms {'met' if met else 'MISSED'}")
    return 0 if met and not results.errors else 1


# -- serving while the data changes ------------------------------------------------------------

NEW_HANDLES = 3  # the incremental crawl adds this many council handles, --new-repos between them


@dataclass
class Change:
    """The writers run in a thread beside the load: what they took and how each step ended."""

    steps: list[tuple[str, float, int]] = field(default_factory=list)  # (step, seconds, exit code)
    done: threading.Event = field(default_factory=threading.Event)
    problems: list[str] = field(default_factory=list)


def run_change(data_dir: DataDir, new_repos: int, change: Change, nice: int = 0) -> None:
    """`councilcode index --rebuild`, then an incremental crawl (which indexes incrementally at its end)
    of NEW_HANDLES handles served by the emulator, on `data_dir`; sets `change.done` at the end."""
    from tests.github_emulator import GitHubEmulator, add_synthetic_repos
    from tests.helpers import config_text

    try:
        with Catalogue(data_dir.catalogue, readonly=True) as catalogue:
            councils = {c.name: list(c.github) for c in catalogue.councils()}
        handles = [f"ChangeCouncil{i}" for i in range(NEW_HANDLES)]
        with GitHubEmulator(rate_limit=10**9) as emulator, tempfile.TemporaryDirectory() as scratch:
            for i, handle in enumerate(handles):
                emulator.add_account(handle)
                add_synthetic_repos(emulator, handle, new_repos // NEW_HANDLES, seed=i)
            config = Path(scratch) / "orgs.yaml"
            # Every council already crawled stays in the config, or the crawl would remove it.
            config.write_text(config_text(councils | {f"Council {h}": [h] for h in handles}), encoding="utf-8")
            base = [sys.executable, "-m", "councilcode"]
            steps = [
                ("index --rebuild", [*base, "index", "--rebuild", "--data-dir", str(data_dir.root)]),
                (
                    f"crawl +{new_repos} repositories, then incremental index",
                    [
                        *base,
                        "crawl",
                        "--config",
                        str(config),
                        "--data-dir",
                        str(data_dir.root),
                        "--api-url",
                        emulator.url,
                        *(part for handle in handles for part in ("--org", handle)),
                    ],
                ),
            ]
            env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "GITHUB_TOKEN": "benchmark"}
            for label, command in steps:
                if nice:  # as deploy/systemd runs the crawl: below the viewer in CPU priority
                    command = ["nice", "-n", str(nice), *command]
                started = time.perf_counter()
                done = subprocess.run(
                    command,
                    cwd=REPO_ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=CHANGE_TIMEOUT,
                )
                change.steps.append((label, time.perf_counter() - started, done.returncode))
                if done.returncode != 0:
                    change.problems.append(f"{label} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    except Exception as exc:  # noqa: BLE001 - reported with the figures, not lost in a thread
        change.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        change.done.set()


def p95_all(results: Results) -> float:
    return percentile([v for values in results.latencies.values() for v in values], 0.95)


def main_during_change(args: argparse.Namespace) -> int:
    with serving(args) as (data_dir, base):
        mix = request_mix(args.requests)
        # The same stream of requests, sent again and again, in both phases: idle for --duration seconds,
        # then until the writers finish. Only the writers differ (their commits also empty the caches).
        idle, idle_elapsed = asyncio.run(run_load(base, mix, args.clients, args.duration, until=lambda: False))
        change = Change()
        writer = threading.Thread(
            target=run_change, args=(data_dir, args.new_repos, change, args.writer_nice), daemon=True
        )
        writer.start()
        during, during_elapsed = asyncio.run(
            run_load(base, mix, args.clients, CHANGE_TIMEOUT, until=change.done.is_set)
        )
        writer.join(timeout=60)
    for label, seconds, code in change.steps:
        print(f"{label}: {seconds:.1f} s, exit {code}")
    print("\nidle:")
    report(idle, idle_elapsed)
    print("\nwhile the index is rebuilt and a crawl adds and indexes repositories:")
    report(during, during_elapsed)
    print(f"\n{'':<10} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for label, results in (("idle", idle), ("during", during)):
        values = [v for kind in results.latencies.values() for v in kind]
        print(
            f"{label:<10} {len(values):>9,} {sum(results.errors.values()):>7} "
            f"{percentile(values, 0.5):>8.1f} {p95_all(results):>8.1f}"
        )
    ratio = p95_all(during) / p95_all(idle)
    errors = sum(idle.errors.values()) + sum(during.errors.values())
    met = ratio <= CHANGE_P95_RATIO and not errors and not change.problems and len(change.steps) == 2
    for problem in change.problems:
        print(f"problem: {problem}")
    print(
        f"\np95 during the change is {ratio:.2f} times idle (target at most {CHANGE_P95_RATIO:g}), "
        f"{errors} errors: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
