"""Where the index lives on disk: generations of Whoosh indexes behind a pointer file, and the writer lock.

    index/
      CURRENT            {"generation": "gen-000002", "schema": 1}, replaced atomically (os.replace)
      gen-000002/        the Whoosh index readers use; incremental updates commit here atomically
      write.lock         held by whoever is writing (flock), so a second writer waits

A rebuild writes a whole new generation beside the current one, then switches the pointer, so a
reader sees the old index or the new one, never a half-built one.
"""

from __future__ import annotations

import json
import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from councilcode.errors import CouncilcodeError
from councilcode.files import write_atomically
from councilcode.lock import file_lock

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
        write_atomically(self.pointer, json.dumps({"generation": path.name, "schema": schema_version}))

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

    def write_lock(self, timeout: float = 30.0) -> AbstractContextManager[None]:
        """Hold the writer lock, waiting up to `timeout` seconds for another writer to finish."""
        return file_lock(self.root / LOCK, wait=timeout, poll=0.05, busy=lambda _holder: IndexBusy(self.root, timeout))
