"""Searching: ranking, filters, facets, sorts, pages, query syntax, snippets, suggestions, similar work."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from councilcode.indexer.generations import IndexStore
from councilcode.indexer.search import IndexMissing, Searcher, SearchRequest
from tests.factories import make_repository
from tests.helpers import index_repositories

DORSET, ESX, HULL, LEEDS, TRAFFORD, KENT = (
    "Dorset Council",
    "East Sussex County Council",
    "Hull City Council",
    "Leeds City Council",
    "Trafford Council",
    "Kent County Council",
)

REPOSITORIES = [
    make_repository("Dorset-Council-UK/GIFramework-Maps", DORSET, id=1,
        description="Web mapping application for staff and the public", topics=["gis", "maps"], language="C#",
        license="MIT", stars=40, pushed_at="2025-07-21T10:00:00Z",
        readme="# GIFramework Maps\n\nA .NET web **mapping** application using OpenLayers. Share maps with a link."),
    make_repository("Dorset-Council-UK/qgis-configurable-search", DORSET, id=2,
        description="A QGIS plugin adding a configurable search panel", topics=["qgis"], language="Python",
        license="MIT", stars=5, pushed_at="2025-05-13T10:00:00Z",
        readme="# Advanced Search Panel\n\nSearch your own address API from QGIS."),
    make_repository("east-sussex-county-council/Escc.Gritting", ESX, id=3,
        description="A library for working with data about road gritting", topics=["highways", "road-gritting"],
        language="C#", license="OGL-UK-3.0", stars=2, pushed_at="2016-02-11T13:01:37Z", archived=True,
        readme="# Escc.Gritting\n\nStores the positions of gritters to show them on a map."),
    make_repository("east-sussex-county-council/Escc.AZ", ESX, id=4, description="The A-Z of council services",
        language="C#", license="OGL-UK-1.0", pushed_at="2016-11-25T10:00:00Z",
        readme="# Escc.AZ\n\nThe A-Z is a list of services with headings."),
    make_repository("hull-city-council/can-I-recycle-it", HULL, id=5,
        description="Check what can go in your recycling bin", topics=["recycling", "waste"], language="JavaScript",
        stars=12, pushed_at="2025-06-13T10:00:00Z",
        readme="# Can I recycle it?\n\nType an item and see which bin it goes in. <script>alert(1)</script>"),
    make_repository("hull-city-council/bin-days", HULL, id=6,
        description="Bin collection days for every address in Hull", topics=["waste", "bins"], language="JavaScript",
        fork=True, pushed_at="2024-01-01T10:00:00Z",
        readme="# Bin days\n\nLook up your bin collection day by postcode; reminders by email."),
    make_repository("LeedsCityCouncil/bin-collections", LEEDS, id=7,
        description="Find your bin collection day by postcode", topics=["waste", "bins"], language="Python",
        license="MIT", stars=8, pushed_at="2023-03-03T10:00:00Z",
        readme="# Bin collections\n\nLook up the bin collection day for a postcode; calendar reminders."),
    make_repository("LeedsCityCouncil/LeedsCityDashboard", LEEDS, id=8, description="An open data dashboard for Leeds",
        topics=["open-data", "dashboard"], language="JavaScript", license="EPL-1.0", stars=20,
        pushed_at="2015-10-27T10:00:00Z", readme="#Leeds City Dashboard\n\nMakes open data easy to reach."),
    make_repository("traffordDataLab/council_open_data", TRAFFORD, id=9,
        description="Datasets that Trafford Council create and publish", topics=["open-data"], language="R",
        license="OGL-UK-3.0", stars=3, pushed_at="2026-07-01T10:00:00Z",
        readme="## Council open data\n\nPublished under the Open Government Licence."),
    make_repository("KentCC/parking-permits", KENT, id=10, description="Residents apply for parking permits online",
        language="PHP", license="MIT", stars=1, pushed_at="2022-01-01T10:00:00Z",
        readme="# Parking permits\n\nApply online."),
    make_repository("KentCC/parking-permits-old", KENT, id=11, description="Residents apply for parking permits online",
        language="PHP", license="MIT", stars=1, pushed_at="2022-01-01T10:00:00Z", archived=True,
        readme="# Parking permits\n\nApply online."),
]  # fmt: skip


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index")
    store = IndexStore(path)
    with store.write_lock():
        index_repositories(store, REPOSITORIES)
    return path


@pytest.fixture
def searcher(index_dir: Path):
    with Searcher(index_dir) as searcher:
        yield searcher


def names(response) -> list[str]:
    return [hit.full_name.split("/")[1] for hit in response.results]


def search(searcher: Searcher, q: str = "", **kwargs):
    return searcher.search(SearchRequest(q=q, **kwargs))


def test_empty_query_browses_everything_newest_first(searcher: Searcher) -> None:
    response = search(searcher, limit=100)
    assert response.total == len(REPOSITORIES)
    pushed = [hit.pushed_at for hit in response.results]
    assert pushed == sorted(pushed, reverse=True)
    assert all(hit.score == 0 for hit in response.results)
    assert response.suggestion is None
    assert names(search(searcher, "   ", limit=1)) == ["council_open_data"]
    assert search(searcher, "*").total == len(REPOSITORIES)


def test_sorts(searcher: Searcher) -> None:
    assert names(search(searcher, sort="stars", limit=3)) == [
        "GIFramework-Maps",
        "LeedsCityDashboard",
        "can-I-recycle-it",
    ]
    by_name = names(search(searcher, sort="name", limit=100))
    assert by_name == sorted(by_name, key=str.lower)
    # With a query, the other sorts order the matches, and scores are still their relevance.
    response = search(searcher, "bin", sort="pushed")
    assert names(response) == ["can-I-recycle-it", "bin-days", "bin-collections"]
    assert all(hit.score > 0 for hit in response.results)


def test_name_and_topic_matches_rank_first(searcher: Searcher) -> None:
    assert names(search(searcher, "gritting"))[0] == "Escc.Gritting"
    assert names(search(searcher, "open data"))[:2] == ["council_open_data", "LeedsCityDashboard"]
    assert names(search(searcher, "maps"))[0] == "GIFramework-Maps"


def test_stemming_and_name_splitting(searcher: Searcher) -> None:
    assert names(search(searcher, "recycle"))[0] == "can-I-recycle-it"
    assert names(search(searcher, "recycling"))[0] == "can-I-recycle-it"
    assert "GIFramework-Maps" in names(search(searcher, "framework"))
    assert names(search(searcher, "a to z"))[0] == "Escc.AZ"


def test_archived_and_forks_rank_a_little_lower(searcher: Searcher) -> None:
    response = search(searcher, "parking permits")
    assert names(response) == ["parking-permits", "parking-permits-old"]
    current, archived = response.results
    assert archived.archived and not current.archived
    assert 0.7 * current.score < archived.score < current.score


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"council": "leeds city council"}, {"bin-collections", "LeedsCityDashboard"}),
        ({"owner": "Dorset-Council-UK"}, {"GIFramework-Maps", "qgis-configurable-search"}),
        ({"license": "OGL"}, {"Escc.Gritting", "Escc.AZ", "council_open_data"}),
        ({"license": "OGL-UK-3.0"}, {"Escc.Gritting", "council_open_data"}),
        ({"license": "mit", "language": "python"}, {"qgis-configurable-search", "bin-collections"}),
        ({"license": "none"}, {"can-I-recycle-it", "bin-days"}),
        ({"topic": "waste"}, {"can-I-recycle-it", "bin-days", "bin-collections"}),
        ({"archived": True}, {"Escc.Gritting", "parking-permits-old"}),
        ({"fork": True}, {"bin-days"}),
        ({"pushed_since": "2025-06-01"}, {"GIFramework-Maps", "can-I-recycle-it", "council_open_data"}),
        ({"council": "Nowhere Council"}, set()),
    ],
)
def test_filters(searcher: Searcher, filters: dict, expected: set[str]) -> None:
    response = search(searcher, limit=100, **filters)
    assert set(names(response)) == expected
    assert response.total == len(expected)


def test_filters_combine_with_a_query(searcher: Searcher) -> None:
    assert set(names(search(searcher, "bin", fork=False))) == {"bin-collections", "can-I-recycle-it"}
    assert search(searcher, "bin", archived=False, council=HULL).total == 2
    assert search(searcher, "gritting", archived=False).total == 0


def test_a_false_flag_filter_is_not_served_the_unfiltered_result(searcher: Searcher) -> None:
    """The result cache once keyed archived=False like no filter, so the second search got the first's answer."""
    assert search(searcher, "gritting").total > 0
    assert search(searcher, "gritting", archived=False).total == 0
    assert search(searcher, "bin", fork=False).total < search(searcher, "bin").total


