"""/api/search and /openapi.json (repository and council answers live with their pages)."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from councilcode import __version__
from councilcode.web.openapi import openapi_document
from councilcode.web.params import parse_search_params
from councilcode.web.views.common import web_state
from councilcode.web.views.search import SORT_LABELS


async def api_search(request: Request) -> Response:
    """The same JSON as `councilcode search --json`, for the same parameters as /search plus limit.

    The search runs in the threadpool (a repeat costs the Searcher little: it keeps the search's matches).
    """
    params = parse_search_params(request.query_params)
    state = web_state(request)
    response = await run_in_threadpool(state.search, params.to_request())
    body = response.to_json()
    if isinstance(body, str):
        return Response(body, media_type="application/json")
    return JSONResponse(body)


def openapi(request: Request) -> Response:
    document = openapi_document(list(SORT_LABELS), __version__)
    return Response(json.dumps(document, indent=2), media_type="application/json")
