"""`paperpath.Library`: the public Python API over one paper library.

    from paperpath import Library
    lib = Library()                      # default SQLite file, or Library("sqlite:///x.db")
    lib.ingest_snapshot("arxiv-metadata-oai-snapshot.json.gz")
    lib.add("2401.01234")                # or a PaperRecord, BibTeX, a .bib or .pdf path
    for hit in lib.search("diffusion video", category="cs.CV", since="2025"):
        print(hit.id, hit.paper.title, hit.snippet())
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select

from paperpath.config import resolve_db_url
from paperpath.ingest import IngestReport, ProgressFn, ingest_snapshot, snapshot_status
from paperpath.records import Paper, PaperRecord
from paperpath.search import SearchHit, parse_query
from paperpath.search.engine import search as run_search
from paperpath.search.filters import make_filters
from paperpath.search.text_index import IndexBusyError, IndexProgress, TextIndex
from paperpath.search.types import SearchFilters
from paperpath.store.db import make_engine, migrate, open_text_index, write_tx
from paperpath.store.reader import get_paper, iter_papers, library_stats, papers_by_pk
from paperpath.store.schema import papers as papers_table
from paperpath.store.writer import WriteResult, prepare, write_records

if TYPE_CHECKING:  # imported lazily at run time: bibtexparser is only needed for imports
    from paperpath.coach.service import Coach
    from paperpath.glossary import GlossaryEntry
    from paperpath.guide.build import MinedDefinitionRef, ReadingGuide
    from paperpath.guide.precompute import AnalyzeReport
    from paperpath.guide.precompute import ProgressFn as AnalyzeProgressFn
    from paperpath.guide.service import GuideService
    from paperpath.related.fieldmap import FieldMap
    from paperpath.related.service import RelatedService
    from paperpath.related.similar import RelatedPaper
    from paperpath.sources.arxiv_api import SyncProgressFn, SyncReport
    from paperpath.sources.bibtex import ImportReport as BibtexImportReport
    from paperpath.sources.feeds import Feed, FeedProgressFn, FeedSyncReport
    from paperpath.sources.http import PoliteClient
    from paperpath.vectors.embedding import EmbedReport


class Library:
    """One paper library in a database (SQLite by default, any SQLAlchemy URL).

    Opening it creates the database if needed and applies pending migrations (with a backup
    of an existing SQLite file first).
    """

    def __init__(self, db_url: str | Path | None = None) -> None:
        self.url = resolve_db_url(db_url)
        self.engine: Engine = make_engine(self.url)
        self.backup = migrate(self.engine)
        self.text_index: TextIndex | None = open_text_index(self.engine)
        self._guides: GuideService | None = None
        self._related: dict[str | None, RelatedService] = {}
        self._coach: Coach | None = None
        self._stats: dict[int, tuple[Any, float, dict[str, Any]]] = {}

    def _catch_up_index(self, progress: IndexProgress | None = None) -> None:
        if self.text_index is None:
            return
        # Another process holding the index (an ingest running) will catch it up itself;
        # meanwhile search what is indexed.
        with contextlib.suppress(IndexBusyError):
            self.text_index.catch_up(progress=progress)

    def reindex(self, progress: IndexProgress | None = None) -> int:
        """Rebuild the full-text index from the library; returns papers indexed."""
        if self.text_index is None:
            return 0
        self.text_index.reset()
        return self.text_index.catch_up(progress=progress)

    # -- writing -------------------------------------------------------------------------
    def ingest_snapshot(self, path: str | Path, progress: ProgressFn | None = None
                        ) -> IngestReport:
        """Ingest an arXiv metadata snapshot (.jsonl or .jsonl.gz); resumes if interrupted."""
        return ingest_snapshot(self.engine, path, progress=progress, index=self.text_index)

    def snapshot_status(self, path: str | Path) -> str | None:
        """Whether a snapshot file was ingested: 'done', 'running' (interrupted), 'failed'
        or None."""
        return snapshot_status(self.engine, path)

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

    # -- importing files (BibTeX, PDF) — see paperpath.sources.bibtex / .pdf -------------
    def import_bibtex(self, source: str | Path) -> BibtexImportReport:
        """Import every entry of a .bib file (or BibTeX text) in one transaction; bad entries
        are skipped and listed in the report with their line numbers."""
        from paperpath.sources.bibtex import import_bibtex

        return import_bibtex(self, source)

    def import_pdf(self, path: str | Path, *, fetch: bool = True) -> Paper:
        """Store a PDF's text and return its paper: found by arXiv id / DOI / title, fetched
        from arXiv (unless fetch=False), or created. Raises PdfError for unusable files."""
        from paperpath.sources.pdf import import_pdf

        return import_pdf(self, path, fetch=fetch)

    # -- online sources (arXiv API, feeds) — see paperpath.sources.arxiv_api / .feeds -----
    def fetch_arxiv(self, ids: Sequence[str], *, client: PoliteClient | None = None,
                    base_url: str | None = None) -> list[Paper]:
        """Fetch papers from the arXiv API by id or URL, store them and return them (in input
        order). Raises InvalidIdError, ArxivNotFoundError, ArxivApiError or HttpError."""
        from paperpath.sources.arxiv_api import fetch_records

        records = fetch_records(list(ids), client=client, base_url=base_url)
        pks = self.add_records(records).pks
        with self.engine.connect() as conn:
            found = papers_by_pk(conn, pks)
        return [found[pk] for pk in pks]

    def sync_arxiv(self, *, category: str | None = None, query: str | None = None,
                   since: Any = None, until: Any = None, max_results: int | None = None,
                   client: PoliteClient | None = None, base_url: str | None = None,
                   progress: SyncProgressFn | None = None) -> SyncReport:
        """Fetch new arXiv papers of a category and/or query, continuing where the previous
        sync stopped; see paperpath.sources.arxiv_api.sync."""
        from paperpath.sources.arxiv_api import sync

        return sync(self, category=category, query=query, since=since, until=until,
                    max_results=max_results, client=client, base_url=base_url,
                    progress=progress)

    def add_feed(self, url: str, kind: str | None = None) -> Feed:
        """Follow an RSS/Atom feed or a YouTube channel (kind: blog, newsletter, video)."""
        from paperpath.sources.feeds import add_feed

        return add_feed(self.engine, url, kind)

    def feeds(self) -> list[Feed]:
        from paperpath.sources.feeds import list_feeds

        return list_feeds(self.engine)

    def remove_feed(self, url: str) -> bool:
        """Stop following a feed (its items stay in the library); False if not followed."""
        from paperpath.sources.feeds import remove_feed

        return remove_feed(self.engine, url)

    def sync_feeds(self, url: str | None = None, *, client: PoliteClient | None = None,
                   arxiv_base_url: str | None = None, progress: FeedProgressFn | None = None
                   ) -> FeedSyncReport:
        """Fetch new items of every followed feed (or just url); arXiv links become papers."""
        from paperpath.sources.feeds import sync_feeds

        return sync_feeds(self, url, client=client, arxiv_base_url=arxiv_base_url,
                          progress=progress)

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
        return self._search(query, limit, None, **filters)

    def _search(self, query: str, limit: int, snippets: int | None,
                **filters: Any) -> list[SearchHit]:
        offset, flt = _search_filters(filters)
        parsed = parse_query(query)
        self._catch_up_index()
        with self.engine.connect() as conn:
            return run_search(conn, parsed, flt, limit=limit, offset=offset,
                              index=self.text_index, snippets=snippets)

    def papers(self) -> Iterator[Paper]:
        """Every paper, in the order they were added (streamed in batches)."""
        with self.engine.connect() as conn:
            yield from iter_papers(conn)

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(papers_table)).scalar_one())

    def stats(self, top: int = 10, max_stale: float = 0.0) -> dict[str, Any]:
        """Counts of the library (papers, kinds, code links, dates, the ``top`` categories,
        sources). Several grouped scans (~350 ms at 75k papers), so the result is kept until
        a write to the papers changes their write counter or count — or, with ``max_stale``,
        for that many seconds (a page that only needs the common categories need not recount
        after every batch of a running ingest)."""
        from paperpath.store.schema import paper_texts, papers

        with self.engine.connect() as conn:
            key = (tuple(conn.execute(select(func.max(papers.c.rev), func.count())
                                      .select_from(papers)).one()),
                   conn.execute(select(func.count()).select_from(paper_texts)).scalar_one())
            hit = self._stats.get(top)
            if hit is not None and (hit[0] == key or time.monotonic() - hit[1] < max_stale):
                return dict(hit[2])
            stats = library_stats(conn, top=top)
        self._stats[top] = (key, time.monotonic(), stats)
        return dict(stats)

    # -- reading guide -------------------------------------------------------------------
    @property
    def guides(self) -> GuideService:
        if self._guides is None:  # loaded on first use: the models cost ~0.5 s to import
            from paperpath.guide.service import GuideService

            self._guides = GuideService(self.engine)
        return self._guides

    def guide(self, id: str, reader_level: int = 3) -> ReadingGuide:
        """The reading guide of a paper: TLDR, problem/method/result, key terms (new to you
        or known) with definitions, prerequisites, difficulty, reading time and questions.
        ``reader_level`` is the reader's math comfort, 1–5. Raises LookupError if absent."""
        return self.guides.guide(self._paper(id), reader_level=reader_level)

    def analyze(self, progress: AnalyzeProgressFn | None = None, *, workers: int | None = None,
                rebuild_stats: bool = False,
                stats_progress: Callable[[int, int], None] | None = None) -> AnalyzeReport:
        """Precompute key terms, TLDR, facets, difficulty and mined definitions for every
        paper that lacks them (or changed). Builds the corpus statistics first when missing
        or when the library grew by a fifth. Interruptible: finished batches are kept."""
        from paperpath.guide.precompute import analyze_library
        from paperpath.guide.service import build_stats, stats_need_rebuild

        path = self.guides.stats_path
        if rebuild_stats or stats_need_rebuild(self.engine, path):
            build_stats(self.engine, path, progress=stats_progress)
        return analyze_library(self.engine, stats_path=path if path.exists() else None,
                               progress=progress, workers=workers)

    def define(self, term: str, limit: int = 5
               ) -> tuple[GlossaryEntry | None, list[MinedDefinitionRef]]:
        """A term's glossary entry (None if the glossary lacks it) and up to ``limit``
        definitions of it found in the library's papers."""
        return self.guides.define(term, limit=limit)

    def mark_known(self, terms: Iterable[str], source: str = "marked") -> int:
        """Record terms the reader knows (they stop being flagged "new to you")."""
        return self.guides.mark_known(terms, source=source)

    def forget_known(self, terms: Iterable[str]) -> int:
        return self.guides.forget_known(terms)

    def known_terms(self) -> list[tuple[str, str, str]]:
        """(term, key, source) for every term the reader marked known, reviewed or read."""
        return self.guides.known_terms()

    # -- related work ----------------------------------------------------------------------
    def related(self, model: str | None = None) -> RelatedService:
        """The related-work service for an embedding model (default: the library's)."""
        if model not in self._related:
            from paperpath.related.service import RelatedService

            self._related[model] = RelatedService(self.engine, self.guides, model)
        return self._related[model]

    def embed(self, model: str | None = None, progress: Callable[[int, int], None] | None = None,
              index_progress: Callable[[str, int, int], None] | None = None) -> EmbedReport:
        """Embed every paper without a current vector (interruptible; only new or changed
        papers next time) and update the vector index. Naming a model makes it the library's
        model from now on: "static" (default) or a sentence-transformers model such as
        "all-MiniLM-L6-v2" (needs paperpath[semantic])."""
        service = self.related(model)
        report = service.embed(progress=progress, index_progress=index_progress)
        if model is not None:
            from paperpath.related.service import remember_model

            remember_model(self.engine, model)
            self._related.pop(None, None)
        return report

    def _paper(self, id: str) -> Paper:
        paper = self.get(id)
        if paper is None:
            raise LookupError(f"{id}: no such paper in the library")
        return paper

    def similar(self, id: str, facet: str | None = None, limit: int = 20,
                model: str | None = None) -> list[RelatedPaper]:
        """Papers related to ``id`` overall, or on one facet: "background" (same problem),
        "method" or "result". Each carries a one-line reason. Embeds new papers first."""
        return self.related(model).similar(self._paper(id), facet=facet, limit=limit)

    def other_approaches(self, id: str, limit: int = 10, model: str | None = None
                         ) -> list[RelatedPaper]:
        """Same problem, different approach: each result shows its method."""
        return self.related(model).other_approaches(self._paper(id), limit=limit)

    def same_method_elsewhere(self, id: str, limit: int = 10, model: str | None = None
                              ) -> list[RelatedPaper]:
        """The same method applied to other problems: each result shows its problem."""
        return self.related(model).same_method_elsewhere(self._paper(id), limit=limit)

    def map(self, html: str | Path | None = None, png: str | Path | None = None, *,
            highlight: dict[str, str] | None = None, rebuild: bool = False,
            model: str | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> FieldMap:
        """The 2-D map of the library (t-SNE of the paper vectors, clusters labelled by key
        terms), built once and then extended with new papers. Writes an interactive offline
        HTML and/or a PNG when paths are given; ``highlight`` maps paper ids to "read" or
        "liked"."""
        from paperpath.related.map_service import draw, library_map

        service = self.related(model)
        service.ensure_current()
        fmap = library_map(self.engine, service.index, self.guides.stats(), rebuild=rebuild,
                           progress=progress)
        marks = {}
        for pid, kind in (highlight or {}).items():
            paper = self.get(pid)
            if paper is None:
                raise LookupError(f"{pid}: no such paper in the library")
            marks[paper.id] = kind
        draw(self.engine, fmap, html=Path(html) if html else None,
             png=Path(png) if png else None, highlight=marks)
        return fmap

    def hybrid_search(self, query: str, limit: int = 20, model: str | None = None,
                      **filters: Any) -> list[SearchHit]:
        """Keyword (BM25) and vector search fused by reciprocal rank: finds papers that use
        your words and papers that say the same thing in other words. Same filters as
        `search`; scores are RRF scores."""
        from paperpath.related.hybrid import (
            DEPTH,
            fused_page,
            keyword_weight,
            vector_ranking,
            worker,
        )
        from paperpath.search.engine import hits, ranking
        from paperpath.search.query import ParsedQuery, QueryError

        offset, flt = _search_filters(filters)
        try:
            parsed = parse_query(query)
        except QueryError:
            parsed = ParsedQuery()  # e.g. only excluded words: the vectors can still read it
        service = self.related(model)
        service.ensure_current()
        qvec = service.embedder.embed([query])[0]

        def by_vector() -> list[int]:
            with self.engine.connect() as conn:
                return vector_ranking(conn, service.index, qvec, flt)

        # The vector half runs beside the keyword half (the index search releases the GIL).
        vector = worker().submit(by_vector)
        self._catch_up_index()
        with self.engine.connect() as conn:
            # Keys only: papers and snippets are read for the fused page alone. Papers matching
            # only some of the words only when those matching all don't fill the page (the
            # vector half finds the rest, and that fallback is the slow part at 1M papers).
            keyword = ranking(conn, parsed, flt, DEPTH, self.text_index, fill=limit + offset)
            page = fused_page([pk for pk, _ in keyword], vector.result(), limit, offset,
                              keyword_weight(service.embedder.name))
            return hits(conn, parsed, page, self.text_index)

    # -- the coach ----------------------------------------------------------------------
    @property
    def coach(self) -> Coach:
        """The weekly loop: profile, feedback, reading log, notes, explain-back, the plan."""
        from paperpath.coach.service import Coach

        if self._coach is None:
            self._coach = Coach(self)
        return self._coach

    def recommend(self, liked: Iterable[str], disliked: Iterable[str] = (),
                  candidates: Iterable[str] | None = None, limit: int = 100,
                  *, model: str | None = None) -> list[tuple[str, float, str]]:
        """Papers to read next for someone who liked ``liked`` (paper ids) or, for a cold
        start, whose interests are given as keywords (any string that is not a paper id of
        the library is read as a keyword). Ranks ``candidates`` (paper ids; default: the whole
        library) by content only: text, vectors and derived features, never author names.

        Returns up to ``limit`` (paper id, score, reason) tuples, best first; the liked and
        disliked papers themselves are never returned.
        """
        from paperpath.coach.recommend import recommend

        return recommend(self, list(liked), list(disliked),
                         None if candidates is None else list(candidates), limit, model=model)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({self.url!r})"


def _search_filters(filters: dict[str, Any]) -> tuple[int, SearchFilters]:
    """(offset, filters) from the keyword arguments of `search` / `hybrid_search`."""
    filters = dict(filters)
    offset = int(filters.pop("offset", 0))
    unknown = set(filters) - {"category", "since", "until", "has_code", "kind"}
    if unknown:
        raise TypeError(f"unknown search filter(s): {', '.join(sorted(unknown))}")
    return offset, make_filters(**filters)
