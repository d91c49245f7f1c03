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

from paperpath.search.engine import _lead
from paperpath.search.filters import filter_conditions
from paperpath.search.types import SearchFilters, SearchHit
from paperpath.store.reader import papers_by_pk
from paperpath.store.schema import papers
from paperpath.vectors.index import VectorIndex

RRF_K = 60
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
    """Paper keys nearest to the query vector that pass the filters, best first."""
    conds = filter_conditions(filters)
    k = depth if not conds else depth * 10  # filters drop some; look further
    hits = [int(p) for p in index.search(query_vec, "doc", k).pks]
    if not conds or not hits:
        return hits[:depth]
    keep: set[int] = set()
    for i in range(0, len(hits), 900):
        stmt = select(papers.c.pk).where(papers.c.pk.in_(hits[i:i + 900]))
        for cond in conds:
            stmt = stmt.where(cond)
        keep.update(int(r[0]) for r in conn.execute(stmt))
    return [h for h in hits if h in keep][:depth]


def fused_hits(conn: Connection, keyword: Sequence[SearchHit], vector: Sequence[int],
               limit: int, offset: int = 0) -> list[SearchHit]:
    """The fused page of results as SearchHits (keyword snippets where there is one)."""
    by_pk = {h.paper.pk: h for h in keyword}
    fused = rrf([[h.paper.pk for h in keyword], list(vector)])[offset:offset + limit]
    need = [pk for pk, _ in fused if pk not in by_pk]
    found = papers_by_pk(conn, need) if need else {}
    out = []
    for pk, score in fused:
        if pk in by_pk:
            h = by_pk[pk]
            out.append(SearchHit(h.paper, score, h.snippet_raw, h.title_raw))
        elif pk in found:
            p = found[pk]
            out.append(SearchHit(p, score, _lead(p.abstract)))
    return out
