"""A catalogue written by an older councilcode opens in this one with every row it held."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from councilcode.catalogue import SCHEMA_VERSION, Catalogue

# crawl_runs and handles as schema 1 made them (before the crawl estimate), with a run and a handle in them.
SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE handles (
    handle TEXT PRIMARY KEY COLLATE NOCASE, council TEXT NOT NULL, account_type TEXT, last_run_id INTEGER,
    last_status TEXT, last_error TEXT, last_crawled_at TEXT, last_success_at TEXT, repo_count INTEGER
);
INSERT INTO handles VALUES ('OldOrg', 'Old Council', 'Organization', 1, 'ok', NULL, '2025-01-01T00:00:00Z',
    '2025-01-01T00:00:00Z', 3);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
    trigger TEXT NOT NULL DEFAULT 'manual', handles_total INTEGER NOT NULL DEFAULT 0,
    handles_failed INTEGER NOT NULL DEFAULT 0, repos_added INTEGER NOT NULL DEFAULT 0,
    repos_changed INTEGER NOT NULL DEFAULT 0, repos_removed INTEGER NOT NULL DEFAULT 0,
    requests_charged INTEGER NOT NULL DEFAULT 0, requests_not_modified INTEGER NOT NULL DEFAULT 0,
    rate_limit_remaining INTEGER, message TEXT
);
INSERT INTO crawl_runs (started_at, finished_at, status, handles_total, requests_charged)
    VALUES ('2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', 'ok', 1, 42);
"""


def old_catalogue(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
    db.close()
    return path


def test_a_schema_1_catalogue_reads_as_it_was_before_and_after_the_upgrade(tmp_path: Path) -> None:
    path = old_catalogue(tmp_path / "catalogue.sqlite")
    with Catalogue(path, readonly=True) as catalogue:  # a reader never migrates: the new fields read as None
        [run] = catalogue.runs()
        assert run.requests_charged == 42 and run.estimate_expected is None

    with Catalogue(path) as catalogue:
        [run] = catalogue.runs()
        assert (run.status, run.requests_charged, run.estimate_expected) == ("ok", 42, None)
        assert catalogue.handle_footprints()["oldorg"].changed_last_time == 0
        second = catalogue.start_run(estimate_unit="requests", estimate_expected=7, estimate_upper=9)
        assert catalogue.runs(1)[0].id == second and catalogue.runs(1)[0].estimate_expected == 7
        [state] = catalogue.handle_states()
        assert state.repo_count == 3
        version = catalogue.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION == 3

    with Catalogue(path) as again:  # opening twice changes nothing more
        assert len(again.runs()) == 2
