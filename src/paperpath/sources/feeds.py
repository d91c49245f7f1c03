"""Followed feeds: blogs, newsletters and YouTube channels (RSS / Atom via feedparser).

    lib.add_feed("https://lilianweng.github.io/index.xml")
    lib.add_feed("https://www.youtube.com/channel/UCbfYPyITQ-7l4upoX8nvctg")   # kind=video
    report = lib.sync_feeds()

Each new item becomes a paper when it points to one arXiv paper (its link, or the only arXiv
link in its summary): the paper is linked if the library has it, else fetched from the arXiv
API. Everything else is stored as a reading item (kind "article", or "video" for YouTube).
Every item is recorded in `feed_items` once per feed, so syncing again adds nothing twice.
Fetches are conditional (ETag / Last-Modified) and go through the polite HTTP client.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import feedparser
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from paperpath.ids import find_arxiv_ids
from paperpath.records import PaperRecord, RecordError
from paperpath.sources import arxiv_api
from paperpath.sources.http import HttpError, PoliteClient, shared_client
from paperpath.store.db import write_tx
from paperpath.store.schema import feed_items, feeds, papers
from paperpath.store.writer import prepare, write_records
from paperpath.textnorm import clean_ws

if TYPE_CHECKING:
    from paperpath.library import Library

FEED_KINDS = ("blog", "newsletter", "video")
SOURCE = "feed"
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_NEWSLETTER_HOSTS = ("substack.com", "buttondown.email", "buttondown.com", "beehiiv.com")
_YT_FEED = "https://www.youtube.com/feeds/videos.xml"
_GUID_MAX = 500  # feed_items.guid column width
_TITLE_FALLBACK = 80


class FeedError(ValueError):
    """A feed URL or kind that cannot be followed, or a feed that is not followed."""


# -- URLs and the feeds table ----------------------------------------------------------------
def normalize_feed_url(url: str) -> tuple[str, str | None]:
    """(feed URL to fetch, kind the URL implies or None). YouTube channel, playlist and
    legacy user pages become their RSS feed URLs; other http(s) URLs are kept as given."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(f"{url!r} is not an http(s) feed URL")
    host = parts.hostname.lower()
    if host in _YOUTUBE_HOSTS:
        return _youtube_feed(text, parts.path, parts.query), "video"
    if host.endswith(_NEWSLETTER_HOSTS):
        return text, "newsletter"
    return text, None


def _youtube_feed(url: str, path: str, query: str) -> str:
    segments = [s for s in path.split("/") if s]
    params = parse_qs(query)
    if segments[:2] == ["feeds", "videos.xml"]:
        for key in ("channel_id", "playlist_id", "user"):
            if params.get(key):
                return f"{_YT_FEED}?{key}={params[key][0]}"
    elif len(segments) >= 2 and segments[0] == "channel" and segments[1].startswith("UC"):
        return f"{_YT_FEED}?channel_id={segments[1]}"
    elif segments[:1] == ["playlist"] and params.get("list"):
        return f"{_YT_FEED}?playlist_id={params['list'][0]}"
    elif len(segments) >= 2 and segments[0] == "user":
        return f"{_YT_FEED}?user={segments[1]}"
    # @handles and /c/ names need the channel page scraped to find the id: not done here.
    raise FeedError(f"{url}: cannot follow this YouTube URL; use the channel's URL "
                    "(https://www.youtube.com/channel/UC...) or its feed URL "
                    "(https://www.youtube.com/feeds/videos.xml?channel_id=UC...)")


@dataclass(slots=True)
class Feed:
    id: int
    url: str
    title: str | None
    kind: str
    etag: str | None
    modified: str | None
    last_synced: datetime | None
    last_error: str | None
    added_at: datetime
    items: int = 0  # items recorded so far

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for k in ("last_synced", "added_at"):
            data[k] = data[k].isoformat() if data[k] else None
        return data


