"""The search index: Whoosh over the catalogue, with BM25F ranking, facets, snippets and suggestions.

This is the indexer's front door: the web viewer and the command line import only the names below, never a
submodule (tests/test_indexer_api.py checks both), so the modules behind it can be reorganised freely.

    update_index(catalogue, index_dir)      build or update the index (and the collaboration groups)
    Searcher(index_dir).search(request)     search it: SearchRequest in, SearchResponse out
    load_groups(index_dir)                  the groups of similar work at different councils
"""

from councilcode.indexer.build import IndexReport, update_index
from councilcode.indexer.collaborate import Group, GroupRepository, Groups, groups_path, load_groups
from councilcode.indexer.docvalues import SORTS
from councilcode.indexer.generations import IndexBusy, IndexDamaged, IndexMissing, IndexStore, check_generation
from councilcode.indexer.search import (
    BOOLEAN_FILTERS,
    DEFAULT_LIMIT,
    FILTERS,
    MAX_LIMIT,
    MAX_REUSE,
    InvalidSearch,
    Searcher,
    SearchHit,
    SearchRequest,
    SearchResponse,
    SimilarRepo,
)

__all__ = [
    # building
    "IndexReport",
    "update_index",
    # searching: the request (its filters, sorts and limits), the answer, the errors
    "BOOLEAN_FILTERS",
    "DEFAULT_LIMIT",
    "FILTERS",
    "MAX_LIMIT",
    "MAX_REUSE",
    "SORTS",
    "Searcher",
    "SearchRequest",
    "SearchResponse",
    "SearchHit",
    "SimilarRepo",
    "InvalidSearch",
    "IndexMissing",
    "IndexBusy",
    "IndexDamaged",
    # the index's folder: which generation is current, and whether its files are whole
    "IndexStore",
    "check_generation",
    # collaboration groups
    "Group",
    "GroupRepository",
    "Groups",
    "groups_path",
    "load_groups",
]
