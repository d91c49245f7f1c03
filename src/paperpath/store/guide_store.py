"""Reading-guide data in the library: per-paper analyses, mined definitions, known terms."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, or_, select

from paperpath.store.schema import (
    known_terms,
    mined_definitions,
    paper_analysis,
    paper_texts,
    papers,
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_analysis(conn: Connection, pk: int, version: str) -> dict[str, Any] | None:
    """The stored analysis of a paper when it is current (same content and version)."""
    row = conn.execute(
        select(paper_analysis, papers.c.content_hash.label("paper_hash"))
        .join(papers, papers.c.pk == paper_analysis.c.paper_pk)
        .where(paper_analysis.c.paper_pk == pk)
    ).first()
    if row is None:
        return None
    m = row._mapping
    if m["version"] != version or m["content_hash"] != m["paper_hash"]:
        return None
    return dict(m)


def stale_papers(conn: Connection, version: str, after_pk: int, limit: int
                 ) -> list[dict[str, Any]]:
    """Papers past ``after_pk`` whose analysis is missing or out of date, in pk order."""
    rows = conn.execute(
        select(papers.c.pk, papers.c.title, papers.c.abstract, papers.c.categories,
               papers.c.content_hash)
        .outerjoin(paper_analysis, paper_analysis.c.paper_pk == papers.c.pk)
        .where(papers.c.pk > after_pk)
        .where(or_(paper_analysis.c.paper_pk.is_(None),
                   paper_analysis.c.version != version,
                   paper_analysis.c.content_hash != papers.c.content_hash))
        .order_by(papers.c.pk)
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


def count_stale(conn: Connection, version: str) -> int:
    return int(conn.execute(
        select(func.count()).select_from(papers)
        .outerjoin(paper_analysis, paper_analysis.c.paper_pk == papers.c.pk)
        .where(or_(paper_analysis.c.paper_pk.is_(None),
                   paper_analysis.c.version != version,
                   paper_analysis.c.content_hash != papers.c.content_hash))
    ).scalar_one())


# Stored analyses and mined definitions as plain tuples, fields in these orders (what the
# precompute's worker processes send back: cheap to pickle and to insert). The JSON fields of
# an analysis tuple hold JSON text already (encoded in the workers, not by the one writer).
ANALYSIS_FIELDS = ("paper_pk", "content_hash", "version", "tldr", "facets", "key_terms",
                   "difficulty", "math_density")
DEFINITION_FIELDS = ("paper_pk", "term_key", "term", "definition", "sentence", "kind")
_JSON_FIELDS = frozenset({"facets", "key_terms"})
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime
_DELETE_CHUNK = 500  # primary keys per DELETE ... IN (...)


def encode_json(value: Any) -> str:
    """JSON text of ``value`` (orjson, several times faster than json; json for what orjson
    refuses, such as lone surrogates)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def encode_analysis(row: dict[str, Any]) -> tuple[Any, ...]:
    """An analysis row (a dict of `ANALYSIS_FIELDS`) as the tuple `save_encoded` takes."""
    return tuple(encode_json(row[f]) if f in _JSON_FIELDS else row[f] for f in ANALYSIS_FIELDS)


def save_analyses(conn: Connection, rows: Sequence[dict[str, Any]],
                  definitions: Sequence[dict[str, Any]]) -> None:
    """Replace the analyses and mined definitions of the given papers (one transaction)."""
    save_encoded(conn, [encode_analysis(r) for r in rows],
                 [tuple(d[f] for f in DEFINITION_FIELDS) for d in definitions])