def _feeds_query() -> Any:
    count = (select(func.count()).select_from(feed_items)
             .where(feed_items.c.feed_id == feeds.c.id).scalar_subquery())
    return select(feeds, count.label("items")).order_by(feeds.c.id)


def _row_feed(row: Any) -> Feed:
    m = row._mapping
    return Feed(**{f.name: m[f.name] for f in fields(Feed)})


def list_feeds(engine: Engine) -> list[Feed]:
    with engine.connect() as conn:
        return [_row_feed(r) for r in conn.execute(_feeds_query())]


def get_feed(engine: Engine, url: str) -> Feed | None:
    """The followed feed for url (as typed or in its normalized form), else None."""
    candidates = {url.strip()}
    with contextlib.suppress(FeedError):  # an odd URL may still match as typed
        candidates.add(normalize_feed_url(url)[0])
    with engine.connect() as conn:
        row = conn.execute(_feeds_query().where(feeds.c.url.in_(sorted(candidates)))).first()
    return _row_feed(row) if row else None


def add_feed(engine: Engine, url: str, kind: str | None = None) -> Feed:
    """Follow a feed; following it again returns it (changing its kind if one is given)."""
    if kind is not None and kind not in FEED_KINDS:
        raise FeedError(f"unknown feed kind {kind!r} (expected one of {', '.join(FEED_KINDS)})")
    feed_url, implied = normalize_feed_url(url)
    existing = get_feed(engine, feed_url)
    with write_tx(engine) as conn:
        if existing is None:
            conn.execute(insert(feeds).values(url=feed_url, kind=kind or implied or "blog",
                                              added_at=datetime.now()))
        elif kind and kind != existing.kind:
            conn.execute(update(feeds).where(feeds.c.id == existing.id).values(kind=kind))
    feed = get_feed(engine, feed_url)
    assert feed is not None
    return feed


def remove_feed(engine: Engine, url: str) -> bool:
    """Stop following a feed and forget its item list; the papers and reading items it
    brought stay in the library. False when the feed is not followed."""
    feed = get_feed(engine, url)
    if feed is None:
        return False
    with write_tx(engine) as conn:
        # Explicit, not only ON DELETE CASCADE: that needs foreign keys enabled.
        conn.execute(delete(feed_items).where(feed_items.c.feed_id == feed.id))
        conn.execute(delete(feeds).where(feeds.c.id == feed.id))
    return True


# -- parsing ---------------------------------------------------------------------------------
class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template"})
    _BLOCK = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "table", "blockquote",
              "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "section", "article", "figure",
              "figcaption", "header", "footer", "dd", "dt"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append(" ")  # so "<p>a</p><p>b</p>" reads "a b", not "ab"

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def strip_html(html: str | None) -> str:
    """Plain text of an HTML fragment: tags and scripts dropped, entities decoded, blocks
    separated by spaces, whitespace collapsed."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return clean_ws("".join(parser.parts))


@dataclass(slots=True)
class FeedItem:
    guid: str
    title: str
    link: str | None
    text: str  # summary as plain text
    published: datetime | None  # UTC
    authors: list[str]
    arxiv_id: str | None  # the arXiv paper this item is about, if any


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem]
    warning: str | None = None  # the XML had errors but items were recovered


# RSS <author> holds an address: "jo@x.org (Jo Bloggs)", "Jo Bloggs <jo@x.org>" or a bare one.
_EMAIL_THEN_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]*)\)$")
_NAME_THEN_EMAIL = re.compile(r"^(?P<name>[^(<]*?)\s*[(<]\s*\S+@\S+\s*[)>]$")


def _person(raw: str) -> str:
    raw = clean_ws(raw)
    if "@" not in raw:
        return raw
    m = _EMAIL_THEN_NAME.match(raw) or _NAME_THEN_EMAIL.match(raw)
    return clean_ws(m.group("name")) if m else ""


def _author_names(entry: Any) -> list[str]:
    raw = entry.get("author") or ""
    if "@" in raw:
        # feedparser's own split of RSS addresses garbles long TLDs ("x.example"): parse it here.
        names = [_person(raw)]
    else:
        names = [_person(a.get("name") or "") for a in entry.get("authors", []) or []
                 if isinstance(a, dict)]
    return list(dict.fromkeys(n for n in names if n))


def _entry_text(entry: Any) -> tuple[str, str]:
    """(plain text, raw markup) of an entry's summary or, failing that, its content."""
    detail = entry.get("summary_detail") or {}
    raw = entry.get("summary") or ""
    ctype = detail.get("type", "text/html")
    if not raw and entry.get("content"):
        raw = entry["content"][0].get("value", "")
        ctype = entry["content"][0].get("type", "text/html")
    text = strip_html(raw) if "html" in ctype else clean_ws(raw)
    return text, raw


