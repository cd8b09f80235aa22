"""Search parameters: checking, normalising, and links that add or remove filters."""

from __future__ import annotations

import pytest

from councilcode.web.errors import BadRequest
from councilcode.web.params import MAX_QUERY_LENGTH, SearchParams, clean_text, parse_search_params


def test_defaults() -> None:
    params = parse_search_params({})
    assert params == SearchParams()
    assert params.is_empty
    assert params.url() == "/search"
    request = params.to_request()
    assert request.q == "" and request.page == 1 and request.limit == 20 and request.sort == "relevance"


def test_values_are_cleaned_and_filters_ordered() -> None:
    params = parse_search_params(
        {"topic": "roads", "q": "  road\x00 gritting\n ", "council": "East Sussex County Council", "archived": "No"}
    )
    assert params.q == "road gritting"
    assert params.filters == (("council", "East Sussex County Council"), ("topic", "roads"), ("archived", "false"))
    request = params.to_request()
    assert request.council == "East Sussex County Council" and request.topic == "roads" and request.archived is False


def test_links_add_replace_and_remove_filters_from_page_one() -> None:
    params = parse_search_params({"q": "bins", "license": "MIT", "page": "3"})
    assert params.with_filter("license", "OGL-UK-3.0").url() == "/search?q=bins&license=OGL-UK-3.0"
    assert params.with_filter("council", "A & B").url() == "/search?q=bins&council=A+%26+B&license=MIT"
    assert params.without_filter("license").url() == "/search?q=bins"
    assert params.with_page(4).url() == "/search?q=bins&license=MIT&page=4"
    assert params.url("/search.csv", include_page=False) == "/search.csv?q=bins&license=MIT"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "abc"}, "page must be a whole number"),
        ({"page": "0"}, "page must be a whole number"),
        ({"page": "1.5"}, "page must be a whole number"),
        ({"page": "٣"}, "page must be a whole number"),  # a non-ASCII digit
        ({"page": "9" * 40}, "page must be a whole number"),
        ({"limit": "1000"}, "limit must be a whole number"),
        ({"limit": "0"}, "limit must be a whole number"),
        ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, "too long"),
        ({"council": "x" * 500}, "council filter is too long"),
        ({"fork": "sometimes"}, "fork must be true or false"),
        ({"pushed_since": "2024-13-45"}, "pushed_since must be a date"),
        ({"sort": "sideways"}, "sort"),
    ],
)
def test_bad_values_raise_bad_request(query: dict[str, str], message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_search_params(query)
    assert message in caught.value.message
    assert caught.value.status_code == 400


def test_limit_within_bounds_is_kept() -> None:
    assert parse_search_params({"limit": "100"}).limit == 100
    assert parse_search_params({"limit": "5"}).url() == "/search?limit=5"


def test_clean_text() -> None:
    assert clean_text("a\tb\r\nc\x1b[31m") == "a b c [31m"


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "bins & boxes"}, {"q": "x", "license": "MIT", "sort": "stars", "page": "3", "limit": "7"}],
)
def test_fast_facet_links_match_the_plain_ones(query: dict[str, str]) -> None:
    params = parse_search_params(query)
    for name, value in [("license", "OGL-UK-3.0"), ("council", "Brighton & Hove"), ("topic", "roads+rail")]:
        assert params.filter_url(name, value) == params.with_filter(name, value).url()
        assert params.filter_url(name, None) == params.without_filter(name).url()
