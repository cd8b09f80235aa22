"""Incremental, polite and fault-tolerant crawls: ETags, request budgets, rate limits, retries, changes."""

from __future__ import annotations

import asyncio
import time

import pytest
from click.testing import CliRunner

from councilcode.catalogue import Catalogue
from councilcode.cli import cli
from councilcode.cli.jobs import AppCredentials, run_crawl
from councilcode.crawler.auth import AppInstallationToken
from councilcode.crawler.github import GitHubClient
from councilcode.settings import DataDir
from tests.github_emulator import FakeRepo, GitHubEmulator, add_synthetic_repos, app_key_pair
from tests.helpers import FAST_RETRY, config_text


def snapshot(settings) -> list[dict]:
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        return [r.to_dict() for r in catalogue.repositories()]


def _without_ids(rows: list[dict]) -> list[dict]:
    # Two emulators number their repositories alike but not necessarily identically.
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]


def three_councils(emulator: GitHubEmulator, per_org: int = 120) -> dict[str, list[str]]:
    emulator.add_account("AlphaCouncil")
    emulator.add_account("BetaCouncil")
    emulator.add_account("gamma-officer", kind="User")
    add_synthetic_repos(emulator, "AlphaCouncil", per_org, seed=1)
    add_synthetic_repos(emulator, "BetaCouncil", per_org, seed=2)
    add_synthetic_repos(emulator, "gamma-officer", 30, seed=3)
    return {"Alpha Council": ["AlphaCouncil"], "Beta Council": ["BetaCouncil"], "Gamma Council": ["gamma-officer"]}


# Requests a changed repository costs in a REST crawl besides its listing entry: README, root
# contents listing, latest release, tags (asked for only when there is no release).
PER_CHANGED_REPOSITORY = 4


def test_first_crawl_stays_within_the_request_budget(emulator, crawl_settings):
    settings = crawl_settings(three_councils(emulator))

    summary = run_crawl(settings)

    repositories = summary.repositories
    assert repositories == 270
    assert summary.stats.charged == emulator.stats.charged_requests
    assert summary.stats.charged / repositories <= PER_CHANGED_REPOSITORY + 0.15


def test_a_recrawl_where_nothing_changed_costs_no_charged_request(emulator, crawl_settings):
    settings = crawl_settings(three_councils(emulator))
    run_crawl(settings)
    before = snapshot(settings)
    emulator.reset_stats()

    summary = run_crawl(settings)

    assert summary.stats.charged == 0
    assert emulator.stats.charged_requests == 0
    assert emulator.stats.not_modified > 0
    assert snapshot(settings) == before
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        run = catalogue.runs(1)[0]
    assert (run.status, run.repos_added, run.repos_changed, run.requests_charged) == ("ok", 0, 0, 0)


def test_a_recrawl_after_changes_fetches_only_the_changed_readmes(emulator, crawl_settings):
    settings = crawl_settings(three_councils(emulator))
    run_crawl(settings)
    names = sorted(r["name"] for r in snapshot(settings) if r["owner"] == "AlphaCouncil")
    for name in names[:7]:
        emulator.update_repo("AlphaCouncil", name, readme=b"# Rewritten\n")
    emulator.reset_stats()

    summary = run_crawl(settings)

    readmes = [p for _, p, s in emulator.stats.requests if p.endswith("/readme") and s == 200]
    listing_pages = [p for _, p, s in emulator.stats.requests if "repos?" in p and s == 200]
    assert len(readmes) == 7
    assert len(listing_pages) <= 2  # only AlphaCouncil's pages changed
    # (+1: a licence file, if one was NOASSERTION)
    assert summary.stats.charged <= 7 * PER_CHANGED_REPOSITORY + 2 + 1
    after = {r["full_name"]: r for r in snapshot(settings)}
    assert all(after[f"AlphaCouncil/{n}"]["readme"] == "# Rewritten\n" for n in names[:7])
    assert summary.total("changed") == 7


