"""The web viewer and JSON API: `create_app(data_dir)` gives the Starlette app that `councilcode serve` runs."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from councilcode.settings import DataDir
from councilcode.web.caching import CachingHeadersMiddleware
from councilcode.web.errors import CatchAllMiddleware, WebError, handle_http_exception, handle_web_error
from councilcode.web.security import SecurityHeadersMiddleware
from councilcode.web.state import BASE_URL_VARIABLE, DEFAULT_BASE_URL, WebState, check_base_url
from councilcode.web.templating import STATIC_DIR, create_templates
from councilcode.web.views import api, collaborate, councils, exports, health, pages, repository, search


def routes() -> list[Route | Mount]:
    """Every URL the app answers. Handlers are plain functions, so Starlette runs them in its
    threadpool: searching and SQLite are blocking work and must not hold up the event loop."""
    return [
        Route("/", pages.home, name="home"),
        Route("/search", search.search_page, name="search"),
        Route("/search.csv", exports.search_csv, name="search_csv"),
        Route("/feeds/search.atom", exports.search_atom, name="search_atom"),
        Route("/repos/{owner}/{name}", repository.repository_page, name="repository"),
        Route("/councils", councils.councils_page, name="councils"),
        Route("/councils/{slug}", councils.council_page, name="council"),
        Route("/about", pages.about, name="about"),
        Route("/collaborate", collaborate.collaborate_page, name="collaborate"),
        Route("/collaborate/{group_id}", collaborate.group_page, name="collaborate_group"),
        Route("/api/search", api.api_search, name="api_search"),
        Route("/api/repos/{owner}/{name}", repository.api_repository, name="api_repository"),
        Route("/api/councils", councils.api_councils, name="api_councils"),
        Route("/api/collaborate", collaborate.api_collaborate, name="api_collaborate"),
        Route("/openapi.json", api.openapi, name="openapi"),
        Route("/healthz", health.healthz, name="healthz"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def create_app(data_dir: DataDir, *, base_url: str = DEFAULT_BASE_URL) -> Starlette:
    """The app over one data dir. It reads the catalogue and index as they are on each request,
    so a re-crawl or a re-built index shows up without a restart.

    `base_url` starts the absolute links of the API and feeds (see `check_base_url`): taken from
    configuration, never from the request's Host header, which whoever sends the request chooses.
    """
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(CachingHeadersMiddleware, data_dir=data_dir),
            Middleware(CatchAllMiddleware),
        ],
        exception_handlers={WebError: handle_web_error, HTTPException: handle_http_exception},
    )
    app.state.web = WebState(data_dir=data_dir, templates=create_templates(), base_url=check_base_url(base_url))
    return app


def app_from_environment() -> Starlette:
    """The app over $COUNCILCODE_DATA_DIR (or ./data) with links from $COUNCILCODE_BASE_URL: the factory
    each `serve --workers N` process calls."""
    return create_app(DataDir.resolve(None), base_url=os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL)
