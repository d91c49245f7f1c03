"""The coach's data in the library: profile, feedback, reading log, tags, notes,
explanations and weekly plans (review cards live in `review_store`).

Functions take an open connection; callers own the transaction (`store.db.write_tx`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from paperpath.store.schema import (
    explanations,
    feedback,
    notes,
    paper_tags,
    papers,
    profile,
    reading_log,
    week_plans,
)

SIGNALS = ("like", "dislike", "too_hard", "too_easy", "hide")
# Saying one of a pair withdraws the other: a paper cannot be both liked and disliked.
_OPPOSITE = {"like": "dislike", "dislike": "like", "too_hard": "too_easy",
             "too_easy": "too_hard"}
STATUSES = ("started", "finished")


# -- profile -------------------------------------------------------------------------------
def load_profile(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(select(profile).where(profile.c.id == 1)).first()
    return dict(row._mapping) if row is not None else None


def save_profile(conn: Connection, values: dict[str, Any], when: datetime) -> None:
    if load_profile(conn) is None:
        conn.execute(insert(profile).values(id=1, created_at=when, updated_at=when, **values))
    else:
        conn.execute(update(profile).where(profile.c.id == 1)
                     .values(updated_at=when, **values))


# -- feedback ------------------------------------------------------------------------------
def set_feedback(conn: Connection, pk: int, signal: str, when: datetime,
                 on: bool = True) -> None:
    if signal not in SIGNALS:
        raise ValueError(f"{signal!r}: feedback must be one of {', '.join(SIGNALS)}")
    conn.execute(delete(feedback).where(feedback.c.paper_pk == pk)
                 .where(feedback.c.signal.in_([signal, _OPPOSITE.get(signal, signal)])))
    if on:
        conn.execute(insert(feedback).values(paper_pk=pk, signal=signal, created_at=when))


def feedback_pks(conn: Connection, signal: str) -> list[int]:
    """Papers with a signal, oldest first."""
    return list(conn.execute(select(feedback.c.paper_pk).where(feedback.c.signal == signal)
                             .order_by(feedback.c.created_at, feedback.c.paper_pk)).scalars())


def feedback_rows(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(feedback, papers.c.key)
                        .join(papers, papers.c.pk == feedback.c.paper_pk)
                        .order_by(feedback.c.created_at))
    return [dict(r._mapping) for r in rows]


def signals_of(conn: Connection, pk: int) -> list[str]:
    return list(conn.execute(select(feedback.c.signal)
                             .where(feedback.c.paper_pk == pk)).scalars())


# -- reading log ---------------------------------------------------------------------------
def add_log(conn: Connection, pk: int, status: str, minutes: int, rating: int | None,
            week: str, when: datetime) -> int:
    if status not in STATUSES:
        raise ValueError(f"{status!r}: status must be started or finished")
    result = conn.execute(insert(reading_log).values(
        paper_pk=pk, status=status, minutes=minutes, rating=rating, week=week, logged_at=when))
    return int(result.inserted_primary_key[0])


def log_rows(conn: Connection, pk: int | None = None) -> list[dict[str, Any]]:
    """Reading sessions, oldest first, with the paper's key and title."""
    query = (select(reading_log, papers.c.key, papers.c.title)
             .join(papers, papers.c.pk == reading_log.c.paper_pk)
             .order_by(reading_log.c.logged_at, reading_log.c.id))
    if pk is not None:
        query = query.where(reading_log.c.paper_pk == pk)
    return [dict(r._mapping) for r in conn.execute(query)]


def finished_pks(conn: Connection) -> dict[int, datetime]:
    """Papers read to the end, with when they were first finished."""
    rows = conn.execute(select(reading_log.c.paper_pk, func.min(reading_log.c.logged_at))
                        .where(reading_log.c.status == "finished")
                        .group_by(reading_log.c.paper_pk))
    return {int(pk): at for pk, at in rows}


def touched_pks(conn: Connection) -> set[int]:
    """Papers with any reading session (started or finished)."""
    return set(conn.execute(select(reading_log.c.paper_pk).distinct()).scalars())


# -- tags ----------------------------------------------------------------------------------
def normalize_tag(tag: str) -> str:
    clean = "-".join(tag.strip().lower().lstrip("#").split())
    if not clean or len(clean) > 100:
        raise ValueError(f"{tag!r}: a tag needs 1 to 100 characters")
    return clean


