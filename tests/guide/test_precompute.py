"""Whole-library precompute: batch analysis in workers, encoded rows, one writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from paperpath import Library, PaperRecord
from paperpath.guide import precompute
from paperpath.guide.analysis import ANALYSIS_VERSION
from paperpath.store.guide_store import (
    ANALYSIS_FIELDS,
    DEFINITION_FIELDS,
    encode_json,
    save_analyses,
)
from paperpath.store.schema import mined_definitions, paper_analysis, papers

ABSTRACTS = [
    "Fine-tuning large language models (LLMs) is costly. We propose Low-Rank Adaptation "
    "(LoRA), a method that freezes the weights and trains small low-rank matrices.",
    "",
    "We study $\\alpha$-divergences \\cite{a} for \\emph{GANs} and prove a lower bound.",
    "Wir schlagen ein neues Verfahren vor. Es ist schnell.",
    "Edge learning refers to training models on devices. We measure its energy use.",
]


def _row(pk: int, abstract: Any, title: str = "A title") -> dict[str, Any]:
    return {"pk": pk, "title": title, "abstract": abstract, "categories": "cs.LG",
            "content_hash": f"h{pk}"}


def _decoded(analysis: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(ANALYSIS_FIELDS, analysis, strict=True))
    row["facets"] = json.loads(row["facets"])
    row["key_terms"] = json.loads(row["key_terms"])
    return row


def test_batch_equals_paper_by_paper() -> None:
    rows = [_row(i + 1, a) for i, a in enumerate(ABSTRACTS)]
    analyses, defs, errors = precompute._analyze_batch(rows)
    assert errors == [] and len(analyses) == len(rows)
    for row, encoded in zip(rows, analyses, strict=True):
        want, want_defs = precompute.analyze_row(row)
        assert _decoded(encoded) == want
        got_defs = [dict(zip(DEFINITION_FIELDS, d, strict=True)) for d in defs
                    if d[0] == row["pk"]]
        assert got_defs == want_defs
    kinds = {(d[2], d[5]) for d in defs}
    assert ("LoRA", "acronym") in kinds and ("Edge learning", "definition") in kinds


def test_one_bad_paper_costs_only_itself() -> None:
    rows = [_row(1, ABSTRACTS[0]), _row(2, 12345), _row(3, ABSTRACTS[4])]
    analyses, _defs, errors = precompute._analyze_batch(rows)
    assert [a[0] for a in analyses] == [1, 3]
    assert len(errors) == 1 and errors[0].startswith("paper pk 2: ")


def test_encode_json_handles_what_orjson_refuses() -> None:
    assert json.loads(encode_json([["Ünïcode — text", "method"]])) == [
        ["Ünïcode — text", "method"]]
    assert json.loads(encode_json(["\ud800 lone surrogate"])) == ["\ud800 lone surrogate"]


def _library(tmp_path: Path, n: int) -> Library:
    lib = Library(tmp_path / "lib.db")
    lib.add_records([PaperRecord(arxiv_id=f"2401.{i:05d}", title=f"Paper {i}", authors=["X"],
                                 categories=["cs.LG"], abstract=ABSTRACTS[i % len(ABSTRACTS)])
                     for i in range(1, n + 1)])
    return lib


def _stored(lib: Library) -> tuple[dict[int, dict[str, Any]], list[tuple[Any, ...]]]:
    with lib.engine.connect() as conn:
        rows = {r.paper_pk: dict(r._mapping) for r in conn.execute(select(paper_analysis))}
        defs = [tuple(r) for r in conn.execute(
            select(*[mined_definitions.c[f] for f in DEFINITION_FIELDS])
            .order_by(mined_definitions.c.id))]
    return rows, defs


def _expected(lib: Library) -> tuple[dict[int, dict[str, Any]], list[tuple[Any, ...]]]:
    with lib.engine.connect() as conn:
        paper_rows = [dict(r._mapping) for r in conn.execute(
            select(papers.c.pk, papers.c.title, papers.c.abstract, papers.c.categories,
                   papers.c.content_hash).order_by(papers.c.pk))]
    rows: dict[int, dict[str, Any]] = {}
    defs: list[tuple[Any, ...]] = []
    for paper in paper_rows:
        analysis, mined = precompute.analyze_row(paper)
        rows[paper["pk"]] = analysis
        defs += [tuple(d[f] for f in DEFINITION_FIELDS) for d in mined]
    return rows, defs


@pytest.mark.parametrize("workers", [1, 2])
def test_library_precompute_stores_what_analyze_row_gives(tmp_path: Path, workers: int) -> None:
    lib = _library(tmp_path, 7)
    # batch=3: several transactions, and with two workers the process pool path.
    report = precompute.analyze_library(lib.engine, workers=workers, batch=3)
    assert (report.analyzed, report.errors) == (7, 0)
    stored, stored_defs = _stored(lib)
    expected, expected_defs = _expected(lib)
    assert stored.keys() == expected.keys()
    for pk, row in stored.items():
        assert row.pop("analyzed_at") is not None
        assert row == expected[pk]
        assert row["version"] == ANALYSIS_VERSION
    assert stored_defs == expected_defs and report.definitions == len(expected_defs)
    again = precompute.analyze_library(lib.engine, workers=workers, batch=3)
    assert again.analyzed == 0  # nothing stale
    lib.close()


def test_save_analyses_replaces_a_papers_rows(tmp_path: Path) -> None:
    lib = _library(tmp_path, 1)
    with lib.engine.connect() as conn:
        pk = conn.execute(select(papers.c.pk)).scalar_one()
    row = {"paper_pk": pk, "content_hash": "h", "version": ANALYSIS_VERSION, "tldr": "T.",
           "facets": [["S.", "method"]], "key_terms": ["x"], "difficulty": 3,
           "math_density": 0.5}
    definition = {"paper_pk": pk, "term_key": "s:x", "term": "x", "definition": "an x",
                  "sentence": "", "kind": "acronym"}
    for tldr in ("First.", "Second."):
        with lib.engine.begin() as conn:
            save_analyses(conn, [{**row, "tldr": tldr}], [definition])
    stored, defs = _stored(lib)
    assert stored[pk]["tldr"] == "Second." and stored[pk]["facets"] == [["S.", "method"]]
    assert defs == [(pk, "s:x", "x", "an x", "", "acronym")]
    lib.close()
