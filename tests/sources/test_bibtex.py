"""BibTeX / Zotero import: field mapping, problem reports, transactions, add, CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from paperpath.library import Library
from paperpath.records import PaperRecord, RecordError
from paperpath.sources.bibtex import (
    BibtexError,
    ImportReport,
    decode_latex,
    entry_to_record,
    import_bibtex,
    parse_bibtex,
    single_entry_record,
    split_bibtex_authors,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bib"


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "lib.db")
    yield lib
    lib.close()


def record(bib: str) -> PaperRecord:
    parsed = parse_bibtex(bib)
    assert len(parsed.entries) == 1, parsed.problems
    return parsed.entries[0].record


def balanced(report: ImportReport) -> bool:
    return report.added + report.merged + report.skipped == report.entries


# ---- field mapping ------------------------------------------------------------------------

def test_zotero_export(library: Library) -> None:
    report = library.import_bibtex(FIXTURES / "zotero.bib")
    assert (report.entries, report.added, report.merged, report.skipped) == (3, 3, 0, 0)
    assert report.problems == [] and not report.failed

    attention = library.get("1706.03762")  # arXiv DataCite DOI -> arXiv id
    assert attention is not None
    assert attention.title == "Attention Is All You Need"  # {Is} {All} braces removed
    assert attention.authors[:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert attention.authors[5] == "Aidan N. Gomez" and len(attention.authors) == 8
    assert attention.doi is None and attention.year == 2023
    assert attention.published == date(2023, 8, 1)  # month = aug
    assert attention.url is None  # the arxiv.org link is derived from the id
    assert attention.abstract.startswith("The dominant sequence transduction models")
    assert attention.sources == ["bibtex"]

    lecun = library.get("10.1038/nature14539")
    assert lecun is not None
    assert (lecun.venue, lecun.year, lecun.published) == ("Nature", 2015, date(2015, 5, 1))
    assert lecun.url == "https://www.nature.com/articles/nature14539"
    resnet = library.get("doi:10.1109/CVPR.2016.90")
    assert resnet is not None
    assert resnet.venue == ("2016 IEEE Conference on Computer Vision and Pattern "
                            "Recognition (CVPR)")


def test_better_bibtex_biblatex_export(library: Library) -> None:
    report = library.import_bibtex(FIXTURES / "betterbibtex.bib")
    assert (report.added, report.skipped) == (2, 0)
    ddpm = library.get("2006.11239")  # eprint + eprinttype = arXiv
    assert ddpm is not None
    assert ddpm.title == "Denoising Diffusion Probabilistic Models"  # {{...}} removed
    assert ddpm.published == date(2020, 12, 16)  # BibLaTeX date field
    assert ddpm.code_urls == ["https://github.com/hojonathanho/diffusion"]  # from abstract
    schmidhuber = library.get("10.1016/j.neunet.2014.09.003")
    assert schmidhuber is not None
    assert schmidhuber.authors == ["Jürgen Schmidhuber"]  # J{\"u}rgen
    assert schmidhuber.venue == "Neural Networks"  # journaltitle
    assert schmidhuber.title == "Deep Learning in Neural Networks: An Overview"


@pytest.mark.parametrize("fields, expected", [
    ("eprint = {2401.01234v2}, archivePrefix = {arXiv}", "2401.01234"),
    ("eprint = {arXiv:2401.01234}", "2401.01234"),
    ("eprint = {hep-th/9901001}, eprinttype = {arxiv}", "hep-th/9901001"),
    ("arxiv = {2401.01234}", "2401.01234"),
    ("arxivId = {2401.01234}", "2401.01234"),
    ("doi = {10.48550/arXiv.2401.01234}", "2401.01234"),
    ("url = {https://arxiv.org/pdf/2401.01234v3.pdf}", "2401.01234"),
    ("journal = {arXiv preprint arXiv:2401.01234}", "2401.01234"),
    ("journal = {CoRR}, volume = {abs/2401.01234}", "2401.01234"),
    ("journal = {ArXiv}, volume = {abs/2401.01234}", "2401.01234"),
    ("note = {arXiv:2401.01234 [cs]}", "2401.01234"),
    ("eprint = {12345678}, archivePrefix = {PubMed}", None),
    ("note = {Extends arXiv:2401.01234 and arXiv:2401.05678}", None),
    ("url = {https://example.org/paper}", None),
])
def test_arxiv_id_sources(fields: str, expected: str | None) -> None:
    rec = record(f"@misc{{k, title = {{A Paper}}, {fields}}}")
    assert rec.arxiv_id == expected
    if expected:
        assert rec.venue is None  # "arXiv preprint ..." / CoRR are not venues


@pytest.mark.parametrize("fields, year, published", [
    ("year = {2019}", 2019, None),  # a bare year gives no day
    ("year = 2019, month = {3}", 2019, date(2019, 3, 1)),
    ("year = {2019}, month = {March}", 2019, date(2019, 3, 1)),
    ("year = {2019}, month = dec", 2019, date(2019, 12, 1)),
    ("year = {2019}, month = {13}", 2019, None),
    ("date = {2021-07}", 2021, date(2021, 7, 1)),
    ("date = {2021-02-30}", 2021, date(2021, 2, 1)),
    ("year = {in press}", None, None),
])
def test_dates(fields: str, year: int | None, published: date | None) -> None:
    rec = record(f"@article{{k, title = {{Dated}}, {fields}}}")
    assert (rec.year, rec.published) == (year, published)


def test_latex_decoding() -> None:
    assert decode_latex(r"{\"U}ber {N}eural {N}ets") == "Über Neural Nets"
    assert decode_latex(r"\emph{Deep} Learning for $\alpha$-Divergences") == \
        "Deep Learning for α-Divergences"
    assert decode_latex(r"Caf\'e \& Cr{\`e}me, 50\% off") == "Café & Crème, 50% off"
    assert decode_latex("Plain title  with\n spaces") == "Plain title with spaces"
    assert decode_latex("100% literal percent") == "100% literal percent"
    assert decode_latex(r"\url{https://github.com/a/b}") == "https://github.com/a/b"
    assert decode_latex(r"Broken \macro{ with {unbalanced") != ""  # never raises


def test_author_splitting() -> None:
    assert split_bibtex_authors("Vaswani, Ashish and Noam Shazeer and others") == \
        ["Ashish Vaswani", "Noam Shazeer"]
    assert split_bibtex_authors(r"M{\"u}ller, J{\"o}rg and {Google Brain Team}") == \
        ["Jörg Müller", "Google Brain Team"]
    assert split_bibtex_authors("van der Berg, Jan and Smith, Jr., John") == \
        ["Jan van der Berg", "John Smith, Jr."]
    assert split_bibtex_authors("{Barnes and Noble}") == ["Barnes and Noble"]
    assert split_bibtex_authors("") == []


def test_code_links_urls_and_kind() -> None:
    rec = record(r"@inproceedings{k, title={T1}, note={Code: \url{https://github.com/a/b}},"
                 r" url={https://example.org/x\_y}}")
    assert rec.code_urls == ["https://github.com/a/b"]
    assert rec.url == "https://example.org/x_y"  # TeX escape undone, not LaTeX-decoded
    blog = record("@online{b, title={Why Transformers Work}, url={https://blog.example/p}}")
    assert blog.kind == "article"
    assert record("@online{b, title={Preprint}, eprint={2401.01234}}").kind == "paper"


def test_entry_without_title_raises_record_error() -> None:
    with pytest.raises(RecordError, match="no title"):
        entry_to_record("article", "k", {"author": "A, B", "title": "{ }"})


# ---- problems and reporting ---------------------------------------------------------------

def test_mixed_file_reports_problems_with_lines(library: Library) -> None:
    report = library.import_bibtex(FIXTURES / "mixed.bib")
    assert report.entries == 7 and report.skipped == 2 and balanced(report)
    assert report.added == 5 and report.merged == 0
    by_line = {p.line: p for p in report.problems}
    assert by_line[14].key == "notitle2020" and "no title" in by_line[14].message
    assert by_line[20].key == "broken" and "unparsable" in by_line[20].message
    assert by_line[33].key == "kingma2014" and "duplicate key" in by_line[33].message
    assert not by_line[33].skipped and by_line[14].skipped
    assert "first used at line 4" in by_line[33].message
    # Both entries under the duplicate key were imported: they are different papers.
    assert library.get("1312.6114") is not None and library.get("1412.6980") is not None
    # The entry after the unbalanced braces still imported.
    vaswani = library.get("1706.03762")
    assert vaswani is not None and vaswani.authors == ["Ashish Vaswani", "Noam Shazeer",
                                                       "Niki Parmar"]
    bert = library.get("1810.04805")
    assert bert is not None and bert.authors[1] == "Ming-Wei Chang"
    assert str(by_line[14]) == "line 14 (notitle2020): entry has no title"


def test_string_macros_and_merge_within_file(library: Library) -> None:
    report = library.import_bibtex(FIXTURES / "mixed.bib")
    ddpm = [p for p in library.papers() if p.title == "Denoising Diffusion Probabilistic Models"]
    assert len(ddpm) == 1
    assert ddpm[0].venue == "Advances in Neural Information Processing Systems"  # @string
    assert ddpm[0].published == date(2020, 12, 1)
    assert report.pks.count(ddpm[0].pk) == 1


def test_merge_into_existing_and_reimport(library: Library) -> None:
    existing = library.add(PaperRecord(title="Attention Is All You Need", arxiv_id="1706.03762",
                                       authors=["Ashish Vaswani"], categories=["cs.CL"],
                                       source="snapshot"))
    report = library.import_bibtex(FIXTURES / "zotero.bib")
    assert (report.added, report.merged) == (2, 1)
    assert report.pks[0] == existing.pk
    merged = library.get("1706.03762")
    assert merged is not None and merged.sources == ["bibtex", "snapshot"]
    assert merged.categories == ["cs.CL"]

    again = library.import_bibtex(FIXTURES / "zotero.bib")
    assert (again.added, again.merged, again.skipped) == (0, 3, 0)
    assert len(library) == 3


def test_import_is_one_transaction(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    import paperpath.store.writer as writer

    real = writer.write_records

    def write_then_fail(conn, records, now=None):  # type: ignore[no-untyped-def]
        real(conn, records, now)
        raise RuntimeError("crash after writing")

    monkeypatch.setattr(writer, "write_records", write_then_fail)
    with pytest.raises(RuntimeError):
        library.import_bibtex(FIXTURES / "zotero.bib")
    assert len(library) == 0  # nothing half-written


def test_bibtex_text_latin1_and_unreadable_files(library: Library, tmp_path: Path) -> None:
    text = "@article{k1, title = {Inline Source}, author = {Doe, Jane}}"
    report = import_bibtex(library, text)
    assert report.source == "<bibtex>" and report.added == 1

    latin = tmp_path / "old.bib"
    latin.write_bytes("@book{k2, title = {Économie}, author = {Müller, Jörg}}".encode("latin-1"))
    report = library.import_bibtex(latin)
    assert report.added == 1
    assert library.get("Économie") is None  # (keys are not titles)
    [book] = [p for p in library.papers() if p.title == "Économie"]
    assert book.authors == ["Jörg Müller"]

    with pytest.raises(BibtexError, match="no such file"):
        library.import_bibtex(tmp_path / "missing.bib")
    binary = tmp_path / "bin.bib"
    binary.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(BibtexError, match="binary"):
        library.import_bibtex(binary)


def test_file_without_entries_fails(library: Library, tmp_path: Path) -> None:
    notes = tmp_path / "notes.bib"
    notes.write_text("These are my notes, not a bibliography.\n")
    report = library.import_bibtex(notes)
    assert report.failed and report.entries == 0
    assert [str(p) for p in report.problems] == ["?: no BibTeX entries found"]


# ---- single entries for add ---------------------------------------------------------------

def test_add_bibtex_entry_string(library: Library) -> None:
    entry = ("@article{lecun, title={Deep Learning}, author={LeCun, Yann}, "
             "doi={10.1038/nature14539}}")
    paper = library.add(entry)
    assert paper.id == "doi:10.1038/nature14539" and paper.title == "Deep Learning"
    assert library.add(entry).pk == paper.pk and len(library) == 1


def test_single_entry_file_and_errors(library: Library, tmp_path: Path) -> None:
    one = tmp_path / "one.bib"
    one.write_text("@misc{x, title={One Paper}, eprint={2401.01234}, archivePrefix={arXiv}}")
    paper = library.add(str(one))
    assert paper.id == "2401.01234" and paper.title == "One Paper"
    assert library.add(one).pk == paper.pk  # a Path works too

    with pytest.raises(ValueError) as err:
        library.add(str(FIXTURES / "mixed.bib"))
    message = str(err.value)
    assert "holds 7 BibTeX entries" in message and "import_bibtex" in message
    assert "paperpath import" in message and "\n" not in message

    with pytest.raises(BibtexError, match="entry has no title"):
        single_entry_record("@article{x, author={Doe, J}}")


# ---- property tests -----------------------------------------------------------------------

# Characters with no LaTeX or BibTeX meaning: what a title may contain once written with its
# special characters escaped. Letters include non-ASCII ones (ü, 中, ...).
_plain = st.characters(categories=("L", "N", "Zs"), exclude_characters="\x85\xa0") | \
    st.sampled_from(list(".,:;!?()[]/+*=<>|"))
_title = st.text(_plain, min_size=1, max_size=80).filter(lambda t: any(c.isalnum() for c in t))
_name = st.text(st.characters(categories=("L",)), min_size=1, max_size=15)


@settings(max_examples=120, deadline=None)
@given(title=_title, people=st.lists(st.tuples(_name, _name), min_size=1, max_size=5))
def test_arbitrary_titles_and_authors_survive(title: str, people: list[tuple[str, str]]) -> None:
    authors = " and ".join(f"{last}, {first}" for first, last in people)
    rec = record(f"@article{{key1, title = {{{title}}}, author = {{{authors}}}}}")
    assert rec.title == " ".join(title.split())
    assert rec.authors == [f"{first} {last}" for first, last in people]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300) | st.text(st.sampled_from(list("@{}=,\"\\%$ #abc\n")),
                                            max_size=300))
def test_garbage_never_raises(text: str) -> None:
    parsed = parse_bibtex(text)
    assert len(parsed.entries) <= parsed.seen
    try:
        rec = single_entry_record("@" + text)
    except BibtexError as exc:
        assert "\n" not in str(exc)
    else:
        assert rec.title


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(text=st.text(st.sampled_from(list("@article{k,title=}\"\\%#\n ab")), max_size=200))
def test_garbage_import_keeps_counts_balanced(library: Library, text: str) -> None:
    report = import_bibtex(library, "@" + text)
    assert balanced(report)
    assert len(report.pks) == report.added + report.merged


# ---- CLI ----------------------------------------------------------------------------------

def test_cli_import_bibtex(tmp_path: Path) -> None:
    from paperpath.cli.app import app

    db = str(tmp_path / "cli.db")
    notes = tmp_path / "notes.bib"
    notes.write_text("no entries here")
    runner = CliRunner()
    files = [str(FIXTURES / n) for n in ("zotero.bib", "mixed.bib", "betterbibtex.bib")]
    result = runner.invoke(app, ["import", *files, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    out = orjson.loads(result.stdout)
    # mixed.bib's Vaswani entry merges into Zotero's; Better BibTeX's DDPM into mixed.bib's.
    assert [o["added"] for o in out] == [3, 4, 1]
    assert [o["merged"] for o in out] == [0, 1, 1]
    assert out[1]["skipped"] == 2 and any("line 14" in p for p in out[1]["problems"])

    result = runner.invoke(app, ["import", files[0], str(notes), "--db", db])
    assert result.exit_code == 1  # notes.bib failed entirely
    assert "notes.bib" in result.stdout and "failed" in result.stdout
    assert "total" in result.stdout

    result = runner.invoke(app, ["import", str(tmp_path / "missing.bib"), "--db", db, "--json"])
    assert result.exit_code == 1
    assert orjson.loads(result.stdout)[0]["error"].endswith("missing.bib: no such file")
