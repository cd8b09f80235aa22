"""`councilcode serve`: the web viewer and JSON API on uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import click

from councilcode.cli.command import Command
from councilcode.cli.options import data_dir_option
from councilcode.settings import DataDir

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def served_url(host: str, port: int) -> str:
    """The address the server answers on, as a URL (a wildcard address answers on localhost too)."""
    name = "localhost" if host in WILDCARD_HOSTS else host
    if ":" in name:  # an IPv6 literal
        name = f"[{name}]"
    return f"http://{name}:{port}"


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
    "--base-url",
    envvar="COUNCILCODE_BASE_URL",
    metavar="URL",
    help="Where visitors reach the viewer, such as https://code.example.gov.uk: the start of the absolute "
    "links in the API and feeds. Default: http://HOST:PORT as served. Also $COUNCILCODE_BASE_URL.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve_command(
    data_dir: Path | None, host: str, port: int, workers: int, base_url: str | None, log_level: str
) -> None:
    """Serve the search pages and JSON API over the catalogue and index.

    A re-crawled catalogue or a re-built index is picked up without a restart.
    """
    import uvicorn  # imported here so other commands do not pay for it

    from councilcode.web.state import BASE_URL_VARIABLE, check_base_url

    resolved = DataDir.resolve(data_dir)
    if base_url is None:
        base_url = served_url(host, port)
        if host in WILDCARD_HOSTS:
            click.echo(
                f"note: links in the API and feeds start {base_url}: set --base-url to the address visitors use",
                err=True,
            )
    try:
        base_url = check_base_url(base_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base-url") from None
    if not resolved.catalogue.exists():
        click.echo(f"warning: no catalogue at {resolved.catalogue} yet: run `councilcode crawl`", err=True)
    if not resolved.index.exists():
        click.echo(f"warning: no index at {resolved.index} yet: run `councilcode index`", err=True)
    options = {"host": host, "port": port, "log_level": log_level, "server_header": False}
    if workers == 1:
        from councilcode.web.app import create_app

        uvicorn.run(create_app(resolved, base_url=base_url), **options)
    else:
        # Each worker process builds its own app from the environment (uvicorn needs an import string).
        os.environ["COUNCILCODE_DATA_DIR"] = str(resolved.root.resolve())
        os.environ[BASE_URL_VARIABLE] = base_url
        uvicorn.run("councilcode.web.app:app_from_environment", factory=True, workers=workers, **options)
