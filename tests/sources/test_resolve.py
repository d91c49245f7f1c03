"""`Library.add` dispatch: arXiv ids and URLs, DOIs, BibTeX entries, .bib and .pdf paths.

The arXiv fetch runs against a local HTTP server (pytest-httpserver on 127.0.0.1) serving a
small Atom document; $PAPERPATH_ARXIV_API points the arXiv client at it.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

sys.path.insert(0, str(Path(__file__).parent))  # the helper module next to this file

from pdf_helpers import ARXIV_PAPER, build_pdf

from paperpath.library import Library
from paperpath.records import Paper, PaperRecord
from paperpath.sources.resolve import AddError, ArxivFetchError, record_for

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query: id_list</title>
  <id>http://arxiv.org/api/test</id>
  <updated>2024-03-20T00:00:00-04:00</updated>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  {entries}
</feed>
"""
ENTRY = """<entry>
    <id>http://arxiv.org/abs/2403.01234v2</id>
    <updated>2024-03-18T12:00:00Z</updated>
    <published>2024-03-02T09:30:00Z</published>
    <title>Tiny Experts Are Enough
      for Sparse Routing</title>
    <summary>We show that tiny experts route well.
      Code: https://github.com/example/tiny-experts</summary>
    <author><name>Ada Lovelace</name></author>
    <author><name>Alan Turing</name></author>
    <arxiv:comment>12 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/2403.01234v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2403.01234v2" rel="related"
          type="application/pdf"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "lib.db")
    yield lib
    lib.close()


@pytest.fixture
def fast_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The arXiv client without its 3 s politeness gap and retries (tests only)."""
    arxiv_api = pytest.importorskip("paperpath.sources.arxiv_api")
    from paperpath.sources.http import PoliteClient

    client = PoliteClient(min_interval=0.0, host_intervals={}, tries=1, connect_timeout=2.0,
                          read_timeout=2.0)
    real = arxiv_api.fetch_records
    # Only the documented signature is relied on: fetch_records(ids, *, client=...).
    monkeypatch.setattr(arxiv_api, "fetch_records",
                        lambda ids, **kw: real(ids, **{**kw, "client": client}))
    yield
    client.close()


@pytest.fixture
def arxiv_server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
                 fast_client: None) -> HTTPServer:
    monkeypatch.setenv("PAPERPATH_ARXIV_API", httpserver.url_for("/api/query"))
    return httpserver


