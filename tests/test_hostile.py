"""Hostile data from GitHub, served by the emulator: each crafted answer is a regression test.

A bad listing item or repository is skipped alone and named; text is stored clean; `html_url` is built from
the name; redirects to another origin are refused; the CLI prints what GitHub sent as plain text.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from councilcode.catalogue import Catalogue
from councilcode.cli import cli
from councilcode.cli.jobs import run_crawl, run_index
from councilcode.cli.plain import plain
from councilcode.crawler.graphql import graphql_node_problem, repository_from_graphql
from tests.github_emulator import FakeRepo, GitHubEmulator

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"  # retitle the window, clear the screen, a C1 CSI
MARKUP = "[/nope] [link=https://evil.example]click me[/link] [bold red]loud"


def stored(settings) -> dict[str, object]:
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        return {r.full_name: r for r in catalogue.repositories()}


def last_run(settings):
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        return catalogue.runs(1)[0]


def test_a_nul_in_urls_and_a_javascript_html_url_never_reach_the_catalogue(emulator, crawl_settings):
    emulator.add_repo(
        "Hostile",
        FakeRepo(
            name="links",
            readme=b"x",
            raw={
                "html_url": "javascript:alert(document.domain)",
                "url": "http://127.0.0.1:1/repos/\x00evil",
                "homepage": "javascript:alert(1)//\x00https://ok.example",
            },
        ),
    )
    emulator.add_repo("Hostile", FakeRepo(name="page", readme=b"y", homepage="https://council.example/page"))
    emulator.add_repo("Hostile", FakeRepo(name="bare", readme=b"z", homepage="www.council.example"))
    settings = crawl_settings({"Hostile Council": ["Hostile"]})

    summary = run_crawl(settings)

    assert summary.exit_code == 0, summary.skipped
    repos = stored(settings)
    assert repos["Hostile/links"].html_url == "https://github.com/Hostile/links"
    assert repos["Hostile/links"].homepage is None and repos["Hostile/links"].readme == "x"
    assert repos["Hostile/page"].homepage == "https://council.example/page"
    assert repos["Hostile/bare"].homepage == "https://www.council.example"  # as GitHub links it


def test_a_lone_surrogate_and_a_nul_in_text_are_stored_cleaned(emulator, crawl_settings):
    emulator.add_repo(
        "Hostile",
        FakeRepo(name="text", readme=b"x", raw={"description": "half \ud800 a pair\x00", "topics": ["a\udfff"]}),
    )
    settings = crawl_settings({"Hostile Council": ["Hostile"]})

    summary = run_crawl(settings)

    assert summary.exit_code == 0 and last_run(settings).status == "ok"
    repo = stored(settings)["Hostile/text"]
    assert repo.description == "half \ufffd a pair" and repo.topics == ["a\ufffd"]


def test_listing_items_of_the_wrong_shape_are_skipped_alone_and_named(emulator, crawl_settings):
    emulator.add_repo("Hostile", FakeRepo(name="owner-not-an-object", readme=b"x", raw={"owner": "Hostile"}))
    emulator.add_repo("Hostile", FakeRepo(name="nul-name", readme=b"x", raw={"full_name": "Hostile/nul\x00name"}))
    emulator.add_repo("Hostile", FakeRepo(name="dots", readme=b"x", raw={"full_name": "Hostile/..", "name": ".."}))
    emulator.add_repo("Hostile", FakeRepo(name="id-text", readme=b"x", raw={"id": "12"}))
    emulator.add_repo(
        "Hostile", FakeRepo(name="loose-types", readme=b"x", raw={"topics": "bins", "description": 42, "fork": "yes"})
    )
    emulator.add_repo("Hostile", FakeRepo(name="fine", readme=b"x"))
    emulator.add_repo("Other", FakeRepo(name="fine", readme=b"x"))
    settings = crawl_settings({"Hostile Council": ["Hostile"], "Other Council": ["Other"]})

    summary = run_crawl(settings)

    assert summary.failed == [] and summary.exit_code == 1
    skipped = "\n".join(summary.skipped)
    assert "skipped Hostile/owner-not-an-object: owner None and name 'owner-not-an-object'" in skipped
    assert re.search(
        r"skipped item \d of http://127\.0\.0\.1:\d+/orgs/Hostile/repos\S*: "
        r"not a valid repository name \('Hostile/nul\\x00name'\)",
        skipped,
    )
    assert "skipped Hostile/..: not a valid repository name ('Hostile/..')" in skipped
    assert "skipped Hostile/id-text: no numeric id (id '12')" in skipped
    assert len(summary.skipped) == 4
    repos = stored(settings)
    # Loose optional fields are dropped, not fatal: text that is not text, flags that are not true.
    assert sorted(repos) == ["Hostile/fine", "Hostile/loose-types", "Other/fine"]
    loose = repos["Hostile/loose-types"]
    assert loose.topics == [] and loose.description is None and loose.fork is False
    assert last_run(settings).status == "partial"


def test_a_skipped_item_keeps_its_stored_copy(emulator, crawl_settings):
    emulator.add_repo("Hostile", FakeRepo(name="later-bad", description="good", readme=b"x"))
    settings = crawl_settings({"Hostile Council": ["Hostile"]})
    run_crawl(settings)
    emulator.update_repo("Hostile", "later-bad", raw={"owner": None})

    summary = run_crawl(settings)

    assert len(summary.skipped) == 1
    assert stored(settings)["Hostile/later-bad"].description == "good"  # not taken for a deletion


def test_a_redirect_to_another_origin_is_refused_and_sends_nothing_there(emulator, crawl_settings):
    emulator.add_repo("Hostile", FakeRepo(name="moved", readme=b"x"))
    emulator.add_repo("Hostile", FakeRepo(name="stays", readme=b"y"))
    with GitHubEmulator() as elsewhere:
        elsewhere.add_repo("Hostile", FakeRepo(name="moved", readme=b"served from elsewhere"))
        emulator.inject(r"/repos/Hostile/moved/readme", f"redirect:{elsewhere.url}/repos/Hostile/moved/readme")
        settings = crawl_settings({"Hostile Council": ["Hostile"]})

        summary = run_crawl(settings)

        assert elsewhere.stats.total_requests == 0
    [note] = summary.skipped
    assert note.startswith("skipped Hostile/moved: refusing a redirect to another origin (http://127.0.0.1:")
    assert list(stored(settings)) == ["Hostile/stays"]


def test_a_redirect_within_the_api_is_followed(emulator, crawl_settings):
    emulator.add_repo("Hostile", FakeRepo(name="moved", readme=b"x"))
    emulator.add_repo("Hostile", FakeRepo(name="other", readme=b"the other README"))
    emulator.inject(r"/repos/Hostile/moved/readme", f"redirect:{emulator.url}/repos/Hostile/other/readme")
    settings = crawl_settings({"Hostile Council": ["Hostile"]})

    assert run_crawl(settings).exit_code == 0
    assert stored(settings)["Hostile/moved"].readme == "the other README"


def test_search_and_status_print_githubs_text_plainly(emulator, crawl_settings):
    emulator.add_account("Hostile")
    emulator.add_repo("Hostile", FakeRepo(name="markup", description=f"bins {MARKUP} {ESCAPES} end", readme=b"bins"))
    # A skipped repository's note (kept as the handle's last error) quotes what GitHub sent.
    emulator.add_repo("Hostile", FakeRepo(name="bad", readme=b"x", raw={"id": f"{MARKUP}{ESCAPES}"}))
    settings = crawl_settings({"Hostile Council": ["Hostile"]})
    run_crawl(settings)
    run_index(settings.data_dir)
    data = ["--data-dir", str(settings.data_dir.root)]

    search = CliRunner().invoke(cli, ["search", "bins", *data])
    status = CliRunner().invoke(cli, ["status", *data])

    for result in (search, status):
        assert result.exit_code == 0, result.output
        assert result.exception is None
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output)  # no escape sequence got through
    flat = " ".join(search.output.split())
    assert "[/nope]" in flat and "[link=https://evil.example]click" in flat and "]0;pwned" in flat
    assert "[/nope]" in " ".join(status.output.split())


def test_plain_removes_control_characters_and_keeps_the_rest() -> None:
    assert plain(f"a{ESCAPES}b\u202eevil\r\n\tz") == "a]0;pwned[2J31mbevil  z"
    assert plain("line\nnext", keep_lines=True) == "line\nnext"
    assert plain("half \ud800") == "half \ufffd"
    assert plain(MARKUP) == MARKUP


def graphql_node(**changes: object) -> dict[str, object]:
    node: dict[str, object] = {
        "id": "R_1",
        "databaseId": 7,
        "name": "bins",
        "nameWithOwner": "Hostile/bins",
        "owner": {"login": "Hostile"},
        "description": "bins",
        "homepageUrl": None,
        "url": "https://github.com/Hostile/bins",
    }
    return node | changes


def test_graphql_nodes_get_the_same_checks_as_rest_listings() -> None:
    hostile = graphql_node(
        url="javascript:alert(1)",
        homepageUrl="javascript:alert(2)",
        description="half \ud800\x00",
        repositoryTopics={"nodes": [{"topic": {"name": "a\x00b"}}, None, {"topic": {"name": 5}}]},
        primaryLanguage="not an object",
    )
    assert graphql_node_problem(hostile) is None
    repo = repository_from_graphql(hostile, "Hostile Council", "https://ghe.example/api/v3")
    assert repo.html_url == "https://ghe.example/Hostile/bins" and repo.homepage is None
    assert repo.description == "half \ufffd" and repo.topics == ["ab"] and repo.language is None

    assert "not a valid repository name" in (graphql_node_problem(graphql_node(nameWithOwner="Hostile/a\x00")) or "")
    assert "no numeric id" in (graphql_node_problem(graphql_node(databaseId="7")) or "")
    assert "no node id" in (graphql_node_problem(graphql_node(id=None)) or "")
    with pytest.raises(ValueError, match="stargazerCount is 'lots'"):
        repository_from_graphql(graphql_node(stargazerCount="lots"), "Hostile Council")
