"""`councilcode schedule`: crawl and index on a cron expression or a fixed interval until stopped."""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from croniter import croniter

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


class Stopper:
    """Turns SIGTERM/SIGINT into a clean stop: no new run starts, and a running crawl is cancelled
    after what it already stored (each handle is committed as it finishes)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self._cancel: Callable[[], None] | None = None

    def request_stop(self, signum: int | None = None, frame: object = None) -> None:
        if signum is not None:
            log.warning("received %s: stopping after what has been stored", signal.Signals(signum).name)
        self.event.set()
        if self._cancel is not None:
            self._cancel()

    @property
    def stopped(self) -> bool:
        return self.event.is_set()

    @contextmanager
    def cancels(self, cancel: Callable[[], None]) -> Iterator[None]:
        """While the block runs, a stop request also calls `cancel`."""
        self._cancel = cancel
        try:
            if self.event.is_set():
                cancel()
            yield
        finally:
            self._cancel = None

    @contextmanager
    def on_signals(self) -> Iterator[Stopper]:
        """Handle SIGTERM and SIGINT for the block (main thread only), restoring the old handlers."""
        previous = {s: signal.signal(s, self.request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


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
