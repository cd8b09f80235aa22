"""The SQLite catalogue: repositories, councils and handles, HTTP cache entries and crawl runs.

Everything downstream (indexer, viewer, export) reads from here. Each handle's results are written
in one transaction, so a crash or a failure never leaves half an organisation behind.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from councilcode.errors import CouncilcodeError
from councilcode.records import LIST_FIELDS, REPOSITORY_FIELDS, Council, Repository

SCHEMA_VERSION = 4  # 2: councils.code; 3: the crawl estimate and handles.last_changes; 4: reuse facts

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS councils (
    name TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    type TEXT,
    nation TEXT,
    website TEXT,
    code TEXT                       -- the council's code in the register (councilcode.register), if any
);
CREATE TABLE IF NOT EXISTS handles (
    handle TEXT PRIMARY KEY COLLATE NOCASE,
    council TEXT NOT NULL,
    account_type TEXT,              -- 'Organization' or 'User', learnt on the first crawl
    last_run_id INTEGER,
    last_status TEXT,               -- 'ok', 'failed' or 'skipped'
    last_error TEXT,
    last_crawled_at TEXT,
    last_success_at TEXT,
    repo_count INTEGER,
    last_changes INTEGER            -- repositories changed or added at the last success (not counting a first crawl)
);
CREATE TABLE IF NOT EXISTS repositories (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    handle TEXT NOT NULL COLLATE NOCASE,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    council TEXT NOT NULL,
    description TEXT,
    homepage TEXT,
    html_url TEXT NOT NULL,
    language TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    stars INTEGER NOT NULL DEFAULT 0,
    forks INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    fork INTEGER NOT NULL DEFAULT 0,
    is_template INTEGER NOT NULL DEFAULT 0,
    default_branch TEXT,
    created_at TEXT,
    pushed_at TEXT,
    updated_at TEXT,
    readme TEXT,
    readme_path TEXT,
    license TEXT,
    root_files TEXT,                -- JSON list of names, NULL when not read yet
    workflows TEXT,                 -- JSON list of names in .github/workflows, NULL when not read
    publiccode TEXT,
    latest_release TEXT,
    latest_release_at TEXT,
    open_issues INTEGER,
    first_seen_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS repositories_handle ON repositories (handle);
CREATE INDEX IF NOT EXISTS repositories_council ON repositories (council);
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT NOT NULL,
    body TEXT,                      -- kept for listings, whose 304 must give the stored JSON back
    link TEXT,
    stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,           -- 'running', 'ok', 'partial', 'failed', 'stopped', 'interrupted'
    trigger TEXT NOT NULL DEFAULT 'manual',
    handles_total INTEGER NOT NULL DEFAULT 0,
    handles_failed INTEGER NOT NULL DEFAULT 0,
    repos_added INTEGER NOT NULL DEFAULT 0,
    repos_changed INTEGER NOT NULL DEFAULT 0,
    repos_removed INTEGER NOT NULL DEFAULT 0,
    requests_charged INTEGER NOT NULL DEFAULT 0,
    requests_not_modified INTEGER NOT NULL DEFAULT 0,
    rate_limit_remaining INTEGER,
    message TEXT,
    estimate_unit TEXT,             -- 'requests' (REST) or 'points' (GraphQL), NULL when no estimate was made
    estimate_expected INTEGER,      -- what the crawl was expected to spend, before it started
    estimate_upper INTEGER,         -- what it would spend if every stored repository had changed
    estimate_seconds REAL,          -- how long it was expected to take, waits for the rate limit included
    rate_limit_before INTEGER,      -- the budget left when it started
    points_spent INTEGER            -- GraphQL points the run spent (NULL for a REST crawl)
);
CREATE TABLE IF NOT EXISTS run_handles (
    run_id INTEGER NOT NULL REFERENCES crawl_runs (id),
    handle TEXT NOT NULL COLLATE NOCASE,
    status TEXT NOT NULL,
    error TEXT,
    repos INTEGER,
    PRIMARY KEY (run_id, handle)
);
"""

# Columns compared to tell whether a stored repository changed (everything a person can see).
_CONTENT_COLUMNS = tuple(f for f in REPOSITORY_FIELDS if f != "id")
ROW_FLAGS = frozenset({"archived", "fork", "is_template"})  # booleans, stored as 0 or 1
# Lists stored as JSON text and NULL while not read yet (topics always comes with the listing).
_READ_LISTS = LIST_FIELDS - {"topics"}


