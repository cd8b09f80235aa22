"""How a crawl shows its progress: a rich progress bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from councilcode.cli.plain import plain, plain_text
from councilcode.crawler.crawl import HandleOutcome

log = logging.getLogger("councilcode.crawl")


def describe(outcome: HandleOutcome) -> str:
    """One line about one handle's crawl."""
    if outcome.status != "ok":
        return f"{outcome.handle}: {outcome.status}: {outcome.error}"
    c = outcome.changes
    return (
        f"{outcome.handle}: {outcome.repositories} repositories "
        f"({c.added} added, {c.changed} changed, {c.removed} removed)"
    )


class LogProgress:
    """Plain log lines, for cron jobs and CI logs."""

    def __init__(self) -> None:
        self.done = self.total = 0

    def start(self, handles: int) -> None:
        self.total = handles
        log.info("crawling %d handles", handles)

    def handle_done(self, outcome: HandleOutcome) -> None:
        self.done += 1
        level = logging.INFO if outcome.status == "ok" else logging.WARNING
        log.log(level, "[%d/%d] %s", self.done, self.total, plain(describe(outcome)))

    def close(self) -> None:
        """Nothing to tidy up for log lines."""


class RichProgress:
    """A progress bar over handles on a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bar = Progress(
            TextColumn("[bold]Crawling"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("", total=0)

    def start(self, handles: int) -> None:
        self._bar.update(self._task, total=handles)
        self._bar.start()

    def handle_done(self, outcome: HandleOutcome) -> None:
        if outcome.status != "ok":
            # The error may quote GitHub's answer: never markup.
            self._bar.console.print(plain_text(describe(outcome), "yellow"))
        self._bar.update(self._task, advance=1, description=escape(plain(outcome.handle)))

    def close(self) -> None:
        self._bar.stop()
