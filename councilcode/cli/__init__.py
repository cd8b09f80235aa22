"""The `councilcode` command line: crawl, export (and, wired in from their own modules, the rest)."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from pathlib import Path

import click
from rich.console import Console

from councilcode import __version__
from councilcode.backup import backup_catalogue
from councilcode.catalogue import Catalogue
from councilcode.cli.collaborate import collaborate_command
from councilcode.cli.command import Group
from councilcode.cli.index import index_command, search_command
from councilcode.cli.jobs import CrawlInterrupted, CrawlSettings, crawl_and_index, crawl_api
from councilcode.cli.logs import setup_logging
from councilcode.cli.options import (
    api_option,
    api_url_option,
    app_credentials,
    app_options,
    config_option,
    data_dir_option,
)
from councilcode.cli.orgs import orgs
from councilcode.cli.plain import plain
from councilcode.cli.progress import LogProgress, RichProgress
from councilcode.cli.schedule import Schedule, Stopper, parse_every, run_schedule
from councilcode.cli.serve import serve_command
from councilcode.cli.status import status_report
from councilcode.crawler.crawl import CrawlSummary
from councilcode.crawler.export import FORMATS, export_repositories
from councilcode.errors import CouncilcodeError
from councilcode.files import replacing
from councilcode.settings import DataDir


@click.group(cls=Group)
@click.version_option(__version__, prog_name="councilcode")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", help="json: one object a line.")
@click.option("-v", "--verbose", is_flag=True, help="Show debug messages.")
def cli(log_format: str, verbose: bool) -> None:
    """Find reusable open-source code written by UK councils."""
    setup_logging(log_format, logging.DEBUG if verbose else logging.INFO)


@cli.command()
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
def crawl(
    config_path: Path,
    data_dir: Path | None,
    api_url: str,
    api: str | None,
    orgs: tuple[str, ...],
    concurrency: int,
    max_wait: float | None,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
    no_index: bool,
    wait_for_lock: float,
) -> None:
    """Crawl every council organisation in the config into the catalogue, then index it.

    Exit codes: 0 every handle crawled, 1 some failed or the crawl was stopped (what was fetched is
    saved), 2 usage or config error, 3 another crawl of the same data dir is running.
    """
    settings = CrawlSettings(
        config=config_path,
        data_dir=DataDir.resolve(data_dir),
        api_url=api_url,
        api=api,
        handles=orgs,
        concurrency=concurrency,
        max_wait=max_wait,
        app=app_credentials(app_id, app_private_key, installation_id),
        token=CrawlSettings.token_from_environment(),
        lock_wait=wait_for_lock,
    )
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
    _print_summary(summary)
    return summary


def _print_summary(summary: CrawlSummary) -> None:
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


def _open_catalogue(data_dir: Path | None) -> Catalogue:
    """The data dir's catalogue, read-only; a missing one is a clear error, not a traceback."""
    try:
        return Catalogue(DataDir.resolve(data_dir).catalogue, readonly=True)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@data_dir_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
def export(data_dir: Path | None, fmt: str, output: Path | None) -> None:
    """Every stored repository, as JSON, JSON Lines or CSV (CSV leaves out the README)."""
    with _open_catalogue(data_dir) as catalogue:
        repositories = catalogue.repositories()
    if output is None:
        export_repositories(repositories, sys.stdout, fmt)
        return
    with replacing(output) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        count = export_repositories(repositories, out, fmt)
    click.echo(f"Wrote {count} repositories to {output}", err=True)


@cli.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--runs", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many runs to show.")
def status(data_dir: Path | None, as_json: bool, runs: int) -> None:
    """The last crawl runs and each handle's last result."""
    with _open_catalogue(data_dir) as catalogue:
        report = status_report(catalogue, runs)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        console = Console()
        # Piped output has no width to fit: keep rows whole rather than folded to 80 columns.
        report.print(console if console.is_terminal else Console(width=200))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@data_dir_option
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def backup(path: Path, data_dir: Path | None, force: bool) -> None:
    """Copy the catalogue to PATH as one consistent snapshot, even while a crawl writes to it.

    To restore: stop crawls and the viewer, copy PATH over DATA_DIR/catalogue.sqlite (removing any
    catalogue.sqlite-wal and -shm beside it), then run `councilcode index --rebuild`.
    """
    try:
        report = backup_catalogue(DataDir.resolve(data_dir).catalogue, path, overwrite=force)
    except CouncilcodeError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(exc.exit_code)
    click.echo(
        f"Backed up the catalogue to {report.path}: {report.repositories} repositories, "
        f"{report.runs} crawl runs, {report.bytes:,} bytes."
    )


@cli.command()
@config_option
@data_dir_option
@api_url_option
@api_option
@click.option("--cron", help="A cron expression in UTC, e.g. '0 3 * * *' for 03:00 every night.")
@click.option("--every", help="An interval between runs, e.g. 6h, 30m, 1d (the first run starts at once).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--max-wait", type=click.FloatRange(0), default=None, help="As for `crawl`.")
@app_options
@click.option("--no-index", is_flag=True, help="Crawl only.")
def schedule(
    config_path: Path,
    data_dir: Path | None,
    api_url: str,
    api: str | None,
    cron: str | None,
    every: str | None,
    concurrency: int,
    max_wait: float | None,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
    no_index: bool,
) -> None:
    """Crawl and index on a schedule until stopped (SIGTERM or Ctrl-C stops after saving what was fetched).

    One run at a time per data dir, across processes: a run that finds another crawl going waits for it.
    """
    try:
        plan = Schedule(cron=cron, every=parse_every(every) if every else None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    settings = CrawlSettings(
        config=config_path,
        data_dir=DataDir.resolve(data_dir),
        api_url=api_url,
        api=api,
        concurrency=concurrency,
        max_wait=max_wait,
        app=app_credentials(app_id, app_private_key, installation_id),
        token=CrawlSettings.token_from_environment(),
        trigger="schedule",
        lock_wait=3600.0,
    )
    crawl_api(settings)  # the crawl's own rule, checked once before the first run rather than failing every run
    click.echo(
        f"Crawling {settings.config} into {settings.data_dir.root} {plan.describe()}; stop with Ctrl-C.", err=True
    )

    with Stopper().on_signals() as stopper:

        def job() -> None:
            try:
                summary = crawl_and_index(settings, stopper, index=not no_index)
            except CrawlInterrupted as exc:
                click.echo(str(exc), err=True)
            except CouncilcodeError as exc:
                # Logged without a traceback: the next run goes ahead (a fixed config is picked up).
                logging.getLogger("councilcode.schedule").error("run skipped: %s", exc)
            else:
                _print_summary(summary)

        runs = run_schedule(plan, job, stopper)
    click.echo(f"Stopped after {runs} runs.", err=True)


cli.add_command(orgs)
cli.add_command(index_command, "index")
cli.add_command(search_command, "search")
cli.add_command(serve_command, "serve")
cli.add_command(collaborate_command, "collaborate")
