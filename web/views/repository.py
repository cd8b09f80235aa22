"""One repository: its page and /api/repos/{owner}/{name}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from councilcode.catalogue import slugify
from councilcode.licences import describe_licence, licence_label
from councilcode.publiccode import parse_publiccode
from councilcode.records import Repository
from councilcode.reuse import checklist
from councilcode.web.errors import NotFound
from councilcode.web.params import MAX_FILTER_LENGTH
from councilcode.web.readme_html import ReadmeLocation
from councilcode.web.views.collaborate import collaboration_links
from councilcode.web.views.common import absolute, api_repo_url, render, repo_url, web_state
from councilcode.web.views.councils import council_url

SIMILAR_COUNT = 5
# GitHub allows topics of at most 50 characters; longer ones come from elsewhere and are cut on the page.
MAX_TOPIC_CHARS = 50


@dataclass(frozen=True)
class TopicLink:
    name: str  # as shown: cut to MAX_TOPIC_CHARS
    url: str | None  # a search for it, when it is short enough to search for

    @classmethod
    def of(cls, topic: str) -> TopicLink:
        shown = topic if len(topic) <= MAX_TOPIC_CHARS else topic[: MAX_TOPIC_CHARS - 1] + "…"
        url = "/search?" + urlencode({"topic": topic}) if len(topic) <= MAX_FILTER_LENGTH else None
        return cls(shown, url)


def load_repository(request: Request) -> Repository:
    """The repository named in the path, or a helpful 404."""
    full_name = f"{request.path_params['owner']}/{request.path_params['name']}"
    with web_state(request).catalogue() as catalogue:
        repo = catalogue.repository(full_name)
    if repo is None:
        raise NotFound(
            f"We have no repository called {full_name}. It may have been renamed, deleted or made private, "
            "or its council may not be in our list yet.",
            title="Repository not found",
        )
    return repo


def _canonical_redirect(request: Request, repo: Repository, url: str) -> Response | None:
    # GitHub names are case-insensitive: send /repos/escc/... to the one true spelling. The names are
    # compared as decoded from the path, not as URLs: a name with characters that need escaping can be
    # written several ways in a URL, and comparing those would redirect for ever.
    asked = f"{request.path_params['owner']}/{request.path_params['name']}"
    if asked != repo.full_name:
        return RedirectResponse(url, status_code=301)
    return None


def repository_page(request: Request) -> Response:
    repo = load_repository(request)
    redirect = _canonical_redirect(request, repo, repo_url(repo.full_name))
    if redirect:
        return redirect
    location = ReadmeLocation(repo.full_name, repo.default_branch, repo.readme_path)
    readme_html = web_state(request).readmes.render(repo.readme, location)
    homepage = repo.homepage if (repo.homepage or "").startswith(("https://", "http://")) else None
    context = {
        "repo": repo,
        "council_url": council_url(repo.council),
        "licence_explanation": describe_licence(repo.license),
        "topics": [TopicLink.of(t) for t in repo.topics],
        "homepage": homepage,
        # Safe: rendered READMEs have been through nh3.
        "readme_html": Markup(readme_html),
        "similar": web_state(request).similar(repo.full_name, limit=SIMILAR_COUNT),
        "collaborations": collaboration_links(request, repo),
        "publiccode": parse_publiccode(repo.publiccode),
        "reuse": checklist(repo),
    }
    return render(request, "repository.html", context)


def repository_json(request: Request, repo: Repository) -> dict[str, Any]:
    """The repository's catalogue fields plus where to find it and what is similar."""
    similar = web_state(request).similar(repo.full_name, limit=SIMILAR_COUNT)
    publiccode = parse_publiccode(repo.publiccode)
    return {
        **repo.to_dict(),
        # Parsed, never the raw text: null when there is none, else what it says and any problems.
        "publiccode": publiccode.to_api() if publiccode else None,
        "reuse": checklist(repo).to_api(),
        "council_slug": slugify(repo.council),
        "license_name": licence_label(repo.license) if repo.license else None,
        "license_description": describe_licence(repo.license),
        "url": absolute(request, repo_url(repo.full_name)),
        "similar": [
            {
                "full_name": s.full_name,
                "council": s.council,
                "description": s.description,
                "score": s.score,
                "url": absolute(request, repo_url(s.full_name)),
                "api_url": absolute(request, api_repo_url(s.full_name)),
            }
            for s in similar
        ],
    }


def api_repository(request: Request) -> Response:
    repo = load_repository(request)
    redirect = _canonical_redirect(request, repo, api_repo_url(repo.full_name))
    if redirect:
        return redirect
    return JSONResponse(repository_json(request, repo))
