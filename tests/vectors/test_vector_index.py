"""Embedding the library and the vector index: incremental, exact vs HNSW, self-repairing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from related_data import records
from sqlalchemy import select, update

from paperpath import Library
from paperpath.records import PaperRecord
from paperpath.related.service import vectors_dir
from paperpath.store.schema import paper_vectors, papers
from paperpath.vectors.index import VectorIndex


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib.db")
    lib.add_records(records())
    return lib


def test_embed_is_incremental_and_stores_every_kind(lib: Library) -> None:
    first = lib.embed()
    assert first.embedded == 12
    assert lib.embed().embedded == 0  # nothing new
    with lib.engine.connect() as conn:
        row = conn.execute(select(paper_vectors).limit(1)).one()._mapping
    assert row["dim"] == 256 and len(row["doc"]) == 512 and row["title"] is not None
    assert sum(row[k] is not None for k in ("background", "method", "result")) >= 2
    lib.add(PaperRecord(title="A new paper on image diffusion", abstract="We denoise images.",
                        arxiv_id="2501.00099"))
    assert lib.embed().embedded == 1
    # A changed abstract is embedded again.
    with lib.engine.begin() as conn:
        conn.execute(update(papers).where(papers.c.arxiv_id == "2501.00099")
                     .values(abstract="We cluster graphs.", content_hash="changed"))
    assert lib.embed().embedded == 1


def _index(lib: Library, threshold: int) -> VectorIndex:
    svc = lib.related()
    idx = VectorIndex(lib.engine, svc.embedder.name, vectors_dir(lib.engine),
                      ann_threshold=threshold, library_id=svc.index.library_id)
    idx.refresh()
    return idx


def test_exact_and_hnsw_search_agree(lib: Library) -> None:
    lib.embed()
    exact, ann = _index(lib, 10**9), _index(lib, 0)
    q = exact.vectors(exact.rows_of([exact.pks[0]]), "doc")[0]
    a = exact.search(q, "doc", k=5, exclude=[int(exact.pks[0])])
    b = ann.search(q, "doc", k=5, exclude=[int(exact.pks[0])])
    assert list(a.pks) == list(b.pks)
    assert np.allclose(a.scores, b.scores, atol=2e-3)
    assert int(exact.pks[0]) not in a.pks
    assert (vectors_dir(lib.engine) / exact.folder.name / "doc.usearch").exists()


def test_index_applies_new_vectors_incrementally(lib: Library) -> None:
    lib.embed()
    idx = _index(lib, 10**9)
    assert idx.n == 12
    lib.add(PaperRecord(title="Robot grasping with tactile sensing",
                        abstract="Robots grasp objects using touch.", arxiv_id="2501.00098"))
    lib.embed()
    idx.refresh()
    assert idx.n == 13
    pk = lib.get("2501.00098").pk  # type: ignore[union-attr]
    assert idx.rows_of([pk])[0] == 12


def test_corrupt_cache_is_rebuilt_not_served(lib: Library) -> None:
    lib.embed()
    idx = _index(lib, 10**9)
    doc = idx.folder / "doc.f16"
    doc.write_bytes(doc.read_bytes()[:100])  # truncated by a crash or a bad disk
    fresh = _index(lib, 10**9)
    assert fresh.n == 12
    assert doc.stat().st_size == 12 * fresh.dim * 2
    (idx.folder / "meta.json").write_text("{not json", encoding="utf-8")
    assert _index(lib, 10**9).n == 12


def test_papers_without_abstract_still_get_a_vector(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    lib.add(PaperRecord(title="Only a title about transformers", arxiv_id="2501.00001"))
    assert lib.embed().embedded == 1
    hits = lib.similar("2501.00001")
    assert hits == []  # alone in the library


def test_damaged_hnsw_graph_is_rebuilt(lib: Library) -> None:
    lib.embed()
    idx = _index(lib, 0)
    q = idx.vectors(idx.rows_of([idx.pks[3]]), "doc")[0]
    want = list(idx.search(q, "doc", k=4).pks)
    graph = idx.folder / "doc.usearch"
    graph.write_bytes(b"not a graph" * 50)
    again = _index(lib, 0)
    assert list(again.search(q, "doc", k=4).pks) == want
    assert graph.stat().st_size > 550
