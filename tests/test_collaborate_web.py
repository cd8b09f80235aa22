"""The collaboration finder in the viewer (/collaborate, /collaborate/{id}, /api/collaborate, links to
it) and on the command line (`councilcode collaborate`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from councilcode.cli.collaborate import collaborate_command
from councilcode.indexer.build import update_index
from councilcode.indexer.collaborate import Group, GroupRepository, Groups, write_groups
from councilcode.indexer.search import Searcher, SearchRequest
from councilcode.settings import DataDir
from councilcode.web.app import create_app
from councilcode.web.views import collaborate as collaborate_views
from tests.helpers import outline
from tests.relevance.corpus_records import CORPUS_DIR, corpus_available, load_corpus_repositories, store_in_catalogue
from tests.relevance.synthetic import distractors
from tests.web_fixtures import (
    DORSET,
    ESCC,
    HACKNEY,
    TestClient,
)

GRITTING = "east-sussex-county-council/Escc.Gritting"


def gritting_group(client: TestClient) -> dict:
    body = client.get("/api/collaborate").json()
    return next(g for g in body["groups"] if GRITTING in [r["full_name"] for r in g["repositories"]])


# -- over the small sample catalogue ---------------------------------------------------------------


def test_collaborate_page_lists_groups_accessibly(client: TestClient) -> None:
    response = client.get("/collaborate")
    assert response.status_code == 200
    page = outline(response.text)
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in page.tags
    assert page.h1 == 1 and "h2" in page.tags
    assert len(page.ids) == len(set(page.ids))
    assert page.scripts == 0 and page.inline_styles == 0
    assert 'href="/collaborate" aria-current="page"' in response.text
    group = gritting_group(client)
    assert f'href="/collaborate/{group["id"]}"' in response.text
    for council in group["councils"]:
        assert council in response.text
    assert "/repos/east-sussex-county-council/Escc.Gritting" in response.text
    assert "Open Government Licence v1.0" in response.text  # licence shown
    assert "11 February 2016" in response.text  # last push shown
    assert 'href="/search?q=' in response.text


def test_group_page(client: TestClient) -> None:
    group = gritting_group(client)
    response = client.get(f"/collaborate/{group['id']}")
    assert response.status_code == 200
    page = outline(response.text)
    assert page.h1 == 1 and page.scripts == 0 and page.inline_styles == 0
    assert ESCC in response.text and HACKNEY in response.text and DORSET in response.text
    assert client.get("/collaborate/no-such-group").status_code == 404


def test_api_collaborate(client: TestClient) -> None:
    response = client.get("/api/collaborate")
    assert response.status_code == 200
    body = response.json()
    assert body["generated_at"] and body["total"] == len(body["groups"]) >= 1
    group = gritting_group(client)
    assert set(group) >= {"id", "label", "councils", "repositories", "reuse"}
    assert set(group["councils"]) == {DORSET, ESCC, HACKNEY}
    repo = next(r for r in group["repositories"] if r["full_name"] == GRITTING)
    assert repo["license"] == "OGL-UK-1.0" and repo["pushed_at"] == "2016-02-11T13:01:37Z"
    assert repo["html_url"] == f"https://github.com/{GRITTING}" and repo["fork"] is False
    assert repo["url"].endswith(f"/repos/{GRITTING}")
    assert group["url"].endswith(f"/collaborate/{group['id']}")


def test_openapi_describes_api_collaborate(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "get" in document["paths"]["/api/collaborate"]
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/')[1:]}:
        node = document
        for key in ref.split("/"):
            node = node[key]  # every $ref resolves


def test_repository_page_links_to_its_group(client: TestClient) -> None:
    group = gritting_group(client)
    html = client.get(f"/repos/{GRITTING}").text
    assert f'href="/collaborate/{group["id"]}"' in html
    assert "Also built by 2 other councils" in html
    alone = client.get("/repos/Dorset-Council-UK/GIFramework-Maps").text
    assert "/collaborate/" not in alone


def test_home_and_navigation_link_to_collaborate(client: TestClient) -> None:
    home = client.get("/").text
    assert home.count('href="/collaborate"') >= 2  # the site navigation and the page itself
    assert 'href="/collaborate"' in client.get("/about").text


def test_large_groups_are_listed_a_page_at_a_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Groups of the sample catalogue are small: list and pages are made small to match.
    monkeypatch.setattr(collaborate_views, "MEMBERS_IN_LIST", 1)
    monkeypatch.setattr(collaborate_views, "MEMBERS_PER_PAGE", 2)
    group = gritting_group(client)
    names = [r["full_name"] for r in group["repositories"]]
    assert len(names) == group["repositories_total"] == 3
    url = f"/collaborate/{group['id']}"
    listing = client.get("/collaborate").text
    assert f'<a href="{url}">See all 3 repositories' in listing
    assert sum(f'href="/repos/{name}"' in listing for name in names) == 1
    first, second = client.get(url).text, client.get(f"{url}?page=2").text
    assert "Page 1 of 2" in first and f'href="{url}?page=2" rel="next"' in first
    assert "Page 2 of 2" in second and f'href="{url}" rel="prev"' in second
    assert [sum(f'href="/repos/{name}"' in page for name in names) for page in (first, second)] == [2, 1]
    assert client.get(f"{url}?page=3").status_code == 400
    assert client.get(f"{url}?page=x").status_code == 400


def test_forks_are_listed_on_the_first_page_of_a_group_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample catalogue has no forks: a group with three members and two forks, two members a page.
    monkeypatch.setattr(collaborate_views, "MEMBERS_IN_LIST", 1)
    monkeypatch.setattr(collaborate_views, "MEMBERS_PER_PAGE", 2)

    def repo(full_name: str, council: str, of: str | None = None) -> GroupRepository:
        return GroupRepository(full_name, council, None, None, f"https://github.com/{full_name}", of is not None, of)

    members = [repo("a/gritting", "A Council"), repo("b/gritting", "B Council"), repo("c/gritting", "C Council")]
    forks = [repo("d/gritting", "D Council", "a/gritting"), repo("e/gritting", "E Council", "b/gritting")]
    group = Group(
        "gritting-1", "Gritting", ["gritting"], "gritting", ["A Council", "B Council", "C Council"], members, forks
    )
    data_dir = DataDir(tmp_path).ensure()
    write_groups(data_dir.index, Groups([group], "2026-01-01T00:00:00Z", 5, 0.1))
    with TestClient(create_app(data_dir), raise_server_exceptions=False) as client:
        listing = client.get("/collaborate").text
        first, second = client.get("/collaborate/gritting-1").text, client.get("/collaborate/gritting-1?page=2").text
    assert '<a href="/collaborate/gritting-1#reuse">See all 2 forks' in listing
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    for page in (first, second):
        assert 'id="reuse">Reused by forking (2)</h2>' in page
    assert all(f'href="/repos/{fork.full_name}"' in first for fork in forks)
    assert not any(f'href="/repos/{fork.full_name}"' in second for fork in forks)
    assert '<a href="/collaborate/gritting-1#reuse">the first page of this group</a>' in second
    assert "the first page of this group" not in first


def test_api_collaborate_limits_the_members_listed(client: TestClient) -> None:
    everything = gritting_group(client)
    body = client.get("/api/collaborate?limit=1").json()
    group = next(g for g in body["groups"] if g["id"] == everything["id"])
    assert group["repositories"] == everything["repositories"][:1]
    assert group["repositories_total"] == 3 and group["reuse_total"] == everything["reuse_total"]
    for bad in ("0", "x", "1001", ""):
        response = client.get(f"/api/collaborate?limit={bad}")
        assert response.status_code == 400 and "limit" in response.json()["error"]["message"]


def test_bad_page_number_is_a_400(client: TestClient) -> None:
    assert client.get("/collaborate?page=0").status_code == 400
    assert client.get("/collaborate?page=x").status_code == 400


def test_no_groups_yet_is_a_503(empty_client: TestClient) -> None:
    assert empty_client.get("/collaborate").status_code == 503
    response = empty_client.get("/api/collaborate")
    assert response.status_code == 503
    assert "councilcode index" in response.json()["error"]["message"]


# -- command line ----------------------------------------------------------------------------------


def test_cli_table_and_json(web_data_dir: DataDir) -> None:
    runner = CliRunner()
    table = runner.invoke(collaborate_command, ["--data-dir", str(web_data_dir.root)], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert GRITTING in table.output and ESCC in table.output and "gritting" in table.output
    as_json = runner.invoke(collaborate_command, ["--data-dir", str(web_data_dir.root), "--json"])
    assert as_json.exit_code == 0
    body = json.loads(as_json.output)
    group = next(g for g in body["groups"] if GRITTING in [r["full_name"] for r in g["repositories"]])
    assert set(group["councils"]) == {DORSET, ESCC, HACKNEY}
    assert set(group["repositories"][0]) == {"full_name", "council", "license", "pushed_at", "html_url", "fork"}


def test_cli_without_groups(tmp_path: Path) -> None:
    result = CliRunner().invoke(collaborate_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "councilcode index" in result.output


# -- over the real corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_data_dir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    if not corpus_available():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    data_dir = DataDir(tmp_path_factory.mktemp("collaborate-corpus")).ensure()
    store_in_catalogue(data_dir.catalogue, load_corpus_repositories() + distractors())
    update_index(data_dir.catalogue, data_dir.index)
    return data_dir


@pytest.fixture(scope="module")
def corpus_client(corpus_data_dir: DataDir) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_data_dir), raise_server_exceptions=False) as test_client:
        yield test_client


def test_corpus_design_system_and_drupal_groups_on_the_page(corpus_client: TestClient) -> None:
    body = corpus_client.get("/api/collaborate").json()
    camden = next(
        g for g in body["groups"] if "LBCamden/lbcamden-frontend" in [r["full_name"] for r in g["repositories"]]
    )
    assert camden["label"] == "Design systems and component libraries"
    assert {"London Borough of Camden", "Barnsley Metropolitan Borough Council"} <= set(camden["councils"])
    drupal = next(
        g
        for g in body["groups"]
        if "essexcountycouncil/essex-gov-uk-drupal" in [r["full_name"] for r in g["repositories"]]
    )
    assert "Drupal" in drupal["label"]
    assert {"Essex County Council", "LocalGov Drupal"} <= set(drupal["councils"])
    for group in (camden, drupal):
        page = [g["id"] for g in body["groups"]].index(group["id"]) // 25 + 1  # 25 groups a page
        html = corpus_client.get(f"/collaborate?page={page}").text
        assert f'id="{group["id"]}"' in html
        # Why they were grouped: the words they share, and at how many of the councils.
        shared = group["shared"][0]
        assert shared["councils"] >= 2 and f"“{shared['words']}” ({shared['councils']} of" in html
    # A person gets there from the home page and from a member's page.
    assert 'href="/collaborate"' in corpus_client.get("/").text
    page = corpus_client.get("/repos/LBCamden/lbcamden-frontend").text
    others = len(camden["councils"]) - 1
    assert f'href="/collaborate/{camden["id"]}"' in page and f"Also built by {others} other councils" in page
    # Similar work at other councils comes from the same comparison: other design systems.
    similar = corpus_client.get("/api/repos/LBCamden/lbcamden-frontend").json()["similar"]
    assert similar and all(s["council"] != "London Borough of Camden" for s in similar)
    assert {s["full_name"] for s in similar} & {r["full_name"] for r in camden["repositories"]}


def test_corpus_group_search_finds_its_members(corpus_data_dir: DataDir, corpus_client: TestClient) -> None:
    body = corpus_client.get("/api/collaborate").json()
    with Searcher(corpus_data_dir.index, warm_up=False) as searcher:
        for group in body["groups"]:
            response = searcher.search(SearchRequest(q=group["search_query"], limit=100))
            found = {hit.full_name for hit in response.results}
            wanted = {r["full_name"] for r in group["repositories"]}
            assert len(wanted & found) >= 0.8 * len(wanted), (group["label"], sorted(wanted - found))