def test_removed_repositories_leave_and_renamed_ones_are_updated_in_place(emulator, crawl_settings):
    emulator.add_account("Movers")
    for name in ("keep", "drop", "old-name"):
        emulator.add_repo("Movers", FakeRepo(name=name, readme=name.encode()))
    settings = crawl_settings({"Movers Council": ["Movers"]})
    run_crawl(settings)
    ids = {r["name"]: r["id"] for r in snapshot(settings)}

    emulator.remove_repo("Movers", "drop")
    emulator.rename_repo("Movers", "old-name", "new-name")
    summary = run_crawl(settings)

    after = {r["name"]: r for r in snapshot(settings)}
    assert set(after) == {"keep", "new-name"}
    assert after["new-name"]["id"] == ids["old-name"]
    assert after["new-name"]["full_name"] == "Movers/new-name"
    assert after["new-name"]["readme"] == "old-name"
    assert (summary.total("removed"), summary.total("added")) == (1, 0)


def test_a_301_for_a_renamed_repository_is_followed(emulator):
    emulator.add_account("Movers")
    emulator.add_repo("Movers", FakeRepo(name="before", readme=b"x"))
    emulator.rename_repo("Movers", "before", "after")

    async def fetch():
        async with GitHubClient(emulator.url, retry=FAST_RETRY) as client:
            return await client.get(client.url("/repos/Movers/before"))

    response = asyncio.run(fetch())
    assert response.status == 200 and response.data["full_name"] == "Movers/after"


def test_faults_rate_limits_and_broken_bodies_are_survived(crawl_settings, tmp_path):
    with GitHubEmulator() as clean, GitHubEmulator() as faulty:
        for server in (clean, faulty):
            server.add_account("Resilient")
            add_synthetic_repos(server, "Resilient", 150, seed=7)
        expected_settings = crawl_settings({"Resilient Council": ["Resilient"]}, api_url=clean.url)
        run_crawl(expected_settings)
        expected = snapshot(expected_settings)

        faulty.inject(r"/orgs/Resilient/repos", "502", "502")
        faulty.inject(r"/organizations/\d+/repos\?.*page=2", "429", "drop")
        faulty.inject(r"/repos/Resilient/[^/]+-api/readme", "403-secondary", "truncate", "timeout", "503", "500")
        faulty.set_rate_limit(remaining=12, reset_in=1.5)
        settings = crawl_settings(
            {"Resilient Council": ["Resilient"]}, api_url=faulty.url, data_dir=DataDir(tmp_path / "faulty")
        )
        summary = run_crawl(settings)

        assert summary.exit_code == 0, [o.error for o in summary.failed]
        assert summary.stats.retries >= 5
        assert summary.stats.waited_seconds > 0
        assert _without_ids(snapshot(settings)) == _without_ids(expected)


def test_max_wait_stops_cleanly_and_the_next_run_carries_on(emulator, crawl_settings):
    emulator.add_account("First")
    emulator.add_account("Second")
    add_synthetic_repos(emulator, "First", 20, seed=1)
    add_synthetic_repos(emulator, "Second", 20, seed=2)
    settings = crawl_settings({"First Council": ["First"]})
    run_crawl(settings)
    emulator.set_rate_limit(remaining=0, reset_in=3600)

    both = crawl_settings({"First Council": ["First"], "Second Council": ["Second"]}, max_wait=5)
    summary = run_crawl(both)

    assert summary.stopped and "--max-wait" in summary.stopped
    assert summary.exit_code == 1
    assert len(snapshot(both)) == 20  # what was stored before is still there
    emulator.set_rate_limit(remaining=5000, reset_in=3600)
    assert run_crawl(both).exit_code == 0
    assert len(snapshot(both)) == 40


