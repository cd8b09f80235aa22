"""`councilcode serve`: the web viewer and JSON API on uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import click

from councilcode.cli.command import Command
from councilcode.cli.options import data_dir_option
from councilcode.settings import DataDir


@click.command("serve", cls=Command)
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; more than one lets searches use several CPU cores.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve_command(data_dir: Path | None, host: str, port: int, workers: int, log_level: str) -> None:
    """Serve the search pages and JSON API over the catalogue and index.

    A re-crawled catalogue or a re-built index is picked up without a restart.
    """
    import uvicorn  # imported here so other commands do not pay for it

    resolved = DataDir.resolve(data_dir)
    if not resolved.catalogue.exists():
        click.echo(f"warning: no catalogue at {resolved.catalogue} yet: run `councilcode crawl`", err=True)
    if not resolved.index.exists():
        click.echo(f"warning: no index at {resolved.index} yet: run `councilcode index`", err=True)
    options = {"host": host, "port": port, "log_level": log_level, "server_header": False}
    if workers == 1:
        from councilcode.web.app import create_app

        uvicorn.run(create_app(resolved), **options)
    else:
        # Each worker process builds its own app from the environment (uvicorn needs an import string).
        os.environ["COUNCILCODE_DATA_DIR"] = str(resolved.root.resolve())
        uvicorn.run("councilcode.web.app:app_from_environment", factory=True, workers=workers, **options)
