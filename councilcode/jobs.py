"""The jobs the CLI (and the scheduler) run: a crawl, wired from settings to the crawler and catalogue."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from councilcode.config import load_councils
from councilcode.settings import DEFAULT_API_URL, DataDir
from crawler.auth import AppInstallationToken, StaticToken, TokenSource
from crawler.catalogue import Catalogue
from crawler.crawl import Crawler, CrawlSummary, Progress
from crawler.github import GitHubClient, RetryPolicy
from crawler.models import Council

log = logging.getLogger("councilcode")

NO_TOKEN_WARNING = (
    "GITHUB_TOKEN is not set: GitHub allows only 60 requests an hour without a token, "
    "which is enough for a handful of small organisations. Set GITHUB_TOKEN or use a GitHub App."
)


@dataclass(frozen=True)
class AppCredentials:
    """A GitHub App installation to crawl as."""

    app_id: str
    private_key: str = field(repr=False)
    installation_id: int


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

    @classmethod
    def token_from_environment(cls) -> str | None:
        return os.environ.get("GITHUB_TOKEN") or None


def token_source(settings: CrawlSettings) -> TokenSource:
    """The App installation when one is configured, else the personal token (or none, with a warning)."""
    if settings.app is not None:
        return AppInstallationToken(
            settings.app.app_id, settings.app.private_key, settings.app.installation_id, settings.api_url
        )
    if not settings.token:
        log.warning(NO_TOKEN_WARNING)
    return StaticToken(settings.token)


def run_crawl(settings: CrawlSettings, progress: Progress | None = None) -> CrawlSummary:
    """Load the config (raising ConfigError when it is invalid) and crawl into the catalogue."""
    councils = load_councils(settings.config)
    settings.data_dir.ensure()
    with Catalogue(settings.data_dir.catalogue) as catalogue:
        return asyncio.run(_crawl(settings, councils, catalogue, progress))


async def _crawl(
    settings: CrawlSettings, councils: list[Council], catalogue: Catalogue, progress: Progress | None
) -> CrawlSummary:
    client = GitHubClient(
        settings.api_url,
        token_source=token_source(settings),
        concurrency=settings.concurrency,
        max_wait=settings.max_wait,
        retry=settings.retry,
    )
    async with client:
        crawler = Crawler(catalogue, client, progress)
        return await crawler.crawl(councils, settings.handles or None, trigger=settings.trigger)
