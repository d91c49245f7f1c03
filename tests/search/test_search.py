"""Search over a small library: ranking, filters, snippets, fallbacks, index upkeep."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from paperpath import Library, PaperRecord
from paperpath.search import parse_query
from paperpath.search.engine import search as run_search
from paperpath.search.filters import make_filters

PAPERS = [
    PaperRecord(title="Denoising Diffusion Probabilistic Models", arxiv_id="2006.11239",
                authors=["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"], categories=["cs.LG"],
                abstract="We present high quality image synthesis results using diffusion "
                         "probabilistic models. Code: https://github.com/hojonathanho/diffusion",
                published=date(2020, 6, 19), source="snapshot"),
    PaperRecord(title="Attention Is All You Need", arxiv_id="1706.03762",
                authors=["Ashish Vaswani", "Noam Shazeer"], categories=["cs.CL", "cs.LG"],
                abstract="The dominant sequence transduction models are based on recurrent "
                         "networks. We propose the Transformer, based solely on attention.",
                published=date(2017, 6, 12), source="snapshot"),
    PaperRecord(title="Video Diffusion Models", arxiv_id="2204.03458",
                authors=["Jonathan Ho", "Tim Salimans"], categories=["cs.CV", "cs.LG"],
                abstract="Generating temporally coherent high fidelity video is an important "
                         "milestone in generative modeling research; we extend diffusion.",
                published=date(2022, 4, 7), source="snapshot"),
    PaperRecord(title="Playing Atari with Deep Reinforcement Learning", arxiv_id="1312.5602",
                authors=["Volodymyr Mnih"], categories=["cs.LG"],
                abstract="We present the first deep learning model to successfully learn "
                         "control policies directly from high-dimensional sensory input.",
                published=date(2013, 12, 19), source="snapshot"),
]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library(tmp_path / "lib.db")
    library.add_records(PAPERS)
    return library


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


def test_title_matches_rank_first_with_highlights(lib: Library) -> None:
    hits = lib.search("diffusion models")
    assert ids(hits)[:2] == ["2204.03458", "2006.11239"] or ids(hits)[:2] == [
        "2006.11239", "2204.03458"]
    top = hits[0]
    assert "«Diffusion»" in top.title() and "«diffusion»" in top.snippet().lower()
    assert any(hl for _text, hl in top.parts())
    assert top.score > 0 and hits[0].score >= hits[-1].score


def test_stemming_and_fallback_to_any_word(lib: Library) -> None:
    assert "1706.03762" in ids(lib.search("transformers attention"))
    hits = lib.search("atari zebra")  # no paper has both: the one with either is found
    assert ids(hits) == ["1312.5602"]


def test_phrase_exclusion_and_fields(lib: Library) -> None:
    assert ids(lib.search('"video diffusion"')) == ["2204.03458"]
    assert "2204.03458" not in ids(lib.search("diffusion -video"))
    assert set(ids(lib.search("author:ho"))) == {"2006.11239", "2204.03458"}
    assert ids(lib.search('author:"tim salimans"')) == ["2204.03458"]
    assert ids(lib.search("title:attention")) == ["1706.03762"]


def test_filters(lib: Library) -> None:
    assert ids(lib.search("diffusion", category="cs.CV")) == ["2204.03458"]
    assert set(ids(lib.search("", category="cs"))) == {p.arxiv_id for p in PAPERS}
    assert ids(lib.search("diffusion", since="2021")) == ["2204.03458"]
    assert set(ids(lib.search("models", until="2018-01"))) == {"1706.03762", "1312.5602"}
    assert ids(lib.search("diffusion", has_code=True)) == ["2006.11239"]
    assert ids(lib.search("", category=["cs.CL", "cs.CV"])) == ["2204.03458", "1706.03762"]
    with pytest.raises(ValueError, match="not a date"):
        lib.search("x", since="last week")
    with pytest.raises(TypeError, match="unknown search filter"):
        lib.search("x", colour="red")


def test_browse_newest_first_and_paging(lib: Library) -> None:
    assert ids(lib.search("", limit=2)) == ["2204.03458", "2006.11239"]
    assert ids(lib.search("", limit=2, offset=2)) == ["1706.03762", "1312.5602"]


def test_new_and_changed_papers_are_searchable_at_once(lib: Library) -> None:
    lib.add(title="Xylophonic Networks", arxiv_id="2501.00001", abstract="About xylophones.")
    assert ids(lib.search("xylophonic")) == ["2501.00001"]
    lib.add(PaperRecord(title="Marimba Networks", arxiv_id="2501.00001", source="arxiv-api",
                        updated=date(2025, 2, 1)))
    assert ids(lib.search("marimba")) == ["2501.00001"]
    assert lib.search("xylophonic networks", limit=5)[0].id == "2501.00001"  # abstract stays


def test_lost_corrupt_or_foreign_index_is_rebuilt(lib: Library, tmp_path: Path) -> None:
    assert lib.text_index is not None
    directory = lib.text_index.directory
    lib.close()
    shutil.rmtree(directory)
    again = Library(tmp_path / "lib.db")
    assert ids(again.search("atari")) == ["1312.5602"]
    again.close()
    # Garbage in the index files: detected on open, rebuilt.
    for f in (directory / "tantivy").iterdir():
        if f.suffix != ".lock":
            f.write_bytes(b"garbage")
    again = Library(tmp_path / "lib.db")
    assert ids(again.search("atari")) == ["1312.5602"]
    again.close()
    # An index copied from another library is not trusted.
    other = Library(tmp_path / "other.db")
    other.add(title="Unrelated", arxiv_id="2501.00002")
    other.search("unrelated")
    assert other.text_index is not None
    other.close()
    shutil.rmtree(directory)
    shutil.copytree(other.text_index.directory, directory)
    third = Library(tmp_path / "lib.db")
    assert ids(third.search("atari")) == ["1312.5602"]
    assert third.search("unrelated") == []


def test_reindex(lib: Library) -> None:
    assert lib.reindex() == len(PAPERS)
    assert ids(lib.search("atari")) == ["1312.5602"]


def test_portable_backend_agrees_on_simple_queries(lib: Library) -> None:
    with lib.engine.connect() as conn:
        hits = run_search(conn, parse_query("reinforcement atari"), make_filters())
        assert ids(hits) == ["1312.5602"]
        hits = run_search(conn, parse_query("diffusion"), make_filters(category="cs.CV"))
        assert ids(hits) == ["2204.03458"] and "«" in hits[0].title()


def test_prefix_and_unicode_highlights(lib: Library) -> None:
    lib.add(title="Über-Netzwerke für Bildsynthese", arxiv_id="2501.00003",
            abstract="Wir zeigen Bildsynthese mit Diffusion über große Netzwerke.")
    assert "2006.11239" in ids(lib.search("probabil*"))
    hit = lib.search("bildsynthese")[0]
    assert hit.id == "2501.00003"
    assert "«Bildsynthese»" in hit.title() and "«Bildsynthese»" in hit.snippet()


def test_other_forms_of_a_word_count_half(lib: Library) -> None:
    lib.add(title="Modeling sequences", arxiv_id="2501.00010", abstract="Modeling text.")
    lib.add(title="Model sequences", arxiv_id="2501.00011", abstract="Model text.")
    hits = lib.search("modeling sequences")
    assert ids(hits)[:2] == ["2501.00010", "2501.00011"]  # both found, the form typed first
    assert hits[0].score > hits[1].score


def test_repeated_stems_and_hyphenated_words(lib: Library) -> None:
    # "models" and "model" are one word to the index: repeating it changes nothing.
    assert ids(lib.search("diffusion models model")) == ids(lib.search("diffusion models"))
    # A hyphenated word is a phrase when all words must match ...
    lib.add(title="Model-based planning", arxiv_id="2501.00012", abstract="Plans ahead.")
    assert ids(lib.search("model-based")) == ["2501.00012"]
    # ... and its parts when only some can: "zebra" matches nothing, so papers using
    # "based" or "model" anywhere are what is left to show.
    found = set(ids(lib.search("model-based zebra")))
    assert {"2501.00012", "1706.03762", "1312.5602"} <= found
