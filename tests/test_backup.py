"""`councilcode backup PATH`: a consistent copy of the catalogue, also while a crawl is writing to it."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from councilcode.backup import backup_catalogue
from councilcode.catalogue import Catalogue, HandleResult
from councilcode.cli import cli
from councilcode.records import Council
from tests.factories import make_repository

BATCH = 50  # repositories each handle stores, in one transaction


def store(catalogue: Catalogue, handle: str, run_id: int) -> None:
    repos = [make_repository(f"{handle}/r{i}", "Busy Council") for i in range(BATCH)]
    catalogue.store_handle(HandleResult(handle, "Busy Council", "Organization", repos), run_id)


def test_a_backup_taken_while_a_crawl_writes_holds_whole_handles_only(tmp_path: Path) -> None:
    source = tmp_path / "data" / "catalogue.sqlite"
    handles = [f"busy-{n}" for n in range(60)]
    with Catalogue(source) as catalogue:
        catalogue.sync_councils([Council("Busy Council", tuple(handles))])
        store(catalogue, handles[0], None)
    stop = threading.Event()
    stored: list[str] = []

    def crawl() -> None:  # a writer committing one handle after another, as the crawl does
        with Catalogue(source) as writer:
            run_id = writer.start_run()
            for handle in handles[1:]:
                if stop.is_set():
                    return
                store(writer, handle, run_id)
                stored.append(handle)

    writer = threading.Thread(target=crawl)
    writer.start()
    copies = []
    try:
        deadline = time.monotonic() + 20
        while writer.is_alive() and len(copies) < 5 and time.monotonic() < deadline:
            target = tmp_path / f"backup-{len(copies)}.sqlite"
            report = backup_catalogue(source, target)
            copies.append((target, report))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert copies, "the writer finished before a backup was taken"
    for target, report in copies:
        with sqlite3.connect(target) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count = db.execute("SELECT count(*) FROM repositories").fetchone()[0]
            per_handle = db.execute("SELECT count(*) FROM repositories GROUP BY handle").fetchall()
        db.close()
        assert count == report.repositories and count % BATCH == 0
        assert {n for (n,) in per_handle} == {BATCH}  # never half a handle
    assert not list(tmp_path.glob(".*.tmp"))
    assert min(report.repositories for _, report in copies) < BATCH * len(handles)  # taken mid-crawl


def test_backup_command_copies_and_restores(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Catalogue(data / "catalogue.sqlite") as catalogue:
        catalogue.sync_councils([Council("Busy Council", ("busy-0",))])
        store(catalogue, "busy-0", None)
    target = tmp_path / "copy.sqlite"

    made = CliRunner().invoke(cli, ["backup", str(target), "--data-dir", str(data)])
    again = CliRunner().invoke(cli, ["backup", str(target), "--data-dir", str(data)])
    forced = CliRunner().invoke(cli, ["backup", str(target), "--force", "--data-dir", str(data)])
    missing = CliRunner().invoke(cli, ["backup", str(target), "--data-dir", str(tmp_path / "none")])
    into_dir = CliRunner().invoke(cli, ["backup", str(tmp_path), "--data-dir", str(data)])

    assert made.exit_code == 0 and f"Backed up the catalogue to {target}: {BATCH} repositories" in made.output
    assert again.exit_code == 1 and "exists already" in again.output and "--force" in again.output
    assert forced.exit_code == 0
    assert missing.exit_code == 1 and "no catalogue at" in missing.output
    assert into_dir.exit_code == 1 and "is a directory" in into_dir.output
    # Restoring, as README says: the copy in place of the catalogue reads as the original did.
    restored = tmp_path / "restored" / "catalogue.sqlite"
    restored.parent.mkdir()
    restored.write_bytes(target.read_bytes())
    with Catalogue(restored, readonly=True) as catalogue:
        assert len(catalogue.repositories()) == BATCH


def test_a_file_that_is_not_a_catalogue_is_named(tmp_path: Path) -> None:
    bogus = tmp_path / "data" / "catalogue.sqlite"
    bogus.parent.mkdir()
    bogus.write_bytes(b"this is not SQLite" * 100)
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "b.sqlite"), "--data-dir", str(bogus.parent)])
    assert result.exit_code == 1 and f"cannot copy {bogus}" in result.output
    assert not (tmp_path / "b.sqlite").exists()