@pytest.fixture
def dead_arxiv(monkeypatch: pytest.MonkeyPatch, fast_client: None) -> None:
    """$PAPERPATH_ARXIV_API on a local port nothing listens on: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PAPERPATH_ARXIV_API", f"http://127.0.0.1:{port}/api/query")


def serve_atom(server: HTTPServer, entries: str, total: int) -> None:
    server.expect_request("/api/query").respond_with_data(
        ATOM.format(entries=entries, total=total), content_type="application/atom+xml")


def add_tiny_experts(lib: Library) -> Paper:
    return lib.add(PaperRecord(title="Tiny Experts Are Enough for Sparse Routing",
                               arxiv_id="2403.01234", authors=["Ada Lovelace"],
                               source="snapshot"))


# ---- arXiv ids and URLs -------------------------------------------------------------------

@pytest.mark.parametrize("item", [
    "2403.01234", "2403.01234v2", "arXiv:2403.01234", "arxiv:2403.01234v1",
    " https://arxiv.org/abs/2403.01234v3 ", "https://arxiv.org/pdf/2403.01234v1",
    "http://arxiv.org/pdf/2403.01234", "https://arxiv.org/html/2403.01234v2",
    "arxiv.org/abs/2403.01234", "10.48550/arXiv.2403.01234", "doi:10.48550/ARXIV.2403.01234",
])
def test_arxiv_forms_find_existing_paper(library: Library, item: str) -> None:
    paper = add_tiny_experts(library)
    found = record_for(library, item)
    assert isinstance(found, Paper) and found.pk == paper.pk
    assert library.add(item).pk == paper.pk and len(library) == 1


def test_old_style_id_existing(library: Library) -> None:
    paper = library.add(PaperRecord(title="Old Strings", arxiv_id="hep-th/9901001"))
    assert library.add("hep-th/9901001v2").pk == paper.pk
    assert library.add("https://arxiv.org/abs/hep-th/9901001").pk == paper.pk


def test_arxiv_id_fetched_from_api(library: Library, arxiv_server: HTTPServer) -> None:
    serve_atom(arxiv_server, ENTRY, 1)
    paper = library.add("https://arxiv.org/abs/2403.01234v2")
    assert paper.id == "2403.01234"
    assert paper.title == "Tiny Experts Are Enough for Sparse Routing"
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert paper.categories == ["cs.LG", "cs.AI"]
    assert paper.code_urls == ["https://github.com/example/tiny-experts"]
    [request] = [req for req, _ in arxiv_server.log]
    assert request.args.get("id_list") == "2403.01234"
    # Now in the library: asking again does not call the API.
    assert library.add("2403.01234").pk == paper.pk
    assert len(arxiv_server.log) == 1


def test_arxiv_id_unknown_to_arxiv(library: Library, arxiv_server: HTTPServer) -> None:
    serve_atom(arxiv_server, "", 0)
    with pytest.raises(ArxivFetchError) as err:
        library.add("2403.09999")
    assert str(err.value) == "2403.09999: arXiv has no paper with this id"
    assert len(library) == 0


def test_arxiv_api_down(library: Library, dead_arxiv: None) -> None:
    with pytest.raises(ArxivFetchError) as err:
        library.add("2403.01234")
    message = str(err.value)
    assert message.startswith("2403.01234: not in the library, and fetching it from arXiv "
                              "failed:")
    assert "connection refused" in message and "\n" not in message
    assert len(library) == 0


def test_arxiv_api_broken_answer(library: Library, arxiv_server: HTTPServer) -> None:
    arxiv_server.expect_request("/api/query").respond_with_data("<html>oops</html>",
                                                                content_type="text/html")
    with pytest.raises(ArxivFetchError, match="fetching it from arXiv failed"):
        library.add("2403.01234")


def test_arxiv_api_module_missing(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail as if the module did not exist.
    monkeypatch.setitem(sys.modules, "paperpath.sources.arxiv_api", None)
    with pytest.raises(ArxivFetchError) as err:
        library.add("2403.01234")
    assert str(err.value).startswith("2403.01234: not in the library, and fetching from "
                                     "arXiv is not available")


# ---- DOIs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("item", [
    "10.1038/nature14539", "10.1038/NATURE14539", "doi:10.1038/nature14539",
    "https://doi.org/10.1038/nature14539", "http://dx.doi.org/10.1038/nature14539",
])
def test_doi_forms_find_existing_paper(library: Library, item: str) -> None:
    paper = library.add(PaperRecord(title="Deep learning", doi="10.1038/nature14539"))
    assert library.add(item).pk == paper.pk and len(library) == 1


def test_unknown_doi_explains_how_to_add_it(library: Library) -> None:
    with pytest.raises(AddError) as err:
        library.add("doi:10.5555/unknown.1")
    message = str(err.value)
    assert message.startswith("doi:10.5555/unknown.1: no paper with DOI 10.5555/unknown.1")
    assert "BibTeX" in message and "\n" not in message


# ---- BibTeX, files, junk ------------------------------------------------------------------

def test_bibtex_entry_string(library: Library) -> None:
    entry = """@inproceedings{he2016,
        title = {Deep Residual Learning for Image Recognition},
        author = {He, Kaiming and Zhang, Xiangyu},
        doi = {10.1109/CVPR.2016.90}, year = 2016}"""
    rec = record_for(library, entry)
    assert isinstance(rec, PaperRecord) and rec.source == "bibtex"
    paper = library.add(entry)
    assert paper.id == "doi:10.1109/cvpr.2016.90" and paper.year == 2016
    # The DOI now resolves to it.
    assert library.add("10.1109/cvpr.2016.90").pk == paper.pk


def test_bibtex_entry_with_arxiv_id_merges_into_existing(library: Library) -> None:
    paper = add_tiny_experts(library)
    merged = library.add("@misc{t, title={Tiny Experts Are Enough for Sparse Routing}, "
                         "eprint={2403.01234}, archivePrefix={arXiv}, year={2024}}")
    assert merged.pk == paper.pk and merged.sources == ["bibtex", "snapshot"]


def test_pdf_path_is_imported(library: Library, tmp_path: Path, arxiv_server: HTTPServer
                              ) -> None:
    serve_atom(arxiv_server, ENTRY, 1)
    pdf = tmp_path / "tiny.pdf"
    pdf.write_bytes(build_pdf(ARXIV_PAPER))
    paper = library.add(str(pdf))
    assert paper.id == "2403.01234" and paper.categories == ["cs.LG", "cs.AI"]  # fetched
    assert library.add(pdf).pk == paper.pk and len(library) == 1


def test_pdf_path_with_arxiv_down_keeps_pdf_title(library: Library, tmp_path: Path,
                                                  dead_arxiv: None) -> None:
    pdf = tmp_path / "tiny.pdf"
    pdf.write_bytes(build_pdf(ARXIV_PAPER))
    paper = library.add(pdf)
    assert paper.id == "2403.01234" and paper.sources == ["pdf"]
    assert paper.title == "Tiny Experts Are Enough for Sparse Routing"


def test_file_errors(library: Library, tmp_path: Path) -> None:
    with pytest.raises(AddError, match=r"absent\.bib: no such file"):
        library.add(str(tmp_path / "absent.bib"))
    with pytest.raises(AddError, match=r"absent\.pdf: no such file"):
        library.add(tmp_path / "absent.pdf")
    fake = tmp_path / "paper.pdf"
    fake.write_text("I am text wearing a .pdf name")
    with pytest.raises(AddError) as err:
        library.add(fake)
    assert str(err.value) == f"{fake}: not a PDF (no %PDF header)"
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(AddError, match=r"notes\.txt: not a PDF or BibTeX file"):
        library.add(notes)
    sniffed = tmp_path / "download"  # a PDF without the extension is still a PDF
    sniffed.write_bytes(build_pdf([["A Paper Saved Without Extension", "Some body text."]]))
    assert library.add(sniffed).title == "A Paper Saved Without Extension"


@pytest.mark.parametrize("item", ["hello world", "2413.01234", "1234", "see arXiv:2403.01234",
                                  "x" * 500])
def test_junk_names_the_input(library: Library, item: str) -> None:
    with pytest.raises(AddError) as err:
        library.add(item)
    message = str(err.value)
    assert "not an arXiv id or URL, a DOI, a BibTeX entry, or a .bib / .pdf file" in message
    assert item[:50] in message and "\n" not in message and len(message) < 400


def test_empty_input(library: Library) -> None:
    with pytest.raises(AddError, match="nothing to add"):
        library.add("   ")


def test_canon_paper_gets_its_real_abstract_when_added_online(
        library: Library, arxiv_server: HTTPServer) -> None:
    seeded = library.add(PaperRecord(title="Tiny Experts Are Enough for Sparse Routing",
                                     arxiv_id="2403.01234", abstract="Our one-line summary.",
                                     authors=["Ada Lovelace"], source="canon"))
    serve_atom(arxiv_server, ENTRY, 1)
    paper = library.add("2403.01234")
    assert paper.pk == seeded.pk and paper.abstract != "Our one-line summary."
    assert paper.sources == ["arxiv-api", "canon"]


def test_canon_paper_kept_when_offline(library: Library, dead_arxiv: None) -> None:
    seeded = library.add(PaperRecord(title="Tiny Experts Are Enough for Sparse Routing",
                                     arxiv_id="2403.01234", abstract="Our one-line summary.",
                                     source="canon"))
    assert library.add("2403.01234").abstract == seeded.abstract
