"""The home and about pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from councilcode.indexer import SearchRequest
from councilcode.web.errors import Unavailable
from councilcode.web.views.common import render, web_state
from councilcode.web.views.councils import REGISTER, coverage_or_none

RECENT_COUNT = 8
RECENT_SORT = "pushed"


def home(request: Request) -> Response:
    """Search box, what is indexed, when the last crawl finished, and recently pushed repositories."""
    state = web_state(request)
    stats = state.stats()
    try:
        with state.catalogue() as catalogue:
            last_run = catalogue.last_finished_run()
    except Unavailable:
        last_run = None
    try:
        recent = state.search(SearchRequest(sort=RECENT_SORT, limit=RECENT_COUNT)).results
    except Unavailable:
        recent = []
    context = {"stats": stats, "last_run": last_run, "recent": recent, "coverage": coverage_or_none(request)}
    return render(request, "index.html", context)


def about(request: Request) -> Response:
    """What this is and how a council adds itself."""
    context = {"nav_current": "about", "coverage": coverage_or_none(request), "register": REGISTER}
    return render(request, "about.html", context)
