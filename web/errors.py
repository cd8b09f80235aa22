"""Errors a visitor can cause or meet, and how each is shown: an HTML page, or JSON under /api."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


@dataclass(eq=False)
class WebError(Exception):
    """An error with a status and a message fit to show to the person who caused it."""

    message: str
    title: str = "Something went wrong"
    status_code: int = 500
    # Extra lines of advice for the HTML page (e.g. links to similar names).
    hints: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class BadRequest(WebError):
    """A query parameter we cannot use (400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, title="There is a problem with your search", status_code=400)


class NotFound(WebError):
    """An unknown repository, council or page (404)."""

    def __init__(self, message: str, title: str = "Page not found", hints: list[str] | None = None) -> None:
        super().__init__(message, title=title, status_code=404, hints=hints or [])


class Unavailable(WebError):
    """The catalogue or index is not there yet (503)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, title="Search is not available yet", status_code=503)


PROBLEM_MEDIA_TYPE = "application/problem+json"
# Operations whose errors are documented as JSON problem details (RFC 9457) rather than an HTML page:
# the API, and the search's CSV and Atom forms (a program asked for those, not a person at a browser).
_PROBLEM_PATHS = ("/healthz", "/openapi.json", "/search.csv", "/feeds/search.atom")


def wants_json(request: Request) -> bool:
    """API, health, OpenAPI, CSV and feed errors are JSON; everything else is a page."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path in _PROBLEM_PATHS


def problem_body(error: WebError) -> dict[str, object]:
    """RFC 9457 problem details, plus the "error" object the API has always given (kept for its clients)."""
    return {
        "type": "about:blank",
        "title": error.title,
        "status": error.status_code,
        "detail": error.message,
        "error": {"status": error.status_code, "title": error.title, "message": error.message},
    }


def error_response(request: Request, error: WebError) -> Response:
    """Render `error` as problem details JSON or as the HTML error page."""
    if wants_json(request):
        return JSONResponse(problem_body(error), status_code=error.status_code, media_type=PROBLEM_MEDIA_TYPE)
    templates = request.app.state.web.templates
    return templates.TemplateResponse(
        request, "error.html", {"error": error, "query": ""}, status_code=error.status_code
    )


async def handle_web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return error_response(request, exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no such route) and 405, shown like ours."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error: WebError = NotFound("There is no page at this address. Check it, or search for what you need.")
    else:
        error = WebError(str(exc.detail), title="That did not work", status_code=exc.status_code)
    response = error_response(request, error)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Anything else: log it in full, show the visitor a plain apology and never a stack trace."""
    log.exception("error serving %s", request.url.path, exc_info=exc)
    error = WebError(
        "Sorry, something went wrong on our side. Try again later.", title="Sorry, there is a problem with the service"
    )
    try:
        return error_response(request, error)
    except Exception:  # noqa: BLE001 - the template itself may be what failed
        return Response("Sorry, there is a problem with the service.", status_code=500, media_type="text/plain")


class CatchAllMiddleware:
    """Turn an unexpected exception into our 500 page before Starlette's ServerErrorMiddleware sees it.

    Sitting inside SecurityHeadersMiddleware, the apology gets the same headers as every other page.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise  # too late for an error page; let the server close the connection
            response = await handle_unexpected(Request(scope, receive), exc)
            await response(scope, receive, send)
