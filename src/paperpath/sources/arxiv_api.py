"""The arXiv API (Atom over HTTP): papers by id, free search, and incremental sync.

    fetch_records(["2401.01234", "hep-th/9901001"])          # -> [PaperRecord, ...]
    search_records("all:diffusion AND cat:cs.CV", max_results=20)
    sync(lib, category="cs.LG", since="2025-01-01")          # resumable, page by page

All requests go through a `PoliteClient` (3 s between calls to arXiv, retries, timeouts).
The endpoint is `https://export.arxiv.org/api/query`, or $PAPERPATH_ARXIV_API, or `base_url`.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from paperpath.ids import InvalidIdError, parse_arxiv_id
from paperpath.records import PaperRecord, RecordError
from paperpath.sources.http import HttpError, PoliteClient, Response, shared_client
from paperpath.store.db import write_tx
from paperpath.store.state import load_state, save_state
from paperpath.store.writer import prepare, write_records

if TYPE_CHECKING:
    from paperpath.library import Library

ARXIV_API_URL = "https://export.arxiv.org/api/query"
ENV_API_URL = "PAPERPATH_ARXIV_API"
SOURCE = "arxiv-api"
PAGE_SIZE = 100  # arXiv allows up to 2000, but recommends small pages for reliability
ID_CHUNK = 100  # ids per id_list request: keeps the URL well under server limits
WINDOW_DAYS = 30  # sync queries one date window at a time: arXiv stops paging at 30000 results
DEFAULT_LOOKBACK_DAYS = 7  # first sync without --since
EMPTY_PAGE_RETRIES = 2  # arXiv sometimes answers a page with no entries; asking again helps
_ERROR_ID = re.compile(r"^https?://arxiv\.org/api/errors", re.IGNORECASE)
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")
_STAMP = "%Y%m%d%H%M"


class ArxivApiError(RuntimeError):
    """The arXiv API answered with an error or with something that is not its Atom feed."""


class ArxivQueryError(ArxivApiError):
    """arXiv rejected the request and said why (its 'Error' entry: bad id, bad query...)."""


class ArxivNotFoundError(ArxivApiError, LookupError):
    """arXiv has no paper with the requested id(s)."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


def api_url(base_url: str | None = None) -> str:
    """The API endpoint: explicit value, else $PAPERPATH_ARXIV_API, else arXiv's."""
    return base_url or os.environ.get(ENV_API_URL) or ARXIV_API_URL


# -- parsing ---------------------------------------------------------------------------------
@dataclass(slots=True)
class AtomPage:
    """One parsed API response."""

    url: str
    total: int | None
    start: int
    entries: int  # <entry> elements seen, including skipped ones (offsets count these)
    records: list[PaperRecord] = field(default_factory=list)
    submitted: list[datetime | None] = field(default_factory=list)  # per record, UTC
    errors: list[str] = field(default_factory=list)  # entries that were skipped


_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class _DtdRefused(Exception):
    pass


class _NoDtd(ET.TreeBuilder):
    """arXiv never sends a DTD; refusing one rules out entity-expansion tricks entirely."""

    def doctype(self, name: str, pubid: str, system: str) -> None:
        raise _DtdRefused


