"""Recommendations: content-only ranking, reasons, cold start, dislikes, candidate rules, the
diversity re-ranking and the coach's extra inputs."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from related_data import PAPERS, TOPIC, records

from paperpath import Library
from paperpath.coach.recommend import Recommender
from paperpath.coach.recommend_rank import effective_comfort, level_penalty, mmr, recency_bonus
from paperpath.records import PaperRecord

DIFFUSION = "2501.00001"
MOLECULE_CONTRASTIVE = "2501.00013"
TITLE = {pid: title for pid, title, _ in PAPERS}


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("recommend") / "lib.db")
    lib.add_records(records())
    lib.analyze(workers=1)
    return lib


def test_a_liked_paper_brings_its_topic_first_with_reasons(lib: Library) -> None:
    got = lib.recommend([DIFFUSION], limit=3)
    assert len(got) == 3
    assert [TOPIC[pid] for pid, _, _ in got] == ["0", "0", "0"], got
    scores = [s for _, s, _ in got]
    assert scores == sorted(scores, reverse=True)
    for _pid, _score, reason in got:
        assert reason.startswith(f"you liked '{TITLE[DIFFUSION]}'")
        assert "shares '" in reason
    assert any("diffusion" in reason for _, _, reason in got)


def test_any_form_of_the_id_works(lib: Library) -> None:
    by_url = lib.recommend([f"https://arxiv.org/abs/{DIFFUSION}v2"], limit=3)
    assert [p for p, _, _ in by_url] == [p for p, _, _ in lib.recommend([DIFFUSION], limit=3)]


def test_keywords_alone_are_a_cold_start(lib: Library) -> None:
    got = lib.recommend(["molecular property prediction"], limit=4)
    assert [TOPIC[p] for p, _, _ in got] == ["1"] * 4, got
    assert all(r == "matches your interest 'molecular property prediction'" for _, _, r in got)
    two = lib.recommend(["diffusion models", "robot manipulation"], limit=4)
    assert {TOPIC[p] for p, _, _ in two} == {"0", "2"}, two


def test_liked_and_disliked_are_never_returned(lib: Library) -> None:
    liked, disliked = ["2501.00011", "2501.00012"], ["2501.00001"]
    got = {p for p, _, _ in lib.recommend(liked, disliked, limit=100)}
    assert got and not got & {*liked, *disliked}
    assert len(got) == len(PAPERS) - 3


def test_a_disliked_paper_pushes_its_topic_down(lib: Library) -> None:
    # The contrastive molecular paper is also close to the contrastive robot paper.
    def rank_of(pid: str, disliked: list[str]) -> int:
        ids = [p for p, _, _ in lib.recommend([MOLECULE_CONTRASTIVE], disliked, limit=11)]
        return ids.index(pid)

    robots = ["2501.00021", "2501.00023", "2501.00024"]
    before = [rank_of(p, []) for p in robots]
    after = [rank_of(p, ["2501.00022"]) for p in robots]
    assert sum(after) > sum(before), (before, after)
    assert all(a >= b for a, b in zip(after, before, strict=True))


def test_disliked_keywords_too(lib: Library) -> None:
    plain = [p for p, _, _ in lib.recommend(["contrastive learning"], limit=2)]
    avoided = [p for p, _, _ in lib.recommend(["contrastive learning"], ["robot control"],
                                              limit=2)]
    assert "2501.00023" in plain
    assert avoided[0] == MOLECULE_CONTRASTIVE


def test_candidates_restrict_the_output(lib: Library) -> None:
    pool = ["2501.00002", "2501.00012", "2501.00022", DIFFUSION]
    got = [p for p, _, _ in lib.recommend([DIFFUSION], candidates=pool, limit=10)]
    assert got == ["2501.00002", *got[1:]] and set(got) == set(pool) - {DIFFUSION}
    assert lib.recommend([DIFFUSION], candidates=[], limit=10) == []


def test_unknown_ids(lib: Library) -> None:
    # Unknown candidates are ignored while some are known...
    got = lib.recommend([DIFFUSION], candidates=["2501.00002", "2409.99999"], limit=5)
    assert [p for p, _, _ in got] == ["2501.00002"]
    # ...and named when none is.
    unknown = [f"2409.9999{i}" for i in range(7)]
    with pytest.raises(ValueError, match=r"2409\.99990.*2409\.99994") as err:
        lib.recommend([DIFFUSION], candidates=unknown)
    assert "2409.99995" not in str(err.value)
    # An id the library lacks is not read as a keyword; alone it is an error.
    with pytest.raises(ValueError, match=r"2409\.99999"):
        lib.recommend(["2409.99999"])
    mixed = lib.recommend(["2409.99999", "graph neural network"], limit=2)
    assert all(TOPIC[p] == "1" for p, _, _ in mixed)
    with pytest.raises(ValueError):
        lib.recommend([])


def test_limit(lib: Library) -> None:
    assert len(lib.recommend([DIFFUSION], limit=5)) == 5
    assert len(lib.recommend([DIFFUSION], limit=1)) == 1
    assert lib.recommend([DIFFUSION], limit=0) == []
    assert len(lib.recommend([DIFFUSION])) == len(PAPERS) - 1


def _author_library(path: Path, names: tuple[str, str]) -> Library:
    lib = Library(path)
    lib.add_records(records())
    a, b = names
    lib.add_records([
        PaperRecord(title="Message passing networks for crystal property prediction",
                    abstract="Crystals are graphs of atoms. We predict material properties with "
                             "a message passing graph neural network.",
                    arxiv_id="2501.00031", authors=[a, "Third Person"], categories=["cs.LG"]),
        PaperRecord(title="Grasping deformable objects with tactile feedback",
                    abstract="We learn a robot grasping policy from tactile sensor readings.",
                    arxiv_id="2501.00032", authors=[b], categories=["cs.LG"]),
    ])
    return lib


def test_author_names_are_never_used(tmp_path: Path) -> None:
    # 2501.00031 and 2501.00032 share an author and nothing else in one library, nobody in
    # the other: the recommendations must be the same.
    shared = _author_library(tmp_path / "a.db", ("Ada Quillfeather", "Ada Quillfeather"))
    apart = _author_library(tmp_path / "b.db", ("Ben Other", "Cy Someone"))
    for liked in (["2501.00031"], ["Ada Quillfeather"]):
        one = [(p, r) for p, _, r in shared.recommend(liked, limit=13)]
        two = [(p, r) for p, _, r in apart.recommend(liked, limit=13)]
        assert one == two
    ids = [p for p, _, _ in shared.recommend(["2501.00031"], limit=13)]
    assert TOPIC[ids[0]] == "1" and ids.index("2501.00032") > 5


def test_mmr_spreads_one_trick() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=16)
    trick = np.stack([base + 0.05 * rng.normal(size=16) for _ in range(6)])
    others = rng.normal(size=(6, 16))
    vecs = np.concatenate([trick, others])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rel = np.array([10, 9.9, 9.8, 9.7, 9.6, 9.5, 9.4, 9.3, 9.2, 9.1, 9.0, 8.9])
    plain, _ = mmr(rel, vecs, 8, penalty=0.0)
    assert list(plain[:6]) == [0, 1, 2, 3, 4, 5]
    order, values = mmr(rel, vecs, 8, penalty=1.0, threshold=0.85)
    assert order[0] == 0
    assert sum(1 for i in order[:5] if i < 6) < 5  # no five papers on the trick in the top
    assert len(set(order.tolist())) == 8
    assert all(a >= b for a, b in pairwise(values))
    # Papers on different tricks do not push each other: the order stays.
    spread, _ = mmr(rel[6:], vecs[6:], 6, penalty=1.0, threshold=0.85)
    assert list(spread) == list(range(6))


def test_level_fit_and_feedback(lib: Library) -> None:
    rec = Recommender(lib)
    first = rec.rank([DIFFUSION], limit=3)
    assert first[0].because == DIFFUSION and first[0].shared_terms
    top = first[0]
    # A paper far above the reader's level goes down; the neutral call is unchanged.
    harder = rec.rank([DIFFUSION], limit=3, comfort=1, difficulty_of={top.pk: 5})
    assert harder[0].id != top.id
    assert [r.id for r in rec.rank([DIFFUSION], limit=3)] == [r.id for r in first]
    # Excluded papers and feedback papers are not returned.
    assert top.id not in [r.id for r in rec.rank([DIFFUSION], limit=11, exclude=[top.pk])]
    assert top.id not in [r.id for r in rec.rank([DIFFUSION], limit=11, too_hard=[top.id])]
    assert effective_comfort(None, [], []) is None
    assert effective_comfort(4, [4], []) < 4 < effective_comfort(4, [], [5])
    pen = level_penalty(np.array([0, 1, 3, 5], dtype=np.int8), 3.0, 0.4)
    assert pen[0] == 0 and pen[2] == 0 and pen[3] > pen[1] > 0
    bonus = recency_bonus(np.array([0, 1000, 820]), 1000, 1.0, 180.0)
    assert bonus[0] == 0 and bonus[1] == 1.0 and abs(bonus[2] - 0.5) < 1e-6


def test_new_papers_are_picked_up_and_the_cache_is_reused(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    lib.add_records(records())
    assert lib.recommend(["2501.00011"], limit=3)
    lib.add_records([PaperRecord(
        title="Graph transformers for molecular property prediction",
        abstract="Molecular property prediction on QM9 with a graph neural network of atoms "
                 "and bonds and attention over the molecular graph.",
        arxiv_id="2501.00015", categories=["cs.LG"])])
    got = [p for p, _, _ in lib.recommend(["2501.00011"], limit=3)]
    assert "2501.00015" in got
    assert (tmp_path / "lib.db-recommend" / "lexical.npz").exists()
    again = Library(tmp_path / "lib.db")
    assert [p for p, _, _ in again.recommend(["2501.00011"], limit=3)] == got
