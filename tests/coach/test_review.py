"""Spaced repetition: cards from what the reader met, FSRS scheduling, corrupted state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Scheduler
from related_data import records
from sqlalchemy import select, text, update

from paperpath import Library
from paperpath.coach.review import Reviewer, describe_due, parse_rating
from paperpath.store.coach_store import add_explanation, add_log
from paperpath.store.db import write_tx
from paperpath.store.guide_store import known_keys, list_known
from paperpath.store.schema import review_cards, review_log

NOW = datetime(2026, 3, 2, 9, 0)
DIFFUSION = "2501.00001"  # key terms include the glossary's diffusion and generative models
MOLECULES = "2501.00013"


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.setenv("PAPERPATH_NOW", NOW.isoformat())
    library = Library(tmp_path / "lib.db")
    library.add_records(records())
    yield library
    library.close()


def finish(lib: Library, paper_id: str, when: datetime = NOW) -> None:
    paper = lib.get(paper_id)
    assert paper is not None
    with write_tx(lib.engine) as conn:
        add_log(conn, paper.pk, "finished", 30, 4, "2026-W10", when)


def explain(lib: Library, paper_id: str, words: str, when: datetime = NOW) -> None:
    paper = lib.get(paper_id)
    assert paper is not None
    with write_tx(lib.engine) as conn:
        add_explanation(conn, paper.pk, words, 0.5, {}, when)


def test_sync_makes_paper_term_and_explanation_cards(lib: Library) -> None:
    rev = Reviewer(lib)
    assert rev.sync_cards() == 0  # nothing read yet
    lib.mark_known(["generative model"])  # known before reading: no card for it
    lib.mark_known(["diffusion model"], source="read")  # met while reading: still a card
    finish(lib, DIFFUSION)
    explain(lib, MOLECULES, "first try")
    explain(lib, MOLECULES, "graphs of atoms, pretrained contrastively",
            NOW + timedelta(minutes=5))
    assert rev.sync_cards() == 3
    cards = {(c.kind, c.ref): c for c in rev.cards()}
    assert set(cards) == {("paper", DIFFUSION), ("term", "g:diffusion-model"),
                          ("explanation", MOLECULES)}
    paper = cards[("paper", DIFFUSION)]
    assert paper.front.endswith("— what does it contribute?")
    assert paper.back == lib.guide(DIFFUSION).tldr
    term = cards[("term", "g:diffusion-model")]
    assert term.front == "Diffusion model" and "noising" in term.back
    expl = cards[("explanation", MOLECULES)]
    assert expl.front.startswith("Explain") and expl.back.startswith("graphs of atoms")
    assert all(c.state == "new" and c.due == NOW for c in cards.values())
    # Idempotent, and a refresh keeps the schedule.
    rev.review(expl.id, "good")
    explain(lib, MOLECULES, "a newer explanation", NOW + timedelta(minutes=9))
    assert rev.sync_cards() == 0
    again = {(c.kind, c.ref): c for c in rev.cards()}
    assert len(again) == 3
    assert again[("explanation", MOLECULES)].back == "a newer explanation"
    assert again[("explanation", MOLECULES)].due > NOW


def test_good_moves_due_away_again_keeps_it_soon(lib: Library) -> None:
    finish(lib, DIFFUSION)
    rev = Reviewer(lib, Scheduler(enable_fuzzing=False))
    rev.sync_cards()
    assert rev.due_count() == 3 and rev.next_due() == NOW
    first, second, third = rev.due()
    rev.suspend(third.id)
    good = rev.review(first.id, "good", duration_ms=4200)
    assert good.due >= NOW + timedelta(minutes=5) and good.state == "learning"
    good = rev.review(first.id, 3, now=good.due)
    assert good.due >= NOW + timedelta(days=1) and good.state == "review"
    bad = rev.review(second.id, "again")
    assert bad.due <= NOW + timedelta(minutes=2)
    assert [c.id for c in rev.due(now=NOW + timedelta(minutes=2))] == [second.id]
    assert rev.due_count() == 0 and rev.next_due() == bad.due
    with lib.engine.connect() as conn:
        logs = conn.execute(select(review_log.c.card_id, review_log.c.rating,
                                   review_log.c.duration_ms).order_by(review_log.c.id)).all()
    assert [tuple(r) for r in logs] == [(first.id, 3, 4200), (first.id, 3, None),
                                        (second.id, 1, None)]


def test_term_card_rated_good_marks_term_known(lib: Library) -> None:
    finish(lib, DIFFUSION)
    rev = Reviewer(lib)
    rev.sync_cards()
    term = next(c for c in rev.cards() if c.kind == "term" and c.ref == "g:diffusion-model")
    rev.review(term.id, "hard")
    with lib.engine.connect() as conn:
        assert "g:diffusion-model" not in known_keys(conn)
    rev.review(term.id, "easy", now=NOW + timedelta(minutes=20))
    with lib.engine.connect() as conn:
        assert ("Diffusion model", "g:diffusion-model", "reviewed") in list_known(conn)


def test_ratings_and_suspend(lib: Library) -> None:
    assert [parse_rating(r) for r in ("again", "Hard", " good ", "EASY", "2", 4)] == [
        1, 2, 3, 4, 2, 4]
    for bad in ("meh", 0, 5, "", True):
        with pytest.raises(ValueError, match="rate 1"):
            parse_rating(bad)  # type: ignore[arg-type]
    finish(lib, MOLECULES)
    rev = Reviewer(lib)
    rev.sync_cards()
    card = rev.due()[0]
    with pytest.raises(ValueError):
        rev.review(card.id, "perfect")
    assert rev.suspend(card.id).suspended
    assert card.id not in [c.id for c in rev.due()]
    with pytest.raises(ValueError, match="suspended"):
        rev.review(card.id, "good")
    assert not rev.suspend(card.id, suspended=False).suspended
    with pytest.raises(LookupError):
        rev.review(9999, "good")
    with pytest.raises(LookupError):
        rev.suspend(9999)


def test_corrupted_state_is_reset_with_history_kept(lib: Library) -> None:
    finish(lib, MOLECULES)
    rev = Reviewer(lib)
    rev.sync_cards()
    ids = [c.id for c in rev.cards()]
    assert len(ids) >= 3
    for card_id in ids:
        rev.review(card_id, "good")
    with write_tx(lib.engine) as conn:
        conn.execute(update(review_cards).where(review_cards.c.id == ids[0])
                     .values(state={"card_id": "x", "due": 7}))
        conn.execute(update(review_cards).where(review_cards.c.id == ids[1])
                     .values(due=datetime(9999, 1, 1)))
        conn.execute(text("UPDATE review_cards SET state = 'not json {' WHERE id = :i"),
                     {"i": ids[2]})
    due = rev.due()  # does not crash; the broken cards are new and due again
    assert sorted(c.id for c in due) == sorted(ids[:3])
    assert all(c.state == "new" for c in due)
    assert len(rev.warnings) == 3
    assert all(f"card {i} " in " ".join(rev.warnings) for i in ids[:3])
    assert "nonsense" in " ".join(rev.warnings) and "1 past review(s) kept" in rev.warnings[0]
    with lib.engine.connect() as conn:
        assert len(conn.execute(select(review_log)).all()) == len(ids)
    assert rev.check() == []  # repaired once, quiet afterwards
    assert rev.review(ids[2], "good").state == "learning"


def test_describe_due() -> None:
    assert describe_due(None, NOW).startswith("never")
    assert describe_due(NOW - timedelta(hours=1), NOW) == "now"
    assert describe_due(NOW + timedelta(minutes=10), NOW) == "in 10 minutes"
    assert describe_due(NOW + timedelta(hours=3), NOW) == "in 3 hours"
    assert describe_due(NOW + timedelta(days=3), NOW).startswith("in 3 days (2026-03-0")
