"""`councilcode export`, `status` and `backup`: what the catalogue holds, as data, a report or a copy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from councilcode.backup import backup_catalogue
from councilcode.catalogue import Catalogue
from councilcode.cli.command import Command
from councilcode.cli.options import data_dir_option
from councilcode.cli.status import status_report
from councilcode.crawler.export import FORMATS, export_repositories
from councilcode.files import replacing
from councilcode.settings import DataDir


def _open_catalogue(data_dir: Path | None) -> Catalogue:
    """The data dir's catalogue, read-only; a missing one is a clear error, not a traceback."""
    try:
        return Catalogue(DataDir.resolve(data_dir).catalogue, readonly=True)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command(cls=Command)
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


@click.command(cls=Command)
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


@click.command(cls=Command)
@click.argument("path", type=click.Path(path_type=Path))
@data_dir_option
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def backup(path: Path, data_dir: Path | None, force: bool) -> None:
    """Copy the catalogue to PATH as one consistent snapshot, even while a crawl writes to it.

    To restore: stop crawls and the viewer, copy PATH over DATA_DIR/catalogue.sqlite (removing any
    catalogue.sqlite-wal and -shm beside it), then run `councilcode index --rebuild`.
    """
    report = backup_catalogue(DataDir.resolve(data_dir).catalogue, path, overwrite=force)
    click.echo(
        f"Backed up the catalogue to {report.path}: {report.repositories} repositories, "
        f"{report.runs} crawl runs, {report.bytes:,} bytes."
    )