def _arxiv_target(link: str | None, links: Sequence[str], raw_summary: str) -> str | None:
    # The link wins; otherwise a summary naming exactly one paper is about that paper. A
    # summary listing several (a newsletter issue) is an article in its own right.
    in_links = find_arxiv_ids(" ".join([link or "", *links]))
    if in_links:
        return in_links[0]
    in_text = find_arxiv_ids(raw_summary)
    return in_text[0] if len(in_text) == 1 else None


def _guid(entry: Any, link: str | None, title: str, published: datetime | None) -> str:
    guid = clean_ws(entry.get("id")) or link or ""
    if not guid:
        guid = f"{title}|{published.isoformat() if published else ''}"
    if len(guid) > _GUID_MAX:
        guid = "sha1:" + hashlib.sha1(guid.encode()).hexdigest()
    return guid


def _as_datetime(parsed: Any) -> datetime | None:
    try:
        return datetime(*parsed[:6]) if parsed else None
    except (TypeError, ValueError):
        return None


def _xml_problem(exc: Any) -> str:
    if hasattr(exc, "getMessage") and hasattr(exc, "getLineNumber"):  # SAXParseException
        return f"{exc.getMessage()} at line {exc.getLineNumber()}"
    return str(exc) or type(exc).__name__


def parse_feed(content: bytes, url: str, content_type: str | None = None,
               base_url: str | None = None) -> ParsedFeed:
    """Items of an RSS or Atom document. Raises FeedError naming url when it is not a feed
    or is broken with nothing recoverable; a broken feed with items gives a warning.
    Relative links resolve against base_url (where the feed was finally fetched) or url."""
    headers = {"content-location": base_url or url}
    if content_type:
        headers["content-type"] = content_type
    doc = feedparser.parse(io.BytesIO(content), response_headers=headers)
    exc = doc.get("bozo_exception")
    # Harmless bozo reasons (a text/html content type, an encoding override) are not errors.
    harmless = isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe)
    problem = _xml_problem(exc) if doc.get("bozo") and not harmless else None
    items: dict[str, FeedItem] = {}
    for entry in doc.get("entries", []):
        link = entry.get("link") or None
        text, raw = _entry_text(entry)
        published = _as_datetime(entry.get("published_parsed") or entry.get("updated_parsed"))
        title = clean_ws(entry.get("title")) or text[:_TITLE_FALLBACK] or (link or "")
        if not title:
            continue  # nothing to show or find it by (e.g. the cut-off tail of a broken feed)
        guid = _guid(entry, link, title, published)
        if guid in items:
            continue  # the same item twice in one document
        hrefs = [lk.get("href", "") for lk in entry.get("links", []) or []]
        items[guid] = FeedItem(guid=guid, title=title, link=link, text=text,
                               published=published, authors=_author_names(entry),
                               arxiv_id=_arxiv_target(link, hrefs, raw))
    if not items:
        if problem:
            raise FeedError(f"{url}: not a valid feed ({problem})")
        if not doc.get("version"):
            raise FeedError(f"{url}: not an RSS or Atom feed")
    warning = (f"{url}: feed has XML errors ({problem}); kept {len(items)} items"
               if problem else None)
    title = clean_ws(doc.get("feed", {}).get("title")) or None
    return ParsedFeed(title=title, items=list(items.values()), warning=warning)


