"""Dialect-specific full-text index DDL, used by migrations.

Each migration calls the version it was written for, so a later change to the index adds a new
function (fts_ddl_v2 ...) rather than changing what an old migration does.
"""

from __future__ import annotations

FTS_TABLE = "papers_fts"
# Title matches count most, then authors, then the abstract.
BM25_WEIGHTS = (8.0, 1.0, 2.0)

_SQLITE_V1 = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        title, abstract, authors,
        content='papers', content_rowid='pk',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, abstract, authors)
        VALUES (new.pk, new.title, new.abstract, new.authors);
    END""",
    f"""CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, abstract, authors)
        VALUES ('delete', old.pk, old.title, old.abstract, old.authors);
    END""",
    f"""CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, abstract, authors ON papers BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, abstract, authors)
        VALUES ('delete', old.pk, old.title, old.abstract, old.authors);
        INSERT INTO {FTS_TABLE}(rowid, title, abstract, authors)
        VALUES (new.pk, new.title, new.abstract, new.authors);
    END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES "
    f"('rank', 'bm25({BM25_WEIGHTS[0]}, {BM25_WEIGHTS[1]}, {BM25_WEIGHTS[2]})')",
]


def fts_ddl(dialect: str) -> list[str]:
    """Statements creating the version-1 full-text index for a dialect ([] if none yet)."""
    if dialect == "sqlite":
        return list(_SQLITE_V1)
    # PostgreSQL search runs on the portable backend until the group-server issue adds
    # a tsvector index; nothing to create here yet.
    return []
