"""HTTP caching: an ETag tied to the data every answer comes from, Cache-Control, and 304 on If-None-Match.

Every page, API answer and feed is made from the catalogue and the index (and the collaboration groups beside
it). The ETag is a digest of the address asked for and the version of each of those files (identity, size and
modification time: a crawl, a rebuild and an incremental index commit all change it), so it changes whenever an
answer could. A request whose If-None-Match holds the current tag is answered 304 before any work is done;
others get the tag and `Cache-Control: no-cache` (keep it, but ask each time), as answers change without notice
when a crawl lands.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from councilcode import __version__
from councilcode.indexer import groups_path
from councilcode.settings import DataDir
from councilcode.web.search_cache import index_version

CACHE_CONTROL = "public, no-cache"
# Answered elsewhere: health must never be cached (it says no-store), static files have their own ETags.
_EXCLUDED = ("/healthz", "/static/")


def _file_version(path: Path) -> tuple[int, int, int] | None:
    # Not the change time: SQLite touches the -wal file's on every read-only open.
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def data_version(data_dir: DataDir) -> str:
    """The version of everything answers are made from, as text."""
    catalogue = data_dir.catalogue
    parts = (
        index_version(data_dir.index),
        _file_version(data_dir.index / "CURRENT"),
        _file_version(groups_path(data_dir.index)),
        _file_version(catalogue),
        # The catalogue is in WAL mode: a crawl's commits land in the -wal file first.
        _file_version(catalogue.with_name(catalogue.name + "-wal")),
    )
    return repr(parts)


def etag_for(data_dir: DataDir, scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    key = f"{__version__}|{data_version(data_dir)}|{scope['path']}?{query}"
    return 'W/"' + hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list with our tag."""
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


class CachingHeadersMiddleware:
    """ETag and Cache-Control on successful GET and HEAD answers; 304 when the client's copy is current."""

    def __init__(self, app: ASGIApp, data_dir: DataDir) -> None:
        self.app = app
        self.data_dir = data_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or path.startswith(_EXCLUDED):
            await self.app(scope, receive, send)
            return
        etag = etag_for(self.data_dir, scope)
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match and _matches(if_none_match, etag):
            await Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})(
                scope, receive, send
            )
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableHeaders(scope=message)
                headers.setdefault("ETag", etag)
                headers.setdefault("Cache-Control", CACHE_CONTROL)
            await send(message)

        await self.app(scope, receive, send_with_headers)
