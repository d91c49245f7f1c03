"""PDF import: text extraction, identification, storage, and hostile or broken files."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))  # the helper module next to this file

from pdf_helpers import ARXIV_PAPER, PLAIN_PAPER, build_pdf, encrypt_pdf

from paperpath.library import Library
from paperpath.records import PaperRecord
from paperpath.sources.pdf import (
    PdfError,
    clean_pdf_text,
    find_pdf_arxiv_id,
    import_pdf,
    import_pdf_result,
    read_pdf,
)
from paperpath.store.schema import paper_texts


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "lib.db")
    yield lib
    lib.close()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any arXiv fetch in these tests must fail fast and locally, never reach the network."""
    from paperpath.sources import resolve

    def refuse(arxiv_id: str) -> PaperRecord:
        raise resolve.ArxivFetchError(f"{arxiv_id}: offline in tests")

    monkeypatch.setattr(resolve, "fetch_arxiv_record", refuse)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def texts(lib: Library) -> list[dict]:
    with lib.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(paper_texts))]


def paper_count(lib: Library) -> int:
    return len(lib)


# ---- reading ------------------------------------------------------------------------------

def test_read_pdf_extracts_all_pages_and_cleans_whitespace(tmp_path: Path) -> None:
    path = write(tmp_path, "p.pdf", build_pdf(ARXIV_PAPER))
    content = read_pdf(path)
    assert content.pages == 2 and content.pages_read == 2
    assert content.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "Tiny Experts Are Enough for Sparse Routing" in content.text
    assert "1 Introduction" in content.text  # page 2 is there too
    assert "representation per expert" in content.text  # hyphenated line break rejoined
    assert content.first_page.startswith("arXiv:2403.01234v2")
    assert content.notes == []


def test_clean_pdf_text() -> None:
    raw = "  Deep\t\tlearn-\ning \x00 works\r\n\r\n\r\n\r\nNext  \u00a0 para \n"
    assert clean_pdf_text(raw) == "Deep learning works\n\nNext para"
    # Capitalised continuations are not rejoined: "Self-\nAttention" keeps its hyphen.
    assert clean_pdf_text("Self-\nAttention") == "Self-\nAttention"
    # Lone surrogates from broken font maps cannot be stored as UTF-8: dropped.
    assert clean_pdf_text("x\ud835y") == "xy"


def test_file_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from paperpath.sources import pdf as pdf_mod

    monkeypatch.setattr(pdf_mod, "MAX_BYTES", 100)
    path = write(tmp_path, "big.pdf", build_pdf(ARXIV_PAPER))
    with pytest.raises(PdfError, match=r"big\.pdf: too large"):
        read_pdf(path)


def test_page_and_character_caps(tmp_path: Path) -> None:
    pages = [[f"Page {i} says something long enough to count as text."] for i in range(5)]
    path = write(tmp_path, "long.pdf", build_pdf(pages))
    content = read_pdf(path, max_pages=2)
    assert content.pages == 5 and content.pages_read == 2
    assert "Page 1 says" in content.text and "Page 2 says" not in content.text
    assert content.notes == ["only the first 2 of 5 pages were read"]

    content = read_pdf(path, max_chars=70)
    assert len(content.text) <= 70
    assert any("text truncated at 70 characters" in n for n in content.notes)