def _text(el: ET.Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def _child_text(entry: ET.Element, tag: str) -> str | None:
    return _text(entry.find(tag)).strip() or None


def _as_datetime(value: str | None) -> datetime | None:
    """UTC datetime from an Atom timestamp ('2025-01-01T10:00:00Z')."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def entry_to_record(entry: ET.Element) -> tuple[PaperRecord, datetime | None]:
    """A PaperRecord and its submission time from one <entry> of an API feed.

    Raises RecordError when the entry has no usable arXiv id or title.
    """
    raw_id = _child_text(entry, f"{_ATOM}id") or ""
    if not raw_id:
        raise RecordError("entry has no <id>")
    try:
        arxiv_id, version = parse_arxiv_id(raw_id)
    except InvalidIdError:
        raise RecordError(f"entry id {raw_id!r} is not an arXiv paper") from None
    title = _text(entry.find(f"{_ATOM}title"))
    if not title.strip():
        raise RecordError(f"{arxiv_id}: entry has no title")
    primary = entry.find(f"{_ARXIV}primary_category")
    cats = [primary.get("term", "")] if primary is not None else []
    cats += [c.get("term", "") for c in entry.findall(f"{_ATOM}category")]
    url = pdf = None
    for link in entry.findall(f"{_ATOM}link"):
        href = link.get("href")
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            pdf = pdf or href
        elif link.get("rel") == "alternate":
            url = url or href
    submitted = _as_datetime(_child_text(entry, f"{_ATOM}published"))
    updated = _as_datetime(_child_text(entry, f"{_ATOM}updated"))
    record = PaperRecord(
        title=title,
        abstract=_text(entry.find(f"{_ATOM}summary")),
        authors=[_text(a.find(f"{_ATOM}name")) for a in entry.findall(f"{_ATOM}author")],
        arxiv_id=arxiv_id,
        doi=_child_text(entry, f"{_ARXIV}doi"),
        categories=list(dict.fromkeys(c for c in cats if c)),  # the primary is a tag too
        published=submitted.date() if submitted else None,
        updated=updated.date() if updated else None,
        comments=_child_text(entry, f"{_ARXIV}comment"),
        journal_ref=_child_text(entry, f"{_ARXIV}journal_ref"),
        url=url,
        pdf_url=pdf,
        # The API names only the latest version; every earlier one exists too.
        versions=[f"v{i}" for i in range(1, version + 1)] if version else [],
        source=SOURCE,
    )
    return record, submitted


def parse_atom(content: bytes, url: str) -> AtomPage:
    """Parse an API response. Broken XML, a non-Atom document or an arXiv error entry raise
    ArxivApiError naming url; entries that cannot become records are skipped and listed.

    A strict XML parser, not feedparser: arXiv always sends well-formed Atom, and text must
    come through exactly (feedparser rewrites some character sequences it takes for
    mis-encoded UTF-8).
    """
    parser = ET.XMLParser(target=_NoDtd())
    try:
        parser.feed(content)
        root = parser.close()
    except ET.ParseError as exc:
        raise ArxivApiError(f"{url}: broken Atom from arXiv ({exc})") from None
    except _DtdRefused:
        raise ArxivApiError(f"{url}: refused an answer carrying a DTD") from None
    if root.tag != f"{_ATOM}feed":
        raise ArxivApiError(f"{url}: the answer is not an arXiv Atom feed")
    entries = root.findall(f"{_ATOM}entry")
    page = AtomPage(url=url, total=_int(_text(root.find(f"{_OPENSEARCH}totalResults"))),
                    start=_int(_text(root.find(f"{_OPENSEARCH}startIndex"))) or 0,
                    entries=len(entries))
    for n, entry in enumerate(entries, start=1):
        if _ERROR_ID.match(_child_text(entry, f"{_ATOM}id") or ""):
            message = (_child_text(entry, f"{_ATOM}summary")
                       or _child_text(entry, f"{_ATOM}title") or "unknown error")
            raise ArxivQueryError(f"{url}: arXiv API error: {message}")
        try:
            record, submitted = entry_to_record(entry)
        except RecordError as err:
            page.errors.append(f"entry {page.start + n}: {err}")
            continue
        page.records.append(record)
        page.submitted.append(submitted)
    return page


def fetch_page(params: dict[str, str | int], *, client: PoliteClient | None = None,
               base_url: str | None = None) -> AtomPage:
    """One API request. arXiv answers some bad requests with HTTP 400 and an error feed,
    so 400 bodies are parsed too to surface arXiv's own message."""
    url = api_url(base_url)
    resp: Response = (client or shared_client()).get(url, params=params, accept=(200, 400))
    if resp.status == 200:
        return parse_atom(resp.content, url)
    try:
        parse_atom(resp.content, url)
    except ArxivQueryError:
        raise
    except ArxivApiError:
        pass  # not arXiv's error feed: report the status itself
    raise HttpError(url, "HTTP 400 Bad Request", resp.status)


# -- by id and by search ---------------------------------------------------------------------
def fetch_records(ids: list[str], *, client: PoliteClient | None = None,
                  base_url: str | None = None, missing_ok: bool = False) -> list[PaperRecord]:
    """Records for arXiv ids or URLs (any version; the latest is fetched), in input order.

    Raises InvalidIdError for a malformed id, HttpError / ArxivApiError when the API fails,
    and ArxivNotFoundError for ids arXiv does not know unless missing_ok (then they are left
    out of the result).
    """
    wanted = list(dict.fromkeys(parse_arxiv_id(i)[0] for i in ids))
    found: dict[str, PaperRecord] = {}
    for i in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[i : i + ID_CHUNK]
        page = fetch_page({"id_list": ",".join(chunk), "start": 0, "max_results": len(chunk)},
                          client=client, base_url=base_url)
        for rec in page.records:
            if rec.arxiv_id in chunk:  # entries come back in arXiv's order, not ours
                found.setdefault(rec.arxiv_id, rec)
    missing = [i for i in wanted if i not in found]
    if missing and not missing_ok:
        raise ArxivNotFoundError(f"{api_url(base_url)}: arXiv has no paper "
                                 f"{', '.join(missing)}", missing)
    return [found[i] for i in wanted if i in found]


def search_records(query: str, *, start: int = 0, max_results: int = 50,
                   sort_by: str = "relevance", sort_order: str = "descending",
                   client: PoliteClient | None = None, base_url: str | None = None
                   ) -> list[PaperRecord]:
    """Records matching an arXiv search query (e.g. 'ti:diffusion AND cat:cs.CV'),
    paginated up to max_results. sort_by: relevance | lastUpdatedDate | submittedDate."""
    if not query.strip():
        raise ValueError("empty arXiv search query")
    out: list[PaperRecord] = []
    offset = start
    while len(out) < max_results:
        n = min(PAGE_SIZE, max_results - len(out))
        page = fetch_page({"search_query": query, "start": offset, "max_results": n,
                           "sortBy": sort_by, "sortOrder": sort_order},
                          client=client, base_url=base_url)
        out.extend(page.records)
        offset += page.entries
        if page.entries == 0 or (page.total is not None and offset >= page.total):
            break
    return out


# -- queries ---------------------------------------------------------------------------------
def _to_datetime(value: str | date | datetime, end: bool) -> datetime:
    """A UTC minute from a date, datetime or string (YYYY, YYYY-MM, YYYY-MM-DD[THH:MM],
    YYYYMMDDHHMM). A bare day means its first minute, or its last when end is set."""
    if isinstance(value, datetime):
        dt = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return dt.replace(second=0, microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, datetime.max.time() if end else datetime.min.time()
                                ).replace(second=0, microsecond=0)
    text = value.strip()
    if re.fullmatch(r"\d{12}", text):
        return datetime.strptime(text, _STAMP)
    if re.fullmatch(r"\d{4}", text):
        return _to_datetime(date(int(text), 12, 31) if end else date(int(text), 1, 1), end)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        y, m = map(int, text.split("-"))
        last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)) if end else date(y, m, 1)
        return _to_datetime(last, end)
    try:
        if len(text) == 10:
            return _to_datetime(date.fromisoformat(text), end)
        return _to_datetime(datetime.fromisoformat(text), end)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def _stamp(dt: datetime) -> str:
    return dt.strftime(_STAMP)


