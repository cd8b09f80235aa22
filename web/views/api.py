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

    Like the results page, the finished body is cached by its canonical address for the current index and a
    cached one is answered on the event loop: a repeat neither waits for the Searcher's lock nor re-encodes.
    """
    params = parse_search_params(request.query_params)
    state = web_state(request)
    key = ("api", params.url("/api/search"))
    body = state.pages.get(key)
    if body is None:

        def encode() -> bytes:
            return JSONResponse(state.search(params.to_request()).to_json()).body

        body = await run_in_threadpool(state.pages.get_or_compute, key, encode)
    return Response(body, media_type="application/json")


def openapi(request: Request) -> Response:
    document = openapi_document(list(SORT_LABELS), __version__)
    return Response(json.dumps(document, indent=2), media_type="application/json")
