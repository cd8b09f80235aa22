"""Search parameters from a URL: checked, normalised, and turned back into URLs for links.

The same parameters drive /search, /api/search, /search.csv and /feeds/search.atom, so a search
is shareable as a link whichever form it takes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from urllib.parse import quote_plus, urlencode

from councilcode.indexer import BOOLEAN_FILTERS, DEFAULT_LIMIT, FILTERS, MAX_LIMIT, MAX_REUSE, SearchRequest
from councilcode.web.errors import BadRequest

MAX_QUERY_LENGTH = 256
MAX_FILTER_LENGTH = 200
MAX_PAGE = 500
# The filters (in the order URLs spell them), the default and largest page size are the indexer's request's.

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Filters with a type: what each must be, for the message when it is given empty.
_TYPED = {"archived": "give true or false", "fork": "give true or false", "pushed_since": "give a date as YYYY-MM-DD"}
_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})
# Control characters cannot appear in XML (the Atom feed) and mean nothing in a search.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class SearchParams:
    """One search as the visitor asked for it; `url()` gives the link to it, or to a variation."""

    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    sort: str = "relevance"
    page: int = 1
    limit: int = DEFAULT_LIMIT

    def filter(self, name: str) -> str | None:
        return dict(self.filters).get(name)

    @property
    def is_empty(self) -> bool:
        """No words and no filters: a browse of everything."""
        return not self.q and not self.filters

    def with_filter(self, name: str, value: str) -> SearchParams:
        """This search narrowed by one more filter (replacing any value it had), from page 1."""
        kept = {k: v for k, v in self.filters if k != name}
        kept[name] = value
        return replace(self, filters=_ordered(kept), page=1)

    def without_filter(self, name: str) -> SearchParams:
        return replace(self, filters=tuple((k, v) for k, v in self.filters if k != name), page=1)

    def with_page(self, page: int) -> SearchParams:
        return replace(self, page=page)

    def with_query(self, q: str) -> SearchParams:
        return replace(self, q=q, page=1)

    def query_items(self, *, include_page: bool = True, include_limit: bool = True) -> list[tuple[str, str]]:
        """The URL parameters, leaving out defaults so links stay short."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        items.extend(self.filters)
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if include_page and self.page != 1:
            items.append(("page", str(self.page)))
        if include_limit and self.limit != DEFAULT_LIMIT:
            items.append(("limit", str(self.limit)))
        return items

    def url(self, path: str = "/search", **kwargs: bool) -> str:
        items = self.query_items(**kwargs)
        return f"{path}?{urlencode(items)}" if items else path

    @cached_property
    def _encoded(self) -> dict[str, str]:
        # Each parameter URL-encoded once: a results page links to dozens of variations of itself.
        return {name: f"{name}={quote_plus(value)}" for name, value in self.query_items(include_page=False)}

    def filter_url(self, name: str, value: str | None, path: str = "/search") -> str:
        """`with_filter(name, value).url()` (or `without_filter` for None), built fast for facet links."""
        encoded = self._encoded
        parts = [encoded["q"]] if "q" in encoded else []
        for key in FILTERS:
            if key == name:
                if value is not None:
                    parts.append(f"{key}={quote_plus(value)}")
            elif key in encoded:
                parts.append(encoded[key])
        parts.extend(encoded[key] for key in ("sort", "limit") if key in encoded)
        return f"{path}?{'&'.join(parts)}" if parts else path

    def to_request(self) -> SearchRequest:
        """The indexer's request; a value the indexer refuses (an unknown sort) is a 400."""
        values: dict[str, object] = {}
        for name, value in self.filters:
            if name in BOOLEAN_FILTERS:
                values[name] = value == "true"
            elif name == "min_reuse":
                values[name] = int(value)
            else:
                values[name] = value
        try:
            return SearchRequest(q=self.q, sort=self.sort, page=self.page, limit=self.limit, **values)  # type: ignore[arg-type]
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc


def _ordered(filters: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((name, filters[name]) for name in FILTERS if name in filters)


def clean_text(value: str) -> str:
    """Control characters become spaces; runs of whitespace collapse; ends are trimmed."""
    return " ".join(_CONTROL.sub(" ", value).split())


def parse_search_params(
    query: Mapping[str, str], *, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT
) -> SearchParams:
    """Check the query parameters of a search URL; anything unusable raises BadRequest with a clear message."""
    q = clean_text(query.get("q", ""))
    if len(q) > MAX_QUERY_LENGTH:
        raise BadRequest(f"Your search is too long: use at most {MAX_QUERY_LENGTH} characters.")
    filters: dict[str, str] = {}
    for name in FILTERS:
        raw = clean_text(query.get(name, ""))
        if not raw:
            if name in _TYPED and name in query:
                # A date or true/false given as nothing is a mistake, not "no filter" (the API documents a type).
                raise BadRequest(f"{name} is empty: {_TYPED[name]}, or leave it out.")
            continue
        if len(raw) > MAX_FILTER_LENGTH:
            raise BadRequest(f"The {name} filter is too long: use at most {MAX_FILTER_LENGTH} characters.")
        if name in BOOLEAN_FILTERS:
            raw = _boolean(name, raw)
        elif name == "pushed_since":
            raw = _date(name, raw)
        elif name == "min_reuse":
            raw = str(_integer(name, raw, default=0, low=0, high=MAX_REUSE))
        filters[name] = raw
    sort = clean_text(query.get("sort", "relevance"))
    page = _integer("page", query.get("page"), default=1, low=1, high=MAX_PAGE)
    limit = _integer("limit", query.get("limit"), default=default_limit, low=1, high=max_limit)
    params = SearchParams(q=q, filters=_ordered(filters), sort=sort, page=page, limit=limit)
    params.to_request()  # let the indexer refuse what it cannot do (an unknown sort) now, as a 400
    return params


def _integer(name: str, raw: str | None, *, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    text = raw.strip()
    if not text:
        raise BadRequest(f"{name} is empty: give a whole number from {low} to {high}, or leave it out.")
    if not text.isascii() or not text.isdigit():
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, not {text[:20]!r}.")
    value = int(text[:8]) if len(text) <= 8 else high + 1
    if not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}.")
    return value


def _boolean(name: str, raw: str) -> str:
    lowered = raw.lower()
    if lowered in _TRUE:
        return "true"
    if lowered in _FALSE:
        return "false"
    raise BadRequest(f"{name} must be true or false.")


def _date(name: str, raw: str) -> str:
    # Only YYYY-MM-DD, as documented (an OpenAPI "date"): fromisoformat alone also takes 20240131 and 2024-W05-3.
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw).isoformat()
    except ValueError as exc:
        raise BadRequest(f"{name} must be a date written as YYYY-MM-DD, such as 2024-01-31.") from exc
