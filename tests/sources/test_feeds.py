"""Feeds against a local server: RSS 2.0, Atom, YouTube, broken feeds, 404, ETag, arXiv links."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from atom_fixtures import ApiPaper, FakeArxiv, corpus_papers
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from paperpath.library import Library
from paperpath.records import PaperRecord
from paperpath.sources.feeds import (
    FeedError,
    normalize_feed_url,
    parse_feed,
    strip_html,
)
from paperpath.sources.http import PoliteClient
from paperpath.store.schema import feed_items
from paperpath.textnorm import clean_ws

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
T0 = datetime(2025, 4, 1, 8, 0)


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FeedServer:
    """Serves feeds under /feeds/, honouring If-None-Match / If-Modified-Since."""

    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.hits.append((request.path, dict(request.headers.items())))
        route = self.routes.get(request.path)
        if route is None:
            return Response(b"not found", 404)
        etag_ok = route.etag and request.headers.get("If-None-Match") == route.etag
        date_ok = (route.last_modified
                   and request.headers.get("If-Modified-Since") == route.last_modified)
        if etag_ok or date_ok:
            return Response(b"", 304)
        headers = {}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        return Response(route.body, route.status, headers=headers,
                        content_type=route.content_type)


@pytest.fixture
def feeds_srv(httpserver: HTTPServer, fake_arxiv: FakeArxiv) -> FeedServer:
    server = FeedServer()
    httpserver.expect_request(re.compile(r"^/feeds/")).respond_with_handler(server)
    # The papers the fixture feeds point to, with real text from the corpus.
    fake_arxiv.papers = _papers(["2504.01001", "2504.01002", "2504.01003"])
    return server


def _papers(ids: list[str]) -> list[ApiPaper]:
    papers = corpus_papers(len(ids), T0)
    for paper, ident in zip(papers, ids, strict=True):
        paper.arxiv_id = ident
    return papers


def serve(httpserver: HTTPServer, srv: FeedServer, name: str, **kw: Any) -> str:
    srv.routes[f"/feeds/{name}"] = Route((FIXTURES / name).read_bytes(), **kw)
    return httpserver.url_for(f"/feeds/{name}")


def items_of(library: Library) -> dict[str, int | None]:
    with library.engine.connect() as conn:
        rows = conn.execute(select(feed_items.c.guid, feed_items.c.paper_pk))
        return {guid: pk for guid, pk in rows}


# -- following -------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "expected", "kind"), [
    ("https://www.youtube.com/channel/UCabc123", "channel_id=UCabc123", "video"),
    ("https://youtube.com/channel/UCabc123/videos", "channel_id=UCabc123", "video"),
    ("https://www.youtube.com/feeds/videos.xml?channel_id=UCabc123", "channel_id=UCabc123",
     "video"),
    ("https://m.youtube.com/playlist?list=PLxyz", "playlist_id=PLxyz", "video"),
    ("https://www.youtube.com/user/someone", "user=someone", "video"),
])
def test_youtube_urls_become_feed_urls(url: str, expected: str, kind: str) -> None:
    feed_url, implied = normalize_feed_url(url)
    assert feed_url == f"https://www.youtube.com/feeds/videos.xml?{expected}"
    assert implied == kind


def test_other_urls_are_kept() -> None:
    assert normalize_feed_url(" https://blog.example/index.xml ") == (
        "https://blog.example/index.xml", None)
    assert normalize_feed_url("https://jack.substack.com/feed") == (
        "https://jack.substack.com/feed", "newsletter")


@pytest.mark.parametrize(("url", "message"), [
    ("https://www.youtube.com/@somehandle", "cannot follow this YouTube URL"),
    ("ftp://blog.example/feed", "not an http(s) feed URL"),
    ("blog.example/feed", "not an http(s) feed URL"),
])
def test_bad_feed_urls(url: str, message: str) -> None:
    with pytest.raises(FeedError, match=re.escape(message)):
        normalize_feed_url(url)


def test_add_list_remove(library: Library) -> None:
    blog = library.add_feed("https://blog.example/index.xml")
    yt = library.add_feed("https://www.youtube.com/channel/UCabc123")
    assert (blog.kind, yt.kind) == ("blog", "video")
    assert yt.url == "https://www.youtube.com/feeds/videos.xml?channel_id=UCabc123"
    again = library.add_feed("https://blog.example/index.xml", kind="newsletter")
    assert again.id == blog.id and again.kind == "newsletter"
    with pytest.raises(FeedError, match="unknown feed kind 'podcast'"):
        library.add_feed("https://other.example/feed", kind="podcast")
    listed = library.feeds()
    assert [(f.url, f.kind, f.items) for f in listed] == [
        ("https://blog.example/index.xml", "newsletter", 0),
        ("https://www.youtube.com/feeds/videos.xml?channel_id=UCabc123", "video", 0)]
    assert listed[0].to_dict()["last_synced"] is None
    # Removing by the channel URL a person typed finds the normalized feed.
    assert library.remove_feed("https://www.youtube.com/channel/UCabc123") is True
    assert library.remove_feed("https://www.youtube.com/channel/UCabc123") is False
    assert [f.url for f in library.feeds()] == ["https://blog.example/index.xml"]


# -- syncing ---------------------------------------------------------------------------------
def test_sync_rss_links_fetches_and_stores_reading_items(
        library: Library, httpserver: HTTPServer, feeds_srv: FeedServer, fake_arxiv: FakeArxiv,
        api_url: str, client: PoliteClient) -> None:
    known = library.add(PaperRecord(title="Already here", arxiv_id="2504.01002", authors=["X Y"]))
    url = serve(httpserver, feeds_srv, "blog-rss2.xml")
    library.add_feed(url)
    report = library.sync_feeds(client=client, arxiv_base_url=api_url)

    [res] = report.feeds
    assert res.status == "ok" and res.error is None
    assert (res.new_items, res.papers, res.fetched_from_arxiv, res.reading) == (5, 2, 1, 3)
    assert res.warnings == ["arXiv has no paper 2504.09999; kept as reading item(s)"]
    # One polite batch request for the papers the library lacked.
    assert [h.args["id_list"] for h in fake_arxiv.hits] == ["2504.01001,2504.09999"]

    fetched = library.get("2504.01001")
    assert fetched is not None and fetched.sources == ["arxiv-api"]
    assert fetched.title == fake_arxiv.papers[0].title
    items = items_of(library)
    assert items["https://arxiv.org/abs/2504.01001"] == fetched.pk
    assert items["post-notes"] == known.pk  # linked, not fetched again
    assert len(library) == 5  # the known paper, the fetched one, three reading items

    tok = library.get_pk(items["post-tokenizers"] or 0)
    assert tok is not None
    assert tok.kind == "article" and tok.sources == ["feed"]
    assert tok.title == "Why tokenizers & <evals> matter"
    assert tok.abstract == "Tokenizers are hard&subtle. Second paragraph."
    assert tok.authors == ["Ann Lee"]
    assert tok.url == "http://blog.example/posts/tokenizers"
    assert tok.venue == "ML Blog" and tok.published == date(2025, 4, 3)
    roundup = library.get_pk(items["post-roundup-12"] or 0)
    assert roundup is not None and roundup.kind == "article"  # lists two papers: an article
    unknown = library.get_pk(items["https://arxiv.org/abs/2504.09999"] or 0)
    assert unknown is not None and unknown.kind == "article" and unknown.arxiv_id is None
    assert unknown.url == "https://arxiv.org/abs/2504.09999"

    [feed] = library.feeds()
    assert feed.title == "ML Blog" and feed.items == 5
    assert feed.last_error is None and feed.last_synced is not None


def test_resync_adds_nothing_twice(library: Library, httpserver: HTTPServer,
                                   feeds_srv: FeedServer, fake_arxiv: FakeArxiv, api_url: str,
                                   client: PoliteClient) -> None:
    library.add_feed(serve(httpserver, feeds_srv, "blog-rss2.xml"))
    first = library.sync_feeds(client=client, arxiv_base_url=api_url)
    size, items, arxiv_calls = len(library), items_of(library), len(fake_arxiv.hits)
    second = library.sync_feeds(client=client, arxiv_base_url=api_url)
    assert first.new_items == 5 and second.new_items == 0
    assert second.feeds[0].status == "ok"
    assert len(library) == size and items_of(library) == items
    assert len(fake_arxiv.hits) == arxiv_calls  # nothing new, nothing fetched


def test_conditional_get_with_etag_and_last_modified(
        library: Library, httpserver: HTTPServer, feeds_srv: FeedServer, api_url: str,
        client: PoliteClient) -> None:
    stamp = "Wed, 09 Apr 2025 10:00:00 GMT"
    url = serve(httpserver, feeds_srv, "newsletter-atom.xml", etag='"v1"', last_modified=stamp,
                content_type="application/atom+xml")
    library.add_feed(url)
    assert library.sync_feeds(client=client, arxiv_base_url=api_url).new_items == 2
    [feed] = library.feeds()
    assert (feed.etag, feed.modified) == ('"v1"', stamp)

    report = library.sync_feeds(client=client, arxiv_base_url=api_url)
    assert report.feeds[0].status == "not-modified" and report.new_items == 0
    _path, headers = feeds_srv.hits[-1]
    assert headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"] == stamp

    # The feed changes: a new ETag, one new item.
    body = (FIXTURES / "newsletter-atom.xml").read_text().replace(
        "<entry>", "<entry><title>Issue 8</title><id>urn:letter:8</id>"
        '<link rel="alternate" href="https://letter.example/issues/8"/></entry><entry>', 1)
    feeds_srv.routes["/feeds/newsletter-atom.xml"] = Route(body.encode(), etag='"v2"',
                                                           content_type="application/atom+xml")
    report = library.sync_feeds(client=client, arxiv_base_url=api_url)
    assert report.feeds[0].status == "ok" and report.new_items == 1
    assert library.feeds()[0].etag == '"v2"'


def test_atom_newsletter(library: Library, httpserver: HTTPServer, feeds_srv: FeedServer,
                         api_url: str, client: PoliteClient) -> None:
    url = serve(httpserver, feeds_srv, "newsletter-atom.xml",
                content_type="application/atom+xml")
    library.add_feed(url, kind="newsletter")
    report = library.sync_feeds(client=client, arxiv_base_url=api_url)
    assert report.feeds[0].papers == 1 and report.feeds[0].reading == 1
    items = items_of(library)
    paper = library.get_pk(items["urn:letter:7"] or 0)
    assert paper is not None and paper.arxiv_id == "2504.01003"
    issue6 = library.get_pk(items["urn:letter:6"] or 0)
    assert issue6 is not None
    assert issue6.title == "Issue 6: a <b> is not bold here"  # type="text": kept literally
    assert issue6.abstract == "Plain text with 3 < 4 & no markup."
    with library.engine.connect() as conn:
        link = conn.execute(select(feed_items.c.link)
                            .where(feed_items.c.guid == "urn:letter:7")).scalar_one()
    assert link == httpserver.url_for("/issues/7")  # relative link resolved against the feed


def test_youtube_items_are_videos(library: Library, httpserver: HTTPServer, feeds_srv: FeedServer,
                                  api_url: str, client: PoliteClient) -> None:
    url = serve(httpserver, feeds_srv, "youtube.xml", content_type="application/atom+xml")
    library.add_feed(url, kind="video")
    report = library.sync_feeds(client=client, arxiv_base_url=api_url)
    assert report.feeds[0].title == "Paper Reading Club"
    items = items_of(library)
    explained = library.get_pk(items["yt:video:vid00000001"] or 0)
    assert explained is not None and explained.arxiv_id == "2504.01001"
    qa = library.get_pk(items["yt:video:vid00000002"] or 0)
    assert qa is not None
    assert qa.kind == "video" and qa.title == "Q&A: how we pick papers"
    assert qa.url == "https://www.youtube.com/watch?v=vid00000002"
    assert qa.abstract == "Live questions from the audience."


def test_failing_feeds_are_reported_and_others_sync(
        library: Library, httpserver: HTTPServer, feeds_srv: FeedServer, api_url: str,
        client: PoliteClient, closed_port: int) -> None:
    broken = serve(httpserver, feeds_srv, "broken.xml")
    missing = httpserver.url_for("/feeds/gone.xml")
    down = f"http://127.0.0.1:{closed_port}/feed.xml"
    good = serve(httpserver, feeds_srv, "youtube.xml", content_type="application/atom+xml")
    for url in (broken, missing, down, good):
        library.add_feed(url)
    report = library.sync_feeds(client=client, arxiv_base_url=api_url)

    assert report.errors == [
        f"{broken}: not a valid feed (no element found at line 3)",
        f"{missing}: HTTP 404 Not Found",
        f"{down}: cannot connect (connection refused) after 3 tries",
    ]
    assert [f.status for f in report.feeds] == ["error", "error", "error", "ok"]
    assert report.feeds[3].new_items == 2
    errors = {f.url: f.last_error for f in library.feeds()}
    assert errors == {broken: report.errors[0], missing: report.errors[1],
                      down: report.errors[2], good: None}

    # Once the feed is repaired its error is cleared.
    feeds_srv.routes["/feeds/broken.xml"] = Route((FIXTURES / "blog-rss2.xml").read_bytes())
    library.sync_feeds(broken, client=client, arxiv_base_url=api_url)
    assert {f.url: f.last_error for f in library.feeds()}[broken] is None


def test_partly_broken_feed_keeps_items_and_warns(
        library: Library, httpserver: HTTPServer, feeds_srv: FeedServer, api_url: str,
        client: PoliteClient) -> None:
    url = serve(httpserver, feeds_srv, "partly-broken.xml")
    library.add_feed(url)
    [res] = library.sync_feeds(client=client, arxiv_base_url=api_url).feeds
    assert res.status == "ok" and res.new_items == 2
    assert res.warnings == [f"{url}: feed has XML errors (no element found at line 6); "
                            "kept 2 items"]
    assert sorted(p.title for p in library.papers()) == ["First survives", "Second survives"]


def test_arxiv_down_keeps_items_as_reading_items(
        library: Library, httpserver: HTTPServer, feeds_srv: FeedServer, closed_port: int) -> None:
    library.add_feed(serve(httpserver, feeds_srv, "blog-rss2.xml"))
    dead_api = f"http://127.0.0.1:{closed_port}/api/query"
    with PoliteClient(min_interval=0.0, host_intervals={}, tries=1) as fast:
        [res] = library.sync_feeds(client=fast, arxiv_base_url=dead_api).feeds
    assert res.status == "ok" and res.new_items == 5
    assert res.papers == 0 and res.reading == 5
    assert res.warnings == [
        "could not fetch 3 arXiv paper(s) (2504.01001, 2504.01002, 2504.09999), kept as "
        f"reading items: {dead_api}: cannot connect (connection refused) after 1 try"]
    item = library.get_pk(items_of(library)["https://arxiv.org/abs/2504.01001"] or 0)
    assert item is not None and item.kind == "article"
    assert item.url == "https://arxiv.org/abs/2504.01001"


def test_sync_one_feed(library: Library, httpserver: HTTPServer, feeds_srv: FeedServer,
                       api_url: str, client: PoliteClient) -> None:
    a = serve(httpserver, feeds_srv, "partly-broken.xml")
    b = serve(httpserver, feeds_srv, "youtube.xml")
    library.add_feed(a)
    library.add_feed(b)
    report = library.sync_feeds(b, client=client, arxiv_base_url=api_url)
    assert [f.url for f in report.feeds] == [b]
    assert {p for p, _h in feeds_srv.hits} == {"/feeds/youtube.xml"}
    with pytest.raises(FeedError, match="not a followed feed"):
        library.sync_feeds("https://nowhere.example/feed", client=client)


def test_remove_feed_keeps_what_it_brought(library: Library, httpserver: HTTPServer,
                                           feeds_srv: FeedServer, api_url: str,
                                           client: PoliteClient) -> None:
    url = serve(httpserver, feeds_srv, "youtube.xml")
    library.add_feed(url)
    library.sync_feeds(client=client, arxiv_base_url=api_url)
    size = len(library)
    assert library.remove_feed(url)
    assert items_of(library) == {} and len(library) == size == 2


# -- parsing properties ----------------------------------------------------------------------
def test_strip_html_examples() -> None:
    assert strip_html("<p>a</p><p>b</p>") == "a b"
    assert strip_html("x<br>y") == "x y"
    assert strip_html("<b>bo</b>ld &amp; <i>it</i>") == "bold & it"
    assert strip_html("<script>alert(1)</script><style>p{}</style>kept") == "kept"
    assert strip_html("caf&eacute; &#8212; &#x2014;") == "café — —"
    assert strip_html("3 < 4 and <unclosed") == "3 < 4 and <unclosed"  # not a tag: kept
    assert strip_html(None) == ""


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&;\"'"),
                max_size=80)


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, max_size=5), st.sampled_from(["p", "div", "li", "h2"]))
def test_strip_html_recovers_escaped_text(parts: list[str], tag: str) -> None:
    markup = "".join(f"<{tag} class=\"x\">{html.escape(p)}</{tag}>" for p in parts)
    assert strip_html(markup) == clean_ws(" ".join(parts))
    assert strip_html(markup + "<script>var a = '<p>';</script>") == clean_ws(" ".join(parts))


def _no_mojibake(text: str) -> bool:
    """False for text that is valid UTF-8 read as Latin-1 ('Ã©'): feedparser deliberately
    "repairs" such strings (a common publishing error), so they do not round-trip."""
    if text.isascii():
        return True
    try:
        text.encode("iso-8859-1").decode("utf-8")
    except UnicodeError:
        return True
    return False


_item_text = _text.filter(_no_mojibake)
_title = _item_text.filter(lambda t: clean_ws(t) != "")


@settings(max_examples=100, deadline=None)
@given(title=_title, body=st.lists(_item_text, max_size=3),
       ident=st.sampled_from([None, "2504.01001", "hep-th/9901001"]))
def test_rss_item_parsing(title: str, body: list[str], ident: str | None) -> None:
    description = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    link = f"https://arxiv.org/abs/{ident}v2" if ident else "https://blog.example/post"
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>{html.escape(title)}</title><link>{link}</link>"
        f"<description>{html.escape(description)}</description>"
        "<pubDate>Mon, 07 Apr 2025 06:05:04 GMT</pubDate></item></channel></rss>"
    ).encode()
    parsed = parse_feed(doc, "http://srv/feed")
    assert parsed.warning is None
    [item] = parsed.items
    assert item.title == clean_ws(title)
    assert item.text == clean_ws(" ".join(body))
    assert item.link == link and item.guid == link
    assert item.arxiv_id == ident
    assert item.published == datetime(2025, 4, 7, 6, 5, 4)
