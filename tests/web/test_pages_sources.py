"""The sources page: stats, feeds (local server only), snapshot ingest, arXiv sync, the
embedding and guide jobs, BibTeX/PDF upload, and the job list."""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

sys.path.insert(0, str(Path(__file__).parents[1] / "sources"))  # the sources' test helpers

from atom_fixtures import ApiPaper, FakeArxiv
from pdf_helpers import build_pdf
from snapshot_data import synthetic_record, write_snapshot

from paperpath.library import Library
from paperpath.sources.http import PoliteClient
from paperpath.web.jobs import Job

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Tiny ML Blog</title><link>{base}/</link><description>Notes on papers</description>
  <item><title>Why sparse attention works</title><link>{base}/posts/1</link><guid>post-1</guid>
    <pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>
    <description>An essay on routing tokens to clusters.</description></item>
  <item><title>Reading papers every week</title><link>{base}/posts/2</link><guid>post-2</guid>
    <pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate>
    <description>How a weekly habit adds up.</description></item>
</channel></rss>"""


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def offline(client: TestClient, closed_port: int,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app's online jobs use a fast client with one try; arXiv points nowhere unless a
    test serves it, so nothing here can reach the internet."""
    monkeypatch.setenv("PAPERPATH_ARXIV_API", f"http://127.0.0.1:{closed_port}/api/query")
    fast = PoliteClient(min_interval=0.0, host_intervals={}, tries=1, connect_timeout=2.0,
                        read_timeout=5.0)
    client.app.state.http_client = fast  # type: ignore[attr-defined]
    yield client
    fast.close()


def error_of(html: str) -> str:
    found = re.findall(r'<p class="error" role="alert">([^<]*)</p>', html)
    return found[0] if found else ""


def started_job(client: TestClient, response: Any, timeout: float = 60.0) -> Job:
    """The job a form post started (its id is in the redirect), once it has ended."""
    assert response.status_code == 303
    found = re.fullmatch(r"/sources\?msg=job&job=([\w-]+)", response.headers["location"])
    assert found is not None, response.headers["location"]
    job: Job = client.app.state.jobs.wait(found.group(1), timeout)  # type: ignore[attr-defined]
    return job


def test_sources_page_shows_stats_and_every_form(client: TestClient) -> None:
    r = client.get("/sources")
    assert r.status_code == 200
    page = r.text
    assert "Your library" in page and "papers</span>" in page and "with code" in page
    assert "Most common areas" in page and 'href="/library?category=cs.CV"' in page
    for action in ("/sources/feeds/add", "/sources/ingest", "/sources/arxiv", "/sources/embed",
                   "/sources/analyze", "/sources/import"):
        assert f'action="{action}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "You follow no feeds yet" in page and "No background jobs yet" in page
    for control in ("feed-url", "snapshot-path", "arxiv-category", "arxiv-since",
                    "import-file"):
        assert f'<label for="{control}">' in page


