"""Before a crawl spends its rate limit: what it will need, what is left, and how long it will take.

An estimate is made from the catalogue (what each handle held at its last crawl, and how much of it changed
then) and the handles the config names; it is compared with the budget GitHub reports (GET /rate_limit, which
is free) and said before anything is spent. The run keeps it, so `councilcode status` can set it beside what
the run really spent and how long it took.

The REST crawl counts requests against the `core` limit; a crawl that spends GraphQL points (the `graphql`
limit) makes its own `Estimate` with unit "points" and resource "graphql", and the rest works unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from councilcode.catalogue import HandleFootprint
from councilcode.crawler.github import RateLimit
from councilcode.crawler.licence import needs_licence_file

PAGE_SIZE = 100  # repositories a listing page holds (the crawl asks for per_page=100)
RATE_WINDOW = 3600.0  # GitHub's primary rate limit refills once an hour
# A handle never crawled has no count of its own: until some handle has been crawled, assume this many
# repositories, and this share of them with a licence GitHub cannot name (so the file is fetched too).
# Both are guesses, said as such in the message; the catalogue's own averages replace them after a crawl.
GUESS_REPOSITORIES = 20
GUESS_LICENCE_FILE_SHARE = 0.1
TOKEN_LIMIT = 5000  # requests an hour GitHub gives a personal access token


@dataclass(frozen=True)
class Estimate:
    """What a crawl is expected to spend, in the unit its rate limit counts."""

    unit: str  # "requests" (REST) or "points" (GraphQL)
    resource: str  # the /rate_limit resource it is spent from: "core" or "graphql"
    expected: int
    upper: int  # if every stored repository had changed since the last crawl
    handles: int
    new_handles: int = 0
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """An estimate against the budget left: whether it fits, and how long the crawl should take."""

    estimate: Estimate
    budget: RateLimit | None  # None: the API has no rate limit (GitHub Enterprise with limits off)
    authenticated: bool
    seconds: float  # expected duration, waits for the rate limit included
    wait_seconds: float = 0.0  # the part of `seconds` spent waiting for the rate limit
    max_wait: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return self.budget is None or self.estimate.expected <= self.budget.remaining

    def record(self) -> dict[str, object]:
        """The columns of crawl_runs that keep this plan with its run."""
        return {
            "estimate_unit": self.estimate.unit,
            "estimate_expected": self.estimate.expected,
            "estimate_upper": self.estimate.upper,
            "estimate_seconds": round(self.seconds, 1),
            "rate_limit_before": None if self.budget is None else self.budget.remaining,
        }

    def message(self) -> str:
        """What to tell the person starting the crawl, in a few sentences."""
        e = self.estimate
        new = f", {e.new_handles} of them new" if e.new_handles else ""
        text = [
            f"Estimate: about {e.expected:,} {e.unit} for {e.handles} handles{new} "
            f"(up to {e.upper:,} if every stored repository changed)"
            + (f"; {'; '.join(e.assumptions)}" if e.assumptions else "")
            + "."
        ]
        if self.budget is None:
            text.append(
                f"{'; '.join(self.notes) or 'The API sets no rate limit'}. About {duration_text(self.seconds)}."
            )
            return " ".join(text)
        b = self.budget
        reset = datetime.fromtimestamp(b.reset, UTC).strftime("%H:%M UTC")
        text.append(f"GitHub allows {b.remaining:,} of {b.limit:,} more until {reset}.")
        if self.fits:
            text.append(f"About {duration_text(self.seconds)}.")
        else:
            text.append(
                f"That is not enough: about {duration_text(self.seconds)}, "
                f"{duration_text(self.wait_seconds)} of it waiting for the rate limit."
            )
        if not self.authenticated:
            text.append(
                f"Without a token GitHub allows {b.limit} {e.unit} an hour: set GITHUB_TOKEN to a personal access "
                f"token (export GITHUB_TOKEN=...; {TOKEN_LIMIT:,} an hour) or use a GitHub App"
                + ("." if self.fits else ", and run again.")
            )
        if self.fits:
            return " ".join(text)
        if self.max_wait is not None and self.wait_seconds > self.max_wait:
            text.append(
                f"Crawling what fits now: --max-wait {self.max_wait:g}s stops the crawl when the budget runs out."
            )
        else:
            text.append("Crawling what fits now, then waiting for the rate limit (--max-wait stops it instead).")
        return " ".join(text)


def estimate_rest(footprints: Mapping[str, HandleFootprint], handles: Iterable[str]) -> Estimate:
    """The REST requests a crawl of `handles` is expected to be charged, from the catalogue's footprints.

    A handle crawled before answers 304 (free) to its account lookup and, when nothing in it changed, to
    its listing pages; each repository that changed costs its README (and its licence file where GitHub
    cannot name the licence). How many change is taken to be as many as at the handle's last crawl. A
    new handle costs its account lookup, its listing pages and every repository's README; one that was
    tried before and never stored is expected to fail at its two look-ups again.
    """
    handles = list(handles)
    known = [f for f in footprints.values() if f.crawled]
    stored = sum(f.repositories for f in known)
    if known:
        per_handle = round(stored / len(known))
        file_share = sum(needs_licence_file(lic) for f in known for lic in f.licences) / stored if stored else 0.0
        assumptions: list[str] = []
    else:
        per_handle, file_share = GUESS_REPOSITORIES, GUESS_LICENCE_FILE_SHARE
        assumptions = [f"new handles counted at {per_handle} repositories each, a guess until one is crawled"]
    expected = upper = new = 0
    for handle in handles:
        f = footprints.get(handle.lower())
        if f is None or not f.crawled:
            new += 1
            pages = max(1, math.ceil(per_handle / PAGE_SIZE))
            cost = 1 + pages + per_handle + round(per_handle * file_share)
            # One that failed every time before most likely fails again at its look-ups (/orgs, then /users).
            expected += 2 if f is not None and f.failed_before else cost
            # An account that is not an organisation costs one more look-up (/orgs 404, then /users).
            upper += cost + (0 if f is not None and f.account_type else 1)
            continue
        pages = max(1, math.ceil(f.repositories / PAGE_SIZE))
        files = sum(needs_licence_file(lic) for lic in f.licences)
        changed = f.changed_last_time
        expected += (pages if changed else 0) + changed + round(changed * files / max(1, f.repositories))
        upper += 1 + pages + f.repositories + files
    if new and known:
        assumptions.append(f"new handles counted at {per_handle} repositories each, the mean of those crawled")
    return Estimate("requests", "core", expected, upper, len(handles), new, tuple(assumptions))


def estimate_graphql(
    footprints: Mapping[str, HandleFootprint], handles: Iterable[str], *, handles_per_query: int
) -> Estimate:
    """The GraphQL points a crawl of `handles` is expected to spend (crawler/graphql.py's way of crawling).

    A query costs a point for each 100 nodes it asks for, one at least: a probe query for each group of
    `handles_per_query` handles; the listing pages (100 repositories each) of a handle that is new or
    changed at its last crawl; and the README and licence text of the repositories that change, 100 to a
    `nodes(ids:)` query. What GraphQL cannot give (binary or very large files) goes to REST, not counted here.
    """
    handles = list(handles)
    known = [f for f in footprints.values() if f.crawled]
    stored = sum(f.repositories for f in known)
    per_handle = round(stored / len(known)) if known else GUESS_REPOSITORIES
    groups = math.ceil(len(handles) / max(1, handles_per_query))
    expected = upper = groups
    changed_total = upper_total = new = 0
    for handle in handles:
        f = footprints.get(handle.lower())
        if f is None or not f.crawled:
            new += 1
            count = 0 if f is not None and f.failed_before else per_handle
            expected += max(1, math.ceil(count / PAGE_SIZE))
            upper += max(1, math.ceil(per_handle / PAGE_SIZE))
            changed_total += count
            upper_total += per_handle
            continue
        pages = max(1, math.ceil(f.repositories / PAGE_SIZE))
        expected += pages if f.changed_last_time else 0
        upper += pages
        changed_total += f.changed_last_time
        upper_total += f.repositories
    expected += math.ceil(changed_total / PAGE_SIZE)
    upper += math.ceil(upper_total / PAGE_SIZE)
    assumptions = ["files GraphQL cannot give are fetched the REST way, not counted here"]
    if new:
        source = "the mean of those crawled" if known else "a guess until one is crawled"
        assumptions.insert(0, f"new handles counted at {per_handle} repositories each, {source}")
    return Estimate("points", "graphql", expected, upper, len(handles), new, tuple(assumptions))


def plan(
    estimate: Estimate,
    budget: RateLimit | None,
    *,
    authenticated: bool,
    concurrency: int,
    seconds_per_request: float,
    now: float,
    max_wait: float | None = None,
) -> Plan:
    """Set `estimate` against the budget left: the duration is the requests at the measured pace, `concurrency`
    at a time, plus the waits for the rate limit to refill when the budget falls short."""
    work = math.ceil(estimate.expected / max(1, concurrency)) * max(0.0, seconds_per_request)
    wait = 0.0
    if budget is not None and estimate.expected > budget.remaining:
        short = estimate.expected - budget.remaining
        windows = math.ceil(short / budget.limit) if budget.limit > 0 else 1
        wait = max(0.0, budget.reset - now) + (windows - 1) * RATE_WINDOW
    return Plan(estimate, budget, authenticated, work + wait, wait, max_wait)


def duration_text(seconds: float) -> str:
    """A duration as a person says it: seconds, minutes or hours."""
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"
