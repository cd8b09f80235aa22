"""What one running app holds: where the data is, the templates, and the index searcher."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.templating import Jinja2Templates

from councilcode.catalogue import Catalogue, CatalogueDamaged
from councilcode.indexer import IndexDamaged, IndexMissing, Searcher, SearchRequest, SearchResponse, SimilarRepo
from councilcode.settings import DataDir
from councilcode.web.errors import Unavailable
from councilcode.web.readme_html import RenderedReadmes
from councilcode.web.search_cache import IndexCache

# Where the viewer is reached, for absolute links in the API and feeds (`serve --base-url`).
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
BASE_URL_VARIABLE = "COUNCILCODE_BASE_URL"

NO_INDEX = "The search index has not been built yet. Run `councilcode index`, then try again."
NO_CATALOGUE = "There is no catalogue yet. Run `councilcode crawl`, then try again."


def check_base_url(url: str) -> str:
    """`url` without a trailing slash, if it is an http(s) address of a site's root; ValueError if not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the base URL must start with https:// or http:// and name a host, not {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"the base URL must be the site's root, such as https://code.example.gov.uk, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class WebState:
    """Per-app state, kept on `app.state.web`; views reach it through `request.app.state.web`."""

    data_dir: DataDir
    templates: Jinja2Templates
    base_url: str = DEFAULT_BASE_URL
    cache_entries: int = 2048
    # Finished answers by address for the index as it is now: results pages, /api/search bodies, the
    # collaboration groups. Search responses themselves are not cached here: the Searcher keeps each search's
    # matches and facets, which is what costs (docs/caching.md has the measurements).
    pages: IndexCache = field(init=False)
    # READMEs as rendered, per repository version (they do not depend on the index).
    readmes: RenderedReadmes = field(default_factory=RenderedReadmes)
    _searcher: Searcher | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.pages = IndexCache(self.data_dir.index, self.cache_entries)

    def searcher(self) -> Searcher:
        """The shared Searcher, made on first use so a server started before the index still works."""
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:
                    try:
                        self._searcher = Searcher(self.data_dir.index)
                    except IndexMissing as exc:
                        raise Unavailable(NO_INDEX) from exc
                    except IndexDamaged as exc:
                        raise Unavailable(damaged(exc)) from exc
        return self._searcher

    def search(self, request: SearchRequest) -> SearchResponse:
        """The indexer's response; 503 when there is no index."""
        try:
            return self.searcher().search(request)
        except IndexMissing as exc:
            raise Unavailable(NO_INDEX) from exc
        except IndexDamaged as exc:
            raise Unavailable(damaged(exc)) from exc

    def similar(self, full_name: str, limit: int = 5) -> list[SimilarRepo]:
        """Similar repositories at other councils; none (rather than an error) when there is no index."""
        try:
            return self.searcher().similar(full_name, limit=limit)
        except (IndexMissing, IndexDamaged, Unavailable):
            return []

    def stats(self) -> dict[str, int] | None:
        try:
            return self.searcher().stats()
        except (IndexMissing, IndexDamaged, Unavailable):
            return None

    @contextmanager
    def catalogue(self) -> Iterator[Catalogue]:
        """A read-only catalogue connection for one request (SQLite connections are cheap to open)."""
        try:
            catalogue = Catalogue(self.data_dir.catalogue, readonly=True)
        except FileNotFoundError as exc:
            raise Unavailable(NO_CATALOGUE) from exc
        except sqlite3.DatabaseError as exc:
            raise Unavailable(catalogue_damaged(self.data_dir.catalogue, exc)) from exc
        try:
            yield catalogue
        except sqlite3.DatabaseError as exc:
            # "file is not a database", "database disk image is malformed": the file, not the request.
            raise Unavailable(catalogue_damaged(self.data_dir.catalogue, exc)) from exc
        finally:
            catalogue.close()


def damaged(exc: IndexDamaged) -> str:
    return f"Search is not available: {exc}."


def catalogue_damaged(path: Path, problem: object) -> str:
    message = str(CatalogueDamaged(path, problem))
    return message[0].upper() + message[1:] + "."
