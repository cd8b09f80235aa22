"""What one running app holds: where the data is, the templates, and the index searcher."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.templating import Jinja2Templates

from councilcode.catalogue import Catalogue
from councilcode.indexer import IndexMissing, Searcher, SearchRequest, SearchResponse, SimilarRepo
from councilcode.settings import DataDir
from councilcode.web.errors import Unavailable
from councilcode.web.search_cache import IndexCache

NO_INDEX = "The search index has not been built yet. Run `councilcode index`, then try again."
NO_CATALOGUE = "There is no catalogue yet. Run `councilcode crawl`, then try again."


@dataclass
class WebState:
    """Per-app state, kept on `app.state.web`; views reach it through `request.app.state.web`."""

    data_dir: DataDir
    templates: Jinja2Templates
    cache_entries: int = 2048
    # Finished answers by address for the index as it is now: results pages, /api/search bodies, the
    # collaboration groups. Search responses themselves are not cached here: the Searcher keeps each search's
    # matches and facets, which is what costs (docs/caching.md has the measurements).
    pages: IndexCache = field(init=False)
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
        return self._searcher

    def search(self, request: SearchRequest) -> SearchResponse:
        """The indexer's response; 503 when there is no index."""
        try:
            return self.searcher().search(request)
        except IndexMissing as exc:
            raise Unavailable(NO_INDEX) from exc

    def similar(self, full_name: str, limit: int = 5) -> list[SimilarRepo]:
        """Similar repositories at other councils; none (rather than an error) when there is no index."""
        try:
            return self.searcher().similar(full_name, limit=limit)
        except (IndexMissing, Unavailable):
            return []

    def stats(self) -> dict[str, int] | None:
        try:
            return self.searcher().stats()
        except (IndexMissing, Unavailable):
            return None

    @contextmanager
    def catalogue(self) -> Iterator[Catalogue]:
        """A read-only catalogue connection for one request (SQLite connections are cheap to open)."""
        try:
            catalogue = Catalogue(self.data_dir.catalogue, readonly=True)
        except FileNotFoundError as exc:
            raise Unavailable(NO_CATALOGUE) from exc
        try:
            yield catalogue
        finally:
            catalogue.close()
