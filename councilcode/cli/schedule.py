"""`councilcode schedule`: crawl and index on a cron expression or a fixed interval until stopped."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from croniter import croniter

from councilcode.cli.command import Command
from councilcode.cli.crawl import crawl_settings, print_summary
from councilcode.cli.jobs import CrawlInterrupted, crawl_and_index, crawl_api
from councilcode.cli.options import api_option, api_url_option, app_options, config_option, data_dir_option
from councilcode.cli.stopper import Stopper
from councilcode.errors import CouncilcodeError

__all__ = ["Schedule", "Stopper", "parse_every", "run_schedule", "schedule"]

log = logging.getLogger("councilcode.schedule")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """`90s`, `30m`, `6h`, `1d` (or a combination such as `1h30m`) -> seconds."""
    parts = re.findall(r"(\d+)\s*([smhd])", text.strip().lower())
    if not parts or re.sub(r"\s", "", "".join(n + u for n, u in parts)) != re.sub(r"\s", "", text.lower()):
        raise ValueError(f"{text!r} is not an interval such as 90s, 30m, 6h or 1d")
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r}: the interval must be longer than nothing")
    return float(seconds)


@dataclass(frozen=True)
class Schedule:
    """A cron expression (UTC) or a fixed interval between run starts."""

    cron: str | None = None
    every: float | None = None

    def __post_init__(self) -> None:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of --cron or --every")
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise ValueError(f"{self.cron!r} is not a cron expression such as '0 3 * * *'")

    def first_run(self, now: float) -> float:
        """An interval schedule runs at once; a cron schedule at its next matching minute."""
        return now if self.every is not None else self.next_run(now)

    def next_run(self, after: float) -> float:
        if self.every is not None:
            return after + self.every
        start = datetime.fromtimestamp(after, UTC)
        return float(croniter(self.cron, start).get_next(float))

    def describe(self) -> str:
        return f"cron '{self.cron}' (UTC)" if self.cron else f"every {timedelta(seconds=self.every or 0)}"


def run_schedule(
    schedule: Schedule,
    job: Callable[[], object],
    stopper: Stopper,
    *,
    clock: Callable[[], float] = time.time,
    wait: Callable[[float], bool] | None = None,
    max_runs: int | None = None,
) -> int:
    """Run `job` on `schedule` until stopped (or `max_runs`); returns how many runs started.

    `wait(seconds)` returns True when a stop was requested while waiting; tests pass a fake one with a
    fake clock so nothing really waits. A failing run is logged and the next one still runs.
    """
    wait = wait or stopper.event.wait
    runs = 0
    due = schedule.first_run(clock())
    while not stopper.stopped and (max_runs is None or runs < max_runs):
        delay = due - clock()
        if delay > 0:
            log.info("next run at %s", datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
            if wait(delay):
                break
            continue  # re-check the clock: a wait may end early
        runs += 1
        started = clock()
        try:
            job()
        except Exception:
            log.exception("scheduled run %d failed; the next one will still run", runs)
        # The next run is due a full interval after this one started; after a run that overran, a full
        # interval after it ended (never a burst of missed runs).
        due = schedule.next_run(max(started, clock()) if schedule.cron else started)
        if due < clock():
            due = schedule.next_run(clock())
    return runs


@click.command(cls=Command)
@config_option
@data_dir_option
@api_url_option
@api_option
@click.option("--cron", help="A cron expression in UTC, e.g. '0 3 * * *' for 03:00 every night.")
@click.option("--every", help="An interval between runs, e.g. 6h, 30m, 1d (the first run starts at once).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--max-wait", type=click.FloatRange(0), default=None, help="As for `crawl`.")
@app_options
@click.option("--no-index", is_flag=True, help="Crawl only.")
def schedule(cron: str | None, every: str | None, no_index: bool, **flags: Any) -> None:
    """Crawl and index on a schedule until stopped (SIGTERM or Ctrl-C stops after saving what was fetched).

    One run at a time per data dir, across processes: a run that finds another crawl going waits for it.
    """
    try:
        plan = Schedule(cron=cron, every=parse_every(every) if every else None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    settings = crawl_settings(**flags, trigger="schedule", lock_wait=3600.0)
    crawl_api(settings)  # the crawl's own rule, checked once before the first run rather than failing every run
    click.echo(
        f"Crawling {settings.config} into {settings.data_dir.root} {plan.describe()}; stop with Ctrl-C.", err=True
    )

    with Stopper().on_signals() as stopper:

        def job() -> None:
            try:
                summary = crawl_and_index(settings, stopper, index=not no_index)
            except CrawlInterrupted as exc:
                click.echo(str(exc), err=True)
            except CouncilcodeError as exc:
                # Logged without a traceback: the next run goes ahead (a fixed config is picked up).
                log.error("run skipped: %s", exc)
            else:
                print_summary(summary)

        runs = run_schedule(plan, job, stopper)
    click.echo(f"Stopped after {runs} runs.", err=True)
