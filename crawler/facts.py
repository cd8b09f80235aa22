"""The reuse facts a crawl collects beside the README (issue 14): root file names, CI workflows,
publiccode.yml, the latest release or tag, open issues.

Shared by the REST crawl (crawl.py) and the GraphQL crawl (graphql.py), so both store the same.
What changes only with a push (files, releases) is read only for repositories that changed, as
READMEs are; the open issues count comes free with every listing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from councilcode.records import Repository

# The names publiccode.yml goes by at the root of a repository; the standard says publiccode.yml.
PUBLICCODE_NAMES = ("publiccode.yml", "publiccode.yaml")
# REST requests a changed repository's facts cost: usually its root listing, latest release and tags
# (asked for only without a release); at most also .github/workflows, publiccode.yml and a tag's commit.
FACT_REQUESTS = 3
FACT_REQUESTS_MOST = 6
FACT_FIELDS = ("root_files", "workflows", "publiccode", "latest_release", "latest_release_at")


def facts_read(repo: Repository | None) -> bool:
    """Whether a stored repository's facts were read (a catalogue from before issue 14 has none)."""
    return repo is not None and repo.root_files is not None


def keep_facts(repo: Repository, previous: Repository) -> None:
    """Carry the stored facts over to a repository nothing was pushed to."""
    for name in FACT_FIELDS:
        setattr(repo, name, getattr(previous, name))


def pick_publiccode(names: Sequence[str]) -> str | None:
    """The publiccode file among root names (folders end in "/", so never match)."""
    by_lower = {n.lower(): n for n in names}
    return next((by_lower[p] for p in PUBLICCODE_NAMES if p in by_lower), None)


def root_names_from_listing(data: Any) -> list[str] | None:
    """Root names from a REST contents listing (`/contents/`), folders ending in "/"; None if not a listing."""
    if not isinstance(data, list):
        return None
    names = []
    for entry in data:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"] + "/" if entry.get("type") == "dir" else entry["name"])
    return sorted(names)


def file_names_from_listing(data: Any) -> list[str]:
    """The file names of a REST contents listing of a folder (such as .github/workflows)."""
    if not isinstance(data, list):
        return []
    return sorted(
        e["name"] for e in data if isinstance(e, dict) and e.get("type") == "file" and isinstance(e.get("name"), str)
    )


def release_from_rest(data: Any) -> tuple[str | None, str | None]:
    """(tag, date) of REST `/releases/latest`."""
    if not isinstance(data, dict) or not isinstance(data.get("tag_name"), str):
        return None, None
    date = data.get("published_at") or data.get("created_at")
    return data["tag_name"], date if isinstance(date, str) else None


def release_from_graphql(node: dict[str, Any]) -> tuple[str | None, str | None]:
    """(tag, date) from a repository's `latestRelease` and newest tag `refs` (see graphql.py's text query)."""
    release = node.get("latestRelease")
    if isinstance(release, dict) and isinstance(release.get("tagName"), str):
        return release["tagName"], release.get("publishedAt") or release.get("createdAt")
    tags = (node.get("tags") or {}).get("nodes") or []
    for tag in tags:
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            return tag["name"], _tag_date(tag.get("target"))
    return None, None


def _tag_date(target: Any) -> str | None:
    """The date of a tag ref's target: a commit's, or an annotated tag's (its tagger, else its commit)."""
    if not isinstance(target, dict):
        return None
    if isinstance(target.get("committedDate"), str):
        return target["committedDate"]
    tagger = target.get("tagger") or {}
    if isinstance(tagger.get("date"), str):
        return tagger["date"]
    return _tag_date(target.get("target"))


def tree_names(tree: Any, kind: str | None = None) -> list[str]:
    """Names of a GraphQL Tree's entries (of one `kind`, "blob" or "tree", if given); [] if no tree."""
    entries = (tree or {}).get("entries") if isinstance(tree, dict) else None
    return sorted(
        e["name"]
        for e in entries or []
        if isinstance(e, dict) and isinstance(e.get("name"), str) and (kind is None or e.get("type") == kind)
    )
