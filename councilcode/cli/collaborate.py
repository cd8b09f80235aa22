"""`councilcode collaborate`: the groups of similar work at different councils, from a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from councilcode.cli.command import Command
from councilcode.cli.options import data_dir_option
from councilcode.indexer import Groups, load_groups
from councilcode.settings import DataDir

EXIT_MISSING = 2  # as `councilcode search` when there is no index


@click.command(cls=Command)
@data_dir_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the groups as JSON (as /api/collaborate, without its URLs and totals).",
)
def collaborate_command(data_dir: Path | None, as_json: bool) -> None:
    """Show where several councils have built the same kind of thing.

    The groups are worked out by `councilcode index` each time the catalogue changes; groups that
    span the most councils come first. Forks of a group's repository are listed as reuse.
    """
    resolved = DataDir.resolve(data_dir)
    groups = load_groups(resolved.index)
    if groups is None:
        click.echo(
            f"error: no collaboration groups in {resolved.index}: run `councilcode index` to work them out",
            err=True,
        )
        sys.exit(EXIT_MISSING)
    if as_json:
        click.echo(json.dumps(groups.public_json(), indent=2, ensure_ascii=False))
    else:
        _print_table(groups)


def _print_table(groups: Groups) -> None:
    console = Console(soft_wrap=False)
    if not groups.groups:
        console.print(f"No two councils' repositories are similar enough to group ({groups.repositories} compared).")
        return
    table = Table(
        title=f"{len(groups.groups)} groups of similar work among {groups.repositories} repositories",
        title_justify="left",
        expand=True,
    )
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Group", overflow="fold", ratio=2)
    table.add_column("Repositories", overflow="fold", ratio=5)
    for number, group in enumerate(groups.groups, start=1):
        cell = Text(group.label, style="bold")
        cell.append(f"\n{len(group.councils)} councils", style="dim")
        repos = Text()
        for repo in group.repositories:
            if repos:
                repos.append("\n")
            repos.append(repo.full_name)
            details = [repo.council, repo.license or "no licence", (repo.pushed_at or "")[:10]]
            repos.append(f"  {' · '.join(d for d in details if d)}", style="dim")
        for repo in group.reuse:
            repos.append(f"\n{repo.full_name}", style="yellow")
            repos.append(f"  fork of {repo.of or 'another member'} · {repo.council}", style="dim")
        table.add_row(str(number), cell, repos)
    console.print(table)
    console.print(f"Worked out {groups.generated_at[:10]} in {groups.seconds:.1f} s.", style="dim")
