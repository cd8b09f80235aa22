"""councilcode's GraphQL and REST crawls against a plain PyGithub script, on one emulator with the same latency.

    python benchmarks/crawl.py [--repos 2000] [--orgs 20] [--latency 0.03] [--concurrency 10] [--pushes 25]

Every client runs in its own process against one emulated GitHub (in this process) that adds
`--latency` seconds to every request. Three crawls each: a first crawl, a recrawl with nothing
changed, and a recrawl after `--pushes` repositories got a new README. Printed side by side: wall
time, HTTP requests, rate-limit cost (GraphQL points; REST requests GitHub charges) per repository,
and how much faster than the PyGithub script each crawl is.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.github_emulator import GitHubEmulator, add_synthetic_repos  # noqa: E402
from tests.helpers import config_text  # noqa: E402

CLIENTS = ("graphql", "rest", "pygithub")
RUNS = ("first crawl", "nothing changed", "after pushes")


@dataclass
class Measure:
    seconds: float
    requests: int  # HTTP requests, whatever they cost
    charged: int  # what the rate limit was charged: GraphQL points plus charged REST requests
    max_in_flight: int


def measure(server: GitHubEmulator, command: list[str]) -> Measure:
    server.reset_stats()
    server.graphql.reset_stats()
    env = {**os.environ, "GITHUB_TOKEN": "benchmark-token", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    stats, graphql = server.stats, server.graphql.stats
    # A GraphQL query is charged its points, not one request, in GraphQL's own budget.
    rest_charged = stats.charged_requests - graphql.queries
    return Measure(seconds, stats.total_requests, rest_charged + graphql.points, stats.max_in_flight)


def push(server: GitHubEmulator, handles: list[str], count: int, round_: int) -> None:
    """`count` repositories, spread over the handles, get a new README (a push)."""
    for i in range(count):
        handle = handles[i % len(handles)]
        repo = server._repos_of(handle.lower())[i // len(handles)]
        server.update_repo(handle, repo.name, readme=f"# Pushed in round {round_}, change {i}\n".encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=2000)
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--pushes", type=int, default=25)
    args = parser.parse_args()

    handles = [f"BenchCouncil{i:02}" for i in range(args.orgs)]
    results: dict[tuple[str, str], Measure] = {}
    with (
        GitHubEmulator(latency=args.latency, rate_limit=10**9) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        server.graphql.points_per_minute = 10**9  # measure the crawl, not the secondary limit
        for i, handle in enumerate(handles):
            server.add_account(handle)
            add_synthetic_repos(server, handle, args.repos // args.orgs, seed=i)
        repos = args.repos // args.orgs * args.orgs
        config = Path(tmp) / "orgs.yaml"
        config.write_text(config_text({f"Council {h}": [h] for h in handles}), encoding="utf-8")

        def ours(api: str) -> list[str]:
            return [
                *(sys.executable, "-m", "councilcode", "crawl", "--api", api, "--config", str(config)),
                *("--data-dir", str(Path(tmp) / api), "--api-url", server.url),
                *("--concurrency", str(args.concurrency), "--no-index"),  # the crawl alone, as PyGithub does
            ]

        commands = {
            "graphql": ours("graphql"),
            "rest": ours("rest"),
            "pygithub": [sys.executable, str(ROOT / "benchmarks" / "naive_pygithub.py"), "--api-url", server.url]
            + handles,
        }
        print(f"{repos} repositories in {args.orgs} organisations, {args.latency * 1000:.0f} ms per request")
        for n, run in enumerate(RUNS):
            if run == "after pushes":
                push(server, handles, args.pushes, n)
            for client in CLIENTS:
                results[client, run] = measure(server, commands[client])
                print(f"{run:>16} {client:>8}: {results[client, run]}", flush=True)

    print()
    print(f"{'':42}" + "".join(f"{c:>12}" for c in CLIENTS))
    for run in RUNS:
        base = results["pygithub", run].seconds
        rows = [
            (f"{run}: wall time (s)", [f"{results[c, run].seconds:.1f}" for c in CLIENTS]),
            (f"{run}: faster than PyGithub", [f"{base / results[c, run].seconds:.1f}x" for c in CLIENTS]),
            (f"{run}: HTTP requests", [str(results[c, run].requests) for c in CLIENTS]),
            (f"{run}: points/charged requests", [str(results[c, run].charged) for c in CLIENTS]),
            (f"{run}: per repository", [f"{results[c, run].charged / repos:.4f}" for c in CLIENTS]),
        ]
        for label, values in rows:
            print(f"{label:42}" + "".join(f"{v:>12}" for v in values))


if __name__ == "__main__":
    main()
