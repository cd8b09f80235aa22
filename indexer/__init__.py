"""The search index: Whoosh over the catalogue, with BM25F ranking, facets, snippets and suggestions.

`indexer.build.update_index` builds or updates it; `indexer.search.Searcher` searches it.
"""
