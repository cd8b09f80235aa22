"""A clean stop on SIGTERM or Ctrl-C, for a crawl (`councilcode crawl`) and between scheduled runs."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("councilcode.schedule")


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
