"""Small helpers every view uses."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from councilcode.web.state import WebState
from councilcode.web.templating import repo_url

__all__ = ["absolute", "api_repo_url", "render", "render_to_string", "repo_url", "web_state"]


def web_state(request: Request) -> WebState:
    """The app's WebState (set by `web.app.create_app`)."""
    return request.app.state.web


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Render a page template with the shared Jinja environment."""
    return web_state(request).templates.TemplateResponse(request, template, context, status_code=status_code)


def render_to_string(request: Request, template: str, context: dict[str, Any]) -> str:
    """A page template rendered to text, for pages that are cached."""
    return web_state(request).templates.get_template(template).render({"request": request, **context})


def api_repo_url(full_name: str) -> str:
    return "/api" + repo_url(full_name)


def absolute(request: Request, path: str) -> str:
    """An absolute URL on this site (for feeds and the API), from a path that starts with '/'.

    It starts with the configured base URL: the Host header is whatever the client sent, and echoing
    it would let anyone put their own site into links others are given (a cache or a feed reader).
    """
    return web_state(request).base_url + path
