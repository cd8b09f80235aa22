"""/api/search and /openapi.json (repository and council answers live with their pages)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from councilcode import __version__
from web.openapi import openapi_document
from web.params import parse_search_params
from web.views.common import web_state
from web.views.search import SORT_LABELS


def api_search(request: Request) -> Response:
    """The same JSON as `councilcode search --json`, for the same parameters as /search plus limit."""
    params = parse_search_params(request.query_params)
    response = web_state(request).search(params.to_request())
    body = response.to_json()
    if isinstance(body, str):
        return Response(body, media_type="application/json")
    return JSONResponse(body)


def openapi(request: Request) -> Response:
    document = openapi_document(list(SORT_LABELS), __version__)
    return Response(json.dumps(document, indent=2), media_type="application/json")