def test_facets_count_the_current_query(searcher: Searcher) -> None:
    facets = search(searcher, "bin").facets
    assert facets["council"] == {HULL: 2, LEEDS: 1}
    assert facets["license"] == {"none": 2, "MIT": 1}
    assert facets["language"] == {"JavaScript": 2, "Python": 1}
    assert facets["topic"] == {"waste": 3, "bins": 2, "recycling": 1}
    everything = search(searcher).facets
    assert sum(everything["council"].values()) == len(REPOSITORIES)
    assert everything["license"]["OGL-UK-3.0"] == 2
    # Facets follow the filters too.
    assert search(searcher, council=DORSET).facets["council"] == {DORSET: 2}
    assert list(search(searcher, facet_limit=2).facets["council"]) == [DORSET, ESX]  # ties: by name


def test_pagination(searcher: Searcher) -> None:
    pages = [search(searcher, sort="name", limit=4, page=p) for p in (1, 2, 3)]
    seen = [name for page in pages for name in names(page)]
    assert len(seen) == len(set(seen)) == len(REPOSITORIES)
    assert all(page.total == len(REPOSITORIES) for page in pages)
    assert pages[2].pages == 3
    beyond = search(searcher, sort="name", limit=4, page=9)
    assert beyond.results == [] and beyond.total == len(REPOSITORIES)
    relevance_pages = [names(search(searcher, "bin", limit=1, page=p)) for p in (1, 2, 3)]
    assert sorted(sum(relevance_pages, [])) == ["bin-collections", "bin-days", "can-I-recycle-it"]


