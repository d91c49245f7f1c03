"""The review session: one due card at a time (front, reveal, rate), over `coach.review`.

Without JavaScript the answer is revealed by a link (``?card=ID&show=1``) and rated by a form
post; static/review.js reveals in place and adds the keyboard (Space/Enter, 1-4).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fsrs import Rating
from sqlalchemy import func, select

from paperpath.coach import clock
from paperpath.coach.review import (
    RATINGS,
    ReviewCard,
    Reviewer,
    describe_due,
    load_state,
    parse_rating,
    to_aware,
    to_naive,
)
from paperpath.library import Library
from paperpath.store import review_store
from paperpath.store.schema import explanations, known_terms, reading_log
from paperpath.web.render import MESSAGES, lib_of, page, redirect

router = APIRouter()
logger = logging.getLogger(__name__)

MESSAGES.update({
    "review-suspended": "Card suspended: it will not come back in reviews.",
    "review-stale": "That card was already rated; here is the next one.",
})

KIND_LABELS = {"term": "term", "paper": "paper", "explanation": "explain it back"}
# (form value, key, label, what it means): the order of the buttons and of keys 1-4.
RATING_BUTTONS = (("again", 1, "Again", "forgot it"), ("hard", 2, "Hard", "with effort"),
                  ("good", 3, "Good", "recalled it"), ("easy", 4, "Easy", "instantly"))
_MAX_DURATION_MS = 3_600_000  # an hour: longer means the tab was left open, not thinking


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _card_or_404(rev: Reviewer, raw: str | int) -> ReviewCard:
    card_id = _int_or_none(str(raw))
    if card_id is None:
        raise HTTPException(404, f"{raw}: no such review card")
    try:
        return rev.card(card_id)
    except LookupError:
        raise HTTPException(404, f"card {card_id}: no such review card") from None


def _activity(lib: Library) -> tuple[Any, ...]:
    """What the cards are made from (finished papers, explanations, known terms), as a
    cheap stamp: syncing reads every finished paper's guide, so it runs only after change."""
    with lib.engine.connect() as conn:
        return (
            conn.execute(select(func.count(), func.max(reading_log.c.id))).one(),
            conn.execute(select(func.count(), func.max(explanations.c.id))).one(),
            conn.execute(select(func.count(), func.max(known_terms.c.added_at))).one(),
        )


def sync(request: Request, rev: Reviewer) -> list[str]:
    """Make cards for new reading (when anything changed since the last sync); returns
    warnings to show. A broken guide must not hide the cards already made."""
    state = request.app.state
    try:
        stamp = _activity(rev.lib)
        if getattr(state, "review_synced", None) != (id(rev.lib), stamp):
            rev.sync_cards()
            state.review_synced = (id(rev.lib), stamp)
    except Exception as exc:  # reported on the page; the session goes on
        logger.exception("cannot make review cards")
        return [f"Could not make new review cards: {exc}"]
    return []


def _previews(rev: Reviewer, card_id: int, now: datetime) -> dict[str, str]:
    """When the card would come back for each rating ('in 10 minutes', 'in 3 days'), as
    Anki shows on its buttons; empty if the state cannot be read."""
    with rev.engine.connect() as conn:
        row = review_store.get_card(conn, card_id)
    if row is None:
        return {}
    card, _why = load_state(row["state"], row["due"], now)
    if card is None:
        return {}
    out = {}
    for name, grade in RATINGS.items():
        nxt, _ = rev.scheduler.review_card(card, Rating(grade), review_datetime=to_aware(now))
        out[name] = describe_due(to_naive(nxt.due), now).split(" (")[0]
    return out


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, card: str | None = None, show: str = "",
                done: str = "", last: str = "") -> HTMLResponse:
    """The next due card (or ``card``), its answer hidden unless ``show``."""
    lib = lib_of(request)
    rev = Reviewer(lib)
    warnings = sync(request, rev)
    now = clock.now()
    due_now = rev.due_count(now)
    current: ReviewCard | None
    if card not in (None, ""):
        current = _card_or_404(rev, card)
    else:
        batch = rev.due(now, limit=1)
        current = batch[0] if batch else None
    previous = None
    last_id = _int_or_none(last)
    if last_id is not None:
        try:
            previous = rev.card(last_id)
        except LookupError:
            previous = None
    context: dict[str, Any] = {
        "current": current, "show": show not in ("", "0"), "due_now": due_now,
        "done": max(_int_or_none(done) or 0, 0), "warnings": [*rev.warnings, *warnings],
        "ratings": RATING_BUTTONS, "kind_labels": KIND_LABELS, "previews": {},
        "previous": previous,
        "previous_due": describe_due(previous.due, now) if previous else None,
        "next_due": None, "has_cards": True,
    }
    if current is not None:
        try:
            context["previews"] = _previews(rev, current.id, now)
        except Exception:  # a preview is a nicety, never worth a failed page
            logger.exception("cannot preview card %s", current.id)
    else:
        nxt = rev.next_due()
        context["has_cards"] = nxt is not None
        context["next_due"] = describe_due(nxt, now) if nxt is not None else None
    title = f"Review ({due_now} due)" if due_now else "Review"
    return page(request, "review.html", title=title, **context)


@router.post("/review/{card_id}", include_in_schema=False)
def rate(request: Request, card_id: str, rating: Annotated[str, Form()] = "",
         done: Annotated[str, Form()] = "", shown_due: Annotated[str, Form()] = "",
         duration_ms: Annotated[str, Form()] = "") -> Response:
    """Record the rating of a card, then on to the next due card."""
    rev = Reviewer(lib_of(request))
    card = _card_or_404(rev, card_id)
    try:
        grade = parse_rating(rating)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    count = max(_int_or_none(done) or 0, 0)
    # The due date the page showed: a second post of the same page (double click, back
    # button) would otherwise rate the card twice and skew its schedule.
    if shown_due and shown_due != card.due.isoformat():
        return redirect("/review", "review-stale", done=count)
    spent = _int_or_none(duration_ms)
    if spent is not None and not 0 <= spent <= _MAX_DURATION_MS:
        spent = None
    try:
        rev.review(card.id, grade, duration_ms=spent)
    except ValueError as exc:  # suspended
        raise HTTPException(400, str(exc)) from None
    return redirect("/review", None, done=count + 1, last=card.id)


@router.post("/review/{card_id}/suspend", include_in_schema=False)
def suspend(request: Request, card_id: str, done: Annotated[str, Form()] = "") -> Response:
    """Take a card out of the reviews for good (a term the reader does not care about)."""
    rev = Reviewer(lib_of(request))
    card = _card_or_404(rev, card_id)
    rev.suspend(card.id)
    return redirect("/review", "review-suspended", done=max(_int_or_none(done) or 0, 0))
