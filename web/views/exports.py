"""A search as a file: CSV for spreadsheets and an Atom feed of new pushes."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from councilcode.indexer import MAX_LIMIT, SearchHit
from councilcode.licences import licence_label
from councilcode.web.atom import ATOM_MEDIA_TYPE, FeedEntry, build_feed
from councilcode.web.csv_export import CSV_MEDIA_TYPE, hits_to_csv
from councilcode.web.params import SearchParams, parse_search_params
from councilcode.web.views.common import absolute, repo_url, web_state

MAX_CSV_ROWS = 1_000
FEED_ENTRIES = 50
FEED_SORT = "pushed"


def search_csv(request: Request) -> Response:
    """Every result of the search (up to MAX_CSV_ROWS), in the order asked for."""
    params = parse_search_params(request.query_params)
    state = web_state(request)
    hits: list[SearchHit] = []
    page = 1
    while len(hits) < MAX_CSV_ROWS:
        response = state.search(replace(params, page=page, limit=MAX_LIMIT).to_request())
        hits.extend(response.results)
        if not response.results or page * MAX_LIMIT >= response.total:
            break
        page += 1
    return Response(
        hits_to_csv(hits[:MAX_CSV_ROWS]),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="councilcode-search.csv"'},
    )


def feed_title(params: SearchParams) -> str:
    words = f"“{params.q}”" if params.q else "all repositories"
    filters = ", ".join(f"{name} {value}" for name, value in params.filters)
    return f"councilcode: {words}" + (f" ({filters})" if filters else "")


def search_atom(request: Request) -> Response:
    """The newest pushes among the search's results, as Atom 1.0."""
    params = replace(parse_search_params(request.query_params), sort=FEED_SORT, page=1, limit=FEED_ENTRIES)
    response = web_state(request).search(params.to_request())
    entries = [
        FeedEntry(
            full_name=hit.full_name,
            page_url=absolute(request, repo_url(hit.full_name)),
            github_url=hit.html_url,
            updated=hit.pushed_at,
            summary=" · ".join(
                part
                for part in (hit.description or "", hit.council, licence_label(hit.license), hit.language or "")
                if part
            ),
            categories=tuple(hit.topics or ()),
        )
        for hit in response.results
    ]
    document = build_feed(
        title=feed_title(params),
        feed_url=absolute(request, params.url("/feeds/search.atom", include_page=False, include_limit=False)),
        alternate_url=absolute(request, replace(params, sort="relevance").url("/search", include_limit=False)),
        entries=entries,
    )
    return Response(document, media_type=ATOM_MEDIA_TYPE)
