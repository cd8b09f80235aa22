"""The JSON API, OpenAPI document, health check, Atom feed and CSV export."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from councilcode.indexer.search import Searcher, SearchRequest
from councilcode.settings import DataDir
from tests.web_fixtures import (
    ESCC,
    HACKNEY,
    TestClient,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def test_api_search_is_the_cli_json(client: TestClient, web_data_dir: DataDir) -> None:
    response = client.get("/api/search?q=gritting&limit=5")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    expected = Searcher(web_data_dir.index).search(SearchRequest(q="gritting", limit=5)).to_json()
    assert body == (json.loads(expected) if isinstance(expected, str) else expected)
    assert set(body) == {"total", "results", "facets", "suggestion"}
    assert set(body["facets"]) >= {"council", "license", "language", "topic"}
    hit = body["results"][0]
    for field in (
        "full_name",
        "council",
        "description",
        "license",
        "language",
        "topics",
        "stars",
        "pushed_at",
        "html_url",
        "archived",
        "fork",
        "score",
        "snippet",
    ):
        assert field in hit
    assert "east-sussex-county-council/Escc.Gritting" in [r["full_name"] for r in body["results"]]


def test_api_search_filters_and_paging(client: TestClient) -> None:
    body = client.get("/api/search", params={"council": HACKNEY, "limit": 2, "page": 2}).json()
    assert body["total"] == 3
    assert len(body["results"]) == 1  # the second page of two
    assert all(r["council"] == HACKNEY for r in body["results"])
    archived = client.get("/api/search?archived=true").json()
    assert [r["full_name"] for r in archived["results"]] == ["LBHackney-IT/repairs-api-dotnet"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=nope",
        "page=abc",
        "page=0",
        "limit=1000",
        "limit=-5",
        "q=" + "x" * 1000,
        "fork=perhaps",
        # Empty or malformed values of typed parameters are mistakes, not "no filter".
        "pushed_since=",
        "pushed_since=2024-13-01",
        "pushed_since=20240131",
        "pushed_since=2024-W05-3",
        "archived=",
        "page=",
        "limit=",
        "sort=",
    ],
)
@pytest.mark.parametrize("path", ["/api/search", "/search.csv", "/feeds/search.atom"])
def test_bad_parameters_are_problem_details(client: TestClient, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["title"] and body["detail"] and body["type"] == "about:blank"
    error = body["error"]  # the shape the API gave before problem details, kept for its clients
    assert error["status"] == 400 and error["message"] == body["detail"]
    assert "Traceback" not in response.text


def test_empty_string_filters_are_no_filter(client: TestClient) -> None:
    # A form may send a text filter empty; that means "any", as it always has.
    assert client.get("/api/search?council=&topic=&q=gritting").json()["total"] > 0


def test_api_repository(client: TestClient) -> None:
    response = client.get("/api/repos/east-sussex-county-council/Escc.Gritting")
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "east-sussex-county-council/Escc.Gritting"
    assert body["council"] == ESCC
    assert body["license"] == "OGL-UK-1.0"
    assert body["topics"] == ["gritting", "roads", "winter"]
    assert body["readme"].startswith("# Escc.Gritting")
    assert body["default_branch"] == "master"
    assert "acknowledge the source" in body["license_description"]
    assert body["url"].endswith("/repos/east-sussex-county-council/Escc.Gritting")
    similar = body["similar"]
    assert similar and all(s["council"] != ESCC for s in similar)
    assert {"full_name", "council", "description", "score", "url", "api_url"} <= set(similar[0])


def test_api_unknown_repository_is_json_404(client: TestClient) -> None:
    response = client.get("/api/repos/nobody/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"]["status"] == 404 and response.json()["status"] == 404
    unknown = client.get("/api/no-such-endpoint")
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == 404


def test_api_councils(client: TestClient) -> None:
    body = client.get("/api/councils").json()
    assert body["total"] == 4
    hackney = next(c for c in body["councils"] if c["name"] == HACKNEY)
    assert hackney["slug"] == "london-borough-of-hackney"
    assert hackney["type"] == "london-borough"
    assert hackney["github"] == ["LBHackney-IT"]
    assert hackney["repositories"] == 3
    handle = hackney["handles"][0]
    assert handle["handle"] == "LBHackney-IT" and handle["last_status"] == "ok" and handle["repo_count"] == 3


def test_openapi_describes_the_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    for path in ("/api/search", "/api/repos/{owner}/{name}", "/api/councils"):
        assert "get" in document["paths"][path]
    names = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "license", "council", "language", "topic", "sort", "page", "limit"} <= names
    # Every $ref resolves.
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/')[1:]}:
        node = document
        for key in ref.split("/"):
            node = node[key]


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["repositories"] == 8
    assert body["index"]["generation"]
    assert body["index"]["age_seconds"] >= 0


def test_healthz_without_data_is_503(empty_client: TestClient) -> None:
    response = empty_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["ok"] is False


def test_atom_feed_is_valid_and_newest_first(client: TestClient) -> None:
    response = client.get("/feeds/search.atom?q=gritting")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}")
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    assert "east-sussex-county-council/Escc.Gritting" in [e.findtext(f"{ATOM}title") for e in entries]


def test_atom_feed_escapes_hostile_text(client: TestClient) -> None:
    response = client.get("/feeds/search.atom", params={"q": "budget <script>&\x01\x07 ]]>"})
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # still well-formed XML
    assert "<script>" in (feed.findtext(f"{ATOM}title") or "")
    assert b"<script>" not in response.content
    hostile = client.get("/feeds/search.atom?council=Brighton+%26+Hove+City+Council")
    ET.fromstring(hostile.content)
    assert b"<script>window" not in hostile.content


def test_csv_export(client: TestClient) -> None:
    response = client.get("/search.csv?q=gritting")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert "east-sussex-county-council/Escc.Gritting" in [r["full_name"] for r in rows]
    gritting = next(r for r in rows if r["full_name"] == "east-sussex-county-council/Escc.Gritting")
    assert gritting["topics"] == "gritting;roads;winter"
    assert gritting["license"] == "OGL-UK-1.0"


def test_csv_quotes_properly_and_defuses_formulas(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv").text)))
    assert len(rows) == 8
    saml = next(r for r in rows if r["full_name"] == "LBHackney-IT/saml-tools")
    assert saml["description"].startswith("'=HYPERLINK(")
    hostile = next(r for r in rows if r["full_name"] == "brighton-hove-gov-uk/hostile-readme")
    assert hostile["description"].startswith("<script>") and '"quoted"' in hostile["description"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_csv_bad_parameters_are_400(client: TestClient) -> None:
    assert client.get("/search.csv?page=abc").status_code == 400
    assert client.get("/feeds/search.atom?sort=wrong").status_code == 400
