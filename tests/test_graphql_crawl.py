"""The GraphQL crawl against the emulator: the REST crawl's catalogue for far fewer points, and its faults."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from click.testing import CliRunner

from councilcode.catalogue import Catalogue
from councilcode.cli import cli
from councilcode.cli.jobs import run_crawl
from councilcode.crawler.graphql import graphql_url, pick_licence, pick_readme
from councilcode.crawler.text import decode_text
from councilcode.settings import DataDir
from tests.github_emulator import FakeRepo, GitHubEmulator, add_synthetic_repos, load_corpus
from tests.helpers import FAST_RETRY, config_text

OGL3_POINTER = (
    b"This code is released under the [Open Government Licence v3]"
    b"(http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).\n"
)
# The emulator answers GraphQL in-process and one query at a time: leave it time to answer, but stay
# under its 3 s "timeout" fault so that one is still a timeout.
GRAPHQL_RETRY = replace(FAST_RETRY, timeout=2.5)


def snapshot(settings) -> list[dict]:
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        return [r.to_dict() for r in catalogue.repositories()]


def _without_ids(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]


@pytest.fixture
def both(crawl_settings, tmp_path):
    """Settings for a GraphQL and a REST crawl of the same councils into two data dirs."""

    def make(councils: dict[str, list[str]], **overrides: object):
        graphql = crawl_settings(
            councils, api="graphql", data_dir=DataDir(tmp_path / "graphql"), retry=GRAPHQL_RETRY, **overrides
        )
        rest = crawl_settings(councils, api="rest", data_dir=DataDir(tmp_path / "rest"), **overrides)
        return graphql, rest

    return make


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://github.example.gov.uk/api/v3/", "https://github.example.gov.uk/api/graphql"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123/graphql"),
    ],
)
def test_the_graphql_endpoint_follows_the_api_url(api_url, expected):
    assert graphql_url(api_url) == expected


def test_readme_and_licence_files_are_picked_from_the_root_names():
    assert pick_readme(["src", "LICENSE", "README.md", "readme.txt"]) == "README.md"
    assert pick_readme(["docs", "Readme.rst", "README"]) == "Readme.rst"
    assert pick_readme(["README-old.txt", "index.md"]) is None
    assert pick_licence(["LICENCE.md", "LICENSE", "README.md"]) == "LICENSE"
    assert pick_licence(["COPYING", "main.c"]) == "COPYING"
    assert pick_licence(["licensing-notes.md", "README"]) is None


def test_the_real_corpus_gives_the_rest_crawls_export_with_byte_exact_readmes(emulator, both, corpus_dir, tmp_path):
    loaded = load_corpus(emulator, corpus_dir)
    graphql, rest = both({f"Council {handle}": [handle] for handle in loaded})

    assert run_crawl(graphql).exit_code == 0
    points = emulator.graphql.stats.points
    assert run_crawl(rest).exit_code == 0

    exports = []
    for settings in (graphql, rest):
        result = CliRunner().invoke(cli, ["export", "--format", "json", "--data-dir", str(settings.data_dir.root)])
        assert result.exit_code == 0, result.output
        exports.append(json.loads(result.output))
    assert exports[0] == exports[1]
    assert len(exports[0]) == sum(len(repos) for repos in loaded.values())
    by_name = {row["full_name"]: row for row in exports[0]}
    for owner, repos in loaded.items():
        for repo in repos:
            row = by_name[f"{owner}/{repo.name}"]
            expected = decode_text(repo.readme) if repo.readme is not None else None
            assert row["readme"] == expected, f"{owner}/{repo.name}"
    # A handful of points for the whole corpus, against a request per repository and more for REST.
    assert points <= len(exports[0]) / 5


@pytest.mark.slow
def test_2000_repositories_cost_a_few_points_and_a_quiet_night_costs_one_per_10_handles(emulator, crawl_settings):
    handles = [f"Council{i:02}" for i in range(20)]
    for i, handle in enumerate(handles):
        emulator.add_account(handle)
        add_synthetic_repos(emulator, handle, 100, seed=i)
    settings = crawl_settings(
        {f"Council {h}": [h] for h in handles}, api="graphql", retry=replace(FAST_RETRY, timeout=20)
    )

    first = run_crawl(settings)
    assert first.exit_code == 0 and first.repositories == 2000
    assert emulator.graphql.stats.points / 2000 <= 0.05
    assert first.stats.points == emulator.graphql.stats.points
    assert emulator.stats.charged_requests - emulator.graphql.stats.queries <= 2000 * 0.01  # REST fallbacks
    stored = snapshot(settings)

    emulator.reset_stats()
    emulator.graphql.reset_stats()
    assert run_crawl(settings).exit_code == 0
    assert emulator.graphql.stats.points <= len(handles) / 10
    assert emulator.stats.charged_requests == emulator.graphql.stats.queries  # no REST request at all
    assert snapshot(settings) == stored

    pushed = []
    for i in range(25):
        owner, repo = handles[i % 20], emulator._repos_of(handles[i % 20].lower())[i // 20 + 3]
        emulator.update_repo(owner, repo.name, readme=f"# Pushed {i}\n".encode())
        pushed.append(f"{owner}/{repo.name}")
    emulator.graphql.reset_stats()
    summary = run_crawl(settings)
    assert summary.exit_code == 0 and summary.total("changed") == 25
    # For each group of 10 handles: a probe, what changed (newest first, packed) and the READMEs.
    assert emulator.graphql.stats.points <= 2 * (1 + 1 + 1)
    after = {r["full_name"]: r for r in snapshot(settings)}
    assert [after[name]["readme"] for name in pushed] == [f"# Pushed {i}\n" for i in range(25)]


def test_readmes_licences_and_odd_files_match_the_rest_crawl(emulator, both):
    emulator.add_account("Odd")
    emulator.add_account("jo-at-the-council", kind="User")
    repos = {
        "rst": FakeRepo(name="rst", readme=b"Title\n=====\n", readme_path="README.rst", license_spdx="MIT"),
        "crlf-bom": FakeRepo(name="crlf-bom", readme=b"\xef\xbb\xbf# Bins\r\n"),
        "utf16": FakeRepo(name="utf16", readme="# Caf\u00e9\n".encode("utf-16")),
        "cp1252": FakeRepo(name="cp1252", readme="\u00a3 5 fee\n".encode("cp1252")),
        "big": FakeRepo(name="big", readme=b"x" * 5000),
        "empty-readme": FakeRepo(name="empty-readme", readme=b""),
        "none": FakeRepo(name="none"),
        "in-docs": FakeRepo(name="in-docs", readme=b"# Documented\n", readme_path="docs/README.md"),
        "ogl": FakeRepo(name="ogl", license_spdx="NOASSERTION", license_file=OGL3_POINTER, license_path="LICENCE"),
        "other": FakeRepo(name="other", license_spdx="NOASSERTION", license_file=b"All rights reserved."),
    }
    for repo in repos.values():
        emulator.add_repo("Odd", repo)
    emulator.add_repo("jo-at-the-council", FakeRepo(name="bins", readme=b"Bin days", topics=["bins", "waste"]))
    emulator.graphql.blob_text_limit = 4096  # "big" is too big for GraphQL: the REST way
    graphql, rest = both({"Odd Council": ["Odd"], "Tiny Council": ["jo-at-the-council"]})

    assert run_crawl(graphql).exit_code == 0
    rest_requests = [path for _, path, _ in emulator.stats.requests if path not in ("/graphql", "/rate_limit")]
    assert run_crawl(rest).exit_code == 0

    assert snapshot(graphql) == snapshot(rest)
    got = {r["name"]: r for r in snapshot(graphql)}
    assert got["crlf-bom"]["readme"] == "# Bins\r\n"
    assert got["utf16"]["readme"] == "# Caf\u00e9\n" and got["cp1252"]["readme"] == "\u00a3 5 fee\n"
    assert got["rst"]["readme_path"] == "README.rst" and got["rst"]["license"] == "MIT"
    assert got["ogl"]["license"] == "OGL-UK-3.0" and got["other"]["license"] == "NOASSERTION"
    assert got["bins"]["topics"] == ["bins", "waste"] and got["bins"]["owner"] == "jo-at-the-council"
    assert got["in-docs"]["readme"] == "# Documented\n" and got["in-docs"]["readme_path"] == "docs/README.md"
    # Only what GraphQL could not give went the REST way: binary, big, and not at the root.
    assert sorted(rest_requests) == [f"/repos/Odd/{n}/readme" for n in ("big", "cp1252", "in-docs", "utf16")]


def test_an_empty_repository_has_no_default_branch_in_graphql(emulator, crawl_settings):
    emulator.add_repo("Quiet", FakeRepo(name="nothing-yet", empty=True))
    settings = crawl_settings({"Quiet Council": ["Quiet"]}, api="graphql", retry=GRAPHQL_RETRY)
    assert run_crawl(settings).exit_code == 0
    (row,) = snapshot(settings)
    # GitHub's GraphQL API has no default branch for an empty repository (REST names the configured one).
    assert (row["readme"], row["license"], row["default_branch"]) == (None, None, None)


def test_a_handle_whose_repositories_have_no_readme_licence_or_publiccode_file_is_crawled(emulator, crawl_settings):
    # Its text query asks for no file at all (only the facts): GitHub refuses a query with an unused fragment.
    emulator.add_repo("Bare", FakeRepo(name="scripts"))
    settings = crawl_settings({"Bare Council": ["Bare"]}, api="graphql", retry=GRAPHQL_RETRY)
    summary = run_crawl(settings)
    assert summary.exit_code == 0, [o.error for o in summary.failed]
    (row,) = snapshot(settings)
    assert (row["full_name"], row["readme"], row["license"]) == ("Bare/scripts", None, None)


def test_a_missing_handle_is_reported_like_a_404_and_the_others_are_saved(emulator, crawl_settings):
    emulator.add_account("Real")
    emulator.add_account("Bare")  # an organisation without repositories
    emulator.add_repo("Real", FakeRepo(name="r", readme=b"x"))
    councils = {"Real Council": ["Real"], "Gone Council": ["gone-away"], "Bare Council": ["Bare"]}
    settings = crawl_settings(councils, api="graphql", retry=GRAPHQL_RETRY)

    summary = run_crawl(settings)

    assert summary.exit_code == 1
    (failed,) = summary.failed
    assert failed.handle == "gone-away" and "no GitHub organisation or user of that name (404)" in failed.error
    assert [r["full_name"] for r in snapshot(settings)] == ["Real/r"]
    assert {o.handle: o.status for o in summary.outcomes}["Bare"] == "ok"
    assert emulator.graphql.stats.queries == 3  # the probe, one listing page, one file text batch


def test_removed_renamed_and_edited_repositories_are_seen_on_the_next_crawl(emulator, crawl_settings):
    emulator.add_account("Moving")
    add_synthetic_repos(emulator, "Moving", 30, seed=5)
    settings = crawl_settings({"Moving Council": ["Moving"]}, api="graphql", retry=GRAPHQL_RETRY)
    run_crawl(settings)
    names = [r.name for r in emulator._repos_of("moving")]
    emulator.remove_repo("Moving", names[0])
    emulator.rename_repo("Moving", names[1], "renamed")
    emulator.update_repo("Moving", names[2], stars=99, description="Now with stars")

    summary = run_crawl(settings)

    assert summary.total("removed") == 1 and summary.total("changed") == 2
    rows = {r["name"]: r for r in snapshot(settings)}
    assert names[0] not in rows and names[1] not in rows and "renamed" in rows
    assert rows[names[2]]["stars"] == 99 and rows[names[2]]["description"] == "Now with stars"


def test_faults_partial_answers_and_a_low_budget_are_survived(crawl_settings, tmp_path, caplog):
    with GitHubEmulator() as clean, GitHubEmulator() as faulty:
        for server in (clean, faulty):
            for handle, seed in (("Resilient", 7), ("Sturdy", 8)):
                server.add_account(handle)
                add_synthetic_repos(server, handle, 120, seed=seed)
        councils = {"Resilient Council": ["Resilient"], "Sturdy Council": ["Sturdy"]}
        expected_settings = crawl_settings(councils, api_url=clean.url, api="graphql", retry=GRAPHQL_RETRY)
        run_crawl(expected_settings)
        expected = snapshot(expected_settings)

        faulty.inject(r"^/graphql$", "502", "429", "403-secondary", "truncate", "drop", "timeout", "503", "500")
        faulty.graphql.inject(r"nodes\(ids", "partial", "query-timeout")
        faulty.graphql.inject(r"Sturdy", "partial")
        faulty.graphql.set_rate_limit(remaining=45, reset_in=8)
        settings = crawl_settings(
            councils, api_url=faulty.url, api="graphql", retry=GRAPHQL_RETRY, data_dir=DataDir(tmp_path / "faulty")
        )
        with caplog.at_level(logging.WARNING):
            summary = run_crawl(settings)

        assert summary.exit_code == 0, [o.error for o in summary.failed]
        # Every injected fault was met and got past: six failed attempts, two waits, three bad answers.
        assert len(summary.stats.problems) >= 6
        assert not any(queue for _, queue in faulty._faults + faulty.graphql._faults)
        assert summary.stats.waited_seconds > 0
        assert any("GitHub rate limit nearly used up" in m for m in caplog.messages)
        assert any("secondary rate limit" in m or "slow down" in m for m in caplog.messages)
        assert _without_ids(snapshot(settings)) == _without_ids(expected)
        assert faulty.errors == []


def test_pages_shrink_when_big_queries_time_out(emulator, crawl_settings):
    emulator.add_account("Large")
    add_synthetic_repos(emulator, "Large", 140, seed=3)
    emulator.graphql.timeout_above_nodes = 600  # a page of 100 repositories with their topics is 2,100 nodes
    settings = crawl_settings({"Large Council": ["Large"]}, api="graphql", retry=GRAPHQL_RETRY)

    summary = run_crawl(settings)

    assert summary.exit_code == 0, [o.error for o in summary.failed]
    assert len(snapshot(settings)) == 140


def test_a_listing_that_keeps_failing_fails_its_handle_after_bounded_tries(emulator, crawl_settings):
    emulator.add_account("Broken")
    emulator.add_account("Fine")
    add_synthetic_repos(emulator, "Broken", 5, seed=1)
    add_synthetic_repos(emulator, "Fine", 5, seed=2)
    emulator.graphql.inject(r"Broken", *["query-timeout"] * 50)
    settings = crawl_settings(
        {"Broken Council": ["Broken"], "Fine Council": ["Fine"]}, api="graphql", retry=GRAPHQL_RETRY
    )

    summary = run_crawl(settings)

    assert [o.handle for o in summary.failed] == ["Broken"]
    assert "timeout" in summary.failed[0].error
    assert emulator.graphql.stats.queries < 20
    assert len(snapshot(settings)) == 5


def test_a_spent_budget_with_max_wait_stops_cleanly_and_the_next_run_carries_on(emulator, crawl_settings):
    emulator.add_account("First")
    emulator.add_account("Second")
    add_synthetic_repos(emulator, "First", 20, seed=1)
    add_synthetic_repos(emulator, "Second", 20, seed=2)
    run_crawl(crawl_settings({"First Council": ["First"]}, api="graphql", retry=GRAPHQL_RETRY))
    emulator.graphql.set_rate_limit(remaining=0, reset_in=3600)

    councils = {"First Council": ["First"], "Second Council": ["Second"]}
    both_handles = crawl_settings(councils, api="graphql", retry=GRAPHQL_RETRY, max_wait=5)
    summary = run_crawl(both_handles)

    assert summary.stopped and "--max-wait" in summary.stopped
    assert summary.exit_code == 1
    assert len(snapshot(both_handles)) == 20  # what was stored before is still there
    emulator.graphql.set_rate_limit(remaining=5000, reset_in=3600)
    assert run_crawl(both_handles).exit_code == 0
    assert len(snapshot(both_handles)) == 40


def test_crawl_command_picks_graphql_with_a_token_and_rest_without(emulator, tmp_path, monkeypatch):
    emulator.add_account("Cli")
    emulator.add_repo("Cli", FakeRepo(name="r", readme=b"x"))
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"Cli Council": ["Cli"]}), encoding="utf-8")
    args = ["crawl", "--config", str(config), "--data-dir", str(tmp_path / "d"), "--api-url", emulator.url]

    monkeypatch.setenv("GITHUB_TOKEN", "t")
    with_token = CliRunner().invoke(cli, [*args, "--no-index"])
    assert with_token.exit_code == 0, with_token.output
    assert emulator.graphql.stats.queries > 0 and "GraphQL:" in with_token.output

    forced_rest = CliRunner().invoke(cli, [*args, "--no-index", "--api", "rest"])
    assert forced_rest.exit_code == 0 and "GraphQL:" not in forced_rest.output

    monkeypatch.delenv("GITHUB_TOKEN")
    queries = emulator.graphql.stats.queries
    anonymous = CliRunner().invoke(cli, [*args, "--no-index"])
    assert anonymous.exit_code == 0, anonymous.output
    assert "crawling with the REST API" in anonymous.output
    assert emulator.graphql.stats.queries == queries

    refused = CliRunner().invoke(cli, [*args, "--api", "graphql"])
    assert refused.exit_code == 2
    assert "GraphQL API needs authentication" in refused.output and "Traceback" not in refused.output


def test_schedule_refuses_graphql_without_a_token(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"C": ["c"]}), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["schedule", "--every", "1h", "--config", str(config), "--data-dir", str(tmp_path), "--api", "graphql"]
    )
    assert result.exit_code == 2 and "GraphQL API needs authentication" in result.output


def test_a_recrawl_lists_only_what_changed_unless_the_rest_does_not_add_up(emulator, crawl_settings):
    emulator.add_account("Careful")
    add_synthetic_repos(emulator, "Careful", 60, seed=9)
    settings = crawl_settings({"Careful Council": ["Careful"]}, api="graphql", retry=GRAPHQL_RETRY)
    run_crawl(settings)
    names = sorted(r.name for r in emulator._repos_of("careful"))

    # One README pushed: the probe, one newest-first page of 10, one text batch.
    emulator.update_repo("Careful", names[0], readme=b"# New\n")
    emulator.graphql.reset_stats()
    assert run_crawl(settings).total("changed") == 1
    assert emulator.graphql.stats.queries == 3
    assert {r["name"]: r for r in snapshot(settings)}[names[0]]["readme"] == "# New\n"

    # A push that left updatedAt alone is not among the newest: the pushedAt check lists it all.
    quiet = emulator._find("Careful", names[1])
    emulator.update_repo(
        "Careful", names[1], readme=b"# Quiet push\n", pushed_at="2030-01-01T00:00:00Z", updated_at=quiet.updated_at
    )
    assert run_crawl(settings).total("changed") == 1
    assert {r["name"]: r for r in snapshot(settings)}[names[1]]["readme"] == "# Quiet push\n"

    # One gone and one new keep the count: only the count of the new ones shows the loss.
    emulator.remove_repo("Careful", names[2])
    stamp = "2030-01-02T00:00:00Z"
    emulator.add_repo(
        "Careful",
        FakeRepo(name="brand-new", readme=b"# Brand new\n", created_at=stamp, updated_at=stamp, pushed_at=stamp),
    )
    summary = run_crawl(settings)

    rows = {r["name"]: r for r in snapshot(settings)}
    assert summary.total("removed") == 1 and summary.total("added") == 1
    assert names[2] not in rows and rows["brand-new"]["readme"] == "# Brand new\n"
    assert len(rows) == 60
