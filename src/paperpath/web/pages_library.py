"""The library page: keyword (or hybrid) search and browsing, with filters, 20 per page.

Area, dates, type and code are filters the search engine applies itself. Difficulty and
read/unread are the reader's own data, outside the full-text index: when browsing (no words)
they are SQL conditions like the others; with words they filter the ranked hits afterwards,
looking at the best `POST_DEPTH` matches at most (the page says so when that limit cut the
list short). Difficulty is the level `paperpath analyze` stored (for the current analysis
version); a paper without one — never analysed yet — counts as "unknown". The filters read
the stored level as it is (a paper edited since keeps it until the next analyze).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import ColumnElement, Connection, exists, func, select

from paperpath.library import Library
from paperpath.records import Paper
from paperpath.search import QueryError, SearchHit, parse_query
from paperpath.search.filters import filter_conditions, make_filters
from paperpath.search.types import HL_CLOSE, HL_OPEN
from paperpath.store.coach_store import feedback_pks
from paperpath.store.reader import papers_by_pk
from paperpath.store.schema import paper_analysis, paper_vectors, papers, reading_log
from paperpath.web.render import lib_of, page

router = APIRouter()

PER_PAGE = 20
POST_DEPTH = 1000  # ranked hits looked at when difficulty or read/unread filter a search
MAX_PAGE = 5000
LEAD_WORDS = 40
KINDS = {"paper": "Papers", "article": "Articles", "video": "Videos"}
# The reading guide's names for the levels (paperpath.guide.difficulty.Difficulty.label).
DIFFICULTIES = {"1": "1 — gentle", "2": "2 — approachable", "3": "3 — moderate",
                "4": "4 — demanding", "5": "5 — hard", "unknown": "Unknown (not analysed yet)"}
_SPLIT = re.compile(f"[{HL_OPEN}{HL_CLOSE}]")


def derived_counts(lib: Library) -> dict[str, int]:
    """Papers with a stored guide analysis and papers with vectors (index-only counts)."""
    with lib.engine.connect() as conn:
        analysed = conn.execute(select(func.count()).select_from(paper_analysis)).scalar_one()
        embedded = conn.execute(select(func.count(paper_vectors.c.paper_pk.distinct()))
                                ).scalar_one()
    return {"analysed": int(analysed), "embedded": int(embedded)}


def has_vectors(lib: Library) -> bool:
    with lib.engine.connect() as conn:
        return conn.execute(select(paper_vectors.c.paper_pk).limit(1)).first() is not None


# -- the request's filters ---------------------------------------------------------------
@dataclass
class Filters:
    q: str = ""
    category: str = ""  # chosen from the common categories
    area: str = ""  # typed: categories or archives ("cs.LG math"), any of them
    since: str = ""
    until: str = ""
    kind: str = ""
    difficulty: str = ""  # "" | "1".."5" | "unknown"
    code: str = ""  # "" | "yes" | "no"
    read: str = ""  # "" | "read" | "unread"
    hybrid: bool = False
    page: int = 1

    def params(self) -> dict[str, Any]:
        """Query parameters that reproduce these filters (the pager adds ``page``)."""
        return {"q": self.q, "category": self.category, "area": self.area,
                "since": self.since, "until": self.until, "kind": self.kind,
                "difficulty": self.difficulty, "code": self.code, "read": self.read,
                "hybrid": "1" if self.hybrid else ""}

    @property
    def filtering(self) -> bool:
        return any(v for k, v in self.params().items() if k not in ("q", "hybrid"))

    @property
    def reader_filters(self) -> bool:
        return bool(self.difficulty or self.read)

    def categories(self) -> list[str]:
        typed = [c for c in re.split(r"[\s,;]+", self.area) if c]
        return ([self.category] if self.category else []) + typed

    def engine_filters(self) -> dict[str, Any]:
        return {"category": self.categories() or None, "since": self.since or None,
                "until": self.until or None, "kind": self.kind or None,
                "has_code": {"yes": True, "no": False}.get(self.code)}


def _check(f: Filters) -> None:
    """Raise ValueError with a one-line message for a value no form control produces."""
    if f.difficulty not in ("", *DIFFICULTIES):
        raise ValueError(f"difficulty {f.difficulty!r}: choose 1 to 5, or unknown")
    if f.code not in ("", "yes", "no"):
        raise ValueError(f"code {f.code!r}: choose yes or no")
    if f.read not in ("", "read", "unread"):
        raise ValueError(f"read {f.read!r}: choose read or unread")
    if f.kind and f.kind not in KINDS:
        raise ValueError(f"type {f.kind!r}: choose one of {', '.join(KINDS)}")
    for cat in f.categories():
        if not re.fullmatch(r"[A-Za-z][\w.\-]*", cat):
            raise ValueError(f"{cat!r} is not a category (e.g. cs.LG, or cs for all of cs.*)")
    make_filters(**f.engine_filters())  # raises for a date it cannot read


def _page_number(raw: str) -> int:
    try:
        n = int(raw or "1")
    except ValueError:
        raise ValueError(f"page {raw!r} is not a number") from None
    if not 1 <= n <= MAX_PAGE:
        raise ValueError(f"page {n}: pages run from 1 to {MAX_PAGE}")
    return n


# -- finding -------------------------------------------------------------------------------
@dataclass
class Row:
    """One result as the template shows it: (text, highlighted) pieces, escaped there."""

    paper: Paper
    title: list[tuple[str, bool]]
    snippet: list[tuple[str, bool]]
    code_url: str | None = None
    difficulty: int | None = None
    read: bool = False
    hidden: bool = False


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    more: bool = False  # a next page exists
    capped: bool = False  # reader filters stopped at POST_DEPTH hits
    words: bool = False  # searched words (else: newest first)
    note: str = ""


def pieces(raw: str) -> list[tuple[str, bool]]:
    """Text with the engine's highlight markers as (text, highlighted) pieces."""
    return [(p, i % 2 == 1) for i, p in enumerate(_SPLIT.split(raw)) if p]


