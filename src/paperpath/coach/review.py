"""Spaced repetition of what the reader met: key terms, papers' contributions, explanations.

Cards are scheduled by FSRS (the `fsrs` package). The store keeps naive-UTC datetimes and fsrs
wants timezone-aware UTC ones, so conversions happen only here, at the boundary.

    rev = Reviewer(lib)
    rev.sync_cards()                 # cards for finished papers and explanations
    for card in rev.due(limit=20):
        rev.review(card.id, "good")
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import Text, cast, select

from paperpath.coach import clock
from paperpath.guide.terms import entry_by_id
from paperpath.store import review_store
from paperpath.store.coach_store import explanation_rows, finished_pks
from paperpath.store.db import write_tx
from paperpath.store.guide_store import add_known, list_known
from paperpath.store.schema import review_cards, review_log

if TYPE_CHECKING:
    from paperpath.library import Library

logger = logging.getLogger(__name__)

RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}
_GUIDE_CARDS: dict[tuple[str, int, int], tuple[str, list[tuple[str, str]]]] = {}
_GUIDE_CARDS_MAX = 20_000
# A due date outside these bounds cannot come from the scheduler (its longest interval is
# 100 years), so it is corruption rather than a schedule.
_EARLIEST_DUE = datetime(2000, 1, 1)
_MAX_AHEAD = timedelta(days=36500 + 2)
_DUE_SLACK = timedelta(seconds=1)  # the column and the state's due must agree


@dataclass(frozen=True)
class ReviewCard:
    """One review card as the coach shows it."""

    id: int
    kind: str  # term | paper | explanation
    ref: str  # term key ("g:<glossary id>") or paper key
    front: str
    back: str
    due: datetime  # naive UTC
    suspended: bool
    state: str  # new | learning | review | relearning
    stability: float | None
    difficulty: float | None
    last_review: datetime | None  # naive UTC
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "ref": self.ref, "front": self.front,
                "back": self.back, "due": self.due.isoformat(), "suspended": self.suspended,
                "state": self.state, "stability": self.stability,
                "difficulty": self.difficulty,
                "last_review": self.last_review.isoformat() if self.last_review else None,
                "created_at": self.created_at.isoformat()}


def parse_rating(value: int | str) -> int:
    """1..4, or again | hard | good | easy (any case); ValueError otherwise."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in RATINGS:
            return RATINGS[text]
        if text.isdigit():
            value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return value
    raise ValueError(f"{value!r}: rate 1 (again), 2 (hard), 3 (good) or 4 (easy)")


def to_aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def new_state(card_id: int, now: datetime) -> dict[str, Any]:
    """The fsrs state of a card never reviewed, due at ``now``."""
    # card_id given explicitly: fsrs otherwise sleeps a millisecond to make one up.
    return dict(Card(card_id=card_id, due=to_aware(now)).to_dict())


def load_state(state: Any, due: Any, now: datetime) -> tuple[Card | None, str | None]:
    """The fsrs card of a stored state, or (None, why) when the state or due is corrupted.

    ``state`` may be JSON text or a dict; ``due`` the stored column (datetime or text)."""
    try:
        data = json.loads(state) if isinstance(state, str | bytes) else state
        if not isinstance(data, dict):
            return None, "state is not an fsrs card"
        card = Card.from_dict(data)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        return None, f"unreadable state ({type(exc).__name__}: {exc})"
    if card.due.tzinfo is None or (card.last_review is not None
                                   and card.last_review.tzinfo is None):
        return None, "state dates lack a time zone"
    for name in ("stability", "difficulty"):
        value = getattr(card, name)
        if value is not None and (not math.isfinite(value) or value <= 0):
            return None, f"{name} {value!r} is out of range"
    if card.state in (State.Learning, State.Relearning):
        if not isinstance(card.step, int) or card.step < 0:
            return None, f"learning step {card.step!r} is not a step"
    elif card.stability is None or card.difficulty is None:
        return None, "a reviewed card lacks stability or difficulty"
    try:
        column = datetime.fromisoformat(due) if isinstance(due, str) else due
    except ValueError:
        return None, f"due date {due!r} is not a date"
    if not isinstance(column, datetime):
        return None, f"due date {due!r} is not a date"
    column = to_naive(column)
    state_due = to_naive(card.due)
    if not _EARLIEST_DUE <= column <= now + _MAX_AHEAD:
        return None, f"due date {column.isoformat()} is nonsense"
    if abs(state_due - column) > _DUE_SLACK:
        return None, f"due date {column.isoformat()} disagrees with its state"
    return card, None


def _state_name(card: Card | None) -> str:
    if card is None or card.last_review is None:
        return "new"
    return {State.Learning: "learning", State.Review: "review",
            State.Relearning: "relearning"}[card.state]


