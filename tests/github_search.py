"""GET /search/users for the GitHub emulator (tests/github_emulator.py), kept apart from the REST core.

What it answers as GitHub does:
- the query syntax councilcode uses: bare words and "quoted phrases" (every one must match), `type:org`
  or `type:user`, and `in:login`, `in:name`, `in:email` to say where words may match (default: all three);
  a word matches a login anywhere in it and a name or e-mail by whole word; a phrase only a name;
- `total_count`, `incomplete_results` and `items` (the account as an owner, with a `score`), best match
  first; `per_page` (default 30, at most 100) and `page`, with `Link` headers; at most 1,000 results;
- its own rate limit, 30 requests a minute with a token and 10 without, counted apart from the core
  limit, reported under `resources.search` of /rate_limit and in `x-ratelimit-resource: search` headers;
  going over it answers 403 (or 429, as GitHub may) with GitHub's message and headers;
- 422 "Validation Failed" for a query with nothing to search for.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:  # the emulator imports this module when it starts; only types are needed here
    from tests.github_emulator import GitHubEmulator, _Account, _Bucket, _Reply, _Request

SEARCH_DOCS = "https://docs.github.com/rest/search/search#search-users"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SEARCH_WINDOW = 60.0  # GitHub's search limit is per minute
MAX_RESULTS = 1000  # GitHub serves only the first 1,000 results of any search
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class _Query:
    words: tuple[str, ...]
    phrases: tuple[str, ...]
    kind: str | None  # "Organization", "User" or None for both
    fields: frozenset[str]  # where words may match: login, name, email


def parse_query(q: str) -> _Query | None:
    """The query, or None if it searches for nothing (GitHub answers 422)."""
    try:
        parts = shlex.split(q)
    except ValueError:  # an unclosed quote: GitHub reads the rest as words
        parts = q.replace('"', " ").split()
    quoted = set(re.findall(r'"([^"]+)"', q))
    words: list[str] = []
    phrases: list[str] = []
    kind = None
    fields: set[str] = set()
    for part in parts:
        key, _, value = part.partition(":")
        if part not in quoted and key.lower() == "type" and value:
            kind = {"org": "Organization", "organization": "Organization", "user": "User"}.get(value.lower(), kind)
        elif part not in quoted and key.lower() == "in" and value:
            fields |= {f for f in value.lower().split(",") if f in ("login", "name", "email", "fullname")}
        elif part in quoted and " " in part:
            phrases.append(" ".join(_WORD.findall(part.lower())))
        else:
            words.extend(_WORD.findall(part.lower()))
    if not words and not phrases:
        return None
    fields = {"name" if f == "fullname" else f for f in fields} or {"login", "name", "email"}
    return _Query(tuple(words), tuple(phrases), kind, frozenset(fields))


def _match_score(query: _Query, acct: _Account) -> float | None:
    """How well `acct` matches (higher is better), or None if it does not."""
    if query.kind is not None and acct.kind != query.kind:
        return None
    login = acct.login.lower()
    name_words = _WORD.findall((acct.name or "").lower())
    email_words = _WORD.findall(str(acct.profile.get("email") or "").lower())
    name_text = " " + " ".join(name_words) + " "
    score = 1.0
    for word in query.words:
        in_login = "login" in query.fields and word in login
        in_name = "name" in query.fields and word in name_words
        in_email = "email" in query.fields and word in email_words
        if not (in_login or in_name or in_email):
            return None
        score += 2.0 if in_login else 1.0
    for phrase in query.phrases:
        if "name" not in query.fields or f" {phrase} " not in name_text:
            return None
        score += 3.0
    if login == "".join(query.words):
        score += 10.0  # GitHub puts an exact login first
    return score


class SearchEndpoint:
    """/search/users of one emulator, with per-caller search budgets."""

    def __init__(self, emulator: GitHubEmulator, *, limit: int = 30, unauthenticated_limit: int = 10) -> None:
        self.emulator = emulator
        self.limit = limit
        self.unauthenticated_limit = unauthenticated_limit
        self.limited_status = 403  # GitHub answers a used-up primary limit with 403, sometimes 429
        self.requests = 0  # search requests answered (including refusals), for tests to assert on
        self._buckets: dict[str, _Bucket] = {}

    def set_limit(self, limit: int, *, unauthenticated: int | None = None, limited_status: int = 403) -> None:
        """Change the per-minute limits (tests that must not wait a minute raise them) and the refusal status."""
        with self.emulator._lock:
            self.limit = limit
            self.unauthenticated_limit = unauthenticated if unauthenticated is not None else self.unauthenticated_limit
            self.limited_status = limited_status
            self._buckets.clear()

    def _bucket(self, caller_bucket: str) -> _Bucket:
        from tests.github_emulator import _Bucket

        bucket = self._buckets.get(caller_bucket)
        if bucket is None:
            limit = self.unauthenticated_limit if caller_bucket == "unauthenticated" else self.limit
            bucket = _Bucket(limit, limit, self.emulator.clock() + SEARCH_WINDOW, "search", SEARCH_WINDOW)
            self._buckets[caller_bucket] = bucket
        bucket.refresh(self.emulator.clock())
        return bucket

    def rate(self, caller_bucket: str) -> dict[str, int]:
        """The caller's search budget as /rate_limit shows it under resources.search."""
        with self.emulator._lock:
            b = self._bucket(caller_bucket)
            return {"limit": b.limit, "used": b.limit - b.remaining, "remaining": b.remaining, "reset": int(b.reset_at)}

    def respond(self, req: _Request, request_id: str) -> _Reply:
        from tests.github_emulator import JSON_TYPE, _dumps, _Reply

        caller = req.caller.bucket
        authenticated = caller != "unauthenticated"
        with self.emulator._lock:
            self.requests += 1
            bucket = self._bucket(caller)
            exhausted = bucket.remaining <= 0
            if not exhausted:
                bucket.remaining -= 1
            rate = bucket.headers()
        status, payload, extra = self._answer(req, exhausted, authenticated)
        base = [
            (k, v)
            for k, v in self.emulator._base_headers(caller, request_id, authenticated)
            if not k.startswith("x-ratelimit-")
        ]
        headers = [("content-type", JSON_TYPE), ("x-github-media-type", "github.v3; format=json"), *base, *rate]
        return _Reply(status, headers + extra, _dumps(payload))

    def _answer(self, req: _Request, exhausted: bool, authenticated: bool) -> tuple[int, Any, list[tuple[str, str]]]:
        if req.method not in ("GET", "HEAD") or req.path != "/search/users":
            return 404, {"message": "Not Found", "documentation_url": SEARCH_DOCS, "status": "404"}, []
        if exhausted:
            who = "user ID 1." if authenticated else "127.0.0.1."
            message = f"API rate limit exceeded for {who}"
            return self.limited_status, {"message": message, "documentation_url": RATE_LIMIT_DOCS}, []
        params = parse_qsl(req.query, keep_blank_values=True)
        query = parse_query(dict(params).get("q", ""))
        if query is None:
            payload = {
                "message": "Validation Failed",
                "errors": [{"resource": "Search", "field": "q", "code": "missing"}],
                "documentation_url": SEARCH_DOCS,
                "status": "422",
            }
            return 422, payload, []

        with self.emulator._lock:
            scored = [(s, a) for a in self.emulator._accounts.values() if (s := _match_score(query, a)) is not None]
            scored.sort(key=lambda pair: (-pair[0], pair[1].id))
            matches = [(s, self.emulator._owner_json(a)) for s, a in scored]
        per_page = dict(params).get("per_page", "30")
        per_page = min(100, max(1, int(per_page))) if per_page.isdigit() else 30
        page = dict(params).get("page", "1")
        page = max(1, int(page)) if page.isdigit() else 1
        served = matches[:MAX_RESULTS]
        window = served[(page - 1) * per_page : page * per_page]
        items = [owner | {"score": score} for score, owner in window]
        last = max(1, math.ceil(len(served) / per_page))
        return (
            200,
            {"total_count": len(matches), "incomplete_results": False, "items": items},
            self._links(params, page, last),
        )

    def _links(self, params: list[tuple[str, str]], page: int, last: int) -> list[tuple[str, str]]:
        if last == 1:
            return []

        def url(n: int) -> str:
            new = [(k, v) for k, v in params if k != "page"] + [("page", str(n))]
            return f"<{self.emulator.url}/search/users?{urlencode(new)}>"

        links = []
        if page > 1:
            links += [f'{url(page - 1)}; rel="prev"', f'{url(1)}; rel="first"']
        if page < last:
            links += [f'{url(page + 1)}; rel="next"', f'{url(last)}; rel="last"']
        return [("link", ", ".join(links))]
