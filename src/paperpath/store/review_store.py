"""Spaced-repetition cards and their review log in the library.

Functions take an open connection; callers own the transaction (`store.db.write_tx`). The
scheduling itself (fsrs) lives in `paperpath.coach.review`: this module only stores rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from paperpath.store.schema import review_cards, review_log

CARD_KINDS = ("term", "paper", "explanation")


def get_card(conn: Connection, card_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(review_cards).where(review_cards.c.id == card_id)).first()
    return dict(row._mapping) if row is not None else None


def find_card(conn: Connection, kind: str, ref: str) -> dict[str, Any] | None:
    row = conn.execute(select(review_cards).where(review_cards.c.kind == kind)
                       .where(review_cards.c.ref == ref)).first()
    return dict(row._mapping) if row is not None else None


def card_rows(conn: Connection, *, include_suspended: bool = True) -> list[dict[str, Any]]:
    """Every card, soonest due first."""
    query = select(review_cards).order_by(review_cards.c.due, review_cards.c.id)
    if not include_suspended:
        query = query.where(review_cards.c.suspended.is_(False))
    return [dict(r._mapping) for r in conn.execute(query)]


def due_rows(conn: Connection, now: datetime, limit: int | None = None) -> list[dict[str, Any]]:
    """Cards not suspended and due at ``now``, most overdue first."""
    query = (select(review_cards).where(review_cards.c.suspended.is_(False))
             .where(review_cards.c.due <= now)
             .order_by(review_cards.c.due, review_cards.c.id))
    if limit is not None:
        query = query.limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]


def count_due(conn: Connection, now: datetime) -> int:
    return int(conn.execute(select(func.count()).select_from(review_cards)
                            .where(review_cards.c.suspended.is_(False))
                            .where(review_cards.c.due <= now)).scalar_one())


def next_due(conn: Connection) -> datetime | None:
    """When the soonest card not suspended is due (possibly already past)."""
    return conn.execute(select(func.min(review_cards.c.due))
                        .where(review_cards.c.suspended.is_(False))).scalar()


def add_card(conn: Connection, kind: str, ref: str, front: str, back: str,
             state: dict[str, Any], due: datetime, created_at: datetime,
             suspended: bool = False) -> int:
    if kind not in CARD_KINDS:
        raise ValueError(f"{kind!r}: card kind must be one of {', '.join(CARD_KINDS)}")
    result = conn.execute(insert(review_cards).values(
        kind=kind, ref=ref, front=front, back=back, state=state, due=due,
        suspended=suspended, created_at=created_at))
    return int(result.inserted_primary_key[0])


def set_text(conn: Connection, card_id: int, front: str, back: str) -> None:
    conn.execute(update(review_cards).where(review_cards.c.id == card_id)
                 .values(front=front, back=back))


def set_state(conn: Connection, card_id: int, state: dict[str, Any], due: datetime) -> None:
    conn.execute(update(review_cards).where(review_cards.c.id == card_id)
                 .values(state=state, due=due))


def set_suspended(conn: Connection, card_id: int, suspended: bool) -> bool:
    """Suspend or resume a card; False when there is no such card."""
    done = conn.execute(update(review_cards).where(review_cards.c.id == card_id)
                        .values(suspended=suspended)).rowcount
    return bool(done)


def add_review(conn: Connection, card_id: int, rating: int, reviewed_at: datetime,
               duration_ms: int | None) -> int:
    if rating not in (1, 2, 3, 4):
        raise ValueError(f"{rating!r}: a rating is 1 (again) to 4 (easy)")
    result = conn.execute(insert(review_log).values(
        card_id=card_id, rating=rating, reviewed_at=reviewed_at, duration_ms=duration_ms))
    return int(result.inserted_primary_key[0])


def has_review(conn: Connection, card_id: int, reviewed_at: datetime, rating: int) -> bool:
    return conn.execute(select(review_log.c.id).where(and_(
        review_log.c.card_id == card_id, review_log.c.reviewed_at == reviewed_at,
        review_log.c.rating == rating))).first() is not None


def review_rows(conn: Connection, card_ids: Sequence[int] | None = None
                ) -> list[dict[str, Any]]:
    """Reviews, oldest first (of some cards, or all)."""
    query = select(review_log).order_by(review_log.c.reviewed_at, review_log.c.id)
    if card_ids is not None:
        query = query.where(review_log.c.card_id.in_(list(card_ids)))
    return [dict(r._mapping) for r in conn.execute(query)]


def last_reviewed(conn: Connection, card_id: int) -> datetime | None:
    return conn.execute(select(func.max(review_log.c.reviewed_at))
                        .where(review_log.c.card_id == card_id)).scalar()
