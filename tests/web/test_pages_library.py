"""The library page: search and browse with filters, snippets, pagination, bad input."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperpath.library import Library
from paperpath.records import PaperRecord
from paperpath.store.schema import paper_analysis

RECENT = ["2611.00003", "2611.00002", "2611.00001"]  # conftest's papers, newest first


def result_ids(html: str) -> list[str]:
    """Paper ids of the result list, in order."""
    block = html.split('<ol class="results"', 1)[1].split("</ol>", 1)[0] \
        if '<ol class="results"' in html else ""
    return re.findall(r'<h2><a href="/paper/([^"]+)"', block)


def error_of(html: str) -> str:
    found = re.findall(r'<p class="error" role="alert">([^<]*)</p>', html)
    return found[0] if found else ""


def test_browse_lists_the_newest_papers_first(client: TestClient) -> None:
    r = client.get("/library")
    assert r.status_code == 200
    ids = result_ids(r.text)
    assert ids[:3] == RECENT and len(ids) == 20
    assert "Newest first" in r.text and "1–20" in r.text
    page = r.text
    assert '<form method="get" action="/library"' in page and 'role="search"' in page
    for control in ("q", "category", "area", "since", "until", "difficulty", "code", "read"):
        assert f'<label for="{control}">' in page and f'id="{control}"' in page
    # Meta line: date, categories, code link.
    assert "2026-11-02 · cs.CV cs.LG" in page
    assert 'href="https://github.com/example/fastvid" rel="noopener">code</a>' in page


def test_search_ranks_and_highlights(client: TestClient) -> None:
    r = client.get("/library", params={"q": "diffusion video"})
    assert r.status_code == 200
    ids = result_ids(r.text)
    assert ids[0] == "2611.00001"
    assert "Best matches" in r.text
    assert "<mark>Video</mark>" in r.text and "<mark>Diffusion</mark>" in r.text
    assert 'value="diffusion video"' in r.text  # the box keeps the query


@pytest.mark.parametrize(("params", "expected"), [
    ({"category": "cs.CL"}, ["2611.00003"]),
    ({"area": "cs.CV"}, ["2611.00001"]),
    ({"category": "cs.CL", "area": "cs.CV"}, ["2611.00003", "2611.00001"]),  # any of them
    ({"since": "2026-11-04", "until": "2026-11-06"}, ["2611.00002"]),
    ({"since": "2026-11"}, RECENT),
    ({"code": "yes"}, ["2611.00001"]),
])
def test_filters_filter(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    r = client.get("/library", params=params)
    assert r.status_code == 200
    assert result_ids(r.text) == expected
    assert "(filtered)" in r.text and "Filters (active)" in r.text


def test_filters_apply_to_a_search_too(client: TestClient) -> None:
    words = {"q": "benchmark"}
    everything = result_ids(client.get("/library", params=words).text)
    assert {"2611.00001", "2611.00002"} <= set(everything)
    assert result_ids(client.get("/library", params={**words, "category": "cs.LG",
                                                     "code": "no"}).text) == ["2611.00002"]
    without_code = result_ids(client.get("/library", params={**words, "code": "no"}).text)
    assert "2611.00001" not in without_code and "2611.00002" in without_code


def test_read_and_unread(client: TestClient, web_lib: Library) -> None:
    web_lib.coach.read("2611.00002", minutes=30)
    r = client.get("/library", params={"read": "read"})
    assert result_ids(r.text) == ["2611.00002"]
    assert "read ✓" in r.text
    unread = result_ids(client.get("/library", params={"read": "unread"}).text)
    assert "2611.00002" not in unread and unread[:2] == ["2611.00003", "2611.00001"]
    # With words the reader's filters apply to the ranked hits.
    assert result_ids(client.get("/library", params={"q": "retrieval offline",
                                                     "read": "read"}).text) == ["2611.00002"]
    assert "2611.00002" not in result_ids(
        client.get("/library", params={"q": "retrieval offline", "read": "unread"}).text)


def _level(lib: Library, pid: str) -> int:
    paper = lib.get(pid)
    assert paper is not None
    with lib.engine.connect() as conn:
        return int(conn.execute(select(paper_analysis.c.difficulty)
                                .where(paper_analysis.c.paper_pk == paper.pk)).scalar_one())


def test_difficulty_comes_from_the_stored_analysis(client: TestClient, web_lib: Library) -> None:
    # Before analysis every paper is "unknown" and no level matches.
    assert result_ids(client.get("/library", params={"difficulty": "unknown"}).text)[:3] == RECENT
    r = client.get("/library", params={"difficulty": "3"})
    assert r.status_code == 200 and result_ids(r.text) == [] and "Nothing matches" in r.text

    web_lib.analyze(workers=1)
    level = _level(web_lib, "2611.00001")
    other = 1 if level != 1 else 5
    assert "2611.00001" in result_ids(
        client.get("/library", params={"difficulty": str(level), "area": "cs.CV"}).text)
    assert result_ids(client.get("/library", params={"difficulty": str(other),
                                                     "area": "cs.CV"}).text) == []
    assert result_ids(client.get("/library", params={"difficulty": "unknown"}).text) == []
    # The level shows on the result and the filter works on a search as well.
    r = client.get("/library", params={"q": "video diffusion", "difficulty": str(level)})
    assert result_ids(r.text)[0] == "2611.00001"
    assert f"difficulty {level}/5" in r.text and "<mark>" in r.text
    assert "2611.00001" not in result_ids(
        client.get("/library", params={"q": "video diffusion", "difficulty": str(other)}).text)


def test_pagination_keeps_the_filters(client: TestClient) -> None:
    first = client.get("/library", params={"q": "learning", "code": "no"})
    ids1 = result_ids(first.text)
    assert len(ids1) == 20
    nxt = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert nxt is not None and 'rel="prev"' not in first.text
    url = nxt.group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert query == {"q": ["learning"], "code": ["no"], "page": ["2"]}
    second = client.get(url)
    assert second.status_code == 200
    ids2 = result_ids(second.text)
    assert ids2 and not set(ids1) & set(ids2)
    assert "21–" in second.text and 'rel="prev"' in second.text
    # Browsing pages run on through the whole library without repeats.
    seen: list[str] = []
    for n in (1, 2, 3):
        seen += result_ids(client.get("/library", params={"page": str(n)}).text)
    assert len(seen) == len(set(seen)) == 60
    past = client.get("/library", params={"page": "999"})
    assert past.status_code == 200 and result_ids(past.text) == []
    assert "No more results" in past.text


@pytest.mark.parametrize(("params", "message"), [
    ({"q": "-diffusion"}, "only excludes words"),
    ({"since": "last week"}, "is not a date"),
    ({"page": "two"}, "is not a number"),
    ({"page": "0"}, "pages run from 1"),
    ({"difficulty": "9"}, "choose 1 to 5"),
    ({"code": "maybe"}, "choose yes or no"),
    ({"area": "%"}, "is not a category"),
])
def test_bad_input_is_a_one_line_error(client: TestClient, params: dict[str, str],
                                       message: str) -> None:
    r = client.get("/library", params=params)
    assert r.status_code == 400
    assert message in error_of(r.text) and "\n" not in error_of(r.text)
    assert 'action="/library"' in r.text  # the form stays to fix it
    assert result_ids(r.text) == []


def test_only_common_words_browse_with_a_note(client: TestClient) -> None:
    r = client.get("/library", params={"q": "the of and"})
    assert r.status_code == 200
    assert "only very common words" in r.text and result_ids(r.text)[:3] == RECENT


def test_untrusted_text_is_escaped(client: TestClient, web_lib: Library) -> None:
    web_lib.add_records([PaperRecord(
        title="<script>alert('t')</script> Zebrafish Diffusion",
        abstract="We inject <script>evil()</script> into zebrafish & <b>bold</b> claims.",
        arxiv_id="2611.00099", categories=["q-bio.NC"], code_urls=["javascript:alert(1)"])])
    for params in ({"q": "zebrafish"}, {"area": "q-bio"}):
        page = client.get("/library", params=params).text
        assert result_ids(page) == ["2611.00099"]
        assert "<script>alert" not in page and "<script>evil" not in page
        assert "<b>bold</b>" not in page
        assert "&lt;script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
        assert "javascript:alert" not in page  # only http(s) code links are linked
    assert "<mark>zebrafish</mark>" in client.get("/library", params={"q": "zebrafish"}).text


def test_hybrid_search_is_offered_once_vectors_exist(client: TestClient,
                                                     web_lib: Library) -> None:
    assert 'name="hybrid"' not in client.get("/library").text
    # Asking for it without vectors quietly runs the keyword search.
    r = client.get("/library", params={"q": "video diffusion", "hybrid": "1"})
    assert r.status_code == 200 and result_ids(r.text)[0] == "2611.00001"
    web_lib.embed()
    assert 'name="hybrid"' in client.get("/library").text
    r = client.get("/library", params={"q": "fast video generation", "hybrid": "1"})
    assert r.status_code == 200 and "2611.00001" in result_ids(r.text)
    assert 'name="hybrid" value="1" checked' in r.text


def test_common_categories_fill_the_area_select(client: TestClient) -> None:
    page = client.get("/library").text
    select_html = page.split('<select id="category"', 1)[1].split("</select>", 1)[0]
    for cat in ("cs.CV", "cs.LG", "cs.CL"):
        assert f'<option value="{cat}">' in select_html
    chosen = client.get("/library", params={"category": "cs.CL"}).text
    assert '<option value="cs.CL" selected>' in chosen


def test_hybrid_falls_back_to_keywords_when_the_model_cannot_load(
        client: TestClient, web_lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from paperpath.embed import EmbedderError

    web_lib.embed()

    def broken(*args: object, **kwargs: object) -> None:
        raise EmbedderError("model files missing")

    monkeypatch.setattr(web_lib, "hybrid_search", broken)
    r = client.get("/library", params={"q": "video diffusion", "hybrid": "1"})
    assert r.status_code == 200 and result_ids(r.text)[0] == "2611.00001"
    assert "Hybrid search is unavailable (model files missing)" in r.text
