"""`paperpath review`: a spaced-repetition session in the terminal.

State lives in the library after every answer, so quitting (q, Ctrl-D) loses nothing and the
next `paperpath review` carries on where this one stopped.
"""

from __future__ import annotations

import time
from collections import Counter

import typer
from rich.markup import escape

from paperpath.cli.common import DbOption, console, fail, open_library
from paperpath.coach import clock
from paperpath.coach.review import RATINGS, ReviewCard, Reviewer, describe_due, parse_rating

_KIND_LABEL = {"term": "term", "paper": "paper", "explanation": "explain it back"}
_QUIT = {"q", "quit", "exit"}
_MAX_BAD_ANSWERS = 5  # then stop: input is probably not a person (a pipe, a test)


class _Quit(Exception):
    """The reader asked to stop (q) or input ended."""


def _ask(prompt: str) -> str:
    try:
        answer = console.input(prompt)
    except (EOFError, KeyboardInterrupt):
        console.print()
        raise _Quit from None
    if answer.strip().lower() in _QUIT:
        raise _Quit
    return answer


def _ask_rating() -> int:
    for _ in range(_MAX_BAD_ANSWERS):
        answer = _ask("[bold]How well did you recall it?[/] "
                      "1 again · 2 hard · 3 good · 4 easy (q quits): ")
        try:
            return parse_rating(answer)
        except ValueError:
            console.print("  type 1, 2, 3 or 4 (or again, hard, good, easy); q quits")
    raise _Quit


def _show(card: ReviewCard, number: int, left: int) -> int:
    """One card: front, Enter, back, rating. Returns the rating."""
    console.rule(f"[dim]card {number} · {_KIND_LABEL.get(card.kind, card.kind)} · "
                 f"{left} due[/]")
    front = f"What is “{card.front}”?" if card.kind == "term" else card.front
    console.print(f"[bold]{escape(front)}[/]", highlight=False)
    _ask("[dim]Think of the answer, then press Enter (q quits)[/] ")
    console.print(escape(card.back or "(no answer stored)"), highlight=False)
    return _ask_rating()


def review(
    limit: int | None = typer.Option(None, "--limit", "-n", min=1,
                                     help="Review at most this many cards now."),
    db: str | None = DbOption,
) -> None:
    """Review what you read: key terms, what each paper contributes, your explanations.
    Cards come back on a spaced-repetition (FSRS) schedule; q stops, and the next session
    carries on."""
    lib = open_library(db)
    rev = Reviewer(lib)
    try:
        created = rev.sync_cards()
    except Exception as exc:  # a broken guide must not hide the cards already made
        fail(f"cannot make review cards: {exc}")
    for warning in rev.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    if created:
        console.print(f"{created} new card{'s' if created != 1 else ''} from your reading",
                      highlight=False)
    start = clock.now()
    due_now = rev.due_count(start)
    if due_now == 0:
        nxt = rev.next_due()
        if nxt is None:
            console.print("No review cards yet: finish a paper or explain one back, and its "
                          "cards appear here.")
        else:
            console.print(f"Nothing to review right now. Next card due "
                          f"{describe_due(nxt, start)}.", highlight=False)
        return
    cap = f"; reviewing up to {limit}" if limit is not None and limit < due_now else ""
    console.print(f"[bold]{due_now} card{'s' if due_now != 1 else ''} due[/]{cap}",
                  highlight=False)
    ratings: Counter[int] = Counter()
    stopped = False
    try:
        while limit is None or sum(ratings.values()) < limit:
            # One card at a time: a card rated "again" comes back once it is due again.
            batch = rev.due(clock.now(), limit=1)
            if not batch:
                break
            card = batch[0]
            began = time.monotonic()
            grade = _show(card, sum(ratings.values()) + 1, rev.due_count(clock.now()))
            done = rev.review(card.id, grade, now=clock.now(),
                              duration_ms=int((time.monotonic() - began) * 1000))
            ratings[grade] += 1
            console.print(f"  [dim]next time: {describe_due(done.due, clock.now())}[/]",
                          highlight=False)
    except _Quit:
        stopped = True
    _summary(rev, ratings, stopped)


def _summary(rev: Reviewer, ratings: Counter[int], stopped: bool) -> None:
    now = clock.now()
    total = sum(ratings.values())
    names = {v: k for k, v in RATINGS.items()}
    parts = " · ".join(f"{ratings[g]} {names[g]}" for g in sorted(ratings))
    console.rule()
    line = f"Reviewed {total} card{'s' if total != 1 else ''}"
    console.print(line + (f" ({parts})" if parts else "") + ".", highlight=False)
    left = rev.due_count(now)
    if stopped and left:
        console.print(f"Stopped with {left} still due: run `paperpath review` to carry on.",
                      highlight=False)
    console.print(f"Next card due {describe_due(rev.next_due(), now)}.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(review)
