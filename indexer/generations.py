"""Where the index lives on disk: generations of Whoosh indexes behind a pointer file, and the writer lock.

    index/
      CURRENT            {"generation": "gen-000002", "schema": 1}, replaced atomically (os.replace)
      gen-000002/        the Whoosh index readers use; incremental updates commit here atomically
      write.lock         held by whoever is writing (flock), so a second writer waits

A rebuild writes a whole new generation beside the current one, then switches the pointer, so a
reader sees the old index or the new one, never a half-built one.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from councilcode.errors import CouncilcodeError

POINTER = "CURRENT"
LOCK = "write.lock"
PREFIX = "gen-"


class IndexMissing(CouncilcodeError, FileNotFoundError):
    """There is no index in the directory (never built, or removed)."""

    exit_code = 2

    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"no index in {index_dir}: run `councilcode index`")
        self.index_dir = index_dir


class IndexBusy(CouncilcodeError, RuntimeError):
    """Another process kept the index's writer lock for longer than we were willing to wait."""

    def __init__(self, index_dir: Path, waited: float) -> None:
        super().__init__(
            f"another `councilcode index` has been writing to {index_dir} for more than {waited:g} s; "
            "try again when it has finished"
        )
        self.index_dir = index_dir


@dataclass(frozen=True)
class Generation:
    """One complete Whoosh index directory and the schema version it was built with."""

    name: str
    path: Path
    schema_version: int


class IndexStore:
    """The index directory: which generation is current, switching to a new one, and locking."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @property
    def pointer(self) -> Path:
        return self.root / POINTER

    def current(self) -> Generation | None:
        """The generation readers should use, or None when there is no complete index."""
        try:
            data = json.loads(self.pointer.read_text(encoding="utf-8"))
            name = str(data["generation"])
            version = int(data["schema"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        path = self.root / name
        if not path.is_dir():
            return None
        return Generation(name=name, path=path, schema_version=version)

    def require_current(self) -> Generation:
        generation = self.current()
        if generation is None:
            raise IndexMissing(self.root)
        return generation

    def new_generation(self) -> Path:
        """Create and return an empty directory for the next generation."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[len(PREFIX) :]) for p in self.root.glob(PREFIX + "*") if p.name[len(PREFIX) :].isdigit()]
        number = max(numbers, default=0) + 1
        while True:
            path = self.root / f"{PREFIX}{number:06d}"
            try:
                path.mkdir()
                return path
            except FileExistsError:
                number += 1

    def switch_to(self, path: Path, schema_version: int) -> None:
        """Make `path` the current generation in one atomic step."""
        payload = json.dumps({"generation": path.name, "schema": schema_version})
        temporary = self.root / f".{POINTER}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.pointer)
        _fsync_dir(self.root)

    def remove_unused(self) -> list[str]:
        """Delete generations other than the current one (old ones, and any a crash left half-built).

        Only call this while holding the write lock: nobody else is building a generation then.
        """
        current = self.current()
        removed = []
        for path in self.root.glob(PREFIX + "*"):
            if path.is_dir() and (current is None or path.name != current.name):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed

    @contextmanager
    def write_lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the writer lock, waiting up to `timeout` seconds for another writer to finish."""
        self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        with open(self.root / LOCK, "a+") as handle:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as error:
                    if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    if time.monotonic() >= deadline:
                        raise IndexBusy(self.root, timeout) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every filesystem allows opening a directory.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
