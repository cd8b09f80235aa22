"""File locks across processes: one crawl at a time per data dir (and, through `file_lock`, one
index writer at a time per index).

An advisory `flock` on a file: the kernel drops it when the holder dies, even by `kill -9`, so a
crashed process never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from councilcode.errors import CouncilcodeError


class LockBusy(CouncilcodeError):
    """Another process holds the crawl lock."""

    exit_code = 3


def crawl_lock(
    path: Path, *, wait: float = 0.0, poll: float = 0.2, sleep: Callable[[float], None] = time.sleep
) -> AbstractContextManager[None]:
    """Hold the crawl lock at `path` for the block; wait up to `wait` seconds for it, then raise LockBusy."""

    def busy(holder: str) -> LockBusy:
        return LockBusy(f"another crawl is running ({holder}); try again when it has finished")

    return file_lock(path, wait=wait, poll=poll, busy=busy, sleep=sleep)


@contextmanager
def file_lock(
    path: Path,
    *,
    wait: float,
    poll: float,
    busy: Callable[[str], Exception],
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` for the block, trying every `poll` seconds for up to
    `wait` seconds; then raise `busy(holder)`, where holder says which process has it and since when
    (the holder writes that into the file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                # Linux says EWOULDBLOCK; some systems say EACCES. Anything else is a real failure.
                if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    raise busy(_holder(path)) from None
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
