"""Collaboration finder: /collaborate, /collaborate/{id} and /api/collaborate.

The groups are worked out at index time (indexer.collaborate) and read here from the JSON file
beside the index; a parsed copy is kept per version of that file, so pages do not re-read it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from councilcode.indexer import Group, Groups, groups_path, load_groups
from councilcode.records import Repository
from councilcode.web.errors import BadRequest, NotFound, Unavailable
from councilcode.web.views.common import absolute, render, repo_url, web_state

T = TypeVar("T")

GROUPS_PER_PAGE = 25
# A kind of work can be built by hundreds of councils (a catalogue of 25,000 repositories makes
# groups of 600 to 900): the list shows each group's first few members and links to the group,
# whose page lists its members a page at a time, like search results.
MEMBERS_IN_LIST = 10
MEMBERS_PER_PAGE = 100
MAX_API_LIMIT = 1000
NO_GROUPS = (
    "Groups of similar work have not been worked out yet. Run `councilcode index` (it works them out "
    "every time it runs), then try again."
)


@dataclass(frozen=True)
class GroupLink:
    """What a repository page says about the group the repository is in."""

    url: str
    label: str
    other_councils: int


def group_url(group_id: str) -> str:
    return f"/collaborate/{group_id}"


def search_url(group: Group) -> str:
    return "/search?" + urlencode({"q": group.search_query})


def stored_groups(request: Request) -> Groups | None:
    """The groups as last worked out, or None when there are none yet."""
    state = web_state(request)
    path = groups_path(state.data_dir.index)
    try:
        stat = path.stat()
    except OSError:
        return None
    # Keyed by the file's own version as well, since it can change after the index does.
    key = ("collaborate", stat.st_mtime_ns, stat.st_size)
    return state.pages.get_or_compute(key, lambda: load_groups(state.data_dir.index))


def _required_groups(request: Request) -> Groups:
    groups = stored_groups(request)
    if groups is None:
        raise Unavailable(NO_GROUPS)
    return groups


def collaboration_links(request: Request, repo: Repository) -> list[GroupLink]:
    """The links a repository page shows to its groups (none when there are none): a repository can
    be in a platform's group and in the group of the kind of work it does."""
    groups = stored_groups(request)
    found = groups.groups_of(repo.full_name) if groups else []
    return [
        GroupLink(group_url(group.id), group.label, len([c for c in group.councils if c != repo.council]))
        for group in found
    ]


def _paged(request: Request, items: Sequence[T], per_page: int, url: str) -> tuple[Sequence[T], dict[str, Any]]:
    """The `?page=` of `items` at `url`, and what a template needs to show it and link to its
    neighbours (the first page is `url` itself)."""
    last = max(1, math.ceil(len(items) / per_page))
    page = _whole_number(request, "page", 1, last) or 1
    context = {
        "first_index": (page - 1) * per_page + 1,
        "page": page,
        "pages": last,
        "previous_url": (url if page == 2 else f"{url}?page={page - 1}") if page > 1 else None,
        "next_url": f"{url}?page={page + 1}" if page < last else None,
    }
    return items[(page - 1) * per_page : page * per_page], context


def _whole_number(request: Request, name: str, low: int, high: int) -> int | None:
    """The query's `name`, a whole number from `low` to `high`, or None when the query has none."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:20]!r}.") from None
    if value < low or value > high:
        raise BadRequest(f"{name} must be between {low} and {high}.")
    return value


def collaborate_page(request: Request) -> Response:
    """Groups of similar repositories at different councils, most councils first."""
    groups = _required_groups(request)
    shown, paging = _paged(request, groups.groups, GROUPS_PER_PAGE, "/collaborate")
    context = {
        "nav_current": "collaborate",
        "groups": shown,
        "total": len(groups.groups),
        "compared": groups.repositories,
        "generated_at": groups.generated_at,
        **paging,
        "group_url": group_url,
        "search_url": search_url,
        "members_in_list": MEMBERS_IN_LIST,
    }
    return render(request, "collaborate.html", context)


def group_page(request: Request) -> Response:
    """One group: its councils, repositories and reuse, with a search for more like them."""
    groups = _required_groups(request)
    wanted = request.path_params["group_id"]
    group = next((g for g in groups.groups if g.id == wanted), None)
    if group is None:
        raise NotFound(
            f"There is no group {wanted}. Groups are worked out again whenever the index changes, "
            "so the one you are looking for may have changed its name or members.",
            title="Group not found",
            hints=["The list of groups shows every group there is now."],
        )
    here = group_url(group.id)
    shown, paging = _paged(request, group.repositories, MEMBERS_PER_PAGE, here)
    context = {
        "nav_current": "collaborate",
        "group": group,
        "repositories": shown,
        **paging,
        "reuse_url": f"{here}#reuse",  # the forks are on the first page only
        "search_url": search_url(group),
        "generated_at": groups.generated_at,
    }
    return render(request, "collaborate_group.html", context)


def group_json(request: Request, group: Group, limit: int | None = None) -> dict[str, Any]:
    """A group as /api/collaborate gives it: `councilcode collaborate --json`'s, with this site's URLs
    and `repositories_total` and `reuse_total`, which say how many repositories and forks there are
    even when `limit` lists only the first `limit` of each."""
    body = group.public_json(limit)
    body["repositories_total"] = len(group.repositories)
    body["reuse_total"] = len(group.reuse)
    for repo in (*body["repositories"], *body["reuse"]):
        repo["url"] = absolute(request, repo_url(repo["full_name"]))
    body["url"] = absolute(request, group_url(group.id))
    body["search_url"] = absolute(request, search_url(group))
    return body


def api_collaborate(request: Request) -> Response:
    """Every group, most councils first, as JSON; `limit` lists at most that many repositories (and
    forks) of each group, for a catalogue whose groups hold hundreds."""
    groups = _required_groups(request)
    limit = _whole_number(request, "limit", 1, MAX_API_LIMIT)
    return JSONResponse({**groups.summary_json(), "groups": [group_json(request, g, limit) for g in groups.groups]})
