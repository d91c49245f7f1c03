"""Reciprocal-rank fusion and `Library.hybrid_search`."""

from __future__ import annotations

from pathlib import Path

from related_data import TOPIC, records

from paperpath import Library
from paperpath.related.hybrid import KEYWORD_WEIGHT, RRF_K, fused_page, rrf


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
