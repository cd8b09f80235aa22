"""`councilcode index` and `councilcode search`: build the search index, and search it from a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from councilcode.cli.command import Command
from councilcode.cli.options import data_dir_option
from councilcode.cli.plain import plain, plain_text
from councilcode.indexer import DEFAULT_LIMIT, MAX_LIMIT, SORTS, Searcher, SearchRequest, SearchResponse, update_index
from councilcode.settings import DataDir

# Exit codes come with the errors (councilcode.errors): 1 for a busy index (try again later), 2 for a missing
# catalogue or index, or a bad value.


@click.command(cls=Command)
@data_dir_option
@click.option("--rebuild", is_flag=True, help="Build a new index from scratch instead of updating the current one.")
@click.option(
    "--wait",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another `councilcode index` to finish before giving up.",
)
def index_command(data_dir: Path | None, rebuild: bool, wait: float) -> None:
    """Build or update the search index from the catalogue.

    Only repositories added, changed or removed since the last run are indexed, unless --rebuild.
    Searches keep working meanwhile: they see the old index until the new one is complete.
    """
    resolved = DataDir.resolve(data_dir)
    report = update_index(resolved.catalogue, resolved.index, rebuild=rebuild, lock_timeout=wait)
    what = "Rebuilt" if report.rebuilt else "Updated"
    click.echo(
        f"{what} the index in {resolved.index}: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed; {report.total} repositories in {report.seconds:.1f} s"
        + (f" (then collaboration groups in {report.group_seconds:.1f} s)" if report.group_seconds >= 0.05 else "")
    )


@click.command(cls=Command)
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--limit", type=click.IntRange(1, MAX_LIMIT), default=DEFAULT_LIMIT, show_default=True, help="Results a page."
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Which page of results.")
@click.option("--license", "licence", metavar="ID", help='Licence: an SPDX id such as MIT, "OGL" or "none".')
@click.option("--council", metavar="NAME", help="Only this council's repositories.")
@click.option("--owner", metavar="HANDLE", help="Only this GitHub owner's repositories.")
@click.option("--language", metavar="L", help="Only repositories in this language.")
@click.option("--topic", metavar="T", help="Only repositories with this topic.")
@click.option("--pushed-since", metavar="YYYY-MM-DD", help="Only repositories pushed to since this date.")
@click.option("--archived/--not-archived", default=None, help="Only archived repositories, or only those not archived.")
@click.option("--fork/--not-fork", default=None, help="Only forks, or only repositories that are not forks.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order of results.")
@data_dir_option
def search_command(
    query: tuple[str, ...],
    as_json: bool,
    limit: int,
    page: int,
    licence: str | None,
    council: str | None,
    owner: str | None,
    language: str | None,
    topic: str | None,
    pushed_since: str | None,
    archived: bool | None,
    fork: bool | None,
    sort: str,
    data_dir: Path | None,
) -> None:
    """Search the index. With no QUERY, list every repository (newest first unless --sort says otherwise).

    Words are matched in any order, stemmed (recycling finds recycle); "quotes" search a phrase, and
    AND, OR, NOT, field:word and prefix* work when written correctly.
    """
    resolved = DataDir.resolve(data_dir)
    request = SearchRequest(
        q=" ".join(query),
        license=licence,
        council=council,
        owner=owner,
        language=language,
        topic=topic,
        archived=archived,
        fork=fork,
        pushed_since=pushed_since,
        sort=sort,
        page=page,
        limit=limit,
    )
    with Searcher(resolved.index, warm_up=False) as searcher:
        response = searcher.search(request)
    if as_json:
        click.echo(json.dumps(response.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_table(response, request)


def _print_table(response: SearchResponse, request: SearchRequest) -> None:
    console = Console(soft_wrap=False)
    if response.suggestion:
        console.print(Text.assemble(("Did you mean: ", "bold"), plain_text(response.suggestion, "italic")))
    if not response.results:
        console.print("No repositories found." if response.total == 0 else f"No results on page {request.page}.")
        return
    first = (response.page - 1) * response.limit + 1
    last = first + len(response.results) - 1
    table = Table(title=f"{first}–{last} of {response.total} repositories", title_justify="left", expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Repository", overflow="fold", ratio=2)
    table.add_column("About", overflow="fold", ratio=3)
    for number, hit in enumerate(response.results, start=first):
        # Everything from the catalogue came from GitHub: plain text, never markup or escape sequences.
        cell = plain_text(hit.full_name, "bold")
        flags = [flag for flag, on in (("archived", hit.archived), ("fork", hit.fork)) if on]
        if flags:
            cell.append(f" ({', '.join(flags)})", style="yellow")
        details = [hit.license or "no licence", hit.language or "", f"★ {hit.stars}", (hit.pushed_at or "")[:10]]
        cell.append(plain(f"\n{hit.council}\n{' · '.join(d for d in details if d)}", keep_lines=True), style="dim")
        table.add_row(str(number), cell, plain_text(hit.snippet or hit.description))
    console.print(table)
    if response.pages > 1:
        console.print(f"Page {response.page} of {response.pages}: --page N for another.", style="dim")