def item_record(item: FeedItem, feed_kind: str, feed_title: str | None) -> PaperRecord:
    """The reading item stored for a feed item that is not an arXiv paper."""
    return PaperRecord(
        title=item.title,
        abstract=item.text,
        authors=item.authors,
        url=item.link,
        published=item.published.date() if item.published else None,
        venue=feed_title,
        kind="video" if feed_kind == "video" else "article",
        source=SOURCE,
    )


# -- sync ------------------------------------------------------------------------------------
@dataclass(slots=True)
class FeedResult:
    url: str
    title: str | None = None
    status: str = "ok"  # ok | not-modified | error
    new_items: int = 0
    papers: int = 0  # items that are arXiv papers (linked or fetched)
    fetched_from_arxiv: int = 0
    reading: int = 0  # items stored as articles / videos
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FeedSyncReport:
    feeds: list[FeedResult] = field(default_factory=list)

    @property
    def new_items(self) -> int:
        return sum(f.new_items for f in self.feeds)

    @property
    def errors(self) -> list[str]:
        return [f.error for f in self.feeds if f.error]

    def to_dict(self) -> dict[str, Any]:
        return {
            "feeds": [asdict(f) for f in self.feeds],
            "new_items": self.new_items,
            "papers": sum(f.papers for f in self.feeds),
            "reading": sum(f.reading for f in self.feeds),
            "errors": self.errors,
        }


@dataclass(slots=True)
class FeedProgress:
    done: int
    total: int
    url: str


FeedProgressFn = Callable[[FeedProgress], None]


def sync_feeds(lib: Library, url: str | None = None, *, client: PoliteClient | None = None,
               arxiv_base_url: str | None = None, progress: FeedProgressFn | None = None
               ) -> FeedSyncReport:
    """Fetch every followed feed (or only url) and store its new items. A feed that fails
    is reported, remembered in feeds.last_error, and the others still sync."""
    if url is not None:
        one = get_feed(lib.engine, url)
        if one is None:
            raise FeedError(f"{url}: not a followed feed (add it first)")
        todo = [one]
    else:
        todo = list_feeds(lib.engine)
    http = client or shared_client()
    report = FeedSyncReport()
    for n, feed in enumerate(todo, start=1):
        result = FeedResult(url=feed.url, title=feed.title)
        try:
            _sync_one(lib, feed, http, arxiv_base_url, result)
        except (HttpError, FeedError) as exc:
            result.status, result.error = "error", str(exc)
            with write_tx(lib.engine) as conn:
                conn.execute(update(feeds).where(feeds.c.id == feed.id)
                             .values(last_error=str(exc), last_synced=datetime.now()))
        report.feeds.append(result)
        if progress:
            progress(FeedProgress(n, len(todo), feed.url))
    return report


def _sync_one(lib: Library, feed: Feed, http: PoliteClient, arxiv_base_url: str | None,
              result: FeedResult) -> None:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.modified:
        headers["If-Modified-Since"] = feed.modified
    resp = http.get(feed.url, headers=headers, accept=(200, 304))
    if resp.status == 304:
        result.status = "not-modified"
        with write_tx(lib.engine) as conn:
            conn.execute(update(feeds).where(feeds.c.id == feed.id)
                         .values(last_synced=datetime.now(), last_error=None))
        return
    parsed = parse_feed(resp.content, feed.url, resp.headers.get("content-type"), resp.url)
    if parsed.warning:
        result.warnings.append(parsed.warning)
    result.title = parsed.title or feed.title
    with lib.engine.connect() as conn:
        new = _unseen(conn, feed.id, parsed.items)
    arxiv_pks = _resolve_arxiv(lib, new, http, arxiv_base_url, result)
    with write_tx(lib.engine) as conn:
        new = _unseen(conn, feed.id, new)  # a concurrent sync may have stored some meanwhile
        _store_items(conn, feed, result.title, new, arxiv_pks, result)
        conn.execute(update(feeds).where(feeds.c.id == feed.id).values(
            title=result.title, etag=resp.headers.get("ETag"),
            modified=resp.headers.get("Last-Modified"), last_synced=datetime.now(),
            last_error=None))


