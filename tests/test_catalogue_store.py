"""Storing a handle's repositories: matched by GitHub id, a name taken over by another id, counts of what changed.

The catalogue stores a handle's repositories in a few statements; these pin what storing them one at a time
gives, including a name handed from one id to another within one handle's crawl."""

from __future__ import annotations

from pathlib import Path

import pytest

from councilcode.catalogue import Catalogue, HandleChanges, HandleResult
from councilcode.records import Council
from tests.factories import make_repository

COUNCILS = [Council(name="North Council", github=("North",)), Council(name="South Council", github=("South",))]


@pytest.fixture
def catalogue(tmp_path: Path):
    with Catalogue(tmp_path / "catalogue.sqlite") as cat:
        cat.sync_councils(COUNCILS)
        yield cat


def store(cat: Catalogue, handle: str, *repos: tuple[int, str]) -> HandleChanges:
    council = f"{handle} Council"
    made = [make_repository(name, council, id=repo_id, description=f"{name} #{repo_id}") for repo_id, name in repos]
    return cat.store_handle(HandleResult(handle, council, "Organization", made), None)


def stored(cat: Catalogue) -> dict[int, tuple[str, str, str]]:
    rows = cat.db.execute("SELECT id, full_name, handle, first_seen_at FROM repositories").fetchall()
    return {r["id"]: (r["full_name"], r["handle"], r["first_seen_at"]) for r in rows}


def backdate(cat: Catalogue) -> None:
    """Mark everything stored as first seen long ago, so a kept first_seen_at is told from a new one."""
    with cat.transaction() as db:
        db.execute("UPDATE repositories SET first_seen_at = '2020-01-01T00:00:00Z'")


def test_a_first_store_adds_everything_and_the_same_again_changes_nothing(catalogue):
    repos = [(i, f"North/repo-{i}") for i in range(1, 151)]
    assert store(catalogue, "North", *repos) == HandleChanges(added=150)
    assert store(catalogue, "North", *repos) == HandleChanges()
    assert len(stored(catalogue)) == 150


def test_a_renamed_repository_is_updated_in_place_and_a_recreated_one_replaces_the_old(catalogue):
    store(catalogue, "North", (1, "North/bins"), (2, "North/parking"))
    backdate(catalogue)

    changes = store(catalogue, "North", (1, "North/waste"), (3, "North/parking"))

    assert changes == HandleChanges(added=1, changed=1, removed=1)
    rows = stored(catalogue)
    assert rows[1][:2] == ("North/waste", "North") and rows[1][2] == "2020-01-01T00:00:00Z"
    assert rows[3][0] == "North/parking" and rows[3][2] != "2020-01-01T00:00:00Z"
    assert 2 not in rows


def test_a_repository_moved_from_another_handle_keeps_when_it_was_first_seen(catalogue):
    store(catalogue, "North", (1, "North/bins"), (2, "North/roads"))
    backdate(catalogue)

    changes = store(catalogue, "South", (1, "South/bins"))

    assert changes == HandleChanges(changed=1)
    assert stored(catalogue)[1] == ("South/bins", "South", "2020-01-01T00:00:00Z")


def test_a_name_taken_from_another_handles_repository_before_it_is_reached_counts_it_as_new(catalogue):
    # One at a time: id 30 takes "North/b" first, deleting id 20's row, so id 20 is then new again.
    store(catalogue, "North", (20, "North/b"))
    backdate(catalogue)

    changes = store(catalogue, "South", (30, "North/b"), (20, "North/c"))

    assert changes == HandleChanges(added=2)
    rows = stored(catalogue)
    assert rows[30][0] == "North/b" and rows[20][0] == "North/c"
    assert rows[20][2] != "2020-01-01T00:00:00Z"


def test_a_repository_renamed_before_its_old_name_is_taken_keeps_its_history(catalogue):
    # One at a time: id 20 moves to "North/c" first, so id 30 finds "North/b" free and takes it.
    store(catalogue, "North", (20, "North/b"))
    backdate(catalogue)

    changes = store(catalogue, "South", (20, "North/c"), (30, "north/B"))

    assert changes == HandleChanges(added=1, changed=1)
    rows = stored(catalogue)
    assert rows[20] == ("North/c", "South", "2020-01-01T00:00:00Z")
    assert rows[30][0] == "north/B"


def test_two_ids_under_one_name_leave_the_last_one(catalogue):
    changes = store(catalogue, "North", (1, "North/same"), (2, "NORTH/same"))
    assert changes == HandleChanges(added=2)
    assert [name for name, _, _ in stored(catalogue).values()] == ["NORTH/same"]