def _to_review_card(row: dict[str, Any], now: datetime) -> ReviewCard:
    card, _ = load_state(row["state"], row["due"], now)
    return ReviewCard(
        id=row["id"], kind=row["kind"], ref=row["ref"], front=row["front"], back=row["back"],
        due=row["due"], suspended=bool(row["suspended"]), state=_state_name(card),
        stability=card.stability if card else None,
        difficulty=card.difficulty if card else None,
        last_review=to_naive(card.last_review) if card and card.last_review else None,
        created_at=row["created_at"])


class Reviewer:
    """Review cards of one library: making them, scheduling them, recording reviews."""

    def __init__(self, lib: Library, scheduler: Scheduler | None = None) -> None:
        self.lib = lib
        self.engine = lib.engine
        self.scheduler = scheduler or Scheduler()
        # Cards found corrupted and reset, one message each (also logged).
        self.warnings: list[str] = []

    # -- making cards ----------------------------------------------------------------------
    def sync_cards(self) -> int:
        """Create cards for what the reader met, refresh the backs of existing ones; returns
        how many were created. Scheduling of existing cards is never touched."""
        now = clock.now()
        self.check(now)
        wanted = self._wanted_cards()
        with self.engine.connect() as conn:
            stored = {(r.kind, r.ref): (r.front, r.back) for r in conn.execute(
                select(review_cards.c.kind, review_cards.c.ref, review_cards.c.front,
                       review_cards.c.back))}
        todo = {k: v for k, v in wanted.items() if stored.get(k) != v}
        created = 0
        if not todo:  # the usual case: no write lock taken
            return 0
        with write_tx(self.engine) as conn:
            for (kind, ref), (front, back) in todo.items():
                row = review_store.find_card(conn, kind, ref)
                if row is None:
                    card_id = review_store.add_card(conn, kind, ref, front, back, {}, now, now)
                    review_store.set_state(conn, card_id, new_state(card_id, now), now)
                    created += 1
                elif (row["front"], row["back"]) != (front, back):
                    review_store.set_text(conn, row["id"], front, back)
        return created

    def _wanted_cards(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(kind, ref) -> (front, back) of every card the reader's history calls for."""
        with self.engine.connect() as conn:
            finished = finished_pks(conn)
            explained = explanation_rows(conn)
            known = {key: source for _, key, source in list_known(conn)}
            have = {(kind, ref) for kind, ref in
                    conn.execute(select(review_cards.c.kind, review_cards.c.ref))}
        wanted: dict[tuple[str, str], tuple[str, str]] = {}
        for pk in sorted(finished, key=lambda p: (finished[p], p)):
            paper = self.lib.get_pk(pk)
            if paper is None:
                continue
            summary, terms = self._guide_cards(paper)
            wanted[("paper", paper.id)] = (f"{paper.title} — what does it contribute?",
                                           summary)
            for ref, glossary_id in terms:
                entry = entry_by_id(glossary_id)
                if entry is None:
                    continue
                # Known before reading (marked, or reviewed without a card here): no card.
                # Terms recorded as met while reading ("read") still deserve one.
                if ("term", ref) not in have and known.get(ref, "read") != "read":
                    continue
                wanted.setdefault(("term", ref), (entry.term, entry.definition))
        for row in explained:  # oldest first: the latest explanation wins
            wanted[("explanation", row["key"])] = (
                f"Explain “{row['title']}” at a high level", row["text"])
        return wanted

    def _guide_cards(self, paper: Any) -> tuple[str, list[tuple[str, str]]]:
        """A finished paper's summary and its glossary terms (key, glossary id), remembered
        per paper text: building the guides of every paper read, at every sync, cost ~9 ms
        a paper (1.8 s for 200 papers read)."""
        key = (self.lib.url, paper.pk, hash((paper.title, paper.abstract)))
        found = _GUIDE_CARDS.get(key)
        if found is None:
            guide = self.lib.guide(paper.id)
            summary = guide.tldr or paper.abstract.split(". ")[0] or paper.title
            # Only glossary terms make cards: their definitions are vetted.
            found = (summary, [(t.key, t.glossary_id) for t in guide.key_terms
                               if t.glossary_id])
            if len(_GUIDE_CARDS) >= _GUIDE_CARDS_MAX:
                _GUIDE_CARDS.clear()
            _GUIDE_CARDS[key] = found
        return found

    # -- corruption ------------------------------------------------------------------------
    def check(self, now: datetime | None = None, card_ids: list[int] | None = None
              ) -> list[str]:
        """Reset cards whose stored state or due date is corrupted to new (their review
        history stays); returns a warning per card reset (also kept in ``warnings``)."""
        now = to_naive(now) if now else clock.now()
        # Raw text of state and due: a value SQLAlchemy cannot decode must not crash the read.
        query = select(review_cards.c.id, review_cards.c.kind, review_cards.c.ref,
                       cast(review_cards.c.state, Text), cast(review_cards.c.due, Text))
        if card_ids is not None:
            query = query.where(review_cards.c.id.in_(card_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        bad = []
        for card_id, kind, ref, state, due in rows:
            _, why = load_state(state, due, now)
            if why is not None:
                bad.append((card_id, kind, ref, why))
        if not bad:
            return []
        messages = []
        with write_tx(self.engine) as conn:
            for card_id, kind, ref, why in bad:
                review_store.set_state(conn, card_id, new_state(card_id, now), now)
                kept = len(conn.execute(select(review_log.c.id)
                                        .where(review_log.c.card_id == card_id)).all())
                messages.append(f"card {card_id} ({kind} {ref}): {why}; reset to new, "
                                f"its {kept} past review(s) kept")
        for message in messages:
            logger.warning(message)
        self.warnings.extend(messages)
        return messages

    # -- reading ---------------------------------------------------------------------------
    def due(self, now: datetime | None = None, limit: int | None = None) -> list[ReviewCard]:
        """Cards due at ``now`` (default: the clock), most overdue first."""
        now = to_naive(now) if now else clock.now()
        self.check(now)
        with self.engine.connect() as conn:
            rows = review_store.due_rows(conn, now, limit)
        return [_to_review_card(r, now) for r in rows]

    def due_count(self, now: datetime | None = None) -> int:
        now = to_naive(now) if now else clock.now()
        self.check(now)
        with self.engine.connect() as conn:
            return review_store.count_due(conn, now)

    def next_due(self) -> datetime | None:
        """When the soonest card (not suspended) is due; None without cards."""
        self.check()
        with self.engine.connect() as conn:
            return review_store.next_due(conn)

    def cards(self) -> list[ReviewCard]:
        """Every card, suspended ones included, soonest due first."""
        now = clock.now()
        self.check(now)
        with self.engine.connect() as conn:
            rows = review_store.card_rows(conn)
        return [_to_review_card(r, now) for r in rows]

    def card(self, card_id: int) -> ReviewCard:
        now = clock.now()
        self.check(now, [card_id])
        with self.engine.connect() as conn:
            row = review_store.get_card(conn, card_id)
        if row is None:
            raise LookupError(f"card {card_id}: no such card")
        return _to_review_card(row, now)

    # -- writing ---------------------------------------------------------------------------
    def review(self, card_id: int, rating: int | str, now: datetime | None = None,
               duration_ms: int | None = None) -> ReviewCard:
        """Record a review (1 again .. 4 easy, or the word) and schedule the card's next one.
        The log row and the new state are written in one transaction."""
        grade = parse_rating(rating)
        now = to_naive(now) if now else clock.now()
        self.check(now, [card_id])
        with write_tx(self.engine) as conn:
            row = review_store.get_card(conn, card_id)
            if row is None:
                raise LookupError(f"card {card_id}: no such card")
            if row["suspended"]:
                raise ValueError(f"card {card_id} is suspended")
            card, _ = load_state(row["state"], row["due"], now)
            if card is None:  # changed since the check: start it over rather than fail
                card = Card.from_dict(new_state(card_id, now))  # type: ignore[arg-type]
            updated, _ = self.scheduler.review_card(card, Rating(grade),
                                                    review_datetime=to_aware(now),
                                                    review_duration=duration_ms)
            review_store.set_state(conn, card_id, dict(updated.to_dict()),
                                   to_naive(updated.due))
            review_store.add_review(conn, card_id, grade, now, duration_ms)
            if row["kind"] == "term" and grade >= RATINGS["good"]:
                add_known(conn, [(row["ref"], row["front"])], "reviewed")
            fresh = review_store.get_card(conn, card_id)
        assert fresh is not None
        return _to_review_card(fresh, now)

    def suspend(self, card_id: int, suspended: bool = True) -> ReviewCard:
        """Take a card out of reviews (or, with ``suspended=False``, put it back)."""
        with write_tx(self.engine) as conn:
            if not review_store.set_suspended(conn, card_id, suspended):
                raise LookupError(f"card {card_id}: no such card")
        return self.card(card_id)


def describe_due(moment: datetime | None, now: datetime) -> str:
    """'now', 'in 10 minutes', 'in 3 days (2026-01-05)' for a naive-UTC due date."""
    if moment is None:
        return "never (no cards)"
    delta = moment - now
    if delta <= timedelta(0):
        return "now"
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"in {max(1, round(minutes))} minute{'s' if round(minutes) > 1 else ''}"
    hours = minutes / 60
    if hours < 24:
        return f"in {round(hours)} hour{'s' if round(hours) > 1 else ''}"
    days = round(hours / 24)
    day = clock.local_date(moment).isoformat()
    return f"in {days} day{'s' if days > 1 else ''} ({day})"


__all__ = ["RATINGS", "ReviewCard", "Reviewer", "describe_due", "parse_rating"]
