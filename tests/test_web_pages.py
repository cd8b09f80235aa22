"""The HTML pages, through Starlette's TestClient over a small catalogue and index."""

from __future__ import annotations

import re

import pytest

from tests.helpers import outline
from tests.web_fixtures import (
    BRIGHTON,
    DORSET,
    ESCC,
    HACKNEY,
    HOSTILE_DESCRIPTION,
    TestClient,
)

PAGES = [
    "/",
    "/search",
    "/search?q=gritting",
    "/repos/east-sussex-county-council/Escc.Gritting",
    "/councils",
    "/councils/east-sussex-county-council",
    "/about",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_well_structured(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = outline(response.text)
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in page.tags, landmark
    assert page.h1 == 1
    assert 'href="#main-content"' in response.text and 'id="main-content"' in response.text
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    for control in page.inputs:
        assert control.get("id") in page.label_for, f"unlabelled control {control}"
    assert page.scripts == 0 and page.inline_styles == 0
    assert '<html lang="en-GB">' in response.text


@pytest.mark.parametrize("path", [*PAGES, "/api/search", "/nope", "/search?page=abc"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "img-src 'self' https: data:" in csp
    assert "unsafe-inline" not in csp and "script-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_home_has_search_box_counts_last_crawl_and_recent_pushes(client: TestClient) -> None:
    html = client.get("/").text
    assert re.search(r'<label[^>]*for="q"', html)
    assert re.search(r'<input[^>]*type="search"[^>]*name="q"', html)
    assert "8 repositories from 4 councils are indexed" in html
    assert "The last crawl of GitHub finished on" in html
    assert "Recently pushed" in html
    # Newest push first.
    assert html.index("GIFramework-Maps") < html.index("winter-gritting-routes") < html.index("Escc.AZ")


def test_search_shows_results_snippets_and_facets(client: TestClient) -> None:
    html = client.get("/search?q=gritting").text
    assert "east-sussex-county-council/Escc.Gritting" in html
    assert "<mark>" in html
    assert re.search(r"\d+ repositories\s+match", html)
    assert ESCC in html and DORSET in html
    # Facet links add a filter, keeping the words.
    assert 'href="/search?q=gritting&amp;license=OGL-UK-1.0"' in html
    assert "Open Government Licence v1.0" in html
    assert 'name="sort"' in html


def test_facet_link_narrows_and_removal_link_widens(client: TestClient) -> None:
    html = client.get("/search?q=gritting&license=OGL-UK-3.0").text
    assert "Dorset-Council-UK/winter-gritting-routes" in html
    assert "east-sussex-county-council/Escc.Gritting" not in html
    assert "Remove filter: Licence: Open Government Licence v3.0" in html
    assert 'href="/search?q=gritting"' in html


def test_archived_and_fork_are_tagged(client: TestClient) -> None:
    html = client.get("/search?council=" + HACKNEY.replace(" ", "+")).text
    assert "Archived</strong>" in html
    assert "Fork</strong>" in html


def test_pagination_links(client: TestClient) -> None:
    html = client.get("/search?limit=3").text
    assert 'aria-label="Pagination"' in html
    assert 'href="/search?page=2&amp;limit=3"' in html
    assert 'rel="next"' in html
    html = client.get("/search?limit=3&page=2").text
    assert 'rel="prev"' in html and 'aria-current="page"' in html


def test_sorting_by_push_date(client: TestClient) -> None:
    html = client.get("/search?sort=pushed").text
    assert html.index("GIFramework-Maps") < html.index("Escc.Gritting")


def test_did_you_mean(client: TestClient) -> None:
    html = client.get("/search?q=griting").text
    assert "Did you mean" in html
    assert re.search(r'href="/search\?q=gritting"', html)


def test_no_results_page_gives_advice(client: TestClient) -> None:
    html = client.get("/search?q=zzzzqqqq").text
    assert "0 repositories" in html
    assert "There are no matching repositories" in html


def test_query_text_is_escaped_everywhere(client: TestClient) -> None:
    nasty = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    response = client.get("/search", params={"q": nasty})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_repository_page(client: TestClient) -> None:
    html = client.get("/repos/east-sussex-county-council/Escc.Gritting").text
    assert "<h1>east-sussex-county-council/Escc.Gritting</h1>" in html
    assert "A library for working with data about road gritting." in html  # README
    assert "Open Government Licence v1.0" in html
    assert "you may copy, adapt and use it commercially" in html  # plain-English explanation
    assert 'href="/search?topic=gritting"' in html and 'href="/search?topic=roads"' in html
    assert "C#" in html and "11 February 2016" in html
    assert 'href="https://github.com/east-sussex-county-council/Escc.Gritting"' in html
    # Relative README links point at the default branch on GitHub.
    assert 'href="https://github.com/east-sussex-county-council/Escc.Gritting/blob/master/docs/index.md"' in html
    assert "Similar work at other councils" in html
    similar = html[html.index("Similar work at other councils") :]
    assert "Dorset-Council-UK/winter-gritting-routes" in similar
    assert "east-sussex-county-council/Escc.AZ" not in similar  # other councils only
    assert 'class="warning"' not in html


def test_archived_and_fork_warnings(client: TestClient) -> None:
    archived = client.get("/repos/LBHackney-IT/repairs-api-dotnet").text
    assert "This repository is archived" in archived
    fork = client.get("/repos/LBHackney-IT/gritting-fork").text
    assert "This repository is a fork" in fork
    assert "No licence" in fork and "ask the council" in fork


def test_readme_formats(client: TestClient) -> None:
    rst = client.get("/repos/east-sussex-county-council/Escc.AZ").text
    assert "<em>reStructuredText</em>" in rst
    rdoc = client.get("/repos/LBHackney-IT/saml-tools").text
    assert '<h3 id="readme-saml-tools">SAML Tools</h3>' in rdoc and "Tools for <strong>SAML</strong>." in rdoc
    plain = client.get("/repos/LBHackney-IT/gritting-fork").text
    assert "<pre>Plain text README about gritting." in plain
    table = client.get("/repos/Dorset-Council-UK/GIFramework-Maps").text
    assert "<table>" in table


def test_hostile_readme_and_description_are_defused(client: TestClient) -> None:
    html = client.get("/repos/brighton-hove-gov-uk/hostile-readme").text
    readme = html[html.index('class="readme"') :]
    tags = " ".join(re.findall(r"<[^>]*>", readme)).lower()
    for forbidden in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "ontoggle",
        "javascript:",
        "<iframe",
        "<svg",
        "<style",
        "style=",
        "<object",
        "<form",
        "<input",
        "<meta",
        "<base",
        "data:text",
    ):
        assert forbidden not in tags, forbidden
    assert "&lt;script&gt;window.__pwned" in html  # the description, shown as text
    assert html.count('id="main-content"') == 1


def test_repository_names_are_case_insensitive(client: TestClient) -> None:
    response = client.get("/repos/EAST-SUSSEX-COUNTY-COUNCIL/escc.gritting", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/repos/east-sussex-county-council/Escc.Gritting"


def test_unknown_repository_is_a_helpful_404(client: TestClient) -> None:
    response = client.get("/repos/nobody/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Repository not found" in response.text
    assert "nobody/nothing" in response.text
    assert 'name="q"' in response.text  # somewhere to go next


def test_councils_page_lists_handles_types_counts_and_crawl_state(client: TestClient) -> None:
    html = client.get("/councils").text
    for name in (ESCC, DORSET, HACKNEY):
        assert name in html
    assert "Brighton &amp; Hove City Council" in html
    assert 'href="/councils/brighton-hove-city-council"' in html
    assert "east-sussex-county-council" in html
    assert "County council" in html and "London borough" in html
    assert "3 repositories" in html  # Hackney
    assert "crawled</span> on" in html


def test_council_page_lists_its_repositories(client: TestClient) -> None:
    html = client.get("/councils/london-borough-of-hackney").text
    assert "<h1>London Borough of Hackney</h1>" in html
    assert "LBHackney-IT/repairs-api-dotnet" in html and "LBHackney-IT/saml-tools" in html
    assert "Escc.Gritting" not in html
    assert 'href="/search?council=London+Borough+of+Hackney"' in html


def test_unknown_council_is_a_helpful_404(client: TestClient) -> None:
    response = client.get("/councils/atlantis")
    assert response.status_code == 404
    assert "Council not found" in response.text


def test_about_explains_how_to_add_a_council(client: TestClient) -> None:
    html = client.get("/about").text
    assert "config/orgs.yaml" in html
    assert "councilcode orgs add HANDLE --name" in html
    assert 'id="add-your-council"' in html


def test_unknown_page_is_a_404_page(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=sideways", "sort"),
        ("page=abc", "page must be a whole number"),
        ("page=0", "page must be a whole number"),
        ("page=-1", "page must be a whole number"),
        ("page=99999999999999999999", "page must be a whole number"),
        ("limit=1000", "limit must be a whole number"),
        ("limit=0", "limit must be a whole number"),
        ("q=" + "a" * 300, "too long"),
        ("archived=maybe", "archived must be true or false"),
        ("pushed_since=yesterday", "pushed_since must be a date"),
    ],
)
def test_bad_parameters_are_a_clear_400(client: TestClient, query: str, message: str) -> None:
    response = client.get("/search?" + query)
    assert response.status_code == 400
    assert message in response.text
    assert "Traceback" not in response.text
    assert "There is a problem with your search" in response.text


def test_static_stylesheet(client: TestClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "#ffdd00" in response.text  # the focus colour


def test_missing_catalogue_and_index_explain_what_to_run(empty_client: TestClient) -> None:
    home = empty_client.get("/")
    assert home.status_code == 200
    assert "has not been built yet" in home.text
    search = empty_client.get("/search?q=x")
    assert search.status_code == 503
    assert "councilcode index" in search.text
    councils = empty_client.get("/councils")
    assert councils.status_code == 503
    assert "councilcode crawl" in councils.text


def test_unexpected_errors_are_an_apology_without_a_trace(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    state = client.app.state.web  # type: ignore[attr-defined]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(state, "search", broken)
    response = client.get("/search?q=x")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "Sorry, there is a problem with the service" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_description_with_markup_is_text(client: TestClient) -> None:
    html = client.get("/search?council=" + BRIGHTON.replace("&", "%26").replace(" ", "+")).text
    assert HOSTILE_DESCRIPTION not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
