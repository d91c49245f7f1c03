"""Dedup and merge rules of the writer, through the public Library API."""

from __future__ import annotations

from datetime import date

from paperpath import Library, PaperRecord


def rec(**kw: object) -> PaperRecord:
    base: dict[str, object] = {"title": "Attention Is All You Need",
                               "authors": ["Ashish Vaswani", "Noam Shazeer"]}
    base.update(kw)
    return PaperRecord(**base)  # type: ignore[arg-type]


def test_versions_of_one_arxiv_paper_merge(library: Library) -> None:
    library.add_records([rec(arxiv_id="1706.03762v1", versions=["v1"], source="snapshot",
                             updated=date(2017, 6, 12), abstract="old abstract")])
    library.add_records([rec(arxiv_id="https://arxiv.org/abs/1706.03762v5", versions=["v5"],
                             source="arxiv-api", updated=date(2017, 12, 6),
                             abstract="new abstract")])
    assert len(library) == 1
    paper = library.get("1706.03762v3")
    assert paper is not None
    assert paper.versions == ["v1", "v5"]
    assert paper.abstract == "new abstract"
    assert paper.published == date(2017, 6, 12)
    assert sorted(paper.sources) == ["arxiv-api", "snapshot"]


def test_bibtex_doi_record_merges_into_arxiv_paper_by_title(library: Library) -> None:
    library.add_records([rec(arxiv_id="1706.03762", source="snapshot", year=2017,
                             published=date(2017, 6, 12), categories=["cs.CL", "cs.LG"])])
    library.add_records([rec(title="Attention is all you need.",
                             authors=["Vaswani, Ashish"], doi="10.5555/3295222.3295349",
                             year=2023, published=date(2023, 1, 1), venue="NeurIPS",
                             source="bibtex")])
    assert len(library) == 1
    paper = library.get("10.5555/3295222.3295349")
    assert paper is not None and paper.id == "1706.03762"
    # arXiv's own metadata outranks a reference manager's; gaps are filled.
    assert paper.year == 2017 and paper.published == date(2017, 6, 12)
    assert paper.venue == "NeurIPS" and paper.categories == ["cs.CL", "cs.LG"]


def test_doi_first_then_arxiv_gains_the_arxiv_key(library: Library) -> None:
    library.add_records([rec(doi="10.1000/xyz", source="bibtex")])
    assert library.get("doi:10.1000/xyz") is not None
    library.add_records([rec(arxiv_id="1706.03762", doi="10.1000/XYZ", source="snapshot")])
    assert len(library) == 1
    paper = library.get("1706.03762")
    assert paper is not None and paper.id == "1706.03762" and paper.doi == "10.1000/xyz"


def test_two_arxiv_ids_are_two_papers_even_with_same_title_and_doi(library: Library) -> None:
    library.add_records([rec(arxiv_id="2401.00001", doi="10.1000/dup"),
                         rec(arxiv_id="2401.00002", doi="10.1000/dup")])
    assert len(library) == 2
    first, second = library.get("2401.00001"), library.get("2401.00002")
    assert first is not None and second is not None
    assert first.doi == "10.1000/dup" and second.doi is None  # a DOI names one paper


def test_arxiv_datacite_doi_becomes_the_arxiv_id(library: Library) -> None:
    paper = library.add(rec(doi="10.48550/arXiv.1706.03762"))
    assert paper.arxiv_id == "1706.03762" and paper.doi is None


def test_unchanged_records_are_not_rewritten(library: Library) -> None:
    r = rec(arxiv_id="2401.00001", source="snapshot", categories=["cs.LG"])
    first = library.add_records([r])
    again = library.add_records([r])
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (1, 0, 0, 1)


def test_duplicates_inside_one_batch_merge(library: Library) -> None:
    result = library.add_records([rec(arxiv_id="2401.00001v1", versions=["v1"]),
                                  rec(arxiv_id="2401.00001v2", versions=["v2"])])
    assert result.inserted == 1 and result.pks[0] == result.pks[1]
    paper = library.get("2401.00001")
    assert paper is not None and paper.versions == ["v1", "v2"]


def test_less_trusted_source_only_fills_gaps(library: Library) -> None:
    library.add_records([rec(arxiv_id="2401.00001", source="snapshot", abstract="",
                             comments="10 pages")])
    library.add_records([rec(arxiv_id="2401.00001", source="feed", title="A blog's title",
                             abstract="from the feed", updated=date(2030, 1, 1))])
    paper = library.get("2401.00001")
    assert paper is not None
    assert paper.title == "Attention Is All You Need"
    assert paper.abstract == "from the feed" and paper.comments == "10 pages"


def test_code_links_are_kept_and_merged(library: Library) -> None:
    library.add_records([rec(arxiv_id="2401.00001", abstract="Code: github.com/a/b.")])
    library.add_records([rec(arxiv_id="2401.00001", comments="https://gitlab.com/c/d")])
    paper = library.get("2401.00001")
    assert paper is not None and paper.has_code
    assert paper.code_urls == ["https://github.com/a/b", "https://gitlab.com/c/d"]


def test_a_doi_claimed_by_a_second_arxiv_paper_in_a_later_batch(library: Library) -> None:
    library.add_records([rec(arxiv_id="2305.01234", doi="10.1000/shared", title="One")])
    library.add_records([rec(arxiv_id="2305.09999", doi="10.1000/shared", title="Two")])
    one, two = library.get("2305.01234"), library.get("2305.09999")
    assert one is not None and two is not None
    assert one.doi == "10.1000/shared" and two.doi is None


def test_semicolon_separated_authors(library: Library) -> None:
    paper = library.add(rec(arxiv_id="2401.00003", authors=["A. One; B. Two", "C; Three"]))
    assert paper.authors == ["A. One, B. Two", "C, Three"]
    again = library.add_records([rec(arxiv_id="2401.00003",
                                     authors=["A. One; B. Two", "C; Three"])])
    assert again.unchanged == 1