def build_search_query(category: str | None = None, query: str | None = None,
                       since: datetime | None = None, until: datetime | None = None) -> str:
    """'cat:cs.LG AND (query) AND submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]'."""
    parts: list[str] = []
    if category:
        if not _CATEGORY.match(category):
            raise ValueError(f"{category!r} is not an arXiv category (e.g. cs.LG)")
        parts.append(f"cat:{category}")
    if query and query.strip():
        parts.append(f"({query.strip()})" if category or since else query.strip())
    if since or until:
        lo = _stamp(since) if since else "000001010000"
        hi = _stamp(until) if until else "999912312359"
        parts.append(f"submittedDate:[{lo} TO {hi}]")
    if not parts:
        raise ValueError("an arXiv query needs a category, a search query or dates")
    return " AND ".join(parts)


def state_key(category: str | None, query: str | None) -> str:
    """sync_state key: 'arxiv:cat:cs.LG', 'arxiv:q:<query>' or both joined."""
    parts = []
    if category:
        parts.append(f"cat:{category}")
    if query and query.strip():
        parts.append(f"q:{' '.join(query.split())}")
    return "arxiv:" + ":".join(parts)


# -- incremental sync ------------------------------------------------------------------------
@dataclass(slots=True)
class SyncProgress:
    fetched: int  # entries received so far in this run
    offset: int  # position reached in the current date window
    total: int | None  # entries in the current date window, once known
    window: tuple[datetime, datetime]


