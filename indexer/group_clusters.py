"""TF-IDF vectors, a nearest-neighbour similarity graph, and average-linkage clustering over it.

The numerical part of the collaboration finder (`indexer.group_finder`): no repositories, no labels.

Cost at n documents: building the vectors is linear in the text; the graph is n sparse
matrix-vector products done in blocks (each block's similarities are a dense array only for as
long as it takes to pick its k best); clustering is a heap over the graph's at most k*n edges.
Nothing is ever n x n.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

NEIGHBOURS = 20  # k: each repository's most similar others, the only pairs clustering looks at
MIN_EDGE = 0.05  # similarities below this are noise and never join anything
MAX_TERMS = 15  # a repository is described by its strongest terms; see _keep_largest
MIN_TERMS = 3
MIN_DF_LIMIT = 50  # max_df never drops a term used by fewer repositories than this
CANDIDATES = 64  # most similar rows looked at per row when picking other owners' (see neighbour_graph)
BLOCK_ROWS = 512  # rows of the similarity matrix held densely at once (512 x 25,000 floats = 50 MB)


@dataclass(frozen=True)
class Vectors:
    """L2-normalised TF-IDF rows, one per document, over the kept `terms`."""

    matrix: sparse.csr_matrix
    terms: list[str]


def tfidf_vectors(
    documents: Sequence[Mapping[str, float]],
    owners: Sequence[str],
    *,
    min_owners: int = 2,
    max_df: float = 0.2,
    max_terms: int = MAX_TERMS,
    min_terms: int = MIN_TERMS,
) -> Vectors:
    """Vectors of weighted term counts: (1 + ln tf) x ln(N / df), rows scaled to length 1.

    A term is kept only when documents of at least `min_owners` different owners (councils) use it,
    since a word only one council uses (its name, its product's name) can never say that two
    councils built the same thing and would only dilute the rest; and when at most `max_df` of
    the documents use it (at that point it describes everything, so nothing). Each row keeps its
    `max_terms` strongest terms; a row left with fewer than `min_terms` is emptied, since one or two
    words ("text", "plug in") are too little to say what a repository is.
    """
    n = len(documents)
    df: dict[str, int] = {}
    term_owners: dict[str, set[str] | str] = {}
    for doc, owner in zip(documents, owners, strict=True):
        for term in doc:
            df[term] = df.get(term, 0) + 1
            seen = term_owners.get(term)
            if seen is None:
                term_owners[term] = owner  # a plain string until a second owner turns up: saves sets
            elif isinstance(seen, str):
                if seen != owner:
                    term_owners[term] = {seen, owner}
            else:
                seen.add(owner)
    # In a small catalogue a term in a fifth of it can still be what four repositories share.
    limit = max(MIN_DF_LIMIT, int(max_df * n))
    kept = sorted(term for term, count in df.items() if 2 <= count <= limit and _count(term_owners[term]) >= min_owners)
    column = {term: i for i, term in enumerate(kept)}
    frequency = np.array([df[t] for t in kept], dtype=np.float64)
    idf = np.log(n / frequency) if n else frequency
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, doc in enumerate(documents):
        for term, tf in doc.items():
            j = column.get(term)
            if j is not None and tf > 0:
                rows.append(row)
                cols.append(j)
                values.append(1.0 + math.log(tf) if tf >= 1 else tf)
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), (rows, cols)), shape=(n, len(kept)), dtype=np.float32
    )
    matrix = _keep_largest(matrix.multiply(idf.astype(np.float32)).tocsr(), max_terms)
    too_few = np.diff(matrix.indptr) < min_terms
    if too_few.any():
        matrix = (sparse.diags((~too_few).astype(np.float32)) @ matrix).tocsr()
        matrix.eliminate_zeros()
    return Vectors(matrix=_unit_rows(matrix), terms=kept)


def _unit_rows(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """`matrix` with each row scaled to length 1 (a row of zeros stays zeros), so products are cosines."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags((1.0 / norms).astype(np.float32)) @ matrix).tocsr()


def _count(owners: set[str] | str) -> int:
    return 1 if isinstance(owners, str) else len(owners)


def _keep_largest(matrix: sparse.csr_matrix, count: int) -> sparse.csr_matrix:
    """Each row with only its `count` largest entries (and any tied with the last): a long README's
    many weak words would otherwise add up to a similarity with everything."""
    data, indptr = matrix.data, matrix.indptr
    for row in range(matrix.shape[0]):
        start, stop = indptr[row], indptr[row + 1]
        if stop - start > count:
            segment = data[start:stop]
            cut = np.partition(segment, stop - start - count)[stop - start - count]
            segment[segment < cut] = 0.0
    matrix.eliminate_zeros()
    return matrix


def neighbour_graph(
    matrix: sparse.csr_matrix,
    k: int = NEIGHBOURS,
    min_similarity: float = MIN_EDGE,
    *,
    owners: Sequence[str] | None = None,
    others: int = 0,
) -> tuple[dict[tuple[int, int], float], dict[int, list[tuple[int, float]]]]:
    """({(i, j): cosine similarity} with i < j, for each row's `k` most similar other rows at or
    above `min_similarity` (an edge is kept if either end chose it); and, when `owners` are given,
    {i: [(j, similarity), ...]}: each row's `others` most similar rows of other owners, best first)."""
    n = matrix.shape[0]
    edges: dict[tuple[int, int], float] = {}
    nearest: dict[int, list[tuple[int, float]]] = {}
    if n < 2:
        return edges, nearest
    transposed = matrix.T.tocsc()
    k = min(k, n - 1)
    codes = None
    # One partial sort picks the candidates for both: the k best, and the best of other owners
    # among a few more (a row with more than CANDIDATES - others near-copies at its own owner
    # shows fewer similar repositories, not wrong ones).
    width = k
    if owners is not None and others > 0:
        index: dict[str, int] = {}
        codes = np.array([index.setdefault(owner, len(index)) for owner in owners], dtype=np.int32)
        width = min(n - 1, max(k, CANDIDATES))
    for start in range(0, n, BLOCK_ROWS):
        stop = min(n, start + BLOCK_ROWS)
        block = (matrix[start:stop] @ transposed).toarray()
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0  # a row is not its own neighbour
        np.negative(block, out=block)  # argpartition is quickest picking the k smallest
        best = np.argpartition(block, width - 1, axis=1)[:, :width]
        scores = -np.take_along_axis(block, best, axis=1)
        order = np.argsort(-scores, axis=1, kind="stable")  # best first, within the candidates
        best = np.take_along_axis(best, order, axis=1)
        scores = np.take_along_axis(scores, order, axis=1)
        for offset, (columns, sims) in enumerate(zip(best[:, :k].tolist(), scores[:, :k].tolist(), strict=True)):
            i = start + offset
            for j, sim in zip(columns, sims, strict=True):
                if sim >= min_similarity:
                    edges[(i, j) if i < j else (j, i)] = sim
        if codes is not None:
            other = (codes[best] != codes[start:stop, None]) & (scores >= min_similarity)
            for offset in np.flatnonzero(other.any(axis=1)).tolist():
                chosen = np.flatnonzero(other[offset])[:others]
                nearest[start + offset] = list(
                    zip(best[offset, chosen].tolist(), scores[offset, chosen].tolist(), strict=True)
                )
    return edges, nearest


def average_linkage(n: int, edges: Mapping[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """Clusters of 0..n-1 by average linkage, merged while the best average similarity between two
    clusters is at least `threshold`. Pairs not in `edges` count as similarity 0, so this is the
    exact average linkage of the graph and a slight underestimate of the full matrix's (never
    merges more than the full one would). Returns clusters of two or more, largest first.
    """
    # Sum of edge similarities between clusters, kept symmetric: links[a][b] == links[b][a].
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), sim in edges.items():
        links[i][j] = sim
        links[j][i] = sim
    size = dict.fromkeys(range(n), 1)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    heap = [(-sim, i, j) for (i, j), sim in edges.items() if sim >= threshold]
    heapq.heapify(heap)
    next_id = n
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in size or b not in size:
            continue  # one side has already been merged into something else: a stale entry
        new = next_id
        next_id += 1
        # Merge the smaller neighbour map into the larger, then give it the new cluster's id.
        la, lb = links.pop(a), links.pop(b)
        la.pop(b, None)
        lb.pop(a, None)
        if len(la) < len(lb):
            la, lb = lb, la
        for other, total in lb.items():
            la[other] = la.get(other, 0.0) + total
        size[new] = size.pop(a) + size.pop(b)
        members[new] = members.pop(a) + members.pop(b)
        links[new] = la
        for other, total in la.items():
            neighbour = links[other]
            neighbour.pop(a, None)
            neighbour.pop(b, None)
            neighbour[new] = total
            average = total / (size[new] * size[other])
            if average >= threshold:
                heapq.heappush(heap, (-average, other, new))
    clusters = [sorted(m) for m in members.values() if len(m) > 1]
    clusters.sort(key=lambda m: (-len(m), m[0]))
    return clusters


def attach_to_centroids(
    matrix: sparse.csr_matrix, clusters: Sequence[Sequence[int]], candidates: Sequence[int], minimum: float
) -> dict[int, int]:
    """{candidate row: index of the cluster it joins}: each candidate with a cosine of at least
    `minimum` with a cluster's centroid (the normalised mean of its rows) joins the best such
    cluster. Rows with no terms join nothing. One sparse product: candidates x clusters."""
    rows = [i for i in candidates if matrix.indptr[i + 1] > matrix.indptr[i]]
    if not rows or not clusters:
        return {}
    centroids = _unit_rows(
        sparse.vstack([sparse.csr_matrix(matrix[list(members)].mean(axis=0)) for members in clusters]).tocsr()
    )
    joined: dict[int, int] = {}
    for start in range(0, len(rows), BLOCK_ROWS):
        block = rows[start : start + BLOCK_ROWS]
        similarity = (matrix[block] @ centroids.T).toarray()
        best = similarity.argmax(axis=1)
        for offset, i in enumerate(block):
            if similarity[offset, best[offset]] >= minimum:
                joined[i] = int(best[offset])
    return joined
