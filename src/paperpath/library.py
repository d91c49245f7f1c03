"""`paperpath.Library`: the public Python API over one paper library.

    from paperpath import Library
    lib = Library()                      # default SQLite file, or Library("sqlite:///x.db")
    lib.ingest_snapshot("arxiv-metadata-oai-snapshot.json.gz")
    lib.add("2401.01234")                # or a PaperRecord, BibTeX, a .bib or .pdf path
    for hit in lib.search("diffusion video", category="cs.CV", since="2025"):
        print(hit.id, hit.paper.title, hit.snippet())
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from paperpath.config import resolve_db_url
from paperpath.ingest import IngestReport, ProgressFn, ingest_snapshot
from paperpath.records import Paper, PaperRecord
from paperpath.search import SearchHit, parse_query
from paperpath.search.engine import search as run_search
from paperpath.search.filters import make_filters
from paperpath.store.db import make_engine, migrate, write_tx
from paperpath.store.reader import get_paper, iter_papers, library_stats, papers_by_pk
from paperpath.store.schema import papers as papers_table
from paperpath.store.writer import WriteResult, prepare, write_records


class Library:
    """One paper library in a database (SQLite by default, any SQLAlchemy URL).

    Opening it creates the database if needed and applies pending migrations (with a backup
    of an existing SQLite file first).
    """

    def __init__(self, db_url: str | Path | None = None) -> None:
        self.url = resolve_db_url(db_url)
        self.engine: Engine = make_engine(self.url)
        self.backup = migrate(self.engine)

    # -- writing -------------------------------------------------------------------------
    def ingest_snapshot(self, path: str | Path, progress: ProgressFn | None = None
                        ) -> IngestReport:
        """Ingest an arXiv metadata snapshot (.jsonl or .jsonl.gz); resumes if interrupted."""
        return ingest_snapshot(self.engine, path, progress=progress)

    def add_records(self, records: Sequence[PaperRecord]) -> WriteResult:
        """Merge records into the library in one transaction (dedup by arXiv id, DOI, title)."""
        prepared = [prepare(r) for r in records]
        with write_tx(self.engine) as conn:
            return write_records(conn, prepared)

    def add(self, item: str | Path | PaperRecord | None = None, **fields: Any) -> Paper:
        """Add one paper: a PaperRecord, keyword fields (title=..., authors=[...], ...),
        an arXiv id or URL, a BibTeX entry holding a DOI or arXiv id, or a .bib/.pdf path."""
        from paperpath.sources.resolve import record_for

        if item is None:
            record = PaperRecord(**fields)
        elif isinstance(item, PaperRecord):
            record = item
        else:
            record = record_for(self, item)
            if isinstance(record, Paper):  # already in the library (e.g. imported PDF)
                return record
        result = self.add_records([record])
        paper = self.get_pk(result.pks[0])
        assert paper is not None
        return paper

    # -- reading -------------------------------------------------------------------------
    def get(self, id: str) -> Paper | None:
        """A paper by arXiv id (any version, or URL), DOI, or library key; None if absent."""
        with self.engine.connect() as conn:
            return get_paper(conn, id)

    def get_pk(self, pk: int) -> Paper | None:
        with self.engine.connect() as conn:
            return papers_by_pk(conn, [pk]).get(pk)

    def search(self, query: str, limit: int = 20, **filters: Any) -> list[SearchHit]:
        """Ranked keyword search (BM25 on SQLite). Filters: category (str or list; "cs" means
        cs.*), since / until (YYYY, YYYY-MM or YYYY-MM-DD), has_code (bool), kind, offset."""
        offset = int(filters.pop("offset", 0))
        unknown = set(filters) - {"category", "since", "until", "has_code", "kind"}
        if unknown:
            raise TypeError(f"unknown search filter(s): {', '.join(sorted(unknown))}")
        parsed = parse_query(query)
        with self.engine.connect() as conn:
            return run_search(conn, parsed, make_filters(**filters), limit=limit, offset=offset)

    def papers(self) -> Iterator[Paper]:
        """Every paper, in the order they were added (streamed in batches)."""
        with self.engine.connect() as conn:
            yield from iter_papers(conn)

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(papers_table)).scalar_one())

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return library_stats(conn)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({self.url!r})"
