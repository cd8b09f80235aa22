"""Councils: every current UK council with the handles we crawl and their last crawl, one council's
repositories, and /api/councils."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from councilcode.catalogue import Catalogue, HandleState, slugify
from councilcode.coverage import Coverage, coverage
from councilcode.records import Council
from councilcode.register import REGISTER_CREDIT, REGISTER_LICENCE, REGISTER_LICENCE_URL, REGISTER_URL
from councilcode.web.errors import NotFound, Unavailable
from councilcode.web.views.common import absolute, render, web_state

COUNCIL_TYPE_LABELS: dict[str, str] = {
    "county": "County council",
    "district": "District council",
    "unitary": "Unitary authority",
    "london-borough": "London borough",
    "metropolitan-borough": "Metropolitan borough",
    "fire-and-rescue": "Fire and rescue service",
    "combined-authority": "Combined authority",
    "collaboration": "Collaboration between councils",
    "other": "Other public body",
}


def council_type_label(council_type: str | None) -> str:
    return COUNCIL_TYPE_LABELS.get(council_type or "", "Type not recorded")


def council_url(name: str) -> str:
    return f"/councils/{slugify(name)}"


@dataclass
class CouncilSummary:
    """A council with its handles' crawl states, as /councils and /api/councils show it."""

    name: str
    code: str | None
    slug: str
    url: str
    type: str | None
    type_label: str
    nation: str | None
    website: str | None
    handles: list[HandleState]
    repositories: int

    def to_json(self, request: Request) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code,
            "slug": self.slug,
            "type": self.type,
            "nation": self.nation,
            "website": self.website,
            "github": [h.handle for h in self.handles],
            "repositories": self.repositories,
            "url": absolute(request, self.url),
            "handles": [{k: v for k, v in asdict(h).items() if k != "council"} for h in self.handles],
        }


def council_summaries(catalogue: Catalogue) -> list[CouncilSummary]:
    """Every council in the catalogue, by name, with handle states and repository counts."""
    states: dict[str, list[HandleState]] = {}
    for state in catalogue.handle_states():
        states.setdefault(state.council, []).append(state)
    summaries = []
    for council in catalogue.councils():
        handles = states.get(council.name, [])
        summaries.append(
            CouncilSummary(
                name=council.name,
                code=council.code,
                slug=slugify(council.name),
                url=council_url(council.name),
                type=council.type,
                type_label=council_type_label(council.type),
                nation=council.nation,
                website=council.website,
                handles=handles,
                repositories=sum(h.repo_count or 0 for h in handles),
            )
        )
    return summaries


def find_council(catalogue: Catalogue, slug: str) -> Council:
    """The council whose name slugifies to `slug`, or a helpful 404."""
    for council in catalogue.councils():
        if slugify(council.name) == slug:
            return council
    raise NotFound(
        f"We do not know a council at /councils/{slug}.",
        title="Council not found",
        hints=["The list of councils shows every council we crawl, with links to their pages."],
    )


def catalogue_coverage(catalogue: Catalogue) -> Coverage:
    """Every current council of the register with the catalogue's handles and their last crawls."""
    return coverage(catalogue.councils(), catalogue.handle_states())


def coverage_or_none(request: Request) -> Coverage | None:
    """The coverage, or None before the first crawl (the home and about pages still show)."""
    try:
        with web_state(request).catalogue() as catalogue:
            return catalogue_coverage(catalogue)
    except Unavailable:
        return None


REGISTER = {
    "credit": REGISTER_CREDIT,
    "url": REGISTER_URL,
    "licence": REGISTER_LICENCE,
    "licence_url": REGISTER_LICENCE_URL,
}


def councils_page(request: Request) -> Response:
    with web_state(request).catalogue() as catalogue:
        summaries = council_summaries(catalogue)
        found = catalogue_coverage(catalogue)
    by_name = {s.name: s for s in summaries}
    context = {
        "nav_current": "councils",
        "coverage": found,
        # The catalogue's summary (page link, type, handle states) of each council that has an entry.
        "summaries": {c.authority.code: by_name.get(c.council.name) for c in found.councils if c.council},
        "others": [by_name[c.name] for c in found.others if c.name in by_name],
        "handle_count": sum(len(c.handles) for c in summaries),
        "register": REGISTER,
    }
    return render(request, "councils.html", context)


def council_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    with web_state(request).catalogue() as catalogue:
        council = find_council(catalogue, slug)
        repositories = catalogue.repositories(council=council.name)
    website = council.website if (council.website or "").startswith(("https://", "http://")) else None
    context = {
        "nav_current": "councils",
        "council": council,
        "type_label": council_type_label(council.type),
        "website": website,
        "repositories": repositories,
        "search_url": "/search?" + urlencode({"council": council.name}),
    }
    return render(request, "council.html", context)


def api_councils(request: Request) -> Response:
    """Every council we crawl with its handles, type, repository count and last crawl per handle; and
    under `coverage`, every current council of the register with its handles (as `orgs coverage --json`)."""
    with web_state(request).catalogue() as catalogue:
        summaries = council_summaries(catalogue)
        found = catalogue_coverage(catalogue)
    return JSONResponse(
        {
            "total": len(summaries),
            "councils": [c.to_json(request) for c in summaries],
            "coverage": found.to_json(),
            "register": REGISTER,
        }
    )
