"""The search page: results, facets as filter links, sort, pagination and "did you mean"."""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from councilcode.indexer import SearchResponse
from councilcode.licences import OGL_FAMILY, licence_family, licence_label
from councilcode.web.params import MAX_PAGE, SearchParams, parse_search_params
from councilcode.web.views.common import render_to_string, web_state

# Sorts the indexer offers, with what the page calls them.
SORT_LABELS: dict[str, str] = {
    "relevance": "Best match",
    "pushed": "Most recently pushed",
    "stars": "Most stars",
    "name": "Name (A to Z)",
}

# Facets shown as filters, in page order, with their headings.
FACET_LABELS: dict[str, str] = {"council": "Council", "license": "Licence", "language": "Language", "topic": "Topic"}
FACET_VALUES_SHOWN = 12


@dataclass(frozen=True)
class FacetItem:
    value: str
    label: str
    count: int
    url: str
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    items: list[FacetItem]


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    value_label: str
    remove_url: str


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    pages: list[PageLink]
    previous: str | None
    next: str | None


@dataclass(frozen=True)
class Suggestion:
    text: str
    url: str


def value_label(facet: str, value: str) -> str:
    """How a facet or filter value reads on the page (licence ids get their names)."""
    if facet == "license":
        return licence_label(value)
    if facet in ("archived", "fork"):
        return "yes" if value == "true" else "no"
    return value


FILTER_LABELS: dict[str, str] = {
    **FACET_LABELS,
    "owner": "GitHub owner",
    "archived": "Archived",
    "fork": "Fork",
    "pushed_since": "Pushed since",
}


def facet_groups(params: SearchParams, response: SearchResponse) -> list[FacetGroup]:
    """Each facet's values as links: a chosen value removes its filter, any other adds (or swaps) it."""
    groups = []
    for name, label in FACET_LABELS.items():
        counts = dict(response.facets.get(name) or {})
        if name == "license":
            # The indexer filters on "OGL" as the whole family; offer it beside the single versions.
            ogl = sum(count for value, count in counts.items() if licence_family(value) == OGL_FAMILY)
            if ogl:
                counts[OGL_FAMILY] = ogl
        chosen = params.filter(name)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))[:FACET_VALUES_SHOWN]
        items = []
        if chosen is not None:
            items.append(
                FacetItem(
                    chosen,
                    value_label(name, chosen),
                    counts.get(chosen, response.total),
                    params.filter_url(name, None),
                    True,
                )
            )
        for value, count in ranked:
            if value == chosen or not count:
                continue
            items.append(FacetItem(value, value_label(name, value), count, params.filter_url(name, value), False))
        groups.append(FacetGroup(name, label, items))
    return groups


def active_filters(params: SearchParams) -> list[ActiveFilter]:
    return [
        ActiveFilter(FILTER_LABELS.get(name, name), value_label(name, value), params.filter_url(name, None))
        for name, value in params.filters
    ]


def pagination(params: SearchParams, total: int) -> Pagination:
    """Links to the first, last and nearby pages, with gaps between."""
    last = max(1, min(math.ceil(total / params.limit), MAX_PAGE))
    current = params.page
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    pages: list[PageLink] = []
    for number in wanted:
        if pages and pages[-1].number is not None and number - pages[-1].number > 1:
            pages.append(PageLink(None, ""))
        pages.append(PageLink(number, params.with_page(number).url(), number == current))
    return Pagination(
        pages=pages,
        previous=params.with_page(current - 1).url() if 1 < current <= last else None,
        next=params.with_page(current + 1).url() if current < last else None,
    )


async def search_page(request: Request) -> Response:
    """The results page. Whole pages are cached by their canonical address for the current index:
    the same search always renders the same HTML until the index changes.

    A cached page is answered on the event loop (a dictionary look-up); searching and rendering,
    which block for milliseconds, run in the threadpool as for every other page.
    """
    params = parse_search_params(request.query_params)
    state = web_state(request)
    key = ("search", params.url())
    html = state.pages.get(key)
    if html is None:
        html = await run_in_threadpool(state.pages.get_or_compute, key, lambda: render_search_page(request, params))
    return HTMLResponse(html)


def render_search_page(request: Request, params: SearchParams) -> str:
    response = web_state(request).search(params.to_request())
    suggestion = None
    if response.suggestion and response.suggestion != params.q:
        suggestion = Suggestion(response.suggestion, params.with_query(response.suggestion).url())
    context = {
        "nav_current": "search",
        "params": params,
        "response": response,
        "first_index": (params.page - 1) * params.limit + 1,
        "suggestion": suggestion,
        "facets": facet_groups(params, response),
        "active_filters": active_filters(params),
        "pagination": pagination(params, response.total),
        "sorts": list(SORT_LABELS.items()),
        "links": {
            "csv": params.url("/search.csv", include_page=False, include_limit=False),
            "atom": params.url("/feeds/search.atom", include_page=False, include_limit=False),
            "api": params.url("/api/search"),
        },
    }
    return render_to_string(request, "search.html", context)