def now_iso() -> str:
    """The current UTC time as GitHub writes it (`2024-01-31T12:00:00Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(name: str) -> str:
    """`Brighton & Hove City Council` -> `brighton-hove-city-council`, for URLs."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class CacheEntry:
    """A stored response that a conditional request can reuse on 304."""

    url: str
    etag: str
    body: str | None = None
    link: str | None = None


@dataclass
class HandleResult:
    """What one handle's crawl produced, ready to be written in one transaction."""

    handle: str
    council: str
    account_type: str
    repositories: list[Repository]
    cache_entries: list[CacheEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # repositories left out, each with why (kept as last_error)


@dataclass(frozen=True)
class HandleChanges:
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass
class CrawlRun:
    """One row of crawl_runs, as `councilcode status` shows it."""

    id: int
    started_at: str
    finished_at: str | None
    status: str
    trigger: str
    handles_total: int
    handles_failed: int
    repos_added: int
    repos_changed: int
    repos_removed: int
    requests_charged: int
    requests_not_modified: int
    rate_limit_remaining: int | None
    message: str | None
    # The estimate made before the run (schema 3; None for older runs and runs without one).
    estimate_unit: str | None = None
    estimate_expected: int | None = None
    estimate_upper: int | None = None
    estimate_seconds: float | None = None
    rate_limit_before: int | None = None
    points_spent: int | None = None


# Columns added since schema 1; an older catalogue gains them, empty, on opening. Schema 2 added the councils'
# codes (the next sync_councils fills them in); schema 3 the estimate to crawl_runs and what changed at a
# handle's last crawl (what the estimate is made from).
_ADDED_COLUMNS = {
    # The reuse facts (issue 14): NULL is "not read yet", and the next crawl fills them in (see
    # crawler/crawl.py's change detection).
    "repositories": (
        ("root_files", "TEXT"),
        ("workflows", "TEXT"),
        ("publiccode", "TEXT"),
        ("latest_release", "TEXT"),
        ("latest_release_at", "TEXT"),
        ("open_issues", "INTEGER"),
    ),
    "councils": (("code", "TEXT"),),
    "handles": (("last_changes", "INTEGER"),),
    "crawl_runs": (
        ("estimate_unit", "TEXT"),
        ("estimate_expected", "INTEGER"),
        ("estimate_upper", "INTEGER"),
        ("estimate_seconds", "REAL"),
        ("rate_limit_before", "INTEGER"),
        ("points_spent", "INTEGER"),
    ),
}


@dataclass(frozen=True)
class HandleFootprint:
    """What the catalogue knows of a handle that says what crawling it again will cost."""

    handle: str
    account_type: str | None
    crawled: bool  # stored successfully at least once
    repositories: int
    licences: list[str | None]  # the stored repositories' licence ids
    changed_last_time: int  # repositories changed or new at the last successful crawl (0 after a first crawl)
    failed_before: bool = False  # tried, and never once stored (a handle GitHub does not know, most often)


@dataclass
class HandleState:
    """A handle's last crawl result, for `councilcode status` and the /councils page."""

    handle: str
    council: str
    account_type: str | None
    last_status: str | None
    last_error: str | None
    last_crawled_at: str | None
    last_success_at: str | None
    repo_count: int | None


class CatalogueMissing(CouncilcodeError, FileNotFoundError):
    """There is no catalogue in the data dir yet (nothing crawled)."""

    exit_code = 2


class CatalogueDamaged(CouncilcodeError):
    """The catalogue file is not an SQLite database, or SQLite finds it damaged; names the file and the fix."""

    def __init__(self, path: Path, problem: object) -> None:
        super().__init__(
            f"the catalogue {path} is damaged ({problem}): restore it from a backup, or move it aside and run "
            "`councilcode crawl` to build it again; then `councilcode index --rebuild`"
        )
        self.path = path


class Catalogue:
    """The SQLite catalogue in the data dir. Open one per thread or task group; close when done."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly:
            if not self.path.exists():
                raise CatalogueMissing(f"no catalogue at {self.path}: run `councilcode crawl` first")
            self.db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
            )
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (see transaction()).
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout = 30000")
        if not readonly:
            # WAL: readers (indexer, viewer) never block the crawler, and a kill -9 loses at most
            # the transaction in progress.
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        # A reader of a catalogue an older councilcode wrote (not migrated until the next crawl) reads
        # the columns it lacks as NULL: "not read yet".
        present = {r["name"] for r in self.db.execute("PRAGMA table_info(repositories)")}
        self._columns = ", ".join(c if c in present or not present else f"NULL AS {c}" for c in REPOSITORY_FIELDS)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        with self.transaction():
            # executescript() would commit on its own; run the statements inside our transaction.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None and int(row["value"]) > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} was written by a newer councilcode (schema {row['value']}); upgrade councilcode"
                )
            # CREATE TABLE IF NOT EXISTS leaves an older table as it was: add the columns it lacks. Every
            # added column is nullable, so the rows already stored keep their values.
            for table, columns in _ADDED_COLUMNS.items():
                have = {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns:
                    if name not in have:
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
            self.db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- councils and handles ------------------------------------------------------------------

    def sync_councils(self, councils: Iterable[Council]) -> None:
        """Make the councils and handles tables match the config, keeping each handle's history.

        Repositories of handles that left the config are removed with them.
        """
        councils = list(councils)
        with self.transaction() as db:
            wanted = {c.name for c in councils}
            for name in {r["name"] for r in db.execute("SELECT name FROM councils")} - wanted:
                db.execute("DELETE FROM councils WHERE name = ?", (name,))
            for c in councils:
                db.execute(
                    "INSERT INTO councils (name, slug, type, nation, website, code) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET slug = excluded.slug, type = excluded.type, "
                    "nation = excluded.nation, website = excluded.website, code = excluded.code",
                    (c.name, slugify(c.name), c.type, c.nation, c.website, c.code),
                )
            handles = {h.lower(): c.name for c in councils for h in c.github}
            for row in db.execute("SELECT handle FROM handles").fetchall():
                if row["handle"].lower() not in handles:
                    db.execute("DELETE FROM repositories WHERE handle = ?", (row["handle"],))
                    db.execute("DELETE FROM handles WHERE handle = ?", (row["handle"],))
            for c in councils:
                for h in c.github:
                    db.execute(
                        "INSERT INTO handles (handle, council) VALUES (?, ?) "
                        "ON CONFLICT (handle) DO UPDATE SET council = excluded.council",
                        (h, c.name),
                    )
                    # A council renamed in the config keeps its repositories under the new name.
                    db.execute("UPDATE repositories SET council = ? WHERE handle = ?", (c.name, h))

    def councils(self) -> list[Council]:
        rows = self.db.execute("SELECT * FROM councils ORDER BY name").fetchall()
        handles: dict[str, list[str]] = {}
        for h in self.db.execute("SELECT handle, council FROM handles ORDER BY handle COLLATE NOCASE"):
            handles.setdefault(h["council"], []).append(h["handle"])
        return [
            Council(
                name=r["name"],
                github=tuple(handles.get(r["name"], ())),
                type=r["type"],
                nation=r["nation"],
                website=r["website"],
                # A viewer may read a schema-1 catalogue (read-only, so not migrated): no codes there yet.
                code=r["code"] if "code" in r.keys() else None,  # noqa: SIM118 - `in` on a Row looks at values
            )
            for r in rows
        ]

    def account_type(self, handle: str) -> str | None:
        row = self.db.execute("SELECT account_type FROM handles WHERE handle = ?", (handle,)).fetchone()
        return row["account_type"] if row else None

    def handle_states(self) -> list[HandleState]:
        rows = self.db.execute("SELECT * FROM handles ORDER BY council, handle COLLATE NOCASE").fetchall()
        return [HandleState(**{k: r[k] for k in HandleState.__dataclass_fields__}) for r in rows]

    def handle_footprints(self) -> dict[str, HandleFootprint]:
        """Every handle's footprint, by lower-case handle: what a crawl estimate is made from."""
        licences: dict[str, list[str | None]] = {}
        for r in self.db.execute("SELECT handle, license FROM repositories"):
            licences.setdefault(r["handle"].lower(), []).append(r["license"])
        footprints = {}
        for h in self.db.execute(
            "SELECT handle, account_type, last_status, last_success_at, last_changes FROM handles"
        ):
            held = licences.get(h["handle"].lower(), [])
            footprints[h["handle"].lower()] = HandleFootprint(
                h["handle"],
                h["account_type"],
                h["last_success_at"] is not None,
                len(held),
                held,
                h["last_changes"] or 0,
                h["last_status"] is not None and h["last_success_at"] is None,
            )
        return footprints

    # -- repositories --------------------------------------------------------------------------

    def repositories(self, *, handle: str | None = None, council: str | None = None) -> list[Repository]:
        """Every stored repository (or one handle's or council's), ordered by full name."""
        sql, args = f"SELECT {self._columns} FROM repositories", []
        if handle is not None:
            sql, args = sql + " WHERE handle = ?", [handle]
        elif council is not None:
            sql, args = sql + " WHERE council = ?", [council]
        rows = self.db.execute(sql + " ORDER BY full_name COLLATE NOCASE", args).fetchall()
        return [repository_from_row(r) for r in rows]

    def repository_rows(self) -> list[tuple[Any, ...]]:
        """Every stored repository as a plain row in `REPOSITORY_FIELDS` order (see `repository_row`),
        in no particular order: for a reader that builds only the records it needs (the indexer
        fingerprints 25,000 rows as stored and builds just the ones that changed)."""
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: a fraction of the cost of sqlite3.Row
        return cursor.execute(f"SELECT {self._columns} FROM repositories").fetchall()

    def repository(self, full_name: str) -> Repository | None:
        row = self.db.execute(f"SELECT {self._columns} FROM repositories WHERE full_name = ?", (full_name,)).fetchone()
        return repository_from_row(row) if row else None

    def repositories_by_id(self, handle: str) -> dict[int, Repository]:
        return {r.id: r for r in self.repositories(handle=handle)}

    def count_repositories(self) -> int:
        return self.db.execute("SELECT count(*) FROM repositories").fetchone()[0]

    def cache_entries(self) -> dict[str, CacheEntry]:
        """Stored conditional-request entries by URL, without their bodies (see `cached_body`)."""
        rows = self.db.execute("SELECT url, etag, link FROM http_cache").fetchall()
        return {r["url"]: CacheEntry(r["url"], r["etag"], None, r["link"]) for r in rows}

    def cached_body(self, url: str) -> str | None:
        """The stored body for `url`, read only when a 304 says it is still current."""
        row = self.db.execute("SELECT body FROM http_cache WHERE url = ?", (url,)).fetchone()
        return row["body"] if row else None

    def store_handle(self, result: HandleResult, run_id: int | None) -> HandleChanges:
        """Replace one handle's repositories with a fresh crawl's, in one transaction.

        Repositories are matched by GitHub id, so a renamed one is updated in place; those no longer
        listed are removed.
        """
        stamp = now_iso()
        added = changed = 0
        note = "; ".join(result.skipped) or None
        with self.transaction() as db:
            before = db.execute("SELECT last_success_at FROM handles WHERE handle = ?", (result.handle,)).fetchone()
            old = {
                r["id"]: r
                for r in db.execute("SELECT * FROM repositories WHERE handle = ?", (result.handle,)).fetchall()
            }
            new_ids = {r.id for r in result.repositories}
            gone = [i for i in old if i not in new_ids]
            db.executemany("DELETE FROM repositories WHERE id = ?", [(i,) for i in gone])
            for repo in result.repositories:
                values = dict(zip(REPOSITORY_FIELDS, repository_row(repo), strict=True))
                # Another id under this name (deleted and re-created, or moved between handles):
                # the name now belongs to this one.
                db.execute("DELETE FROM repositories WHERE full_name = ? AND id != ?", (repo.full_name, repo.id))
                previous = (
                    old.get(repo.id) or db.execute("SELECT * FROM repositories WHERE id = ?", (repo.id,)).fetchone()
                )
                if previous is None:
                    added += 1
                    first_seen, changed_at = stamp, stamp
                else:
                    first_seen = previous["first_seen_at"]
                    same = all(previous[c] == values[c] for c in _CONTENT_COLUMNS)
                    changed_at = previous["changed_at"] if same else stamp
                    changed += 0 if same else 1
                columns = ["handle", *values, "first_seen_at", "changed_at"]
                db.execute(
                    f"INSERT OR REPLACE INTO repositories ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    [result.handle, *values.values(), first_seen, changed_at],
                )
            # A first crawl adds everything: that says nothing of how much changes between crawls.
            first = before is None or before["last_success_at"] is None
            churn = changed + (0 if first else added)
            for entry in result.cache_entries:
                db.execute(
                    "INSERT OR REPLACE INTO http_cache (url, etag, body, link, stored_at) VALUES (?, ?, ?, ?, ?)",
                    (entry.url, entry.etag, entry.body, entry.link, stamp),
                )
            db.execute(
                "UPDATE handles SET account_type = ?, last_run_id = ?, last_status = 'ok', last_error = ?, "
                "last_crawled_at = ?, last_success_at = ?, repo_count = ?, last_changes = ? WHERE handle = ?",
                (result.account_type, run_id, note, stamp, stamp, len(result.repositories), churn, result.handle),
            )
            if run_id is not None:
                db.execute(
                    "INSERT OR REPLACE INTO run_handles (run_id, handle, status, error, repos) "
                    "VALUES (?, ?, 'ok', ?, ?)",
                    (run_id, result.handle, note, len(result.repositories)),
                )
        return HandleChanges(added=added, changed=changed, removed=len(gone))

    def record_handle_failure(self, handle: str, error: str, run_id: int | None, status: str = "failed") -> None:
        """Note why a handle was not crawled; its stored repositories stay as they were."""
        with self.transaction() as db:
            db.execute(
                "UPDATE handles SET last_run_id = ?, last_status = ?, last_error = ?, last_crawled_at = ? "
                "WHERE handle = ?",
                (run_id, status, error, now_iso(), handle),
            )
            if run_id is not None:
                db.execute(
                    "INSERT OR REPLACE INTO run_handles (run_id, handle, status, error, repos) "
                    "VALUES (?, ?, ?, ?, NULL)",
                    (run_id, handle, status, error),
                )

    # -- crawl runs ----------------------------------------------------------------------------

    def start_run(self, trigger: str = "manual", **estimate: Any) -> int:
        """Open a crawl run, with the estimate made for it (`estimate_*` and `rate_limit_before` columns);
        runs left 'running' by a killed process are marked 'interrupted'."""
        unknown = set(estimate) - {name for name, _ in _ADDED_COLUMNS["crawl_runs"]}
        if unknown:
            raise ValueError(f"unknown crawl run fields: {sorted(unknown)}")
        columns = ["started_at", "status", "trigger", *estimate]
        with self.transaction() as db:
            db.execute("UPDATE crawl_runs SET status = 'interrupted' WHERE status = 'running'")
            cur = db.execute(
                f"INSERT INTO crawl_runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                (now_iso(), "running", trigger, *estimate.values()),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, **counts: Any) -> None:
        """Close a crawl run with its status and counts (columns of crawl_runs)."""
        allowed = set(CrawlRun.__dataclass_fields__) - {"id", "started_at", "finished_at", "trigger"}
        unknown = set(counts) - allowed
        if unknown:
            raise ValueError(f"unknown crawl run fields: {sorted(unknown)}")
        assignments = ", ".join(f"{k} = ?" for k in counts)
        with self.transaction() as db:
            db.execute(
                f"UPDATE crawl_runs SET finished_at = ?, {assignments} WHERE id = ?",
                [now_iso(), *counts.values(), run_id],
            )

    def runs(self, limit: int = 10) -> list[CrawlRun]:
        rows = self.db.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [CrawlRun(**dict(r)) for r in rows]

    def last_finished_run(self) -> CrawlRun | None:
        row = self.db.execute(
            "SELECT * FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return CrawlRun(**dict(row)) if row else None


def _stored(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        return None if value is None and name in _READ_LISTS else json.dumps(list(value or ()))
    if name in ROW_FLAGS:
        return int(bool(value))
    return value


def repository_row(repo: Repository) -> tuple[Any, ...]:
    """A repository's values as the catalogue stores them, in `REPOSITORY_FIELDS` order: lists as
    JSON text, flags as 0 or 1. The indexer fingerprints this form, so a row read straight from
    SQLite and a `Repository` built in memory give the same fingerprint."""
    return tuple(_stored(name, getattr(repo, name)) for name in REPOSITORY_FIELDS)


def repository_from_row(row: Sequence[Any]) -> Repository:
    """The `Repository` of a catalogue row given in `REPOSITORY_FIELDS` order (see `repository_row`)."""
    values = dict(zip(REPOSITORY_FIELDS, row, strict=True))
    values["topics"] = json.loads(values["topics"] or "[]")
    for name in _READ_LISTS:
        if values[name] is not None:
            values[name] = json.loads(values[name])
    for flag in ROW_FLAGS:
        values[flag] = bool(values[flag])
    return Repository(**values)
