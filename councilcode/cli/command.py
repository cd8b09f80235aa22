"""The click classes every councilcode command uses: the one place a user-facing error becomes an exit status.

A command that meets a `CouncilcodeError` (see councilcode.errors for the tree) prints its report on stderr and
exits with its code; anything else is a bug and keeps its traceback.

`LazyGroup` (click's documented lazy-loading pattern) imports a command's module only when that command is
run or listed, so `councilcode crawl` does not pay for the search index, the viewer or the scheduler.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
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


class LazyGroup(Group):
    """A `Group` whose commands live in modules imported on first use: {name: "module.path:attribute"}.

    `--help` still lists every command with its short help (it imports them all to read it); running one
    command imports that command's module alone.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # a wrong entry in the map is a bug: say which
            raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
        return command
