"""The arXiv API source against a fake arXiv served on 127.0.0.1 (never the real one)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from atom_fixtures import (
    ApiPaper,
    FakeArxiv,
    corpus_papers,
    render_entry,
    render_error,
    render_feed,
    render_papers,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from paperpath.ids import InvalidIdError
from paperpath.library import Library
from paperpath.sources import arxiv_api
from paperpath.sources.arxiv_api import (
    ArxivApiError,
    ArxivNotFoundError,
    ArxivQueryError,
    SyncProgress,
    build_search_query,
    fetch_page,
    fetch_records,
    get_state,
    parse_atom,
    search_records,
)
from paperpath.sources.http import HttpError, PoliteClient
from paperpath.store.schema import sync_state
from paperpath.textnorm import clean_ws

T0 = datetime(2025, 4, 1, 8, 0)


def _range(hit_query: str) -> tuple[str, str]:
    m = re.search(r"submittedDate:\[(\d{12}) TO (\d{12})\]", hit_query)
    assert m, hit_query
    return m.group(1), m.group(2)


# -- by id -----------------------------------------------------------------------------------
def test_fetch_records_by_id_list(fake_arxiv: FakeArxiv, api_url: str,
                                  client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(5, T0)
    fake_arxiv.papers[1].doi = "10.1000/XYZ.1"
    fake_arxiv.papers[1].journal_ref = "NeurIPS 2025"
    a, b, c = fake_arxiv.papers[0], fake_arxiv.papers[1], fake_arxiv.papers[3]
    asked = [f"https://arxiv.org/abs/{c.arxiv_id}v1", a.arxiv_id, f"arXiv:{b.arxiv_id}v2"]
    records = fetch_records(asked, client=client, base_url=api_url)

    assert [r.arxiv_id for r in records] == [c.arxiv_id, a.arxiv_id, b.arxiv_id]
    hit = fake_arxiv.hits[-1].args
    assert hit["id_list"] == f"{c.arxiv_id},{a.arxiv_id},{b.arxiv_id}"
    assert hit["max_results"] == "3"
    rb = records[2]
    assert rb.title == b.title
    assert clean_ws(rb.abstract) == clean_ws(b.abstract)
    assert rb.authors == b.authors
    assert rb.categories == b.categories and rb.categories[0] == b.categories[0]
    assert rb.published == b.submitted.date()
    assert rb.doi == "10.1000/XYZ.1" and rb.journal_ref == "NeurIPS 2025"
    assert rb.versions == [f"v{i}" for i in range(1, b.version + 1)]
    assert rb.pdf_url == f"http://arxiv.org/pdf/{b.arxiv_id}v{b.version}"
    assert rb.url == f"http://arxiv.org/abs/{b.arxiv_id}v{b.version}"
    assert rb.source == "arxiv-api"


def test_fetch_records_missing_id(fake_arxiv: FakeArxiv, api_url: str,
                                  client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(2, T0)
    known = fake_arxiv.papers[0].arxiv_id
    with pytest.raises(ArxivNotFoundError) as err:
        fetch_records([known, "2501.99999"], client=client, base_url=api_url)
    assert err.value.missing == ["2501.99999"]
    assert str(err.value) == f"{api_url}: arXiv has no paper 2501.99999"
    found = fetch_records([known, "2501.99999"], client=client, base_url=api_url,
                          missing_ok=True)
    assert [r.arxiv_id for r in found] == [known]


def test_malformed_id_is_rejected_before_any_request(fake_arxiv: FakeArxiv, api_url: str,
                                                     client: PoliteClient) -> None:
    with pytest.raises(InvalidIdError):
        fetch_records(["not-an-id"], client=client, base_url=api_url)
    assert fake_arxiv.hits == []


def test_arxiv_error_entry_becomes_clear_error(fake_arxiv: FakeArxiv, api_url: str,
                                               client: PoliteClient) -> None:
    # Our own ids are validated first, so ask the fake server directly with a bad one...
    with pytest.raises(ArxivQueryError) as err:
        fetch_page({"id_list": "1234.5678.9"}, client=client, base_url=api_url)
    assert str(err.value) == f"{api_url}: arXiv API error: incorrect id format for 1234.5678.9"
    # ...and have it answer a well-formed id with arXiv's error feed (HTTP 400).
    fake_arxiv.faults.append(FakeArxiv.body(render_error("incorrect id format for 2501.00001"),
                                            400))
    with pytest.raises(ArxivQueryError, match="arXiv API error: incorrect id format"):
        fetch_records(["2501.00001"], client=client, base_url=api_url)


def test_http_400_without_error_feed(fake_arxiv: FakeArxiv, api_url: str,
                                     client: PoliteClient) -> None:
    fake_arxiv.faults.append(FakeArxiv.status(400, body=b"<html>bad</html>"))
    with pytest.raises(HttpError, match=r": HTTP 400 Bad Request$"):
        fetch_records(["2501.00001"], client=client, base_url=api_url)


def test_broken_xml_names_url(fake_arxiv: FakeArxiv, api_url: str,
                              client: PoliteClient) -> None:
    good = render_papers(corpus_papers(2, T0))
    fake_arxiv.faults.append(FakeArxiv.body(good[: len(good) // 2]))
    with pytest.raises(ArxivApiError) as err:
        fetch_records(["2501.00001"], client=client, base_url=api_url)
    msg = str(err.value)
    assert msg.startswith(f"{api_url}: broken Atom from arXiv (") and "line" in msg
    assert "\n" not in msg


def test_dtd_is_refused() -> None:
    lol = (b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>')
    with pytest.raises(ArxivApiError, match="refused an answer carrying a DTD"):
        parse_atom(lol, "http://x/api")


def test_html_instead_of_atom(fake_arxiv: FakeArxiv, api_url: str,
                              client: PoliteClient) -> None:
    fake_arxiv.faults.append(FakeArxiv.body(b"<html><body>maintenance</body></html>"))
    with pytest.raises(ArxivApiError, match="not an arXiv Atom feed"):
        search_records("all:x", client=client, base_url=api_url)


def test_unparseable_entry_is_skipped_and_reported() -> None:
    good = corpus_papers(2, T0)
    bad_id = render_entry(good[0]).replace(f"http://arxiv.org/abs/{good[0].arxiv_id}",
                                           "http://example.org/paper")
    no_title = re.sub(r"<title>.*?</title>", "<title>  </title>", render_entry(good[1]),
                      flags=re.S)
    extra = ApiPaper("2504.00042", "Kept", "fine", ["A B"], ["cs.LG"], T0)
    page = parse_atom(render_feed([bad_id, no_title, render_entry(extra)], 3), "http://x/api")
    assert [r.arxiv_id for r in page.records] == ["2504.00042"]
    assert page.entries == 3
    assert len(page.errors) == 2
    assert "is not an arXiv paper" in page.errors[0]
    assert "no title" in page.errors[1]


def test_unreachable_api(closed_port: int, client: PoliteClient) -> None:
    url = f"http://127.0.0.1:{closed_port}/api/query"
    with pytest.raises(HttpError) as err:
        fetch_records(["2501.00001"], client=client, base_url=url)
    assert str(err.value) == f"{url}: cannot connect (connection refused) after 3 tries"


def test_env_var_sets_endpoint(fake_arxiv: FakeArxiv, api_url: str, client: PoliteClient,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake_arxiv.papers = corpus_papers(1, T0)
    monkeypatch.setenv("PAPERPATH_ARXIV_API", api_url)
    assert arxiv_api.api_url() == api_url
    recs = fetch_records([fake_arxiv.papers[0].arxiv_id], client=client)
    assert len(recs) == 1 and len(fake_arxiv.hits) == 1
    monkeypatch.delenv("PAPERPATH_ARXIV_API")
    assert arxiv_api.api_url() == "https://export.arxiv.org/api/query"


def test_library_fetch_arxiv_stores_papers(library: Library, fake_arxiv: FakeArxiv, api_url: str,
                                           client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(3, T0)
    ids = [p.arxiv_id for p in fake_arxiv.papers]
    papers = library.fetch_arxiv(ids[::-1], client=client, base_url=api_url)
    assert [p.id for p in papers] == ids[::-1]
    assert len(library) == 3
    stored = library.get(ids[0])
    assert stored is not None and "arxiv-api" in stored.sources
    assert stored.title == fake_arxiv.papers[0].title


def test_search_records_paginates(fake_arxiv: FakeArxiv, api_url: str, client: PoliteClient,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arxiv_api, "PAGE_SIZE", 4)
    fake_arxiv.papers = corpus_papers(10, T0, category="cs.LG")
    recs = search_records("cat:cs.LG", max_results=9, sort_by="submittedDate",
                          sort_order="ascending", client=client, base_url=api_url)
    assert [r.arxiv_id for r in recs] == [p.arxiv_id for p in fake_arxiv.papers[:9]]
    assert [h.args["start"] for h in fake_arxiv.hits] == ["0", "4", "8"]
    assert [h.args["max_results"] for h in fake_arxiv.hits] == ["4", "4", "1"]


# -- queries ---------------------------------------------------------------------------------
def test_build_search_query() -> None:
    since, until = datetime(2025, 1, 1), datetime(2025, 1, 31, 23, 59)
    assert (build_search_query("cs.LG", None, since, until)
            == "cat:cs.LG AND submittedDate:[202501010000 TO 202501312359]")
    assert (build_search_query(None, "ti:diffusion OR abs:video", since, until)
            == "(ti:diffusion OR abs:video) AND submittedDate:[202501010000 TO 202501312359]")
    assert build_search_query(None, "all:mamba") == "all:mamba"
    with pytest.raises(ValueError, match="not an arXiv category"):
        build_search_query("cs.LG OR all:x")


def test_date_parsing() -> None:
    f = arxiv_api._to_datetime
    assert f("2025-01-05", end=False) == datetime(2025, 1, 5, 0, 0)
    assert f("2025-01-05", end=True) == datetime(2025, 1, 5, 23, 59)
    assert f("2024-02", end=True) == datetime(2024, 2, 29, 23, 59)
    assert f("2025", end=False) == datetime(2025, 1, 1)
    assert f(date(2025, 3, 1), end=True) == datetime(2025, 3, 1, 23, 59)
    assert f("202503011230", end=False) == datetime(2025, 3, 1, 12, 30)
    assert f(datetime(2025, 3, 1, 12, 30, 45, tzinfo=UTC), end=False) == datetime(2025, 3, 1,
                                                                                  12, 30)
    with pytest.raises(ValueError, match="not a date"):
        f("last tuesday", end=False)


# -- sync ------------------------------------------------------------------------------------
def test_sync_category_and_dates_across_pages(library: Library, fake_arxiv: FakeArxiv,
                                              api_url: str, client: PoliteClient) -> None:
    inside = corpus_papers(23, T0, step=timedelta(hours=20), category="cs.LG")
    outside = ApiPaper("2506.00001", "Too late", "x", ["A B"], ["cs.LG"], datetime(2025, 6, 2))
    other_cat = ApiPaper("2504.00099", "Vision only", "x", ["A B"], ["cs.CV"], T0)
    fake_arxiv.papers = [*inside, outside, other_cat]
    seen: list[SyncProgress] = []
    report = arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-05-30",
                            page_size=10, client=client, base_url=api_url,
                            progress=seen.append)
    assert report.status == "done", report.message
    assert (report.fetched, report.inserted, report.pages) == (23, 23, 4)
    assert len(library) == 23
    assert {p.id for p in library.papers()} == {p.arxiv_id for p in inside}
    hits = [h.args for h in fake_arxiv.hits]
    # Windows are 30 days: three pages of April, then one (empty) page for May.
    assert [h["start"] for h in hits] == ["0", "10", "20", "0"]
    assert all(h["sortBy"] == "submittedDate" and h["sortOrder"] == "ascending" for h in hits)
    assert hits[0]["search_query"] == ("cat:cs.LG AND submittedDate:"
                                       "[202504010000 TO 202505010000]")
    assert hits[3]["search_query"] == ("cat:cs.LG AND submittedDate:"
                                       "[202505010001 TO 202505302359]")
    assert [(p.offset, p.total) for p in seen] == [(10, 23), (20, 23), (23, 23), (0, 0)]
    report2 = arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-05-30",
                             page_size=10, window_days=30, client=client, base_url=api_url)
    assert report2.inserted == 0 and report2.unchanged == 23


def test_sync_splits_long_ranges_into_windows(library: Library, fake_arxiv: FakeArxiv,
                                              api_url: str, client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(12, T0, step=timedelta(days=1), category="cs.LG")
    report = arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-04-12",
                            window_days=5, page_size=100, client=client, base_url=api_url)
    assert report.status == "done" and report.inserted == 12
    ranges = [_range(h.args["search_query"]) for h in fake_arxiv.hits]
    assert ranges == [("202504010000", "202504060000"), ("202504060001", "202504110001"),
                      ("202504110002", "202504122359")]


def test_incremental_sync_fetches_only_newer(library: Library, fake_arxiv: FakeArxiv,
                                             api_url: str, client: PoliteClient) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    start = now - timedelta(days=10)
    fake_arxiv.papers = corpus_papers(30, start, step=timedelta(hours=6), category="cs.LG")
    first_until = (now - timedelta(days=6)).date()
    r1 = arxiv_api.sync(library, category="cs.LG", since=start.date(), until=first_until,
                        page_size=7, client=client, base_url=api_url)
    older = [p for p in fake_arxiv.papers if p.submitted.date() <= first_until]
    assert r1.status == "done" and r1.inserted == len(older) > 0
    state = get_state(library.engine, "arxiv:cat:cs.LG")
    newest = max(p.submitted for p in older)
    assert state == {"last_submitted": newest.isoformat()}

    fake_arxiv.hits.clear()
    r2 = arxiv_api.sync(library, category="cs.LG", page_size=7, client=client, base_url=api_url)
    newer = [p for p in fake_arxiv.papers if p.submitted > newest]
    assert r2.status == "done"
    assert r2.fetched == r2.inserted == len(newer) > 0
    assert _range(fake_arxiv.hits[0].args["search_query"])[0] == (
        (newest + timedelta(minutes=1)).strftime("%Y%m%d%H%M"))
    assert len(library) == 30

    fake_arxiv.hits.clear()
    r3 = arxiv_api.sync(library, category="cs.LG", client=client, base_url=api_url)
    assert (r3.fetched, r3.inserted) == (0, 0)


def test_sync_stops_at_max_and_resumes(library: Library, fake_arxiv: FakeArxiv, api_url: str,
                                       client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(25, T0, step=timedelta(hours=1), category="cs.LG")
    r1 = arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-04-03",
                        max_results=15, page_size=10, client=client, base_url=api_url)
    assert r1.status == "partial" and r1.fetched == 15 and len(library) == 15
    assert [h.args["max_results"] for h in fake_arxiv.hits] == ["10", "5"]
    assert get_state(library.engine, "arxiv:cat:cs.LG")["pending"]["offset"] == 15

    fake_arxiv.hits.clear()
    r2 = arxiv_api.sync(library, category="cs.LG", page_size=10, client=client, base_url=api_url)
    assert r2.status == "done" and r2.resumed_from == 15
    assert fake_arxiv.hits[0].args["start"] == "15"
    assert r2.inserted == 10 and len(library) == 25
    assert "pending" not in get_state(library.engine, "arxiv:cat:cs.LG")


def test_sync_interrupted_mid_run_keeps_committed_pages(library: Library, fake_arxiv: FakeArxiv,
                                                        api_url: str,
                                                        client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(30, T0, step=timedelta(hours=1), category="cs.LG")

    def ctrl_c_after_two_pages(p: SyncProgress) -> None:
        if p.offset >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-04-03",
                       page_size=10, client=client, base_url=api_url,
                       progress=ctrl_c_after_two_pages)
    assert len(library) == 20  # both pages were committed with their position
    fake_arxiv.hits.clear()
    report = arxiv_api.sync(library, category="cs.LG", page_size=10, client=client,
                            base_url=api_url)
    assert report.resumed_from == 20 and report.inserted == 10 and len(library) == 30
    assert [h.args["start"] for h in fake_arxiv.hits] == ["20"]


def test_sync_network_failure_reports_and_resumes(library: Library, fake_arxiv: FakeArxiv,
                                                  api_url: str, client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(20, T0, step=timedelta(hours=1), category="cs.LG")

    def first_page_fine(request: Request) -> Response:
        return fake_arxiv._search(request.args["search_query"], int(request.args["start"]),
                                  int(request.args["max_results"]), "ascending")

    # The first page is answered, then the server stays down for all three tries.
    fake_arxiv.faults = [first_page_fine, *[FakeArxiv.status(503)] * 3]
    report = arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-04-02",
                            page_size=10, client=client, base_url=api_url)
    assert report.status == "failed"
    assert report.message == f"{api_url}: HTTP 503 Service Unavailable after 3 tries"
    assert report.inserted == 10 and len(library) == 10
    r2 = arxiv_api.sync(library, category="cs.LG", page_size=10, client=client, base_url=api_url)
    assert r2.status == "done" and r2.resumed_from == 10 and len(library) == 20


def test_sync_retries_an_empty_page(library: Library, fake_arxiv: FakeArxiv, api_url: str,
                                    client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(5, T0, category="cs.LG")
    fake_arxiv.faults.append(FakeArxiv.body(render_feed([], 5)))
    report = arxiv_api.sync(library, category="cs.LG", since="2025-04-01", until="2025-04-03",
                            client=client, base_url=api_url)
    assert report.status == "done" and report.inserted == 5
    assert len(fake_arxiv.hits) == 2


def test_sync_by_query_uses_own_state_key(library: Library, fake_arxiv: FakeArxiv, api_url: str,
                                          client: PoliteClient) -> None:
    fake_arxiv.papers = corpus_papers(3, T0)
    report = arxiv_api.sync(library, query="all:transformer", since="2025-04-01",
                            until="2025-04-02", client=client, base_url=api_url)
    assert report.key == "arxiv:q:all:transformer"
    assert fake_arxiv.hits[0].args["search_query"].startswith("(all:transformer) AND ")
    with library.engine.connect() as conn:
        keys = list(conn.execute(select(sync_state.c.key)
                                 .where(sync_state.c.key.like("arxiv:%"))).scalars())
    assert keys == ["arxiv:q:all:transformer"]


def test_sync_needs_category_or_query(library: Library) -> None:
    with pytest.raises(ValueError, match="category or a search query"):
        arxiv_api.sync(library)


# -- round trip ------------------------------------------------------------------------------
# Text XML 1.0 can carry: no surrogates, no control characters but tab/newline/CR.
_xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("<>&\"'\n\t ;]]>"),
    max_size=200,
)
_title = _xml_text.filter(lambda t: clean_ws(t) != "")
_name = _xml_text.filter(lambda t: clean_ws(t) != "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_title, abstract=_xml_text, authors=st.lists(_name, min_size=0, max_size=4),
       comment=_xml_text)
def test_atom_round_trip(title: str, abstract: str, authors: list[str], comment: str) -> None:
    paper = ApiPaper("2503.01234", title, abstract, authors, ["cs.LG", "stat.ML"],
                     datetime(2025, 3, 4, 5, 6, 7), version=2, comment=comment or None)
    page = parse_atom(render_feed([render_entry(paper)], 1), "http://x/api")
    assert page.errors == []
    rec = page.records[0].normalized()
    assert rec.title == clean_ws(title)
    assert rec.abstract == clean_ws(abstract)
    # ";" separates names in storage, so normalized names carry "," instead.
    assert rec.authors == [clean_ws(a).replace(";", ",") for a in authors]
    assert rec.comments == (clean_ws(comment) or None)
    assert rec.arxiv_id == "2503.01234" and rec.versions == ["v1", "v2"]
    assert rec.categories == ["cs.LG", "stat.ML"]
    assert rec.published == date(2025, 3, 4)