def _lead(abstract: str) -> str:
    words = abstract.split()
    return " ".join(words[:LEAD_WORDS]) + (" …" if len(words) > LEAD_WORDS else "")


def _version() -> str:
    from paperpath.guide.analysis import ANALYSIS_VERSION  # the guide's models load lazily

    return ANALYSIS_VERSION


def _reader_conditions(f: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    # Stored levels of the current analysis version. The content hash is not compared: that
    # reads every paper row (150 ms at 75k papers), and a changed paper's level rarely moves.
    if f.difficulty == "unknown":  # one pass over the version index beats a lookup per row
        conds.append(papers.c.pk.not_in(select(paper_analysis.c.paper_pk)
                                        .where(paper_analysis.c.version == _version())))
    elif f.difficulty:
        conds.append(exists().where(paper_analysis.c.paper_pk == papers.c.pk,
                                    paper_analysis.c.version == _version(),
                                    paper_analysis.c.difficulty == int(f.difficulty)))
    finished = exists().where(reading_log.c.paper_pk == papers.c.pk,
                              reading_log.c.status == "finished")
    if f.read == "read":
        conds.append(finished)
    elif f.read == "unread":
        conds.append(~finished)
    return conds


def _annotate(conn: Connection, pks: Sequence[int]) -> tuple[dict[int, int], set[int], set[int]]:
    """Stored difficulty levels, finished and hidden papers among pks."""
    levels: dict[int, int] = {}
    read: set[int] = set()
    for i in range(0, len(pks), 500):
        chunk = list(pks[i:i + 500])
        levels.update((int(pk), int(level)) for pk, level in conn.execute(
            select(paper_analysis.c.paper_pk, paper_analysis.c.difficulty)
            .where(paper_analysis.c.paper_pk.in_(chunk),
                   paper_analysis.c.version == _version())))
        read.update(conn.execute(
            select(reading_log.c.paper_pk).where(reading_log.c.paper_pk.in_(chunk),
                                                 reading_log.c.status == "finished")
        ).scalars())
    return levels, read, set(feedback_pks(conn, "hide"))


def _keeps(f: Filters, pk: int, levels: dict[int, int], read: set[int]) -> bool:
    if f.difficulty == "unknown" and pk in levels:
        return False
    if f.difficulty not in ("", "unknown") and levels.get(pk) != int(f.difficulty):
        return False
    if f.read == "read" and pk not in read:
        return False
    return not (f.read == "unread" and pk in read)


def _browse(lib: Library, f: Filters, offset: int) -> list[SearchHit]:
    """Newest first: the published index read backwards, LIMIT/OFFSET (no full load)."""
    stmt = select(papers.c.pk)
    for cond in [*filter_conditions(make_filters(**f.engine_filters())),
                 *_reader_conditions(f)]:
        stmt = stmt.where(cond)
    stmt = stmt.order_by(papers.c.published.desc().nulls_last(), papers.c.pk.desc())
    with lib.engine.connect() as conn:
        pks = list(conn.execute(stmt.limit(PER_PAGE + 1).offset(offset)).scalars())
        found = papers_by_pk(conn, pks)
    return [SearchHit(found[pk], 0.0, _lead(found[pk].abstract)) for pk in pks if pk in found]


def _search(lib: Library, f: Filters, limit: int, offset: int) -> list[SearchHit]:
    if f.hybrid:
        return lib.hybrid_search(f.q, limit=limit, offset=offset, **f.engine_filters())
    return lib.search(f.q, limit=limit, offset=offset, **f.engine_filters())


def _ranked(lib: Library, f: Filters, depth: int) -> list[SearchHit]:
    """The best ``depth`` hits, for filtering: keyword hits without snippets (they cost
    half the time of a deep search; the page's hits get theirs afterwards)."""
    if f.hybrid:
        return lib.hybrid_search(f.q, limit=depth, **f.engine_filters())
    return lib._search(f.q, depth, 0, **f.engine_filters())


def _filtered_search(lib: Library, f: Filters, offset: int) -> tuple[list[SearchHit], bool]:
    """Ranked hits kept by the reader filters: ask for deeper result lists until a page fills
    (or POST_DEPTH). Returns the page (plus one, to know of a next) and whether capped."""
    need = offset + PER_PAGE + 1
    depth = min(POST_DEPTH, max(100, need * 3))
    while True:
        hits = _ranked(lib, f, depth)
        with lib.engine.connect() as conn:
            levels, read, _hidden = _annotate(conn, [h.paper.pk for h in hits])
        kept = [(rank, h) for rank, h in enumerate(hits) if _keeps(f, h.paper.pk, levels, read)]
        if len(kept) >= need or len(hits) < depth or depth >= POST_DEPTH:
            break
        # Deep enough for the share kept so far (one more pass, not a ladder of them).
        wanted = need * len(hits) * 3 // (2 * len(kept)) if kept else POST_DEPTH
        depth = min(POST_DEPTH, max(depth * 2, wanted))
    capped = len(hits) >= depth >= POST_DEPTH and len(kept) < need
    window = kept[offset:need]
    if window and not f.hybrid:  # highlight the ranks the page spans, matched by paper
        lo, hi = window[0][0], window[:PER_PAGE][-1][0]
        marked = {h.paper.pk: h for h in _search(lib, f, hi - lo + 1, lo)}
        return [marked.get(h.paper.pk, h) for _rank, h in window], capped
    return [h for _rank, h in window], capped


def find(lib: Library, f: Filters) -> Results:
    """The page of results for ``f``. Raises QueryError or ValueError for bad input."""
    _check(f)
    parsed = parse_query(f.q)
    offset = (f.page - 1) * PER_PAGE
    out = Results(words=not parsed.empty)
    capped = False
    if parsed.empty:
        if f.q.strip():
            out.note = (f"“{f.q.strip()}” has only very common words, which the search "
                        "skips: showing the newest papers instead.")
        hits = _browse(lib, f, offset)
    elif f.reader_filters:
        hits, capped = _filtered_search(lib, f, offset)
    else:
        hits = _search(lib, f, PER_PAGE + 1, offset)
    out.more, out.capped = len(hits) > PER_PAGE, capped
    hits = hits[:PER_PAGE]
    with lib.engine.connect() as conn:
        levels, read, hidden = _annotate(conn, [h.paper.pk for h in hits])
    for h in hits:
        p = h.paper
        code = next((u for u in p.code_urls if u.startswith(("https://", "http://"))), None)
        out.rows.append(Row(p, pieces(h.title_raw or p.title),
                            pieces(h.snippet_raw or _lead(p.abstract)), code,
                            levels.get(p.pk), p.pk in read, p.pk in hidden))
    return out


def _find_or_keyword(lib: Library, f: Filters) -> Results:
    """`find`; when the embedding model cannot load, the keyword search with a note."""
    from paperpath.embed import EmbedderError

    try:
        return find(lib, f)
    except EmbedderError as exc:
        if not f.hybrid:
            raise
        f.hybrid = False
        results = find(lib, f)
        results.note = f"Hybrid search is unavailable ({exc}); these are keyword matches."
        return results


# -- the page ------------------------------------------------------------------------------
@router.get("/library", response_class=HTMLResponse, include_in_schema=False)
def library(request: Request, q: str = "", category: str = "", area: str = "",
            since: str = "", until: str = "", kind: str = "", difficulty: str = "",
            code: str = "", read: str = "", hybrid: str = "",
            page_no: Annotated[str, Query(alias="page")] = "1") -> HTMLResponse:
    lib = lib_of(request)
    vectors = has_vectors(lib)
    # Every parameter arrives as text and is checked here: a bad one is a one-line message
    # on the page (400), not a validation error document.
    f = Filters(q=q.strip()[:500], category=category.strip(), area=area.strip(),
                since=since.strip(), until=until.strip(), kind=kind.strip(),
                difficulty=difficulty.strip(), code=code.strip(), read=read.strip(),
                hybrid=bool(hybrid) and vectors)
    error, results = None, Results()
    try:
        f.page = _page_number(page_no)
        results = _find_or_keyword(lib, f)
    except (QueryError, ValueError) as exc:
        error = " ".join(str(exc).split())
    stats = lib.stats(top=20, max_stale=60.0)
    common = [c["category"] for c in stats["top_categories"]]
    if f.category and f.category not in common:
        common.append(f.category)
    kinds = {k: v for k, v in KINDS.items() if k in stats["by_kind"] or k == f.kind}
    title = f"Search: {f.q}" if f.q else "Library"
    return page(request, "library.html", title=title, status_code=400 if error else 200,
                f=f, results=results, error=error, stats=stats, common=common, kinds=kinds,
                difficulties=DIFFICULTIES, vectors=vectors, per_page=PER_PAGE,
                post_depth=POST_DEPTH, first=(f.page - 1) * PER_PAGE + 1)
