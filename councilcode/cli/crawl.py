"""`councilcode crawl`: crawl every council's handles into the catalogue now, then index them."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from councilcode.cli.command import Command
from councilcode.cli.jobs import CrawlSettings, crawl_and_index
from councilcode.cli.options import (
    api_option,
    api_url_option,
    app_credentials,
    app_options,
    config_option,
    data_dir_option,
)
from councilcode.cli.plain import plain
from councilcode.cli.progress import LogProgress, RichProgress
from councilcode.cli.stopper import Stopper
from councilcode.crawler.crawl import CrawlSummary
from councilcode.errors import CouncilcodeError
from councilcode.settings import DataDir


def crawl_settings(
    *,
    config_path: Path,
    data_dir: Path | None,
    api_url: str,
    api: str | None,
    concurrency: int,
    max_wait: float | None,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
    **more: Any,
) -> CrawlSettings:
    """The settings of a crawl from the flags `crawl` and `schedule` share (and `more` of the command's own)."""
    return CrawlSettings(
        config=config_path,
        data_dir=DataDir.resolve(data_dir),
        api_url=api_url,
        api=api,
        concurrency=concurrency,
        max_wait=max_wait,
        app=app_credentials(app_id, app_private_key, installation_id),
        token=CrawlSettings.token_from_environment(),
        **more,
    )


@click.command(cls=Command)
@config_option
@data_dir_option
@api_url_option
@api_option
@click.option("--org", "orgs", multiple=True, metavar="HANDLE", help="Crawl only this handle (repeatable).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests in flight.")
@click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=None,
    help="Stop cleanly instead of waiting longer than this many seconds for the rate limit.",
)
@app_options
@click.option("--no-index", is_flag=True, help="Do not update the search index after the crawl.")
@click.option(
    "--wait-for-lock",
    type=click.FloatRange(0),
    default=0,
    show_default=True,
    help="Seconds to wait when another crawl of the same data dir is running (then exit 3).",
)
def crawl(orgs: tuple[str, ...], no_index: bool, wait_for_lock: float, **flags: Any) -> None:
    """Crawl every council organisation in the config into the catalogue, then index it.

    Exit codes: 0 every handle crawled, 1 some failed or the crawl was stopped (what was fetched is
    saved), 2 usage or config error, 3 another crawl of the same data dir is running.
    """
    settings = crawl_settings(**flags, handles=orgs, lock_wait=wait_for_lock)
    summary = _run_crawl_or_exit(settings, index=not no_index)
    sys.exit(summary.exit_code)


def _run_crawl_or_exit(settings: CrawlSettings, *, index: bool) -> CrawlSummary:
    """Run the crawl with a progress display; an unusable data dir exits with code 1."""
    console = Console(stderr=True)
    progress = RichProgress(console) if console.is_terminal else LogProgress()
    try:
        with Stopper().on_signals() as stopper:
            summary = crawl_and_index(settings, stopper, index=index, progress=progress)
    except CouncilcodeError:
        raise  # reported by the command (councilcode.cli.command), before the OSError below can claim it
    except (OSError, sqlite3.Error) as exc:
        # An unusable data dir or catalogue: no permission, a full disk, a file that is not SQLite.
        click.echo(f"error: data dir {settings.data_dir.root}: {exc}", err=True)
        sys.exit(1)
    finally:
        progress.close()
    print_summary(summary)
    return summary


def print_summary(summary: CrawlSummary) -> None:
    stats = summary.stats
    ok = len(summary.outcomes) - len(summary.failed)
    click.echo(
        f"Crawled {ok} of {len(summary.outcomes)} handles: {summary.repositories} repositories "
        f"({summary.total('added')} added, {summary.total('changed')} changed, {summary.total('removed')} removed)."
    )
    remaining = "unknown" if stats.rate_limit_remaining is None else stats.rate_limit_remaining
    click.echo(
        f"Requests: {stats.charged} charged, {stats.not_modified} not modified (free), "
        f"{stats.retries} retried; rate limit left: {remaining}."
    )
    if summary.plan is not None:
        estimate = summary.plan.estimate
        spent = stats.points if estimate.unit == "points" else stats.charged
        click.echo(f"Estimated {estimate.expected} {estimate.unit} beforehand; spent {spent}.")
    if stats.points:
        click.echo(f"GraphQL: {stats.points} points spent.")
    if summary.stopped:
        click.echo(f"Stopped early: {plain(summary.stopped)}. Run again to carry on.", err=True)
    for outcome in summary.failed:
        click.echo(f"Failed: {outcome.handle} ({plain(outcome.council)}): {plain(outcome.error or '')}", err=True)
    for note in summary.skipped:
        click.echo(f"Skipped: {plain(note)}", err=True)
