"""A consistent copy of the catalogue, safe to take while a crawl writes to it.

SQLite's online backup API copies the database as one snapshot: the catalogue runs in WAL mode, so the copy
reads the last committed state while the crawl goes on committing (it neither waits for nor blocks it), and
a handle half written is never in the copy. The copy is written beside its target and renamed into place,
then checked with `PRAGMA integrity_check`, so a target path never holds half a backup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from councilcode.errors import CouncilcodeError
from councilcode.files import replacing


class BackupError(CouncilcodeError):
    """The catalogue could not be copied; the message names the file and why."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    repositories: int
    runs: int
    bytes: int


def backup_catalogue(source: Path, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the catalogue at `source` to `target` (a file path) as one consistent snapshot."""
    if not source.is_file():
        raise BackupError(f"no catalogue at {source}: nothing to back up")
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the backup file's path, e.g. {target / source.name}")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already: choose another path, or --force to replace it")
    if target.resolve() == source.resolve():
        raise BackupError(f"{target} is the catalogue itself")
    try:
        with (
            replacing(target) as partial,
            _connect(f"file:{source}?mode=ro", uri=True) as src,
            _connect(partial) as dst,
        ):
            # pages=-1 (all at once): one read transaction, so one snapshot, however busy the crawl is.
            src.backup(dst, pages=-1)
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(
                    f"the copy of {source} fails its integrity check ({check}); the catalogue may be damaged"
                )
            repositories = _count(dst, "repositories")
            runs = _count(dst, "crawl_runs")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot copy {source}: {exc} (is it a councilcode catalogue?)") from exc
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return BackupReport(target, repositories, runs, target.stat().st_size)


class _connect:
    """sqlite3.connect as a context manager that closes (sqlite3's own only ends a transaction)."""

    def __init__(self, database: str | Path, *, uri: bool = False) -> None:
        self.db = sqlite3.connect(database, uri=uri, isolation_level=None)

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("PRAGMA busy_timeout = 30000")
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _count(db: sqlite3.Connection, table: str) -> int:
    try:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError as exc:
        raise BackupError(f"the copy has no {table} table: not a councilcode catalogue") from exc
