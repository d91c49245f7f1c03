"""Ranked keyword search. SQLite uses the sharded FTS5 index (fts_index.py) with BM25; other
databases use the portable backend (term matching in SQL, ranked in Python) until they get an
index of their own.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, column, or_, select, table, text

from paperpath.search.filters import filter_conditions
from paperpath.search.fts_index import FTS
from paperpath.search.query import ParsedQuery
from paperpath.search.types import HL_CLOSE, HL_OPEN, SearchFilters, SearchHit
from paperpath.store.reader import papers_by_pk
from paperpath.store.schema import papers

SNIPPET_TOKENS = 32


def search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int = 20,
           offset: int = 0, shards: int = 0) -> list[SearchHit]:
    """Ranked hits. shards: number of attached FTS5 shard schemas (fts0..); 0 = none, which
    selects the portable backend."""
    if query.empty:
        return _browse(conn, filters, limit, offset)
    if conn.dialect.name == "sqlite" and shards:
        return _fts_search(conn, query, filters, limit, offset, shards)
    return _portable_search(conn, query, filters, limit, offset)


def _browse(conn: Connection, filters: SearchFilters, limit: int, offset: int) -> list[SearchHit]:
    """No words: the newest papers matching the filters."""
    stmt = select(papers.c.pk).order_by(papers.c.published.desc(), papers.c.pk.desc())
    for cond in filter_conditions(filters):
        stmt = stmt.where(cond)
    pks = [r[0] for r in conn.execute(stmt.limit(limit).offset(offset))]
    found = papers_by_pk(conn, pks)
    return [SearchHit(found[pk], 0.0, _lead(found[pk].abstract)) for pk in pks]


def _lead(abstract: str, words: int = SNIPPET_TOKENS) -> str:
    parts = abstract.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _fts(shard: int) -> Any:
    return table(FTS, column("rowid"), column("rank"), schema=f"fts{shard}").alias("f")


def _ranked_pks(conn: Connection, match: str, filters: SearchFilters, limit: int, shards: int,
                exclude: set[int] | None = None) -> list[tuple[int, float]]:
    """Top `limit` (pk, score) over all shards; each shard ranks its own papers by BM25."""
    conds = filter_conditions(filters)
    found: list[tuple[int, float]] = []
    for k in range(shards):
        f = _fts(k)
        stmt = select(f.c.rowid, f.c.rank).where(text(f"f.{FTS} MATCH :q").bindparams(q=match))
        if conds:
            stmt = stmt.select_from(f.join(papers, papers.c.pk == f.c.rowid))
            for cond in conds:
                stmt = stmt.where(cond)
        if exclude:
            stmt = stmt.where(f.c.rowid.not_in(sorted(exclude)))
        stmt = stmt.order_by(f.c.rank).limit(limit)
        found.extend((int(r[0]), -float(r[1])) for r in conn.execute(stmt))
    found.sort(key=lambda x: (-x[1], x[0]))
    return found[:limit]


def _fts_search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int,
                offset: int, shards: int) -> list[SearchHit]:
    want = limit + offset
    ranked = _ranked_pks(conn, query.fts_all(), filters, want, shards)
    # Requiring every word found too little: add papers matching some of them, ranked below.
    if len(ranked) < want and len(query.terms) > 1:
        seen = {pk for pk, _ in ranked}
        floor = min((s for _, s in ranked), default=0.0)
        extra = _ranked_pks(conn, query.fts_any(), filters, want - len(ranked), shards, seen)
        ranked += [(pk, min(s, floor) - 1e-6 * (i + 1)) for i, (pk, s) in enumerate(extra)]
    ranked = ranked[offset:want]
    if not ranked:
        return []
    found = papers_by_pk(conn, [pk for pk, _ in ranked])
    marks = _snippets(conn, query.fts_any(), [pk for pk, _ in ranked], shards)
    hits = []
    for pk, score in ranked:
        title_hl, snip = marks.get(pk, ("", ""))
        hits.append(SearchHit(found[pk], score, snip or _lead(found[pk].abstract), title_hl))
    return hits


def _snippets(conn: Connection, match: str, pks: list[int], shards: int
              ) -> dict[int, tuple[str, str]]:
    """Highlighted title and abstract excerpt, computed only for the rows shown."""
    ids = ",".join(str(int(pk)) for pk in pks)
    out: dict[int, tuple[str, str]] = {}
    for k in range(shards):
        sql = text(
            f"SELECT f.rowid, highlight(f.{FTS}, 0, :o, :c), "
            f"snippet(f.{FTS}, 1, :o, :c, ' … ', {SNIPPET_TOKENS}) "
            f"FROM fts{k}.{FTS} AS f WHERE f.{FTS} MATCH :q AND f.rowid IN ({ids})"
        )
        for r in conn.execute(sql, {"o": HL_OPEN, "c": HL_CLOSE, "q": match}):
            out[int(r[0])] = (r[1], r[2])
    return out


# -- portable backend ---------------------------------------------------------------------

_SPLIT = re.compile(r"\W+")


def _portable_search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int,
                     offset: int) -> list[SearchHit]:
    """Case-insensitive substring matching of every word group, scored by title-weighted
    term counts in Python. Correct on any SQL database; meant for small group libraries
    until PostgreSQL gets its tsvector index."""
    stmt = select(papers.c.pk, papers.c.title, papers.c.abstract, papers.c.authors)
    for cond in filter_conditions(filters):
        stmt = stmt.where(cond)
    for group in query.groups:
        alts = [_like(t.text, t.column) for t in group]
        stmt = stmt.where(or_(*alts))
    for term in query.excluded:
        stmt = stmt.where(~_like(term.text, term.column))
    scored: list[tuple[float, int]] = []
    words = [w.lower() for w in query.words()]
    for row in conn.execute(stmt):
        scored.append((_score(row, words), row.pk))
    scored.sort(key=lambda x: (-x[0], x[1]))
    page = scored[offset : offset + limit]
    found = papers_by_pk(conn, [pk for _, pk in page])
    return [SearchHit(found[pk], s, _highlight(_lead(found[pk].abstract, 60), words),
                      _highlight(found[pk].title, words)) for s, pk in page]


def _like(word: str, column: str | None) -> Any:
    pattern = f"%{word.lower()}%"
    cols = [papers.c[column]] if column else [papers.c.title, papers.c.abstract, papers.c.authors]
    cond = cols[0].ilike(pattern)
    for col in cols[1:]:
        cond = cond | col.ilike(pattern)
    return cond


def _score(row: Any, words: list[str]) -> float:
    title = row.title.lower()
    body = row.abstract.lower()
    return sum(8.0 * title.count(w) + min(body.count(w), 5) for w in words)


def _highlight(textval: str, words: list[str]) -> str:
    if not words:
        return textval
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                         re.IGNORECASE)
    return pattern.sub(lambda m: f"{HL_OPEN}{m.group(0)}{HL_CLOSE}", textval)
