"""The click classes every councilcode command uses: the one place a user-facing error becomes an exit status.

A command that meets a `CouncilcodeError` (see councilcode.errors for the tree) prints its report on stderr and
exits with its code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any

import click

from councilcode.errors import CouncilcodeError


class Command(click.Command):
    """A click command whose user-facing errors end it with their message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CouncilcodeError as exc:
            click.echo(exc.report(), err=True)
            ctx.exit(exc.exit_code)


class Group(click.Group):
    """A click group whose commands (and sub-groups) are `Command`s and `Group`s."""

    command_class = Command
    group_class = type  # sub-groups made with @group.group() are Groups too
