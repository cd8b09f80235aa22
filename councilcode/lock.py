"""One crawl at a time per data dir, across processes.

An advisory `flock` on a file in the data dir: the kernel drops it when the holder dies, even by
`kill -9`, so a crashed crawl never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from councilcode.errors import CouncilcodeError


class LockBusy(CouncilcodeError):
    """Another process holds the crawl lock."""

    exit_code = 3


@contextmanager
def crawl_lock(
    path: Path, *, wait: float = 0.0, poll: float = 0.2, sleep: Callable[[float], None] = time.sleep
) -> Iterator[None]:
    """Hold the lock at `path` for the block; wait up to `wait` seconds for it, then raise LockBusy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    message = f"another crawl is running ({_holder(path)}); try again when it has finished"
                    raise LockBusy(message) from None
                sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "holder unknown"
    except OSError:
        return "holder unknown"
