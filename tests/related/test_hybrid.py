"""Reciprocal-rank fusion and `Library.hybrid_search`."""

from __future__ import annotations

from pathlib import Path

import pytest
from related_data import TOPIC, records

from paperpath import Library
from paperpath.related.hybrid import KEYWORD_WEIGHT, RRF_K, fused_page, keyword_weight, rrf


def test_rrf_rewards_agreement_and_keeps_order() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]])
    keys = [k for k, _ in fused]
    assert keys[:2] == [1, 3]  # in both lists, near the top
    assert set(keys) == {1, 2, 3, 4}
    assert fused[0][1] == 1 / (RRF_K + 1) + 1 / (RRF_K + 2)
    assert rrf([]) == []
    assert rrf([[1, 2]], k=60, weights=[2.0])[0] == (1, 2 / 61)


def test_fused_page_trusts_the_keyword_list_more() -> None:
    # Rank 2 in the keyword list beats rank 1 in the vector list, and a paper both lists
    # agree on beats either.
    page = fused_page([10, 20, 30], [40, 30], limit=3)
    assert [pk for pk, _ in page] == [30, 10, 20]
    assert page[0][1] == KEYWORD_WEIGHT / (RRF_K + 3) + 1 / (RRF_K + 2)
    assert fused_page([10, 20, 30], [40, 30], limit=2, offset=1)[0][0] == 10
    # With equal weights (a transformer's vectors) the vector list's first pick comes second.
    assert [pk for pk, _ in fused_page([10, 20, 30], [40, 30], limit=3, weight=1.0)] == [
        30, 10, 40]


def test_keyword_weight_follows_the_embedder() -> None:
    assert keyword_weight("paperpath-static-minilm-v1") == KEYWORD_WEIGHT == 2.0
    assert keyword_weight("st:sentence-transformers/all-MiniLM-L6-v2") == 1.0


def test_hybrid_search_filters_and_pages(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    lib.add_records(records())
    hits = lib.hybrid_search("graph networks predicting molecule properties", limit=4)
    assert len(hits) == 4 and all(TOPIC[h.id] == "1" for h in hits)
    assert hits[0].snippet()
    page2 = lib.hybrid_search("graph networks predicting molecule properties", limit=4,
                              offset=4)
    assert not {h.id for h in hits} & {h.id for h in page2}
    assert lib.hybrid_search("molecules", category="cs.CV") == []  # filters apply to both
    assert lib.hybrid_search("the of and", limit=3)  # stop words only: vectors still answer
    assert lib.hybrid_search("-graph", limit=3)  # only exclusions: the vectors still answer
    with pytest.raises(TypeError, match=r"unknown search filter.*venue"):
        lib.hybrid_search("graph", venue="NeurIPS")
    # Snippets mark the query's words wherever a hit has them, whichever half found it.
    for h in lib.hybrid_search("molecule graph", limit=8):
        text = (h.paper.title + " " + h.paper.abstract).lower()
        if "molecule" in h.paper.abstract.lower() or "graph" in h.paper.abstract.lower():
            assert "«" in h.snippet() or "«" in h.title(), (h.id, text[:80])