def add_tags(conn: Connection, pk: int, tags: Iterable[str]) -> list[str]:
    have = set(tags_of(conn, pk))
    new = [t for t in dict.fromkeys(normalize_tag(t) for t in tags) if t not in have]
    if new:
        conn.execute(insert(paper_tags), [{"paper_pk": pk, "tag": t} for t in new])
    return new


def remove_tags(conn: Connection, pk: int, tags: Iterable[str]) -> int:
    keys = [normalize_tag(t) for t in tags]
    return conn.execute(delete(paper_tags).where(paper_tags.c.paper_pk == pk)
                        .where(paper_tags.c.tag.in_(keys))).rowcount or 0


def tags_of(conn: Connection, pk: int) -> list[str]:
    return sorted(conn.execute(select(paper_tags.c.tag)
                               .where(paper_tags.c.paper_pk == pk)).scalars())


def tag_rows(conn: Connection) -> list[tuple[str, str]]:
    """(paper key, tag) for every tag in the library."""
    rows = conn.execute(select(papers.c.key, paper_tags.c.tag)
                        .join(papers, papers.c.pk == paper_tags.c.paper_pk)
                        .order_by(papers.c.key, paper_tags.c.tag))
    return [(k, t) for k, t in rows]


def pks_tagged(conn: Connection, tag: str) -> list[int]:
    return list(conn.execute(select(paper_tags.c.paper_pk)
                             .where(paper_tags.c.tag == normalize_tag(tag))).scalars())


# -- notes ---------------------------------------------------------------------------------
def get_note(conn: Connection, pk: int) -> str | None:
    return conn.execute(select(notes.c.body).where(notes.c.paper_pk == pk)).scalar()


def save_note(conn: Connection, pk: int, body: str, when: datetime) -> None:
    if get_note(conn, pk) is None:
        conn.execute(insert(notes).values(paper_pk=pk, body=body, created_at=when,
                                          updated_at=when))
    else:
        conn.execute(update(notes).where(notes.c.paper_pk == pk)
                     .values(body=body, updated_at=when))


def note_rows(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(notes, papers.c.key, papers.c.title)
                        .join(papers, papers.c.pk == notes.c.paper_pk)
                        .order_by(notes.c.created_at))
    return [dict(r._mapping) for r in rows]


# -- explanations --------------------------------------------------------------------------
def add_explanation(conn: Connection, pk: int, text: str, score: float,
                    report: dict[str, Any], when: datetime) -> int:
    result = conn.execute(insert(explanations).values(
        paper_pk=pk, text=text, score=score, report=report, created_at=when))
    return int(result.inserted_primary_key[0])


def explanation_rows(conn: Connection, pk: int | None = None) -> list[dict[str, Any]]:
    query = (select(explanations, papers.c.key, papers.c.title)
             .join(papers, papers.c.pk == explanations.c.paper_pk)
             .order_by(explanations.c.created_at, explanations.c.id))
    if pk is not None:
        query = query.where(explanations.c.paper_pk == pk)
    return [dict(r._mapping) for r in conn.execute(query)]


# -- weekly plans --------------------------------------------------------------------------
def get_plan(conn: Connection, week: str) -> dict[str, Any] | None:
    row = conn.execute(select(week_plans).where(week_plans.c.week == week)).first()
    return dict(row._mapping) if row is not None else None


def save_plan(conn: Connection, week: str, items: Sequence[dict[str, Any]], hours: float,
              when: datetime) -> None:
    if get_plan(conn, week) is None:
        conn.execute(insert(week_plans).values(week=week, items=list(items), hours=hours,
                                               created_at=when, updated_at=when))
    else:
        conn.execute(update(week_plans).where(week_plans.c.week == week)
                     .values(items=list(items), hours=hours, updated_at=when))


def plan_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in
            conn.execute(select(week_plans).order_by(week_plans.c.week))]


def planned_pks(conn: Connection) -> set[int]:
    """Every paper that was in some week's plan."""
    out: set[int] = set()
    for items in conn.execute(select(week_plans.c.items)).scalars():
        out.update(int(i["paper_pk"]) for i in items or [] if "paper_pk" in i)
    return out
