"""The library on a real PostgreSQL server: schema, merging writes, reads, the portable search
backend, snapshot ingest and BibTeX import.

Runs when PAPERPATH_TEST_PG_URL is the SQLAlchemy URL of a PostgreSQL database whose role may
create databases (`scripts/pg-test-server.sh` starts such a server and prints it; `.ci/run`
does both). Each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from snapshot_data import synthetic_record, write_snapshot
from sqlalchemy import Engine, create_engine, insert, inspect, select, text, update
from sqlalchemy.engine import make_url

from paperpath import Library, PaperRecord
from paperpath.store.db import current_revision, head_revision, write_tx
from paperpath.store.schema import ingest_runs, metadata, papers
from paperpath.store.writer import WriteResult, prepare, write_records

PG_URL = os.environ.get("PAPERPATH_TEST_PG_URL", "")

if not PG_URL:
    pytest.skip("PAPERPATH_TEST_PG_URL is not set: no PostgreSQL server to test against "
                "(scripts/pg-test-server.sh starts one and prints its URL)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def admin() -> Iterator[Engine]:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(admin: Engine) -> Iterator[str]:
    """URL of a new, empty database on the test server."""
    name = f"paperpath_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def lib(pg_url: str) -> Iterator[Library]:
    library = Library(pg_url)
    yield library
    library.close()


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


# -- schema ------------------------------------------------------------------------------------

def test_migrations_reach_head_and_match_the_tables(pg_url: str) -> None:
    lib = Library(pg_url)
    assert lib.engine.dialect.name == "postgresql"
    assert lib.backup is None and lib.text_index is None  # portable search, no SQLite file
    assert current_revision(lib.engine) == head_revision(lib.engine)
    with lib.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []
    assert {"papers", "paper_texts", "ingest_runs", "sync_state", "feeds", "feed_items",
            "alembic_version"} <= set(inspect(lib.engine).get_table_names())
    lib.add(title="A paper that must survive reopening", authors=["Someone"])
    lib.close()
    again = Library(pg_url)  # already at head: nothing to do
    assert again.backup is None and len(again) == 1
    again.close()


def test_ingest_offsets_past_two_gib_fit(lib: Library) -> None:
    # Resuming a plain (uncompressed) arXiv snapshot stores a byte offset past 2**31.
    offset = 5 * 2**30
    with lib.engine.begin() as conn:
        run = conn.execute(insert(ingest_runs).values(
            source_key="k", kind="snapshot", path="/x.json", status="running", lines_done=1,
            bytes_done=0, inserted=0, updated=0, unchanged=0, errors=0, error_samples=[],
            started_at=datetime.now())).inserted_primary_key[0]
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run)
                     .values(bytes_done=offset))
    with lib.engine.connect() as conn:
        assert conn.execute(select(ingest_runs.c.bytes_done)).scalar_one() == offset


# -- writing: dedup and merge ------------------------------------------------------------------

def test_arxiv_versions_merge_into_one_paper(lib: Library) -> None:
    v1 = PaperRecord(title="Sparse Experts, First Draft", arxiv_id="2401.00001v1",
                     authors=["Ada Lovelace"], categories=["cs.LG"], versions=["v1"],
                     published=date(2024, 1, 2), source="snapshot")
    v2 = PaperRecord(title="Sparse Experts at Scale", arxiv_id="arXiv:2401.00001v2",
                     authors=["Ada Lovelace", "Alan Turing"], categories=["cs.LG", "cs.CL"],
                     versions=["v2"], published=date(2024, 3, 5), updated=date(2024, 3, 5),
                     source="snapshot")
    first = lib.add_records([v1])
    assert (first.inserted, first.updated, first.unchanged) == (1, 0, 0)
    second = lib.add_records([v2])
    assert (second.inserted, second.updated) == (0, 1) and second.pks == first.pks
    assert len(lib) == 1
    paper = lib.get("2401.00001")
    assert paper is not None and paper.id == "2401.00001"
    assert paper.title == "Sparse Experts at Scale"  # the newer version wins
    assert paper.versions == ["v1", "v2"]
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert paper.categories == ["cs.LG", "cs.CL"]
    assert (paper.published, paper.updated) == (date(2024, 1, 2), date(2024, 3, 5))
    # Both versions in one batch merge too, and writing the same again changes nothing.
    again = lib.add_records([v1, v2])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert again.pks == first.pks * 2


def test_doi_and_title_merge_and_arxiv_ids_stay_apart(lib: Library) -> None:
    bib = PaperRecord(title="Graph Networks for Things", authors=["Doe, Jane"],
                      doi="10.1000/XYZ.42", venue="Journal of Things", year=2023,
                      source="bibtex")
    lib.add_records([bib])
    # Same DOI, written as a URL: merges and adds the code link.
    lib.add_records([PaperRecord(title="Graph networks for things", doi="https://doi.org/10.1000/xyz.42",
                                 code_urls=["https://github.com/jane/things"], source="feed")])
    # No ids, same title and first author: merges by title.
    lib.add_records([PaperRecord(title="Graph Networks for Things!", authors=["Jane Doe"],
                                 abstract="We study graphs of things.", source="manual")])
    assert len(lib) == 1
    # The arXiv copy of it merges by DOI into the row, which from then on goes by the arXiv id.
    lib.add_records([PaperRecord(title="Graph Networks for Things", authors=["Jane Doe"],
                                 arxiv_id="2305.01234", doi="10.1000/xyz.42",
                                 categories=["cs.LG"], published=date(2023, 5, 2),
                                 source="arxiv-api")])
    assert len(lib) == 1
    paper = lib.get("doi:10.1000/xyz.42")
    assert paper is not None
    assert paper.id == "2305.01234" and paper.arxiv_id == "2305.01234"
    assert paper.doi == "10.1000/xyz.42" and paper.venue == "Journal of Things"
    assert paper.code_urls == ["https://github.com/jane/things"]
    assert paper.abstract == "We study graphs of things."
    assert sorted(paper.sources) == ["arxiv-api", "bibtex", "feed", "manual"]
    assert lib.get("2305.01234") == paper

    # Two arXiv ids are two papers, whatever their titles say; in one batch, a DOI they
    # share stays with the first.
    twin = PaperRecord(title="Graph Networks for Things", authors=["Jane Doe"],
                       arxiv_id="2305.09999", source="arxiv-api")
    result = lib.add_records([twin])
    assert result.inserted == 1 and len(lib) == 2
    other = lib.get("2305.09999")
    assert other is not None and other.pk != paper.pk and other.title == paper.title
    pair = lib.add_records([
        PaperRecord(title="Part one", arxiv_id="2306.00001", doi="10.1000/shared"),
        PaperRecord(title="Part two", arxiv_id="2306.00002", doi="10.1000/shared"),
    ])
    assert pair.inserted == 2 and len(lib) == 4
    assert lib.get("doi:10.1000/shared").id == "2306.00001"  # type: ignore[union-attr]
    assert lib.get("2306.00002").doi is None  # type: ignore[union-attr]


def test_get_by_any_id(lib: Library) -> None:
    lib.add_records([
        PaperRecord(title="Attention Is All You Need", arxiv_id="1706.03762",
                    authors=["Ashish Vaswani"], source="snapshot"),
        PaperRecord(title="Deep learning", doi="10.1038/nature14539", authors=["Yann LeCun"],
                    source="bibtex"),
        PaperRecord(title="A blog post without ids", url="https://example.org/post",
                    kind="article", source="feed"),
    ])
    for ident in ("1706.03762", "1706.03762v7", "arXiv:1706.03762",
                  "https://arxiv.org/abs/1706.03762v2", "https://arxiv.org/pdf/1706.03762"):
        found = lib.get(ident)
        assert found is not None and found.id == "1706.03762", ident
    for ident in ("10.1038/nature14539", "doi:10.1038/NATURE14539",
                  "https://doi.org/10.1038/nature14539", "doi:10.1038/nature14539"):
        found = lib.get(ident)
        assert found is not None and found.title == "Deep learning", ident
    post = next(p for p in lib.papers() if p.kind == "article")
    assert post.id.startswith("item:") and lib.get(post.id) == post
    assert lib.get("2101.99999") is None and lib.get("doi:10.1/none") is None
    assert lib.get("item:nothing") is None
    assert lib.get_pk(post.pk) == post


def test_concurrent_writers_take_turns(lib: Library) -> None:
    """Two sessions adding the same paper at once: the second waits for the first and merges
    into its row (as BEGIN IMMEDIATE makes it on SQLite) instead of failing on the unique
    arXiv id."""
    record = prepare(PaperRecord(title="Written twice at once", arxiv_id="2402.00001"))
    first_wrote = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        with write_tx(lib.engine) as conn:
            results["first"] = write_records(conn, [record])
            first_wrote.set()
            time.sleep(0.5)  # still uncommitted while the second one starts

    def second() -> None:
        first_wrote.wait(10)
        try:
            with write_tx(lib.engine) as conn:
                results["second"] = write_records(conn, [record])
        except Exception as exc:  # pragma: no cover - the failure this test guards against
            results["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    first_result, second_result = results["first"], results["second"]
    assert isinstance(first_result, WriteResult) and first_result.inserted == 1
    assert isinstance(second_result, WriteResult), second_result
    assert (second_result.inserted, second_result.unchanged) == (0, 1)
    assert len(lib) == 1


# -- reading -----------------------------------------------------------------------------------

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
                         "milestone in generative modeling research; we extend diffusion models.",
                published=date(2022, 4, 7), source="snapshot"),
    PaperRecord(title="Playing Atari with Deep Reinforcement Learning", arxiv_id="1312.5602",
                authors=["Volodymyr Mnih"], categories=["cs.LG"],
                abstract="We present the first deep learning models to successfully learn "
                         "control policies directly from high-dimensional sensory input.",
                published=date(2013, 12, 19), source="snapshot"),
    PaperRecord(title="Notes on Diffusion, Undated", authors=["Anonymous Author"],
                abstract="Informal notes about diffusion with no date at all.", kind="article",
                source="feed"),
]


@pytest.fixture
def filled(lib: Library) -> Library:
    result = lib.add_records(PAPERS)
    assert result.inserted == len(PAPERS)
    return lib


def test_papers_len_and_stats(filled: Library) -> None:
    assert len(filled) == 5
    listed = list(filled.papers())
    assert [p.title for p in listed] == [r.title for r in PAPERS]  # in the order added
    assert [p.pk for p in listed] == sorted(p.pk for p in listed)
    stats = filled.stats()
    assert stats["papers"] == 5
    assert stats["by_kind"] == {"paper": 4, "article": 1}
    assert stats["with_code"] == 1 and stats["with_full_text"] == 0
    assert (stats["published_first"], stats["published_last"]) == ("2013-12-19", "2022-04-07")
    # Primary categories: the first listed.
    assert stats["top_categories"][0] == {"category": "cs.LG", "papers": 2}
    assert {c["category"] for c in stats["top_categories"]} == {"cs.LG", "cs.CL", "cs.CV"}
    assert stats["by_sources"] == {"snapshot": 4, "feed": 1}


def test_portable_search_ranks_and_highlights(filled: Library) -> None:
    assert filled.text_index is None
    hits = filled.search("diffusion models")
    assert set(ids(hits)[:2]) == {"2204.03458", "2006.11239"}  # title matches first
    top = hits[0]
    assert "«Diffusion»" in top.title() and "«Models»" in top.title()
    assert "«diffusion»" in top.snippet().lower()
    assert any(marked for _text, marked in top.parts())
    assert top.score > 0 and all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert ids(filled.search("DIFFUSION")) == ids(filled.search("diffusion"))  # any case
    assert ids(filled.search("diffusion -video"))[:1] == ["2006.11239"]
    assert "2204.03458" not in ids(filled.search("diffusion -video"))
    assert ids(filled.search('"video diffusion"')) == ["2204.03458"]
    assert ids(filled.search("author:vaswani")) == ["1706.03762"]
    assert ids(filled.search("title:atari")) == ["1312.5602"]
    assert set(ids(filled.search("atari OR transformer"))) == {"1312.5602", "1706.03762"}
    assert ids(filled.search("transform*")) == ["1706.03762"]
    assert filled.search("xylophone") == []
    assert len(filled.search("diffusion", limit=2)) == 2
    assert ids(filled.search("diffusion", limit=2, offset=1)) == ids(
        filled.search("diffusion"))[1:3]


def test_portable_search_filters(filled: Library) -> None:
    assert ids(filled.search("diffusion", category="cs.CV")) == ["2204.03458"]
    assert set(ids(filled.search("models", category="cs"))) == {
        "2006.11239", "1706.03762", "2204.03458", "1312.5602"}
    assert set(ids(filled.search("models", category=["cs.CL", "cs.CV"]))) == {
        "1706.03762", "2204.03458"}
    assert filled.search("models", category="cs.L") == []  # exact category, not a prefix
    assert filled.search("models", category="math") == []
    assert ids(filled.search("diffusion", since="2021")) == ["2204.03458"]
    assert set(ids(filled.search("models", until="2018-01"))) == {"1706.03762", "1312.5602"}
    assert ids(filled.search("diffusion", since="2020-06", until="2020-06-30")) == [
        "2006.11239"]
    assert ids(filled.search("diffusion", has_code=True)) == ["2006.11239"]
    assert "2006.11239" not in ids(filled.search("diffusion", has_code=False))
    assert ids(filled.search("diffusion", kind="article")) == [filled.search(
        "undated")[0].id]
    with pytest.raises(ValueError, match="not a date"):
        filled.search("x", since="last week")


def test_browse_newest_first_undated_last(filled: Library) -> None:
    browsed = ids(filled.search("", limit=10))
    assert browsed[:4] == ["2204.03458", "2006.11239", "1706.03762", "1312.5602"]
    assert browsed[4].startswith("item:")  # no date: after every dated paper
    assert ids(filled.search("", limit=2, offset=1)) == ["2006.11239", "1706.03762"]
    assert ids(filled.search("", category=["cs.CL", "cs.CV"])) == ["2204.03458", "1706.03762"]


def test_portable_search_takes_like_wildcards_literally(lib: Library) -> None:
    lib.add_records([
        PaperRecord(title="Parsing snake_case identifiers", arxiv_id="2501.00001"),
        PaperRecord(title="The snakescase fallacy", arxiv_id="2501.00002"),
        PaperRecord(title="Pruning 50% of weights", arxiv_id="2501.00003"),
        PaperRecord(title="Pruning 500 layers of weights", arxiv_id="2501.00004"),
        PaperRecord(title="Escaped \\alpha in titles", arxiv_id="2501.00005"),
        PaperRecord(title="Plain alpha in titles", arxiv_id="2501.00006"),
    ])
    assert ids(lib.search("snake_case")) == ["2501.00001"]
    assert ids(lib.search('"50% of"')) == ["2501.00003"]
    assert ids(lib.search('"\\alpha"')) == ["2501.00005"]


# -- bulk: snapshot ingest, BibTeX import ------------------------------------------------------

def test_snapshot_ingest_is_idempotent(lib: Library, tmp_path: Path) -> None:
    n = 400
    records = [synthetic_record(i) for i in range(1, n + 1)]
    path = write_snapshot(tmp_path / "snap.jsonl.gz", records, gz=True)
    first = lib.ingest_snapshot(path)
    assert first.status == "done" and first.error_count == 0
    assert (first.inserted, first.updated, first.unchanged) == (n, 0, 0)
    assert len(lib) == n and lib.snapshot_status(path) == "done"
    with lib.engine.connect() as conn:
        before = {r.key: (r.content_hash, r.rev, r.modified_at)
                  for r in conn.execute(select(papers.c.key, papers.c.content_hash,
                                               papers.c.rev, papers.c.modified_at))}

    again = lib.ingest_snapshot(path)
    assert again.status == "done"
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, n)
    assert len(lib) == n
    with lib.engine.connect() as conn:
        after = {r.key: (r.content_hash, r.rev, r.modified_at)
                 for r in conn.execute(select(papers.c.key, papers.c.content_hash,
                                              papers.c.rev, papers.c.modified_at))}
    assert after == before  # not one row rewritten

    paper = lib.get(records[41]["id"])
    assert paper is not None and paper.title == records[41]["title"]
    assert paper.authors[:2] == ["Ada Lovelace42", "Alan Turing"]
    hits = lib.search('"Ada Lovelace42"', limit=5)
    assert ids(hits) == [records[41]["id"]]

    # A new version of one paper, plus new papers, in a plain file: only they are written.
    changed = [{**records[0], "title": "A retitled paper about kernels"},
               synthetic_record(n + 1), synthetic_record(n + 2)]
    third = lib.ingest_snapshot(write_snapshot(tmp_path / "more.jsonl", changed))
    assert (third.inserted, third.updated, third.unchanged) == (2, 1, 0)
    assert len(lib) == n + 2
    assert lib.get(records[0]["id"]).title == "A retitled paper about kernels"  # type: ignore[union-attr]
    with lib.engine.connect() as conn:
        runs = conn.execute(select(ingest_runs.c.status, ingest_runs.c.lines_done,
                                   ingest_runs.c.bytes_done)).all()
    assert sorted(r.lines_done for r in runs) == [3, n] and {r.status for r in runs} == {"done"}
    assert all(r.bytes_done > 0 for r in runs)


BIB = r"""
@article{lecun2015,
  title = {Deep Learning},
  author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  journal = {Nature},
  year = {2015},
  month = may,
  doi = {10.1038/nature14539},
}
@misc{vaswani2017,
  title = {Attention {Is} {All} {You} {Need}},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL},
}
@inproceedings{notes,
  title = {Caf{\'e} Notes on Learning},
  author = {M{\"u}ller, Jos{\'e}},
  booktitle = {Workshop on Things},
  year = {2021},
}
@article{broken,
  author = {Nobody},
}
"""


def test_import_bibtex(lib: Library) -> None:
    lib.add_records([PaperRecord(title="Attention Is All You Need", arxiv_id="1706.03762",
                                 authors=["Ashish Vaswani"], categories=["cs.CL"],
                                 source="snapshot")])
    report = lib.import_bibtex(BIB)
    assert (report.entries, report.added, report.merged, report.skipped) == (4, 2, 1, 1)
    assert [p.key for p in report.problems] == ["broken"]
    assert len(lib) == 3
    lecun = lib.get("doi:10.1038/nature14539")
    assert lecun is not None
    assert (lecun.venue, lecun.year, lecun.published) == ("Nature", 2015, date(2015, 5, 1))
    assert lecun.authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    attention = lib.get("1706.03762")
    assert attention is not None and sorted(attention.sources) == ["bibtex", "snapshot"]
    notes = next(p for p in lib.papers() if p.venue == "Workshop on Things")
    assert notes.title == "Café Notes on Learning" and notes.authors == ["José Müller"]
    assert ids(lib.search("café")) == [notes.id]

    again = lib.import_bibtex(BIB)  # importing the same file twice adds nothing
    assert (again.added, again.merged, again.skipped) == (0, 3, 1)
    assert len(lib) == 3


def test_feeds_are_stored(lib: Library) -> None:
    feed = lib.add_feed("https://example.org/blog/feed.xml")
    assert feed.kind == "blog"
    assert lib.add_feed("https://example.org/blog/feed.xml", kind="newsletter").kind == (
        "newsletter")
    assert [f.url for f in lib.feeds()] == [feed.url]
    assert lib.remove_feed(feed.url) and lib.feeds() == []
    assert not lib.remove_feed(feed.url)
