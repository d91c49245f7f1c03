"""Similar papers, per facet, the two learner views, and their reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from related_data import TOPIC, records

from paperpath import Library


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("related") / "lib.db")
    lib.add_records(records())
    lib.analyze(workers=1)
    return lib


def test_similar_finds_the_same_topic_first(lib: Library) -> None:
    for pid in ("2501.00001", "2501.00011", "2501.00021"):
        hits = lib.similar(pid, limit=3)
        assert len(hits) == 3
        assert all(TOPIC[h.paper.id] == TOPIC[pid] for h in hits), [h.paper.id for h in hits]
        assert pid not in [h.paper.id for h in hits]
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert all(h.reason for h in hits)


def test_facets_and_their_reasons(lib: Library) -> None:
    hits = lib.similar("2501.00013", facet="method", limit=5)
    assert "2501.00023" in [h.paper.id for h in hits]  # contrastive learning, other field
    for h in hits:
        assert h.reason.startswith("similar method")
        assert h.sentence
    assert lib.similar("2501.00013", facet="problem", limit=2)  # an alias of background
    with pytest.raises(ValueError, match="facet"):
        lib.similar("2501.00013", facet="colour")


def test_learner_views(lib: Library) -> None:
    approaches = lib.other_approaches("2501.00001", limit=3)
    assert approaches and all(TOPIC[r.paper.id] == "0" for r in approaches)
    assert all("different method" in r.reason for r in approaches)
    elsewhere = lib.same_method_elsewhere("2501.00013", limit=4)
    assert elsewhere and all("different problem" in r.reason for r in elsewhere)
    d = elsewhere[0].to_dict()
    assert {"id", "title", "score", "reason", "shared_terms", "url"} <= d.keys()


def test_unknown_paper(lib: Library) -> None:
    with pytest.raises(LookupError):
        lib.similar("2409.99999")


def test_new_papers_are_embedded_on_demand(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    lib.add_records(records()[:6])
    assert len(lib.similar("2501.00001", limit=3)) == 3
    lib.add_records(records()[6:])
    found = {h.paper.id for h in lib.similar("2501.00021", limit=3)}
    assert found and all(TOPIC[p] == "2" for p in found)
