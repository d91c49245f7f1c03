"""The coach's bookkeeping: profile, feedback, reading log, notes, tags, explanations."""

from __future__ import annotations

import pytest
from related_data import records

from paperpath import Library
from paperpath.coach import clock
from paperpath.coach.service import CoachError


@pytest.fixture
def lib(library: Library) -> Library:
    library.add_records(records())
    return library


def test_profile_defaults_edits_and_validation(lib: Library) -> None:
    coach = lib.coach
    assert coach.profile() is None
    p = coach.set_profile(interests=["diffusion models, graph neural networks", "Diffusion "
                                     "models"], math_comfort=2)
    assert p.interests == ["diffusion models", "graph neural networks"]
    assert (p.math_comfort, p.hours_per_week, p.papers_per_week) == (2, 3.0, 2)
    p = coach.set_profile(hours_per_week=4.5)  # other values kept
    assert p.interests == ["diffusion models", "graph neural networks"] and p.math_comfort == 2
    assert coach.profile() == p
    with pytest.raises(CoachError, match="math comfort 7"):
        coach.set_profile(math_comfort=7)
    with pytest.raises(CoachError, match="hours per week"):
        coach.set_profile(hours_per_week=0)
    with pytest.raises(CoachError, match=r"9999\.99999: no such paper"):
        coach.set_profile(liked=["2501.00001", "9999.99999"])
    assert coach.feedback_ids("like") == []  # all or nothing
    coach.set_profile(liked=["2501.00001"], known_terms=["gradient descent"])
    assert coach.feedback_ids("like") == ["2501.00001"]
    assert any(src == "marked" for _t, _k, src in lib.known_terms())


def test_feedback_pairs_exclude_each_other(lib: Library) -> None:
    coach = lib.coach
    coach.feedback("2501.00002", "like")
    coach.feedback("2501.00002", "dislike")
    assert coach.signals("2501.00002") == ["dislike"]
    coach.feedback("2501.00002", "too-hard")
    assert sorted(coach.signals("2501.00002")) == ["dislike", "too_hard"]
    coach.feedback("2501.00002", "dislike", on=False)
    assert coach.signals("2501.00002") == ["too_hard"]
    with pytest.raises(CoachError, match="'love': feedback is one of"):
        coach.feedback("2501.00002", "love")
    with pytest.raises(CoachError, match="no such paper"):
        coach.feedback("0000.00000", "like")


def test_reading_log_weeks_and_terms_met(lib: Library, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    coach = lib.coach
    monkeypatch.setenv("PAPERPATH_NOW", "2026-11-25T10:00:00")
    coach.read("2501.00001", minutes=20, status="started")
    entry = coach.read("arxiv.org/abs/2501.00001v2", minutes=35, rating=4)
    assert entry.paper_id == "2501.00001" and entry.week == "2026-W48"
    assert [e.status for e in coach.log()] == ["started", "finished"]
    assert coach.read_ids() == ["2501.00001"]
    met = {src for _t, _k, src in lib.known_terms()}
    assert met == {"read"}  # finishing a paper counts its key terms as met
    with pytest.raises(CoachError, match="rating 9"):
        coach.read("2501.00001", rating=9)
    with pytest.raises(CoachError, match="-5 minutes"):
        coach.read("2501.00001", minutes=-5)
    monkeypatch.setenv("PAPERPATH_NOW", "yesterday")
    with pytest.raises(clock.ClockError, match="PAPERPATH_NOW"):
        coach.read("2501.00001")


def test_notes_and_tags(lib: Library) -> None:
    coach = lib.coach
    assert coach.note("2501.00003") is None
    coach.save_note("2501.00003", "# GANs\n\nThe discriminator is the critic.\n")
    coach.save_note("2501.00003", "# GANs\n\nEdited.\n")
    assert coach.note("2501.00003") == "# GANs\n\nEdited.\n"
    assert coach.tag("2501.00003", ["Generative Models", "#to reread"]) == [
        "generative-models", "to-reread"]
    assert coach.tag("2501.00003", ["to-reread"], remove=True) == ["generative-models"]
    assert [p.id for p in coach.tagged("generative models")] == ["2501.00003"]
    with pytest.raises(CoachError, match="1 to 100 characters"):
        coach.tag("2501.00003", ["   "])


def test_explanations_are_scored_and_kept(lib: Library) -> None:
    coach = lib.coach
    good = coach.explain("2501.00002", "Diffusion models make good images but sampling is "
                         "slow. They run diffusion in the latent space of a pretrained "
                         "autoencoder, which makes generation ten times faster at similar FID.")
    vague = coach.explain("2501.00002", "This paper is about some neural networks.")
    assert 0 <= vague.score < good.score <= 1
    kept = coach.explanations("2501.00002")
    assert [round(r["score"], 6) for r in kept] == [round(good.score, 6), round(vague.score, 6)]
    empty = coach.explain("2501.00002", "   ")
    assert empty.score == 0 and empty.warnings
    assert len(coach.explanations("2501.00002")) == 2  # an empty one is not stored


def test_set_tags_replaces_them_in_one_go(library: Library) -> None:
    from paperpath.records import PaperRecord

    library.add_records([PaperRecord(title="Tagged paper", arxiv_id="2601.00042")])
    coach = library.coach
    assert coach.set_tags("2601.00042", ["Video", "to-discuss"]) == ["to-discuss", "video"]
    assert coach.tags("2601.00042") == ["to-discuss", "video"]
    assert coach.set_tags("2601.00042", ["video"]) == ["video"]
    assert coach.set_tags("2601.00042", []) == []
