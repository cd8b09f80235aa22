"""Issue 14, step 1: the reuse facts (root names, workflows, publiccode.yml, release, open issues) in
both crawls, kept behind the README's change detection, and a catalogue from before them migrated."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from councilcode.catalogue import SCHEMA_VERSION, Catalogue
from councilcode.cli.jobs import run_crawl
from councilcode.settings import DataDir
from tests.github_emulator import FakeRepo
from tests.helpers import FAST_RETRY

PUBLICCODE = b"publiccodeYmlVersion: '0.4'\nname: Bin Day\nurl: https://github.com/Reusers/bins\n"
FACTS = ("root_files", "workflows", "publiccode", "latest_release", "latest_release_at", "open_issues")


def rich_repo() -> FakeRepo:
    return FakeRepo(
        name="bins",
        readme=b"# Bins\n",
        license_file=b"MIT License\n",
        license_spdx="MIT",
        pushed_at="2026-01-02T00:00:00Z",
        updated_at="2026-01-02T00:00:00Z",
        files={
            "publiccode.yml": PUBLICCODE,
            "CONTRIBUTING.md": b"Send a pull request.\n",
            ".github/workflows/test.yml": b"on: push\n",
            ".github/workflows/deploy.yml": b"on: push\n",
            "tests/test_bins.py": b"def test(): pass\n",
            "package.json": b"{}\n",
        },
        releases=[("v2.1.0", "2025-11-01T10:00:00Z"), ("v2.0.0", "2025-01-01T10:00:00Z")],
        open_issues=4,
    )


def tagged_repo() -> FakeRepo:
    return FakeRepo(
        name="tagged",
        readme=b"# Tagged\n",
        tags=[("1.0", "2024-03-01T09:00:00Z"), ("0.9", "2023-03-01T09:00:00Z")],
    )


def facts(settings) -> dict[str, dict]:
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        return {r.name: {f: getattr(r, f) for f in FACTS} for r in catalogue.repositories()}


@pytest.fixture
def reusers(emulator):
    emulator.add_account("Reusers")
    emulator.add_repo("Reusers", rich_repo())
    emulator.add_repo("Reusers", tagged_repo())
    emulator.add_repo("Reusers", FakeRepo(name="void", empty=True))
    return {"Reusers Council": ["Reusers"]}


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_each_crawl_collects_the_reuse_facts(emulator, crawl_settings, reusers, tmp_path, api):
    settings = crawl_settings(
        reusers, api=api, data_dir=DataDir(tmp_path / api), retry=replace(FAST_RETRY, timeout=2.5)
    )

    assert run_crawl(settings).exit_code == 0

    found = facts(settings)
    assert found["bins"] == {
        "root_files": [
            ".github/",
            "CONTRIBUTING.md",
            "LICENSE",
            "README.md",
            "package.json",
            "publiccode.yml",
            "tests/",
        ],
        "workflows": ["deploy.yml", "test.yml"],
        "publiccode": PUBLICCODE.decode(),
        "latest_release": "v2.1.0",
        "latest_release_at": "2025-11-01T10:00:00Z",
        "open_issues": 4,
    }
    assert found["tagged"]["latest_release"] == "1.0"
    assert found["tagged"]["latest_release_at"] == "2024-03-01T09:00:00Z"
    assert found["tagged"]["workflows"] == [] and found["tagged"]["publiccode"] is None
    assert found["void"]["root_files"] == [] and found["void"]["latest_release"] is None


def test_an_unchanged_recrawl_keeps_the_facts_without_asking_again(emulator, crawl_settings, reusers):
    settings = crawl_settings(reusers)
    run_crawl(settings)
    before = facts(settings)
    emulator.reset_stats()

    run_crawl(settings)

    assert emulator.stats.charged_requests == 0
    assert facts(settings) == before


def test_a_push_refreshes_the_facts_and_an_edit_does_not_ask_for_them(emulator, crawl_settings, reusers):
    settings = crawl_settings(reusers)
    run_crawl(settings)
    emulator.update_repo("Reusers", "tagged", description="now described")
    emulator.reset_stats()
    run_crawl(settings)
    assert not [p for _, p, _s in emulator.stats.requests if "/contents" in p or "/releases" in p or "/tags" in p]

    emulator.update_repo(
        "Reusers", "tagged", files={"publiccode.yml": PUBLICCODE}, releases=[("2.0", "2026-02-01T00:00:00Z")]
    )
    run_crawl(settings)

    after = facts(settings)["tagged"]
    assert after["publiccode"] == PUBLICCODE.decode()
    assert (after["latest_release"], after["latest_release_at"]) == ("2.0", "2026-02-01T00:00:00Z")


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_catalogue_from_before_the_facts_is_migrated_and_filled_in(emulator, crawl_settings, reusers, tmp_path, api):
    settings = crawl_settings(
        reusers, api=api, data_dir=DataDir(tmp_path / api), retry=replace(FAST_RETRY, timeout=2.5)
    )
    run_crawl(settings)
    # Make it a schema-1 catalogue: the new columns gone, the version back to 1.
    db = sqlite3.connect(settings.data_dir.catalogue)
    for column in FACTS:
        db.execute(f"ALTER TABLE repositories DROP COLUMN {column}")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with Catalogue(settings.data_dir.catalogue, readonly=True) as old:
        # A reader of the old catalogue sees every repository, its facts not read yet.
        assert {r.name: r.root_files for r in old.repositories()} == {"bins": None, "tagged": None, "void": None}

    run_crawl(settings)

    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        version = catalogue.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        first_seen = catalogue.db.execute(
            "SELECT count(*) FROM repositories WHERE first_seen_at IS NOT NULL"
        ).fetchone()
    assert version == str(SCHEMA_VERSION) and first_seen[0] == 3
    assert facts(settings)["bins"]["workflows"] == ["deploy.yml", "test.yml"]
