"""councilcode's crawler against a plain PyGithub script, on the same emulator with the same latency.

    python benchmarks/crawl.py [--repos 3000] [--orgs 20] [--latency 0.03] [--concurrency 10]

Both clients run in their own process against one emulated GitHub (in this process) that adds
`--latency` seconds to every request. Printed side by side: wall time and the ratio, charged requests
per repository, the most requests in flight, and what a recrawl with nothing changed costs.
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


@dataclass
class Measure:
    seconds: float
    charged: int
    max_in_flight: int


def measure(server: GitHubEmulator, command: list[str]) -> Measure:
    server.reset_stats()
    env = {**os.environ, "GITHUB_TOKEN": "benchmark-token", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return Measure(seconds, server.stats.charged_requests, server.stats.max_in_flight)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=3000)
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()

    handles = [f"BenchCouncil{i:02}" for i in range(args.orgs)]
    with GitHubEmulator(latency=args.latency, rate_limit=10**9) as server, tempfile.TemporaryDirectory() as tmp:
        for i, handle in enumerate(handles):
            server.add_account(handle)
            add_synthetic_repos(server, handle, args.repos // args.orgs, seed=i)
        repos = args.repos // args.orgs * args.orgs
        config = Path(tmp) / "orgs.yaml"
        config.write_text(config_text({f"Council {h}": [h] for h in handles}), encoding="utf-8")
        ours = [
            sys.executable,
            "-m",
            "councilcode",
            "crawl",
            "--config",
            str(config),
            "--data-dir",
            tmp,
            "--api-url",
            server.url,
            "--concurrency",
            str(args.concurrency),
            "--no-index",  # the crawl alone, as the PyGithub script does no indexing
        ]
        naive = [sys.executable, str(ROOT / "benchmarks" / "naive_pygithub.py"), "--api-url", server.url, *handles]

        print(f"{repos} repositories in {args.orgs} organisations, {args.latency * 1000:.0f} ms per request")
        first = measure(server, ours)
        print(f"councilcode: {first}", flush=True)
        again = measure(server, ours)
        baseline = measure(server, naive)
        print(f"PyGithub: {baseline}", flush=True)
        baseline_again = measure(server, naive)

    rows = [
        (
            "wall time, first crawl (s)",
            f"{first.seconds:.1f}",
            f"{baseline.seconds:.1f}",
            f"{baseline.seconds / first.seconds:.1f}x faster",
        ),
        ("charged requests per repository", f"{first.charged / repos:.3f}", f"{baseline.charged / repos:.3f}", ""),
        ("most requests in flight", str(first.max_in_flight), str(baseline.max_in_flight), ""),
        ("recrawl, nothing changed: charged requests", str(again.charged), str(baseline_again.charged), ""),
        (
            "recrawl, nothing changed: wall time (s)",
            f"{again.seconds:.1f}",
            f"{baseline_again.seconds:.1f}",
            f"{baseline_again.seconds / again.seconds:.1f}x faster",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'councilcode':>12}  {'PyGithub':>10}")
    for label, a, b, note in rows:
        print(f"{label:{width}}  {a:>12}  {b:>10}  {note}")


if __name__ == "__main__":
    main()
