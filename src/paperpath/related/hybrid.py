"""Hybrid search: keyword (BM25) and vector results fused by reciprocal rank (RRF).

Keywords find the papers that use the reader's words; vectors find those that say the same
thing differently. RRF (Cormack et al., 2009) needs no score calibration between the two:
each list contributes 1 / (k + rank) per paper. bench/hybrid.py measures all three.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sqlalchemy import Connection, select

from paperpath.embed import is_static
from paperpath.search.filters import filter_conditions
from paperpath.search.types import SearchFilters
from paperpath.store.schema import papers
from paperpath.vectors.index import VectorIndex

# Fusion constants chosen on SciTLDR *train* queries (1,992 author TLDRs; bench/hybrid.py
# reports the dev queries): k = 10 instead of the usual 60, and the keyword list's weight by
# embedder. The default static vectors are weaker than BM25 (train MRR@20 0.747 against
# 0.847), so keywords count twice: 0.872 (equal weights 0.861, k 60 0.850). A transformer's
# are stronger (all-MiniLM-L6-v2 0.868) and equal weights fit best: 0.901 (twice: 0.890).
RRF_K = 10
KEYWORD_WEIGHT = 2.0  # with the static embedder
TRANSFORMER_KEYWORD_WEIGHT = 1.0


def keyword_weight(embedder_name: str) -> float:
    """How much the keyword list counts against the vector list for this embedder."""
    return KEYWORD_WEIGHT if is_static(embedder_name) else TRANSFORMER_KEYWORD_WEIGHT


DEPTH = 100  # how deep each list goes into the fusion


_WORKER: ThreadPoolExecutor | None = None


def worker() -> ThreadPoolExecutor:
    """A small pool for the vector half of hybrid search, shared by the process."""
    global _WORKER
    if _WORKER is None:
        _WORKER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="paperpath-vectors")
    return _WORKER


def rrf(rankings: Sequence[Sequence[int]], k: int = RRF_K,
        weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Fused (key, score) best first; ties keep the first list's order."""
    scores: dict[int, float] = {}
    for i, ranking in enumerate(rankings):
        w = weights[i] if weights else 1.0
        for rank, key in enumerate(ranking, 1):
            scores[key] = scores.get(key, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def vector_ranking(conn: Connection, index: VectorIndex, query_vec: np.ndarray,
                   filters: SearchFilters, depth: int = DEPTH) -> list[int]:
    """Paper keys nearest to the query vector that pass the filters, best first.

    With filters, the nearest 2 x depth are checked first, then 4 x and 10 x depth only while
    fewer than half of depth passed: checking a paper reads its row, and at a million papers
    checking 1,000 took longer than the rest of a hybrid search."""
    conds = filter_conditions(filters)
    if not conds:
        return [int(p) for p in index.search(query_vec, "doc", depth).pks]
    kept: list[int] = []
    checked = 0
    for k in (depth * 2, depth * 4, depth * 10):
        hits = [int(p) for p in index.search(query_vec, "doc", k).pks]
        new = hits[checked:]
        keep: set[int] = set()
        for i in range(0, len(new), 900):
            stmt = select(papers.c.pk).where(papers.c.pk.in_(new[i:i + 900]))
            for cond in conds:
                stmt = stmt.where(cond)
            keep.update(int(r[0]) for r in conn.execute(stmt))
        kept += [h for h in new if h in keep]
        checked = len(hits)
        if len(kept) >= depth // 2 or len(hits) < k:
            break
    return kept[:depth]


def fused_page(keyword: Sequence[int], vector: Sequence[int], limit: int, offset: int = 0,
               weight: float = KEYWORD_WEIGHT) -> list[tuple[int, float]]:
    """The (paper key, RRF score) pairs of the page asked for, best first; ``weight``: the
    keyword list's (see keyword_weight)."""
    return rrf([list(keyword), list(vector)], weights=[weight, 1.0])[offset:offset + limit]