def test_crawl_as_a_github_app_installation(crawl_settings, tmp_path):
    private, public = app_key_pair()
    with GitHubEmulator(tokens=set()) as server:  # no personal token is accepted: only the App's
        server.add_app(123, public, installation_id=456)
        server.add_account("AppCouncil")
        server.add_repo("AppCouncil", FakeRepo(name="r", readme=b"via app"))
        app = AppCredentials("123", private, 456)
        settings = crawl_settings({"App Council": ["AppCouncil"]}, api_url=server.url, token=None, app=app)

        assert run_crawl(settings).exit_code == 0
        assert snapshot(settings)[0]["readme"] == "via app"

        key_file = tmp_path / "app.pem"
        key_file.write_text(private, encoding="utf-8")
        config = tmp_path / "cli.yaml"
        config.write_text(config_text({"App Council": ["AppCouncil"]}), encoding="utf-8")
        result = CliRunner().invoke(
            cli,
            [
                "crawl",
                "--config",
                str(config),
                "--data-dir",
                str(tmp_path / "cli"),
                "--api-url",
                server.url,
                "--app-id",
                "123",
                "--app-private-key",
                str(key_file),
                "--installation-id",
                "456",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "60 requests an hour" not in result.output


def test_installation_tokens_are_renewed_before_they_expire():
    private, public = app_key_pair()
    with GitHubEmulator(tokens=set()) as server:
        server.add_app(1, public, installation_id=2, token_ttl=3600)
        now = [time.time()]
        source = AppInstallationToken(1, private, 2, server.url, margin=300, clock=lambda: now[0])

        async def tokens() -> list[str | None]:
            first = await source.token()
            same = await source.token()
            now[0] += 3600 - 299  # within five minutes of the expiry the emulator gave
            renewed = await source.token()
            return [first, same, renewed]

        first, same, renewed = asyncio.run(tokens())
        assert first == same and renewed != first
        # Two installation tokens were asked for: the first, and the renewal.
        token_requests = [r for r in server.stats.requests if r[:2] == ("POST", "/app/installations/2/access_tokens")]
        assert len(token_requests) == 2


@pytest.mark.parametrize("wrong", ["key", "installation"])
def test_wrong_app_credentials_exit_2_with_a_message_not_a_traceback(tmp_path, wrong):
    private, public = app_key_pair()
    other_key, _ = app_key_pair("other")
    with GitHubEmulator(tokens=set()) as server:
        server.add_app(123, public, installation_id=456)
        server.add_account("AppCouncil")
        server.add_repo("AppCouncil", FakeRepo(name="r", readme=b"x"))
        key_file = tmp_path / "app.pem"
        key_file.write_text(other_key if wrong == "key" else private, encoding="utf-8")
        config = tmp_path / "orgs.yaml"
        config.write_text(config_text({"App Council": ["AppCouncil"]}), encoding="utf-8")
        installation = "999" if wrong == "installation" else "456"
        result = CliRunner().invoke(
            cli,
            ["crawl", "--config", str(config), "--data-dir", str(tmp_path / "data"), "--api-url", server.url]
            + ["--app-id", "123", "--app-private-key", str(key_file), "--installation-id", installation],
        )
        assert not any("/repos" in path or "/orgs/" in path for _, path, _ in server.stats.requests)
    assert result.exit_code == 2, result.output
    assert "GitHub App 123, installation" in result.output and "no installation token" in result.output
    assert not isinstance(result.exception, ExceptionGroup)


@pytest.mark.parametrize("command", [["crawl"], ["schedule", "--every", "1h"]])
def test_app_options_must_come_together(tmp_path, command):
    # `schedule` takes them too: scheduled crawls are what an App's higher limit is for.
    result = CliRunner().invoke(cli, [*command, "--app-id", "1", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--installation-id" in result.output


@pytest.mark.slow
def test_request_budget_holds_on_2000_repositories(emulator, crawl_settings):
    # A first REST crawl of 2000 repositories costs about 8000 requests, more than an hour's 5000:
    # a larger allowance keeps the test from waiting an hour for the reset.
    emulator.set_rate_limit(20000, 3600)
    for i in range(10):
        emulator.add_account(f"Council{i}")
        add_synthetic_repos(emulator, f"Council{i}", 200, seed=i)
    settings = crawl_settings({f"Council {i}": [f"Council{i}"] for i in range(10)})

    first = run_crawl(settings)
    assert first.repositories == 2000
    assert first.stats.charged / 2000 <= PER_CHANGED_REPOSITORY + 0.15

    second = run_crawl(settings)
    assert second.stats.charged == 0

    for i, row in enumerate(snapshot(settings)[::80][:25]):
        emulator.update_repo(row["owner"], row["name"], description=f"changed {i}")
    third = run_crawl(settings)
    assert third.total("changed") == 25
    assert third.stats.charged <= 25 + 10 * 2 + 3