SyncProgressFn = Callable[[SyncProgress], None]


@dataclass(slots=True)
class SyncReport:
    key: str
    since: datetime | None = None
    until: datetime | None = None
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    resumed_from: int | None = None  # offset inside a window an earlier run left unfinished
    last_submitted: datetime | None = None
    errors: list[str] = field(default_factory=list)  # entries skipped
    status: str = "done"  # done | partial (stopped at --max; the next sync continues) | failed
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        def iso(dt: datetime | None) -> str | None:
            return dt.isoformat() if dt else None

        return {
            "key": self.key, "status": self.status, "message": self.message,
            "since": iso(self.since), "until": iso(self.until),
            "fetched": self.fetched, "inserted": self.inserted, "updated": self.updated,
            "unchanged": self.unchanged, "pages": self.pages, "resumed_from": self.resumed_from,
            "last_submitted": iso(self.last_submitted), "errors": self.errors,
        }


def get_state(engine: Engine, key: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return load_state(conn, key)


@dataclass(slots=True)
class _Cursor:
    """Where a sync run is: the current window, the offset inside it, the run's end."""

    lo: datetime
    hi: datetime
    end: datetime
    offset: int = 0

    def pending(self) -> dict[str, Any]:
        return {"window": [_stamp(self.lo), _stamp(self.hi)], "until": _stamp(self.end),
                "offset": self.offset}


def _start_cursor(state: dict[str, Any], since: str | date | datetime | None,
                  until: str | date | datetime | None, window: timedelta,
                  report: SyncReport) -> _Cursor:
    pending = state.get("pending")
    if since is None and until is None and pending:
        # An earlier run stopped inside a window: pick it up exactly there.
        lo, hi = (datetime.strptime(s, _STAMP) for s in pending["window"])
        report.resumed_from = int(pending["offset"])
        return _Cursor(lo, hi, datetime.strptime(pending["until"], _STAMP), int(pending["offset"]))
    end = _to_datetime(until, end=True) if until is not None else _utc_minute()
    if since is not None:
        lo = _to_datetime(since, end=False)
    elif state.get("last_submitted"):
        # Everything up to the newest paper seen was fetched; arXiv announces papers in
        # submission order, so newer ones start the minute after it.
        lo = _to_datetime(state["last_submitted"], end=False) + timedelta(minutes=1)
    else:
        lo = end - timedelta(days=DEFAULT_LOOKBACK_DAYS)
    return _Cursor(lo, min(lo + window, end), end)


def _utc_minute() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)


