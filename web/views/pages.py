"""The home and about pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from councilcode.indexer import SearchRequest
from councilcode.web.errors import Unavailable
from councilcode.web.views.common import render, web_state

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
    return render(request, "index.html", {"stats": stats, "last_run": last_run, "recent": recent})


def about(request: Request) -> Response:
    """What this is and how a council adds itself."""
    return render(request, "about.html", {"nav_current": "about"})