def _unseen(conn: Connection, feed_id: int, items: list[FeedItem]) -> list[FeedItem]:
    seen: set[str] = set()
    guids = [i.guid for i in items]
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        seen.update(conn.execute(select(feed_items.c.guid).where(
            feed_items.c.feed_id == feed_id, feed_items.c.guid.in_(chunk))).scalars())
    return [i for i in items if i.guid not in seen]


def _resolve_arxiv(lib: Library, items: list[FeedItem], http: PoliteClient,
                   base_url: str | None, result: FeedResult) -> dict[str, int]:
    """pk of every arXiv paper the items point to: from the library, else fetched (and
    stored) from the arXiv API. Ids that cannot be fetched are left out and reported."""
    wanted = list(dict.fromkeys(i.arxiv_id for i in items if i.arxiv_id))
    if not wanted:
        return {}
    with lib.engine.connect() as conn:
        pks: dict[str, int] = {aid: pk for aid, pk in conn.execute(
            select(papers.c.arxiv_id, papers.c.pk).where(papers.c.arxiv_id.in_(wanted)))}
    missing = [a for a in wanted if a not in pks]
    if not missing:
        return pks
    try:
        records = arxiv_api.fetch_records(missing, client=http, base_url=base_url,
                                          missing_ok=True)
    except (HttpError, arxiv_api.ArxivApiError) as exc:
        result.warnings.append(f"could not fetch {len(missing)} arXiv paper(s) "
                               f"({', '.join(missing)}), kept as reading items: {exc}")
        return pks
    stored = lib.add_records(records)
    for rec, pk in zip(records, stored.pks, strict=True):
        if rec.arxiv_id:
            pks[rec.arxiv_id] = pk
    result.fetched_from_arxiv += len(records)
    unknown = [a for a in missing if a not in pks]
    if unknown:
        result.warnings.append(f"arXiv has no paper {', '.join(unknown)}; "
                               "kept as reading item(s)")
    return pks


def _store_items(conn: Connection, feed: Feed, feed_title: str | None, items: list[FeedItem],
                 arxiv_pks: dict[str, int], result: FeedResult) -> None:
    reading: list[tuple[FeedItem, PaperRecord]] = []
    pk_of: dict[str, int | None] = {}
    for item in items:
        if item.arxiv_id and item.arxiv_id in arxiv_pks:
            pk_of[item.guid] = arxiv_pks[item.arxiv_id]
            result.papers += 1
            continue
        try:
            reading.append((item, prepare(item_record(item, feed.kind, feed_title))))
        except RecordError as exc:
            pk_of[item.guid] = None  # recorded anyway, so it is not retried every sync
            result.warnings.append(f"{feed.url}: item {item.guid!r} skipped: {exc}")
    if reading:
        written = write_records(conn, [rec for _item, rec in reading])
        for (item, _rec), pk in zip(reading, written.pks, strict=True):
            pk_of[item.guid] = pk
        result.reading += len(reading)
    now = datetime.now()
    rows = [{"feed_id": feed.id, "guid": i.guid, "link": i.link, "title": i.title,
             "published": i.published, "paper_pk": pk_of.get(i.guid), "added_at": now}
            for i in items]
    if rows:
        conn.execute(insert(feed_items), rows)
    result.new_items += len(rows)
