"""The jobs the CLI (and the scheduler) run: a crawl, wired from settings to the crawler and catalogue."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from councilcode.catalogue import Catalogue
from councilcode.cli.stopper import Stopper
from councilcode.config import load_councils
from councilcode.crawler import auth
from councilcode.crawler.auth import AppCredentials, TokenSource
from councilcode.crawler.crawl import Crawler, CrawlError, CrawlSummary, Progress
from councilcode.crawler.github import GitHubClient, RetryPolicy
from councilcode.crawler.graphql import GraphQLCrawler, graphql_client
from councilcode.errors import CouncilcodeError
from councilcode.lock import crawl_lock
from councilcode.records import Council
from councilcode.settings import DEFAULT_API_URL, DataDir

if TYPE_CHECKING:
    from councilcode.indexer import IndexReport

log = logging.getLogger("councilcode")

REST_WITHOUT_TOKEN = "crawling with the REST API: GitHub's GraphQL API (the default) needs a token or a GitHub App"
GRAPHQL_NEEDS_TOKEN = (
    "GitHub's GraphQL API needs authentication: set GITHUB_TOKEN or use a GitHub App, or crawl with --api rest"
)


@dataclass
class CrawlSettings:
    """Everything `councilcode crawl` needs, from its flags and environment."""

    config: Path
    data_dir: DataDir
    api_url: str = DEFAULT_API_URL
    handles: tuple[str, ...] = ()
    concurrency: int = 8
    max_wait: float | None = None
    app: AppCredentials | None = None
    token: str | None = field(default=None, repr=False)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    trigger: str = "manual"
    lock_wait: float = 0.0  # seconds to wait for another crawl of the same data dir to finish
    api: str | None = None  # "graphql" or "rest"; None picks graphql when there is a token or App

    @property
    def authenticated(self) -> bool:
        return self.app is not None or bool(self.token)

    @classmethod
    def token_from_environment(cls) -> str | None:
        return os.environ.get("GITHUB_TOKEN") or None


def crawl_api(settings: CrawlSettings) -> str:
    """The API this crawl uses: as asked, else GraphQL when authenticated, else REST (with a warning).

    Raises CrawlError when GraphQL is asked for without a token or App (GitHub refuses it).
    """
    if settings.api == "graphql" and not settings.authenticated:
        raise CrawlError(GRAPHQL_NEEDS_TOKEN)
    if settings.api is not None:
        return settings.api
    if settings.authenticated:
        return "graphql"
    log.warning(REST_WITHOUT_TOKEN)
    return "rest"


def token_source(settings: CrawlSettings) -> TokenSource:
    """The App installation when one is configured, else the personal token (or none: the crawl's estimate
    then says what a token would change)."""
    return auth.token_source(settings.app, settings.token, settings.api_url)


class CrawlInterrupted(CouncilcodeError):
    """A stop was asked for (SIGTERM, Ctrl-C) during the crawl; what was stored is kept."""

    def report(self) -> str:
        return str(self)  # not an error: the user asked for it


def run_crawl(
    settings: CrawlSettings, progress: Progress | None = None, stopper: Stopper | None = None
) -> CrawlSummary:
    """Load the config (raising ConfigError when it is invalid) and crawl into the catalogue.

    Holds the data dir's crawl lock (raising LockBusy after `settings.lock_wait` seconds); a stop
    request through `stopper` ends the crawl after the handles already stored (CrawlInterrupted).
    GitHub App credentials that give no token raise AuthError before anything is crawled.
    """
    councils = load_councils(settings.config)
    settings.data_dir.ensure()
    lock = crawl_lock(settings.data_dir.lock, wait=settings.lock_wait, sleep=_lock_sleep(stopper))
    with lock, Catalogue(settings.data_dir.catalogue) as cat:
        try:
            return asyncio.run(_crawl(settings, councils, cat, progress, stopper))
        except asyncio.CancelledError:
            raise CrawlInterrupted("stopped on request; the handles crawled so far are saved") from None


def _lock_sleep(stopper: Stopper | None) -> Callable[[float], None]:
    """How to wait between tries for the crawl lock: a stop request ends the wait (CrawlInterrupted).

    Our SIGTERM/SIGINT handlers only set a flag, so a plain time.sleep would keep a Ctrl-C or a
    `systemctl stop` waiting for the other crawl, for as long as `--wait-for-lock` allows.
    """
    if stopper is None:
        return time.sleep

    def sleep(seconds: float) -> None:
        if stopper.event.wait(seconds):
            raise CrawlInterrupted("stopped on request while waiting for another crawl to finish; nothing crawled")

    return sleep


async def _crawl(
    settings: CrawlSettings,
    councils: list[Council],
    catalogue: Catalogue,
    progress: Progress | None,
    stopper: Stopper | None,
) -> CrawlSummary:
    task, loop = asyncio.current_task(), asyncio.get_running_loop()
    assert task is not None
    with stopper.cancels(lambda: loop.call_soon_threadsafe(task.cancel)) if stopper else nullcontext():
        return await _crawl_with_client(settings, councils, catalogue, progress)


async def _crawl_with_client(
    settings: CrawlSettings, councils: list[Council], catalogue: Catalogue, progress: Progress | None
) -> CrawlSummary:
    api = crawl_api(settings)
    tokens = token_source(settings)
    # Wrong App credentials fail here with AuthError, before a run is recorded or anything crawled.
    await tokens.token()
    client = GitHubClient(
        settings.api_url,
        token_source=tokens,
        concurrency=settings.concurrency,
        max_wait=settings.max_wait,
        retry=settings.retry,
    )
    async with client:
        if api == "graphql":
            # GraphQL for listings and text; the REST client for what GraphQL cannot give.
            async with graphql_client(client, settings.retry) as graphql:
                crawler: Crawler = GraphQLCrawler(catalogue, client, graphql, progress)
                return await crawler.crawl(councils, settings.handles or None, trigger=settings.trigger)
        crawler = Crawler(catalogue, client, progress)
        return await crawler.crawl(councils, settings.handles or None, trigger=settings.trigger)


def run_index(data_dir: DataDir, *, rebuild: bool = False) -> IndexReport:
    """Bring the search index up to date with the catalogue."""
    # Imported here: the index (Whoosh, the analysers) costs a crawl that does not index a third of a second.
    from councilcode.indexer import update_index

    report = update_index(data_dir.catalogue, data_dir.index, rebuild=rebuild)
    log.info(
        "index: %d added, %d updated, %d removed; %d repositories in %.1fs (collaboration groups %.1fs)",
        report.added,
        report.updated,
        report.removed,
        report.total,
        report.seconds,
        report.group_seconds,
    )
    return report


def crawl_and_index(
    settings: CrawlSettings, stopper: Stopper, *, index: bool = True, progress: Progress | None = None
) -> CrawlSummary:
    """Crawl, then index what the crawl stored (even when some handles failed).

    An index that cannot be updated is logged, not raised: the crawl itself is already saved.
    """
    summary = run_crawl(settings, progress, stopper)
    if index and not stopper.stopped:
        from councilcode.indexer import IndexBusy  # only a crawl that indexes loads the index

        try:
            run_index(settings.data_dir)
        except (IndexBusy, OSError, ValueError) as exc:
            log.warning("index not updated (%s); the crawl is saved: run `councilcode index`", exc)
    return summary