def test_add_and_remove_a_feed(offline: TestClient, web_lib: Library) -> None:
    url = "https://blog.example.org/feed.xml"
    r = offline.post("/sources/feeds/add", data={"url": url, "kind": "newsletter"},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sources?msg=feed-added"
    assert [(f.url, f.kind) for f in web_lib.feeds()] == [(url, "newsletter")]
    page = offline.get(r.headers["location"]).text
    assert "Feed added" in page and url in page and "never synced" in page

    r = offline.post("/sources/feeds/remove", data={"url": url}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sources?msg=feed-removed"
    assert web_lib.feeds() == []
    r = offline.post("/sources/feeds/remove", data={"url": url})
    assert r.status_code == 400 and "not a feed you follow" in error_of(r.text)


@pytest.mark.parametrize(("data", "message"), [
    ({"url": "ftp://example.org/feed"}, "is not an http(s) feed URL"),
    ({"url": ""}, "Give the address of a feed"),
    ({"url": "https://example.org/f.xml", "kind": "podcast"}, "unknown feed kind"),
])
def test_bad_feeds_are_refused(offline: TestClient, data: dict[str, str], message: str) -> None:
    r = offline.post("/sources/feeds/add", data=data)
    assert r.status_code == 400 and message in error_of(r.text)
    assert 'value="' + data["url"] + '"' in r.text  # kept to correct


def test_sync_a_local_feed_in_the_background(offline: TestClient, web_lib: Library,
                                             httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS.format(base=base), content_type="application/rss+xml")
    web_lib.add_feed(f"{base}/feed.xml")
    assert offline.post("/sources/feeds/sync", data={"url": "https://nope.example/x"}
                        ).status_code == 400

    job = started_job(offline, offline.post("/sources/feeds/sync", follow_redirects=False))
    assert job.state == "done", job.message
    assert job.message.startswith("1 feed(s) synced: 2 new items") and job.kind == "feeds"
    assert job.done == job.total == 1
    hits = web_lib.search("sparse attention", kind="article")
    assert [h.paper.title for h in hits] == ["Why sparse attention works"]
    page = offline.get("/sources").text
    assert "Tiny ML Blog" in page and "2 items" in page and "last synced" in page
    assert f'data-job="{job.id}"' in page and "<progress" in page and "data-job-text" in page

    # Syncing one feed again finds nothing new.
    job = started_job(offline, offline.post("/sources/feeds/sync",
                                            data={"url": f"{base}/feed.xml"},
                                            follow_redirects=False))
    assert job.state == "done" and "0 new items" in job.message


def test_a_failing_feed_fails_its_job_politely(offline: TestClient, web_lib: Library,
                                               httpserver: HTTPServer) -> None:
    assert offline.post("/sources/feeds/sync").status_code == 400  # nothing to sync
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=404)
    web_lib.add_feed(httpserver.url_for("/gone.xml"))
    job = started_job(offline, offline.post("/sources/feeds/sync", follow_redirects=False))
    assert job.state == "failed"
    assert job.message.startswith("Sync 1 feed(s) failed:") and "404" in job.message
    page = offline.get("/sources")
    assert page.status_code == 200
    assert f'data-job="{job.id}" data-state="failed"' in page.text and "404" in page.text


def test_ingest_a_snapshot(offline: TestClient, web_lib: Library, tmp_path: Path) -> None:
    snapshot = write_snapshot(tmp_path / "snap.jsonl",
                              [synthetic_record(i) for i in range(1, 31)])
    before = len(web_lib)
    job = started_job(offline, offline.post("/sources/ingest", data={"path": str(snapshot)},
                                            follow_redirects=False))
    assert job.state == "done", job.message
    assert "ingested 30 papers from snap.jsonl" in job.message and job.label == "Ingest snap.jsonl"
    assert len(web_lib) == before + 30
    assert web_lib.get("2502.00001") is not None
    page = offline.get("/library", params={"q": "Ada Lovelace7"}).text
    assert "/paper/2508.00007" in page


@pytest.mark.parametrize(("path", "message"), [
    ("", "Give the path of the arXiv snapshot"),
    ("{tmp}/missing.jsonl.gz", "{tmp}/missing.jsonl.gz: no such file on this computer"),
    ("{tmp}", "{tmp}: is a folder, not a file"),
])
def test_ingest_checks_the_path(offline: TestClient, tmp_path: Path, path: str,
                                message: str) -> None:
    r = offline.post("/sources/ingest", data={"path": path.format(tmp=tmp_path)})
    assert r.status_code == 400
    assert error_of(r.text).startswith(message.format(tmp=tmp_path))
    assert offline.app.state.jobs.all() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Give an arXiv category"),
    ({"category": "not a category"}, "is not an arXiv category"),
    ({"category": "cs.LG", "since": "yesterday"}, "is not a date"),
])
def test_arxiv_sync_checks_its_form(offline: TestClient, data: dict[str, str],
                                    message: str) -> None:
    r = offline.post("/sources/arxiv", data=data)
    assert r.status_code == 400 and message in error_of(r.text)


def test_arxiv_sync_fails_politely_offline(offline: TestClient) -> None:
    job = started_job(offline, offline.post("/sources/arxiv", data={"category": "cs.LG"},
                                            follow_redirects=False))
    assert job.state == "failed" and job.label == "Sync arXiv cs.LG"
    assert job.message.startswith("Sync arXiv cs.LG failed:") and "connect" in job.message
    assert offline.get("/sources").status_code == 200


