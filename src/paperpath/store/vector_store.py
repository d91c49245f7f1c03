"""Embedding vectors in the library: which papers need (re)embedding, saving and reading them.

Vectors are stored as float16 bytes (little-endian, L2-normalised) per paper and model: half
the space of float32 and plenty for cosine similarity. Facet vectors are NULL when the paper has
no sentence of that facet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, delete, func, insert, or_, select, true

from paperpath.store.schema import paper_analysis, paper_vectors, papers, sync_state

KINDS = ("doc", "title", "background", "method", "result")
_DTYPE = np.dtype("<f2")


def to_blob(vec: np.ndarray | None) -> bytes | None:
    if vec is None or not np.any(vec):
        return None
    return np.asarray(vec, dtype=_DTYPE).tobytes()


def from_blob(blob: bytes | None, dim: int) -> np.ndarray | None:
    if blob is None:
        return None
    vec = np.frombuffer(blob, dtype=_DTYPE)
    if vec.shape[0] != dim:
        raise ValueError(f"stored vector has {vec.shape[0]} values, expected {dim}")
    return vec


def _stale_condition(model: str) -> Any:
    return or_(paper_vectors.c.paper_pk.is_(None),
               paper_vectors.c.content_hash != papers.c.content_hash)


def _stale_join(model: str) -> Any:
    return papers.outerjoin(paper_vectors, and_(paper_vectors.c.paper_pk == papers.c.pk,
                                                paper_vectors.c.model == model))


def count_unembedded(conn: Connection, model: str) -> int:
    return int(conn.execute(select(func.count()).select_from(_stale_join(model))
                            .where(_stale_condition(model))).scalar_one())


def unembedded(conn: Connection, model: str, after_pk: int, limit: int
               ) -> list[dict[str, Any]]:
    """Papers past ``after_pk`` without a current vector for ``model`` (pk order), with their
    stored facet labels when the analysis is there (saves classifying the sentences again)."""
    rows = conn.execute(
        select(papers.c.pk, papers.c.title, papers.c.abstract, papers.c.content_hash,
               paper_analysis.c.facets, paper_analysis.c.content_hash.label("analysis_hash"))
        .select_from(_stale_join(model).outerjoin(
            paper_analysis, paper_analysis.c.paper_pk == papers.c.pk))
        .where(papers.c.pk > after_pk)
        .where(_stale_condition(model))
        .order_by(papers.c.pk)
        .limit(limit)
    ).all()
    out = []
    for r in rows:
        d = dict(r._mapping)
        if d.pop("analysis_hash") != d["content_hash"]:
            d["facets"] = None  # an analysis of older text
        out.append(d)
    return out


def save_vectors(conn: Connection, model: str, dim: int,
                 rows: Sequence[tuple[int, str, dict[str, np.ndarray | None]]]) -> None:
    """Replace the vectors of the given papers: (pk, content_hash, {kind: vector})."""
    if not rows:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    pks = [pk for pk, _, _ in rows]
    conn.execute(delete(paper_vectors).where(paper_vectors.c.model == model)
                 .where(paper_vectors.c.paper_pk.in_(pks)))
    values = []
    for pk, content_hash, vecs in rows:
        doc = to_blob(vecs.get("doc"))
        values.append({"paper_pk": pk, "model": model, "content_hash": content_hash,
                       "dim": dim, "doc": doc if doc is not None else bytes(2 * dim),
                       "title": to_blob(vecs.get("title")),
                       "background": to_blob(vecs.get("background")),
                       "method": to_blob(vecs.get("method")),
                       "result": to_blob(vecs.get("result")), "embedded_at": now})
    conn.execute(insert(paper_vectors), values)
    state = get_state(conn, model)
    set_state(conn, model, version=int(state.get("version", 0)) + 1)


def _state_key(model: str) -> str:
    return f"vectors:{model}"[:300]


def get_state(conn: Connection, model: str) -> dict[str, Any]:
    """Bookkeeping of a model's vectors: ``version`` (bumped by every write, so caches built
    from the vectors know they are stale) and ``rev`` (the papers' write counter when the last
    complete embedding pass ended, so new papers are noticed without scanning)."""
    row = conn.execute(select(sync_state.c.state)
                       .where(sync_state.c.key == _state_key(model))).first()
    return dict(row[0]) if row is not None else {}


def set_state(conn: Connection, model: str, **values: Any) -> None:
    state = {**get_state(conn, model), **values}
    now = datetime.now(UTC).replace(tzinfo=None)
    key = _state_key(model)
    conn.execute(delete(sync_state).where(sync_state.c.key == key))
    conn.execute(insert(sync_state).values(key=key, state=state, updated_at=now))


def papers_rev(conn: Connection) -> int:
    return int(conn.execute(select(func.max(papers.c.rev))).scalar_one() or 0)


def count_current(conn: Connection, model: str) -> int:
    """How many papers have a vector of this model for their current text."""
    return int(conn.execute(
        select(func.count()).select_from(paper_vectors)
        .join(papers, and_(papers.c.pk == paper_vectors.c.paper_pk,
                           papers.c.content_hash == paper_vectors.c.content_hash))
        .where(paper_vectors.c.model == model)).scalar_one())


def models(conn: Connection) -> list[tuple[str, int]]:
    """Every embedding model with stored vectors and how many papers it covers."""
    rows = conn.execute(select(paper_vectors.c.model, func.count())
                        .group_by(paper_vectors.c.model).order_by(func.count().desc())).all()
    return [(str(m), int(n)) for m, n in rows]


def iter_vectors(conn: Connection, model: str, kinds: Sequence[str] = KINDS,
                 batch: int = 20_000, since: datetime | None = None
                 ) -> Iterator[tuple[np.ndarray, dict[str, list[bytes | None]]]]:
    """(pks, {kind: blobs}) in pk order, in batches (current vectors only; with ``since``,
    only those written after it)."""
    cols = [getattr(paper_vectors.c, k) for k in kinds]
    after = 0
    while True:
        rows = conn.execute(
            select(paper_vectors.c.paper_pk, *cols)
            .join(papers, and_(papers.c.pk == paper_vectors.c.paper_pk,
                               papers.c.content_hash == paper_vectors.c.content_hash))
            .where(paper_vectors.c.model == model).where(paper_vectors.c.paper_pk > after)
            .where(paper_vectors.c.embedded_at > since if since is not None else true())
            .order_by(paper_vectors.c.paper_pk).limit(batch)
        ).all()
        if not rows:
            return
        after = rows[-1][0]
        pks = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        yield pks, {k: [r[i + 1] for r in rows] for i, k in enumerate(kinds)}


def vectors_for(conn: Connection, model: str, pks: Sequence[int], kind: str = "doc"
                ) -> dict[int, bytes | None]:
    col = getattr(paper_vectors.c, kind)
    out: dict[int, bytes | None] = {}
    for i in range(0, len(pks), 900):
        chunk = list(pks[i:i + 900])
        for pk, blob in conn.execute(select(paper_vectors.c.paper_pk, col)
                                     .where(paper_vectors.c.model == model)
                                     .where(paper_vectors.c.paper_pk.in_(chunk))):
            out[int(pk)] = blob
    return out


def last_write(conn: Connection, model: str) -> datetime | None:
    return conn.execute(select(func.max(paper_vectors.c.embedded_at))
                        .where(paper_vectors.c.model == model)).scalar_one()
