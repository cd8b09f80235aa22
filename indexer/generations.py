"""Where the index lives on disk: generations of Whoosh indexes behind a pointer file, and the writer lock.

    index/
      CURRENT            {"generation": "gen-000002", "schema": 1}, replaced atomically (os.replace)
      gen-000002/        the Whoosh index readers use; incremental updates commit here atomically
      write.lock         held by whoever is writing (flock), so a second writer waits

A rebuild writes a whole new generation beside the current one, then switches the pointer, so a
reader sees the old index or the new one, never a half-built one.

Index files are read without memory mapping (`open_generation`): a memory-mapped file that is cut
short under a reader kills the whole process with SIGBUS when a page past the new end is touched,
while plain reads raise an exception we can report. docs/damaged-files.md has the measurements.
"""

from __future__ import annotations

import json
import logging
import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from councilcode.errors import CouncilcodeError
from councilcode.files import write_atomically
from councilcode.lock import file_lock

log = logging.getLogger(__name__)

POINTER = "CURRENT"
LOCK = "write.lock"
PREFIX = "gen-"


class IndexMissing(CouncilcodeError, FileNotFoundError):
    """There is no index in the directory (never built, or removed)."""

    exit_code = 2

    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"no index in {index_dir}: run `councilcode index`")
        self.index_dir = index_dir


class IndexDamaged(CouncilcodeError, RuntimeError):
    """A file of the index is missing, cut short or unreadable; the message names it and the fix."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"the search index file {path} {problem}: run `councilcode index --rebuild` to build it again")
        self.path = path


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

    def problem(self) -> IndexDamaged | None:
        """Why there is no usable current generation though there was an index here, or None."""
        if not self.pointer.exists() and not self.generations():
            return None  # never built (or removed as a whole)
        try:
            data = json.loads(self.pointer.read_text(encoding="utf-8"))
            name = str(data["generation"])
            int(data["schema"])
        except FileNotFoundError:
            return IndexDamaged(self.pointer, "is missing")
        except (OSError, ValueError, KeyError, TypeError):
            return IndexDamaged(self.pointer, "is not a valid index pointer")
        if not (self.root / name).is_dir():
            return IndexDamaged(self.pointer, f"names {name}, which is not in {self.root}")
        return None

    def generations(self) -> list[Path]:
        """Every generation directory, newest first."""
        found = [p for p in self.root.glob(PREFIX + "*") if p.name[len(PREFIX) :].isdigit() and p.is_dir()]
        return sorted(found, key=lambda p: int(p.name[len(PREFIX) :]), reverse=True)

    def last_good(self, schema_version: int, skip: str | None = None) -> Generation | None:
        """The newest generation other than `skip` whose files are all whole, for when the current one
        cannot be used; None when there is none (generations are removed once replaced)."""
        for path in self.generations():
            if path.name == skip:
                continue
            try:
                check_generation(path)
            except IndexDamaged:
                continue
            return Generation(name=path.name, path=path, schema_version=schema_version)
        return None

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


def open_generation(path: Path, *, readonly: bool = True) -> FileIndex:
    """The Whoosh index in `path`, read without memory mapping (see the module docstring)."""
    return FileStorage(str(path), supports_mmap=False, readonly=readonly).open_index()


def check_generation(path: Path) -> None:
    """Raise IndexDamaged naming the first file of the generation in `path` that is missing or cut
    short. Cheap: it reads each segment file's table of contents, not its contents."""
    if not path.is_dir():
        raise IndexDamaged(path, "is missing")
    try:
        ix = open_generation(path)
    except Exception as exc:  # noqa: BLE001 - whatever Whoosh raises, the table of contents is unreadable
        tocs = sorted(path.glob("_*.toc"))
        raise IndexDamaged(tocs[-1] if tocs else path, f"cannot be read ({exc or type(exc).__name__})") from exc
    try:
        for segment in ix._segments():  # noqa: SLF001 - Whoosh has no public list of segment files
            if not segment.is_compound():
                continue
            name = path / segment.make_filename(segment.COMPOUND_EXT)
            try:
                size = name.stat().st_size
                storage = CompoundStorage(ix.storage.open_file(name.name), use_mmap=False)
                try:
                    ends = [sum(storage.range(n)) for n in storage.list()]
                finally:
                    storage.close()
            except FileNotFoundError as exc:
                raise IndexDamaged(name, "is missing") from exc
            except Exception as exc:  # noqa: BLE001 - a cut-short file fails in many ways
                raise IndexDamaged(name, f"is damaged ({exc or type(exc).__name__})") from exc
            if ends and max(ends) > size:
                raise IndexDamaged(name, f"is cut short ({size:,} bytes of {max(ends):,})")
    finally:
        ix.close()