def test_arxiv_sync_fetches_papers(offline: TestClient, web_lib: Library,
                                   httpserver: HTTPServer,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    fake = FakeArxiv(papers=[ApiPaper(
        arxiv_id=f"2611.{90000 + i}", title=f"Synced paper number {i} on sparse routing",
        abstract="We route tokens sparsely and measure the speed.", authors=["Kim Lee"],
        categories=["cs.LG"], submitted=now - timedelta(days=1, hours=i)) for i in range(3)])
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    monkeypatch.setenv("PAPERPATH_ARXIV_API", httpserver.url_for("/api/query"))
    since = (now - timedelta(days=3)).date().isoformat()
    job = started_job(offline, offline.post("/sources/arxiv", data={
        "category": "cs.LG", "query": "sparse", "since": since}, follow_redirects=False))
    assert job.state == "done", job.message
    assert job.message.startswith("fetched 3 papers: 3 new")
    assert web_lib.get("2611.90001") is not None


def test_embed_and_analyze_jobs(offline: TestClient, web_lib: Library) -> None:
    job = started_job(offline, offline.post("/sources/analyze", follow_redirects=False))
    assert job.state == "done", job.message
    assert job.message.startswith(f"analysed {len(web_lib):,} papers")
    job = started_job(offline, offline.post("/sources/embed", follow_redirects=False))
    assert job.state == "done", job.message
    assert job.message.startswith(f"embedded {len(web_lib):,} papers")
    page = offline.get("/sources").text
    # Stats count the guides and vectors; the jobs list both, finished.
    assert f"<b>{len(web_lib):,}</b> reading guides ready" in page
    assert f"<b>{len(web_lib):,}</b> with embeddings" in page
    assert len(re.findall(r'data-job="[\w-]+" data-state="done"', page)) == 2


def test_a_second_job_of_a_kind_joins_the_running_one(offline: TestClient,
                                                      web_lib: Library) -> None:
    import threading

    gate = threading.Event()

    def slow(lib: Library, report: Any) -> str:
        gate.wait(10)
        return "finished"

    jobs = offline.app.state.jobs  # type: ignore[attr-defined]
    running = jobs.start("analyze", "Precompute reading guides", slow)
    r = offline.post("/sources/analyze", follow_redirects=False)
    assert r.headers["location"] == f"/sources?msg=job-running&job={running.id}"
    page = offline.get(r.headers["location"]).text
    assert "already running" in page and f'data-job="{running.id}" data-state="running"' in page
    assert page.index(f'data-job="{running.id}"') < page.index("Feeds you follow")
    gate.set()
    assert jobs.wait(running.id).state == "done"


BIB = """@article{smith2024,
  title = {Learning to Read Papers Weekly},
  author = {Smith, Ann and Lee, Bo},
  year = {2024},
  journal = {Journal of Tests},
}

@misc{notitle,
  author = {Nobody},
  year = {2020},
}
"""


def test_upload_bibtex(offline: TestClient, web_lib: Library) -> None:
    r = offline.post("/sources/import", files={"file": ("my refs.bib", BIB.encode(),
                                                        "application/x-bibtex")},
                     follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sources?msg=imported&result=")
    page = offline.get(r.headers["location"]).text
    assert "Imported my_refs.bib" in page
    assert "<b>1</b> added" in page and "<b>1</b> skipped" in page and "(of 2 entries)" in page
    assert "notitle" in page  # the skipped entry, with its line
    assert [h.paper.title for h in web_lib.search("read papers weekly", limit=1)] == [
        "Learning to Read Papers Weekly"]


def test_upload_a_pdf(offline: TestClient, web_lib: Library) -> None:
    pdf = build_pdf([["A Tiny Study of Weekly Paper Reading", "Ann Smith",
                      "Abstract. We study how reading two papers a week adds up."]],
                    title="A Tiny Study of Weekly Paper Reading")
    r = offline.post("/sources/import", files={"file": ("study.pdf", pdf, "application/pdf")},
                     follow_redirects=False)
    assert r.status_code == 303
    page = offline.get(r.headers["location"]).text
    assert "Imported study.pdf" in page and "PDF:" in page and "1 pages" in page
    assert web_lib.stats()["with_full_text"] == 1
    kept = list(Path(str(web_lib.engine.url.database) + "-pdfs").glob("*-study.pdf"))
    assert len(kept) == 1  # the text links to a file that stays


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.txt", b"just notes", "notes.txt: not a BibTeX (.bib) or PDF (.pdf) file"),
    ("paper.docx", b"PK\x03\x04", "paper.docx: not a BibTeX (.bib) or PDF (.pdf) file"),
    ("fake.pdf", b"this is not a pdf", "fake.pdf"),
    ("empty.bib", b"", "empty.bib: the file is empty"),
    ("junk.bib", b"no entries here at all", "junk.bib"),
])
def test_upload_refuses_other_files(offline: TestClient, name: str, content: bytes,
                                    message: str) -> None:
    r = offline.post("/sources/import", files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == 400
    assert error_of(r.text).startswith(message)
    assert "paperpath-upload" not in r.text and "-pdfs/" not in r.text  # no server paths