@pytest.mark.parametrize("data, message", [
    (b"Just some notes, not a PDF at all.\n", "not a PDF (no %PDF header)"),
    (b"", "empty file"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "corrupt or truncated PDF"),
])
def test_bad_files_raise_one_line_errors(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path, "paper.pdf", data)
    with pytest.raises(PdfError) as err:
        read_pdf(path)
    text = str(err.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_truncated_pdf(tmp_path: Path) -> None:
    data = build_pdf(ARXIV_PAPER)
    path = write(tmp_path, "cut.pdf", data[: len(data) // 2])
    with pytest.raises(PdfError, match=r"cut\.pdf: corrupt"):
        read_pdf(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="no such file"):
        read_pdf(tmp_path / "absent.pdf")
    with pytest.raises(PdfError, match="is a directory"):
        read_pdf(tmp_path)


def test_encrypted_pdf_needing_password(tmp_path: Path) -> None:
    path = write(tmp_path, "paper.pdf", encrypt_pdf(build_pdf(PLAIN_PAPER), "secret"))
    with pytest.raises(PdfError) as err:
        read_pdf(path)
    assert str(err.value) == f"{path}: encrypted PDF (needs a password)"


def test_encrypted_pdf_with_empty_user_password_opens(tmp_path: Path) -> None:
    # Owner-password-only PDFs (print/copy restrictions) open without asking anyone.
    path = write(tmp_path, "restricted.pdf",
                 encrypt_pdf(build_pdf(PLAIN_PAPER), "", owner_password="owner"))
    assert "Learning to Forget Gracefully" in read_pdf(path).text


def test_scanned_pdf_without_text(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", build_pdf([None, None]))
    with pytest.raises(PdfError, match=r"scan\.pdf: no extractable text"):
        read_pdf(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk=st.binary(max_size=400), cut=st.integers(min_value=0, max_value=3000))
def test_hostile_bytes_only_raise_pdf_error(tmp_path_factory: pytest.TempPathFactory,
                                            junk: bytes, cut: int) -> None:
    """Garbage after a PDF header, or a real PDF cut anywhere, never escapes as another
    exception type."""
    base = build_pdf(ARXIV_PAPER)
    folder = tmp_path_factory.mktemp("hostile")
    for data in (b"%PDF-1.4\n" + junk, base[:cut] + junk):
        path = write(folder, "h.pdf", data)
        try:
            read_pdf(path)
        except PdfError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)


# ---- identifying --------------------------------------------------------------------------

def test_arxiv_stamp_wins_over_references(tmp_path: Path) -> None:
    content = read_pdf(write(tmp_path, "x.pdf", build_pdf(ARXIV_PAPER)))
    assert find_pdf_arxiv_id(content) == "2403.01234"  # not 1706.03762 from the references


@pytest.mark.parametrize("stamp", [
    "2403.01234v1 [cs.CL] 1 Mar 2024",  # the "arXiv:" prefix lost in extraction
    "arXiv:2403.01234",
    "arXiv: hep-th/9901001v1 [hep-th]",
])
def test_stamp_variants(tmp_path: Path, stamp: str) -> None:
    pdf = build_pdf([[stamp, "A Title Long Enough Here", "Body text of the paper."]])
    content = read_pdf(write(tmp_path, "s.pdf", pdf))
    expected = "hep-th/9901001" if "hep-th" in stamp else "2403.01234"
    assert find_pdf_arxiv_id(content) == expected


def test_arxiv_id_from_metadata_and_file_name(tmp_path: Path) -> None:
    body = [["Some Paper Title Here", "No identifiers in the text at all."]]
    content = read_pdf(write(tmp_path, "a.pdf", build_pdf(body, subject="arXiv:2402.00042")))
    assert find_pdf_arxiv_id(content) == "2402.00042"
    content = read_pdf(write(tmp_path, "2401.00777v3.pdf", build_pdf(body)))
    assert find_pdf_arxiv_id(content) == "2401.00777"
    content = read_pdf(write(tmp_path, "notes-2024.pdf", build_pdf(body)))
    assert find_pdf_arxiv_id(content) is None


# ---- importing ----------------------------------------------------------------------------

def test_plain_pdf_becomes_new_paper_with_text(tmp_path: Path, library: Library) -> None:
    path = write(tmp_path, "forget.pdf",
                 build_pdf(PLAIN_PAPER, title="Microsoft Word - draft7.docx"))
    res = import_pdf_result(library, path)
    paper = res.paper
    # Junk metadata title and the venue header line are skipped.
    assert paper.title == "Learning to Forget Gracefully"
    assert paper.doi == "10.5555/forget.2024.17"  # the labelled DOI, not the one cited later
    assert paper.kind == "paper" and paper.sources == ["pdf"] and paper.arxiv_id is None
    assert res.matched == "new"
    [row] = texts(library)
    assert row["paper_pk"] == paper.pk and row["pages"] == 1
    assert row["pdf_path"] == str(path.resolve())
    assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "We study forgetting" in row["text"]


def test_metadata_title_preferred_when_plausible(tmp_path: Path, library: Library) -> None:
    path = write(tmp_path, "t.pdf", build_pdf(PLAIN_PAPER, title="Forgetting, Gracefully"))
    assert library.import_pdf(path).title == "Forgetting, Gracefully"


def test_reimport_same_file_updates_text_not_papers(tmp_path: Path, library: Library) -> None:
    path = write(tmp_path, "forget.pdf", build_pdf(PLAIN_PAPER))
    first = import_pdf(library, path)
    second = import_pdf_result(library, path)
    assert second.paper.pk == first.pk and second.matched == "file"
    assert paper_count(library) == 1 and len(texts(library)) == 1


def test_pdf_attaches_to_existing_arxiv_paper(tmp_path: Path, library: Library) -> None:
    existing = library.add(PaperRecord(title="Tiny Experts Are Enough for Sparse Routing",
                                       arxiv_id="2403.01234", authors=["Ada Lovelace"],
                                       source="arxiv-api"))
    res = import_pdf_result(library, write(tmp_path, "x.pdf", build_pdf(ARXIV_PAPER)))
    assert res.paper.pk == existing.pk and res.matched == "arxiv"
    assert paper_count(library) == 1
    assert texts(library)[0]["paper_pk"] == existing.pk
    assert res.paper.sources == ["arxiv-api"]  # attaching text does not rewrite the paper


def test_pdf_attaches_by_doi_and_by_unique_title(tmp_path: Path, library: Library) -> None:
    by_doi = library.add(PaperRecord(title="Graceful Forgetting (journal version)",
                                     doi="10.5555/FORGET.2024.17", source="bibtex"))
    res = import_pdf_result(library, write(tmp_path, "a.pdf", build_pdf(PLAIN_PAPER)))
    assert (res.paper.pk, res.matched) == (by_doi.pk, "doi")

    other = library.add(PaperRecord(title="Robust Policies Without Tears",
                                    authors=["Jane Doe"], source="bibtex"))
    pdf = build_pdf([["Robust Policies Without Tears", "Jane Doe", "We make policies."]])
    res = import_pdf_result(library, write(tmp_path, "b.pdf", pdf))
    assert (res.paper.pk, res.matched) == (other.pk, "title")
    assert paper_count(library) == 2


def test_ambiguous_title_is_left_to_the_writers_dedup(tmp_path: Path,
                                                      library: Library) -> None:
    # Two papers share the title, so the PDF is not attached by title; the writer then merges
    # the PDF's author-less record into the author-less paper (same title key).
    bare = library.add(PaperRecord(title="Robust Policies Without Tears", source="bibtex"))
    library.add(PaperRecord(title="Robust Policies Without Tears", authors=["Jane Doe"],
                            source="bibtex"))
    pdf = build_pdf([["Robust Policies Without Tears", "We make policies."]])
    res = import_pdf_result(library, write(tmp_path, "c.pdf", pdf))
    assert (res.paper.pk, res.matched) == (bare.pk, "merged")
    assert res.paper.sources == ["bibtex", "pdf"] and paper_count(library) == 2


def test_arxiv_pdf_not_in_library_falls_back_to_pdf_title(tmp_path: Path,
                                                          library: Library) -> None:
    res = import_pdf_result(library, write(tmp_path, "x.pdf", build_pdf(ARXIV_PAPER)))
    paper = res.paper
    assert paper.arxiv_id == "2403.01234" and paper.id == "2403.01234"
    assert paper.title == "Tiny Experts Are Enough for Sparse Routing"
    assert res.matched == "new"
    assert any("arXiv metadata not fetched" in n and "offline in tests" in n for n in res.notes)


def test_arxiv_pdf_uses_fetched_metadata(tmp_path: Path, library: Library,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from paperpath.sources import resolve

    calls: list[str] = []

    def fake_fetch(arxiv_id: str) -> PaperRecord:
        calls.append(arxiv_id)
        return PaperRecord(title="Tiny Experts (from arXiv)", arxiv_id=arxiv_id,
                           authors=["Ada Lovelace", "Alan Turing"], categories=["cs.LG"],
                           source="arxiv-api")

    monkeypatch.setattr(resolve, "fetch_arxiv_record", fake_fetch)
    path = write(tmp_path, "x.pdf", build_pdf(ARXIV_PAPER))
    paper = library.import_pdf(path, fetch=False)
    assert calls == [] and paper.title == "Tiny Experts Are Enough for Sparse Routing"
    path2 = write(tmp_path, "2403.05555.pdf", build_pdf([["Another paper body text."]]))
    paper = library.import_pdf(path2)
    assert calls == ["2403.05555"]
    assert paper.title == "Tiny Experts (from arXiv)" and paper.categories == ["cs.LG"]


def test_failed_import_writes_nothing(tmp_path: Path, library: Library) -> None:
    for data in (b"not a pdf", encrypt_pdf(build_pdf(PLAIN_PAPER), "pw"), build_pdf([None])):
        with pytest.raises(PdfError):
            library.import_pdf(write(tmp_path, "bad.pdf", data))
    assert paper_count(library) == 0 and texts(library) == []


def test_text_write_is_atomic_with_paper(tmp_path: Path, library: Library,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from paperpath.sources import pdf as pdf_mod

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pdf_mod, "_store_text", boom)
    with pytest.raises(RuntimeError):
        library.import_pdf(write(tmp_path, "x.pdf", build_pdf(PLAIN_PAPER)))
    with library.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(paper_texts)).scalar() == 0
    assert paper_count(library) == 0  # the paper row was rolled back with the text


# ---- CLI ----------------------------------------------------------------------------------

def test_cli_import_pdfs(tmp_path: Path) -> None:
    from paperpath.cli.app import app

    good = write(tmp_path, "good.pdf", build_pdf(PLAIN_PAPER))
    locked = write(tmp_path, "locked.pdf", encrypt_pdf(build_pdf(PLAIN_PAPER), "pw"))
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(good), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    import orjson

    [out] = orjson.loads(result.stdout)
    assert out["ok"] and out["kind"] == "pdf" and out["added"] == 1
    assert out["title"] == "Learning to Forget Gracefully" and out["pages"] == 1

    result = runner.invoke(app, ["import", str(good), str(locked), "--db", db, "--json"])
    assert result.exit_code == 1
    first, second = orjson.loads(result.stdout)
    assert first["ok"] and first["merged"] == 1 and first["matched"] == "file"
    assert not second["ok"] and second["error"] == f"{locked}: encrypted PDF (needs a password)"

    result = runner.invoke(app, ["import", str(good), "--db", db])
    assert result.exit_code == 0 and "attached" in result.stdout