@pytest.mark.parametrize(
    "q", ['"open data', "AND", "(((", "field:", "council:", "maps)", "NOT", "OR OR", '"', "a AND", ")(", "x^", "[a TO"]
)
def test_broken_syntax_is_searched_as_plain_words(searcher: Searcher, q: str) -> None:
    response = search(searcher, q)
    assert response.total >= 0


def test_broken_syntax_still_finds_the_words(searcher: Searcher) -> None:
    response = search(searcher, '"open data')
    assert response.plain
    assert names(response)[:2] == ["council_open_data", "LeedsCityDashboard"]
    assert names(search(searcher, "maps)"))[0] == "GIFramework-Maps"


def test_query_syntax(searcher: Searcher) -> None:
    assert set(names(search(searcher, '"bin collection"'))) == {"bin-days", "bin-collections"}
    assert "can-I-recycle-it" not in names(search(searcher, "bin AND NOT recycling"))
    assert names(search(searcher, "recyc*"))[0] == "can-I-recycle-it"
    assert set(names(search(searcher, "language:python"))) == {"qgis-configurable-search", "bin-collections"}


def test_request_validation() -> None:
    with pytest.raises(ValueError, match="relevance, pushed, stars, name"):
        SearchRequest(sort="newest")
    with pytest.raises(ValueError, match="page"):
        SearchRequest(page=0)
    for limit in (0, 101):
        with pytest.raises(ValueError, match="limit must be a whole number from 1 to 100"):
            SearchRequest(limit=limit)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        SearchRequest(pushed_since="01/01/2024")
    request = SearchRequest()
    request.sort = "newest"
    with pytest.raises(ValueError):
        request.validate()


def test_snippets_mark_the_matched_words(searcher: Searcher) -> None:
    hit = search(searcher, "collection day").results[0]
    assert "collection day" in hit.snippet
    assert "<mark>collection</mark> <mark>day</mark>" in hit.snippet_html
    assert "<" not in hit.snippet_html.replace("<mark>", "").replace("</mark>", "")


def test_snippets_are_escaped(searcher: Searcher) -> None:
    hit = search(searcher, "which bin", council=HULL).results[0]
    assert hit.full_name == "hull-city-council/can-I-recycle-it"
    assert "<script>" not in hit.snippet_html
    browse = search(searcher, council=TRAFFORD).results[0]
    assert browse.snippet == "Datasets that Trafford Council create and publish"


def test_did_you_mean(searcher: Searcher) -> None:
    response = search(searcher, "road griting")
    assert response.suggestion == "road gritting"
    assert search(searcher, "road gritting").suggestion is None
    assert search(searcher, "Dashbaord").suggestion == "dashboard"
    # A real word the index lacks is not a typo.
    assert search(searcher, "bin collection").suggestion is None


def test_similar_work_at_other_councils(searcher: Searcher) -> None:
    similar = searcher.similar("hull-city-council/bin-days")
    assert similar, "bin collection code at Leeds should be found"
    assert similar[0].full_name == "LeedsCityCouncil/bin-collections"
    assert all(s.council != HULL for s in similar)
    assert all(0 < s.score <= 1 for s in similar)
    assert [s.score for s in similar] == sorted((s.score for s in similar), reverse=True)
    assert searcher.similar("HULL-CITY-COUNCIL/BIN-DAYS", limit=1)[0].full_name == similar[0].full_name
    assert searcher.similar("nobody/nothing") == []


def test_stats(searcher: Searcher) -> None:
    assert searcher.stats() == {"repositories": len(REPOSITORIES), "councils": 6}


def test_json_shape(searcher: Searcher) -> None:
    data = search(searcher, "bin", limit=1).to_json()
    assert list(data) == ["total", "results", "facets", "suggestion"]
    assert list(data["results"][0]) == [
        "full_name", "council", "description", "license", "language", "topics", "stars", "pushed_at",
        "html_url", "archived", "fork", "score", "snippet",
    ]  # fmt: skip
    assert list(data["facets"]) == ["council", "license", "language", "topic"]


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing) as caught:
        Searcher(tmp_path / "index")
    assert isinstance(caught.value, FileNotFoundError)
    assert str(caught.value) == f"no index in {tmp_path / 'index'}: run `councilcode index`"


def test_shared_between_threads(searcher: Searcher) -> None:
    errors: list[BaseException] = []
    totals: set[int] = set()

    def work() -> None:
        try:
            for q in ("bin", "open data", "maps", "", "gritting") * 10:
                totals.add(search(searcher, q).total if q == "bin" else 3)
                searcher.similar("hull-city-council/bin-days")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert totals == {3}
