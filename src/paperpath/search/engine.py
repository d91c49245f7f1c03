"""Ranked keyword search. SQLite uses its FTS5 index with BM25; other databases use the
portable backend (term matching in SQL, ranked in Python) until they get an index of their own.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, literal_column, or_, select, text

from paperpath.search.ddl import FTS_TABLE
from paperpath.search.filters import filter_conditions
from paperpath.search.query import ParsedQuery
from paperpath.search.types import HL_CLOSE, HL_OPEN, SearchFilters, SearchHit
from paperpath.store.reader import papers_by_pk
from paperpath.store.schema import papers

SNIPPET_TOKENS = 32


def search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int = 20,
           offset: int = 0) -> list[SearchHit]:
    if query.empty:
        return _browse(conn, filters, limit, offset)
    if conn.dialect.name == "sqlite":
        return _fts_search(conn, query, filters, limit, offset)
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


def _ranked_pks(conn: Connection, match: str, filters: SearchFilters, limit: int,
                exclude: set[int] | None = None) -> list[tuple[int, float]]:
    stmt = (
        select(literal_column(f"{FTS_TABLE}.rowid"), literal_column(f"{FTS_TABLE}.rank"))
        .select_from(text(FTS_TABLE))
        .where(text(f"{FTS_TABLE} MATCH :q").bindparams(q=match))
        .order_by(literal_column(f"{FTS_TABLE}.rank"))
    )
    conds = filter_conditions(filters)
    if conds:
        stmt = stmt.join(papers, papers.c.pk == literal_column(f"{FTS_TABLE}.rowid"))
        for cond in conds:
            stmt = stmt.where(cond)
    if exclude:
        stmt = stmt.where(literal_column(f"{FTS_TABLE}.rowid").not_in(sorted(exclude)))
    return [(int(r[0]), -float(r[1])) for r in conn.execute(stmt.limit(limit))]


def _fts_search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int,
                offset: int) -> list[SearchHit]:
    want = limit + offset
    ranked = _ranked_pks(conn, query.fts_all(), filters, want)
    # Requiring every word found too little: add papers matching some of them, ranked below.
    if len(ranked) < want and len(query.terms) > 1:
        seen = {pk for pk, _ in ranked}
        floor = min((s for _, s in ranked), default=0.0)
        extra = _ranked_pks(conn, query.fts_any(), filters, want - len(ranked), seen)
        ranked += [(pk, min(s, floor) - 1e-6 * (i + 1)) for i, (pk, s) in enumerate(extra)]
    ranked = ranked[offset:want]
    if not ranked:
        return []
    found = papers_by_pk(conn, [pk for pk, _ in ranked])
    marks = _snippets(conn, query.fts_any(), [pk for pk, _ in ranked])
    hits = []
    for pk, score in ranked:
        title_hl, snip = marks.get(pk, ("", ""))
        hits.append(SearchHit(found[pk], score, snip or _lead(found[pk].abstract), title_hl))
    return hits


def _snippets(conn: Connection, match: str, pks: list[int]) -> dict[int, tuple[str, str]]:
    """Highlighted title and abstract excerpt, computed only for the rows shown."""
    ids = ",".join(str(int(pk)) for pk in pks)
    sql = text(
        f"SELECT rowid, highlight({FTS_TABLE}, 0, :o, :c), "
        f"snippet({FTS_TABLE}, 1, :o, :c, ' … ', {SNIPPET_TOKENS}) "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q AND rowid IN ({ids})"
    )
    rows = conn.execute(sql, {"o": HL_OPEN, "c": HL_CLOSE, "q": match})
    return {int(r[0]): (r[1], r[2]) for r in rows}


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
