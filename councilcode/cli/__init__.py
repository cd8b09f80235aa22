"""The `councilcode` command line. Each command lives in its own module, imported only when that command runs
(or `--help` lists it): `crawl` alone never loads the search index, the viewer or the collaboration groups."""

from __future__ import annotations

import logging

import click

from councilcode import __version__
from councilcode.cli.command import LazyGroup
from councilcode.cli.logs import setup_logging

# name -> "module:attribute" of its click command
COMMANDS = {
    "crawl": "councilcode.cli.crawl:crawl",
    "schedule": "councilcode.cli.schedule:schedule",
    "export": "councilcode.cli.data:export",
    "status": "councilcode.cli.data:status",
    "backup": "councilcode.cli.data:backup",
    "orgs": "councilcode.cli.orgs:orgs",
    "index": "councilcode.cli.index:index_command",
    "search": "councilcode.cli.index:search_command",
    "serve": "councilcode.cli.serve:serve_command",
    "collaborate": "councilcode.cli.collaborate:collaborate_command",
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(__version__, prog_name="councilcode")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", help="json: one object a line.")
@click.option("-v", "--verbose", is_flag=True, help="Show debug messages.")
def cli(log_format: str, verbose: bool) -> None:
    """Find reusable open-source code written by UK councils."""
    setup_logging(log_format, logging.DEBUG if verbose else logging.INFO)
