"""The `councilcode` command line: crawl, export (and, wired in from their own modules, the rest)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console

from councilcode import __version__
from councilcode.config import ConfigError
from councilcode.jobs import AppCredentials, CrawlSettings, run_crawl
from councilcode.logs import setup_logging
from councilcode.progress import LogProgress, RichProgress
from councilcode.settings import DEFAULT_API_URL, DEFAULT_CONFIG, DataDir
from crawler.catalogue import Catalogue
from crawler.crawl import CrawlError, CrawlSummary
from crawler.export import FORMATS, export_repositories

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the catalogue and index live. Default: $COUNCILCODE_DATA_DIR or ./data",
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The councils and their GitHub handles.",
)
api_url_option = click.option(
    "--api-url",
    default=DEFAULT_API_URL,
    show_default=True,
    help="GitHub API root; GitHub Enterprise uses https://HOST/api/v3.",
)


@click.group()
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
@click.option("--org", "orgs", multiple=True, metavar="HANDLE", help="Crawl only this handle (repeatable).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests in flight.")
@click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=None,
    help="Stop cleanly instead of waiting longer than this many seconds for the rate limit.",
)
@click.option("--app-id", envvar="GITHUB_APP_ID", help="Crawl as a GitHub App installation (env GITHUB_APP_ID).")
@click.option(
    "--app-private-key",
    envvar="GITHUB_APP_PRIVATE_KEY_FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The App's private key, a PEM file (env GITHUB_APP_PRIVATE_KEY_FILE).",
)
@click.option(
    "--installation-id", envvar="GITHUB_APP_INSTALLATION_ID", type=int, help="(env GITHUB_APP_INSTALLATION_ID)"
)
def crawl(
    config_path: Path,
    data_dir: Path | None,
    api_url: str,
    orgs: tuple[str, ...],
    concurrency: int,
    max_wait: float | None,
    app_id: str | None,
    app_private_key: Path | None,
    installation_id: int | None,
) -> None:
    """Crawl every council organisation in the config into the catalogue.

    Exit codes: 0 every handle crawled, 1 some failed (the rest are saved), 2 usage or config error.
    """
    settings = CrawlSettings(
        config=config_path,
        data_dir=DataDir.resolve(data_dir),
        api_url=api_url,
        handles=orgs,
        concurrency=concurrency,
        max_wait=max_wait,
        app=_app_credentials(app_id, app_private_key, installation_id),
        token=CrawlSettings.token_from_environment(),
    )
    summary = _run_crawl_or_exit(settings)
    sys.exit(summary.exit_code)


def _app_credentials(app_id: str | None, key_file: Path | None, installation_id: int | None) -> AppCredentials | None:
    given = [v is not None for v in (app_id, key_file, installation_id)]
    if not any(given):
        return None
    if not all(given):
        raise click.UsageError("a GitHub App needs all three of --app-id, --app-private-key and --installation-id")
    assert app_id is not None and key_file is not None and installation_id is not None
    return AppCredentials(app_id, key_file.read_text(encoding="utf-8"), installation_id)


def _run_crawl_or_exit(settings: CrawlSettings) -> CrawlSummary:
    """Run the crawl with a progress display; config and usage errors exit with code 2."""
    console = Console(stderr=True)
    progress = RichProgress(console) if console.is_terminal else LogProgress()
    try:
        summary = run_crawl(settings, progress)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{settings.config}: invalid config, nothing crawled", err=True)
        sys.exit(2)
    except CrawlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
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
    if summary.stopped:
        click.echo(f"Stopped early: {summary.stopped}. Run again to carry on.", err=True)
    for outcome in summary.failed:
        click.echo(f"Failed: {outcome.handle} ({outcome.council}): {outcome.error}", err=True)


@cli.command()
@data_dir_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
def export(data_dir: Path | None, fmt: str, output: Path | None) -> None:
    """Every stored repository, as JSON, JSON Lines or CSV (CSV leaves out the README)."""
    path = DataDir.resolve(data_dir).catalogue
    try:
        catalogue = Catalogue(path, readonly=True)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    with catalogue:
        repositories = catalogue.repositories()
    if output is None:
        export_repositories(repositories, sys.stdout, fmt)
        return
    tmp = output.with_name(output.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        count = export_repositories(repositories, out, fmt)
    tmp.replace(output)
    click.echo(f"Wrote {count} repositories to {output}", err=True)