def save_encoded(conn: Connection, analyses: Sequence[tuple[Any, ...]],
                 definitions: Sequence[tuple[Any, ...]]) -> None:
    """`save_analyses` of rows already as tuples (`encode_analysis`, `DEFINITION_FIELDS`).

    Every paper of ``definitions`` must be among ``analyses``: its old definitions go.
    On SQLite the rows go straight to the driver's executemany (SQLAlchemy's per-row
    parameter processing cost more than the analysis of a paper leaves to the writer); the
    stored values read back through SQLAlchemy exactly as its own inserts would.
    """
    if not analyses:
        return
    pks = [r[0] for r in analyses]
    now = _now()
    if conn.dialect.name != "sqlite":  # portable path
        conn.execute(delete(paper_analysis).where(paper_analysis.c.paper_pk.in_(pks)))
        conn.execute(delete(mined_definitions).where(mined_definitions.c.paper_pk.in_(pks)))
        conn.execute(insert(paper_analysis), [
            {**{f: json.loads(v) if f in _JSON_FIELDS else v
                for f, v in zip(ANALYSIS_FIELDS, r, strict=True)}, "analyzed_at": now}
            for r in analyses])
        if definitions:
            conn.execute(insert(mined_definitions),
                         [dict(zip(DEFINITION_FIELDS, d, strict=True)) for d in definitions])
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        for table in ("paper_analysis", "mined_definitions"):
            for i in range(0, len(pks), _DELETE_CHUNK):
                chunk = pks[i:i + _DELETE_CHUNK]
                cur.execute(f"DELETE FROM {table} WHERE paper_pk IN "
                            f"({', '.join('?' * len(chunk))})", chunk)
        stamp = now.strftime(_SQLITE_DATETIME)
        cur.executemany(
            f"INSERT INTO paper_analysis ({', '.join(ANALYSIS_FIELDS)}, analyzed_at) "
            f"VALUES ({', '.join('?' * (len(ANALYSIS_FIELDS) + 1))})",
            [(*r, stamp) for r in analyses])
        if definitions:
            cur.executemany(
                f"INSERT INTO mined_definitions ({', '.join(DEFINITION_FIELDS)}) "
                f"VALUES ({', '.join('?' * len(DEFINITION_FIELDS))})", definitions)
    finally:
        cur.close()


def mined_for(conn: Connection, keys: Sequence[str], per_key: int = 3
              ) -> dict[str, list[tuple[str, str, str]]]:
    """Up to ``per_key`` (definition, paper key, kind) per term key, definitions first.

    One small indexed query per key: a common term ("LLM") is defined in thousands of papers,
    and reading them all to keep three cost tens of milliseconds.
    """
    out: dict[str, list[tuple[str, str, str]]] = {}
    for key in dict.fromkeys(keys):
        rows = conn.execute(
            select(mined_definitions.c.definition, mined_definitions.c.kind, papers.c.key)
            .join(papers, papers.c.pk == mined_definitions.c.paper_pk)
            .where(mined_definitions.c.term_key == key)
            .order_by(mined_definitions.c.kind.desc(), mined_definitions.c.id)
            .limit(per_key * 4)
        ).all()
        bucket: list[tuple[str, str, str]] = []
        for definition, kind, paper_key in rows:
            if len(bucket) < per_key and all(d != definition for d, _, _ in bucket):
                bucket.append((definition, paper_key, kind))
        if bucket:
            out[key] = bucket
    return out


def page_count(conn: Connection, pk: int) -> int | None:
    return conn.execute(select(paper_texts.c.pages).where(paper_texts.c.paper_pk == pk)
                        ).scalar_one_or_none()


def known_keys(conn: Connection) -> set[str]:
    return set(conn.execute(select(known_terms.c.term_key)).scalars())


def list_known(conn: Connection) -> list[tuple[str, str, str]]:
    """(term, key, source) of every known term, alphabetically."""
    rows = conn.execute(select(known_terms.c.term, known_terms.c.term_key,
                               known_terms.c.source).order_by(known_terms.c.term)).all()
    return [(t, k, s) for t, k, s in rows]


def add_known(conn: Connection, items: Iterable[tuple[str, str]], source: str) -> int:
    """Record (key, term) pairs as known; returns how many were new."""
    have = known_keys(conn)
    fresh: dict[str, str] = {}
    for key, term in items:
        if key not in have:
            fresh.setdefault(key, term)
    if fresh:
        now = _now()
        conn.execute(insert(known_terms), [
            {"term_key": k, "term": t, "source": source, "added_at": now}
            for k, t in fresh.items()])
    return len(fresh)


def remove_known(conn: Connection, keys: Iterable[str]) -> int:
    keys = list(keys)
    if not keys:
        return 0
    return conn.execute(delete(known_terms).where(known_terms.c.term_key.in_(keys))).rowcount