def sync(lib: Library, *, category: str | None = None, query: str | None = None,
         since: str | date | datetime | None = None, until: str | date | datetime | None = None,
         max_results: int | None = None, page_size: int = PAGE_SIZE,
         window_days: int = WINDOW_DAYS, client: PoliteClient | None = None,
         base_url: str | None = None, progress: SyncProgressFn | None = None) -> SyncReport:
    """Fetch new papers of a category and/or search query into the library.

    Without since/until it continues where the last sync of the same category/query stopped
    (inside an unfinished window, or after the newest paper seen), else the last 7 days.
    Each page is committed together with the position reached, so an interrupted sync loses
    nothing and the next one resumes. Network or API failures end the run with
    status="failed" and a one-line message; what was committed stays.
    """
    key = state_key(category, query)
    if key == "arxiv:":
        raise ValueError("sync needs a category or a search query")
    build_search_query(category, query)  # validate before touching the network
    if max_results is not None and max_results < 1:
        raise ValueError("max_results must be positive")
    report = SyncReport(key=key)
    state = get_state(lib.engine, key)
    cur = _start_cursor(state, since, until, timedelta(days=window_days), report)
    report.since, report.until = cur.lo, cur.end
    last_seen = (_to_datetime(state["last_submitted"], end=False)
                 if state.get("last_submitted") else None)
    report.last_submitted = last_seen
    try:
        while cur.lo <= cur.end:
            search = build_search_query(category, query, cur.lo, cur.hi)
            empty_tries = 0
            while True:
                if max_results is not None and report.fetched >= max_results:
                    report.status = "partial"
                    report.message = (f"stopped after {report.fetched} papers; "
                                      "run sync again to continue")
                    return report
                n = page_size if max_results is None else min(page_size,
                                                              max_results - report.fetched)
                page = fetch_page({"search_query": search, "start": cur.offset,
                                   "max_results": n, "sortBy": "submittedDate",
                                   "sortOrder": "ascending"}, client=client, base_url=base_url)
                report.pages += 1
                total = page.total
                if page.entries == 0 and total is not None and cur.offset < total:
                    empty_tries += 1
                    if empty_tries <= EMPTY_PAGE_RETRIES:
                        continue
                    raise ArxivApiError(f"{page.url}: arXiv returned no entries at offset "
                                        f"{cur.offset} of {total}; run sync again to continue")
                empty_tries = 0
                cur.offset += page.entries
                report.fetched += page.entries
                report.errors.extend(page.errors)
                seen = [s for s in page.submitted if s]
                if seen:
                    newest = max(seen)
                    last_seen = max(last_seen, newest) if last_seen else newest
                    report.last_submitted = last_seen
                if total is None:  # no opensearch count: a short page is the last one
                    window_done = page.entries < n
                else:
                    window_done = page.entries == 0 or cur.offset >= total
                done_now = SyncProgress(report.fetched, cur.offset, total, (cur.lo, cur.hi))
                if window_done:
                    nxt = cur.hi + timedelta(minutes=1)
                    cur = _Cursor(nxt, min(nxt + timedelta(days=window_days), cur.end), cur.end)
                _commit_page(lib, key, page, report, cur, last_seen)
                if progress:
                    progress(done_now)
                if window_done:
                    break
    except (HttpError, ArxivApiError) as exc:
        report.status, report.message = "failed", str(exc)
    return report


def _commit_page(lib: Library, key: str, page: AtomPage, report: SyncReport, cur: _Cursor,
                 last_seen: datetime | None) -> None:
    """Store a page's papers and the position after it in one transaction."""
    prepared = []
    for rec in page.records:
        try:
            prepared.append(prepare(rec))
        except RecordError as err:
            report.errors.append(f"{rec.arxiv_id or rec.title[:60]}: {err}")
    state: dict[str, Any] = {
        "last_submitted": last_seen.isoformat() if last_seen else None,
    }
    if cur.lo <= cur.end:
        state["pending"] = cur.pending()
    with write_tx(lib.engine) as conn:
        if prepared:
            result = write_records(conn, prepared)
            report.inserted += result.inserted
            report.updated += result.updated
            report.unchanged += result.unchanged
        save_state(conn, key, state)
