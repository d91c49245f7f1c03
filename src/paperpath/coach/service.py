"""`Coach`: the weekly loop over one library — profile, feedback, reading log, notes, tags,
explain-back and the weekly plan. `Library.coach` returns one.

    coach = lib.coach
    coach.set_profile(interests=["diffusion models"], math_comfort=2)
    plan = coach.week()                       # this week's picks, remembered
    coach.read(plan.items[0].paper.id, minutes=50, rating=4)
    feedback = coach.explain("2006.11239", "They train a network to undo noise ...")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from paperpath.coach import clock
from paperpath.coach.profile import (
    DEFAULT_COMFORT,
    DEFAULT_HOURS,
    DEFAULT_PAPERS,
    Profile,
    ProfileError,
    checked,
    from_row,
)
from paperpath.store import coach_store as cs
from paperpath.store.db import write_tx

if TYPE_CHECKING:
    from paperpath.coach.explain import ExplanationScore
    from paperpath.coach.progress import Progress
    from paperpath.coach.week import WeekPlan
    from paperpath.library import Library
    from paperpath.records import Paper

MAX_MINUTES = 24 * 60


class CoachError(ValueError):
    """A request the coach cannot carry out (unknown paper, bad value); one-line message."""


@dataclass(frozen=True)
class LogEntry:
    paper_id: str
    title: str
    status: str
    minutes: int
    rating: int | None
    week: str
    logged_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.paper_id, "title": self.title, "status": self.status,
                "minutes": self.minutes, "rating": self.rating, "week": self.week,
                "logged_at": self.logged_at.isoformat(timespec="seconds")}


def _entry(row: dict[str, Any]) -> LogEntry:
    return LogEntry(row["key"], row["title"], row["status"], row["minutes"], row["rating"],
                    row["week"], row["logged_at"])


class Coach:
    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.engine = lib.engine

    # -- papers --------------------------------------------------------------------------
    def paper(self, id: str) -> Paper:
        paper = self.lib.get(id)
        if paper is None:
            raise CoachError(f"{id}: no such paper in the library (add it with "
                             f"`paperpath add {id}`)")
        return paper

    # -- profile -------------------------------------------------------------------------
    def profile(self) -> Profile | None:
        """The saved profile, or None before `init`."""
        with self.engine.connect() as conn:
            return from_row(cs.load_profile(conn))

    def profile_or_default(self) -> Profile:
        return self.profile() or Profile()

    def set_profile(self, *, interests: Iterable[str] | None = None,
                    math_comfort: int | None = None, hours_per_week: float | None = None,
                    papers_per_week: int | None = None, liked: Sequence[str] = (),
                    known_terms: Sequence[str] = (), add_interests: bool = False) -> Profile:
        """Create or edit the profile; values not given stay as they were (or defaults).
        ``liked`` papers are recorded as likes; ``known_terms`` as terms you know."""
        old = self.profile()
        base = old or Profile()
        wanted = list(interests) if interests is not None else list(base.interests)
        if add_interests and interests is not None:
            wanted = [*base.interests, *wanted]
        try:
            new = checked(
                interests=wanted,
                math_comfort=base.math_comfort if math_comfort is None else math_comfort,
                hours_per_week=base.hours_per_week if hours_per_week is None else hours_per_week,
                papers_per_week=(base.papers_per_week if papers_per_week is None
                                 else papers_per_week))
        except ProfileError as exc:
            raise CoachError(str(exc)) from None
        papers = [self.paper(p) for p in liked]  # all-or-nothing: check before writing
        when = clock.now()
        with write_tx(self.engine) as conn:
            cs.save_profile(conn, new.to_dict(), when)
            for paper in papers:
                cs.set_feedback(conn, paper.pk, "like", when)
        if known_terms:
            self.lib.mark_known(known_terms, source="marked")
        return new

    # -- feedback ------------------------------------------------------------------------
    def feedback(self, id: str, signal: str, on: bool = True) -> Paper:
        """Record like | dislike | too_hard | too_easy | hide (on=False withdraws it)."""
        signal = signal.replace("-", "_")
        if signal not in cs.SIGNALS:
            raise CoachError(f"{signal!r}: feedback is one of {', '.join(cs.SIGNALS)}")
        paper = self.paper(id)
        with write_tx(self.engine) as conn:
            cs.set_feedback(conn, paper.pk, signal, clock.now(), on=on)
        return paper

    def signals(self, id: str) -> list[str]:
        paper = self.paper(id)
        with self.engine.connect() as conn:
            return cs.signals_of(conn, paper.pk)

    def feedback_ids(self, signal: str) -> list[str]:
        with self.engine.connect() as conn:
            pks = cs.feedback_pks(conn, signal)
        return [p.id for p in self._papers(pks)]

    def _papers(self, pks: Sequence[int]) -> list[Paper]:
        from paperpath.store.reader import papers_by_pk

        with self.engine.connect() as conn:
            found = papers_by_pk(conn, list(pks))
        return [found[p] for p in pks if p in found]

    # -- reading log ---------------------------------------------------------------------
    def read(self, id: str, minutes: int = 0, rating: int | None = None,
             status: str = "finished") -> LogEntry:
        """Log a reading session. Finishing a paper counts its key terms as met (the guide
        stops flagging them as new) and feeds the reviews."""
        if status not in cs.STATUSES:
            raise CoachError(f"{status!r}: a session is 'started' or 'finished'")
        if not 0 <= int(minutes) <= MAX_MINUTES:
            raise CoachError(f"{minutes} minutes: give the minutes spent (0 to {MAX_MINUTES})")
        if rating is not None and not 1 <= int(rating) <= 5:
            raise CoachError(f"rating {rating}: rate from 1 (not useful) to 5 (excellent)")
        paper = self.paper(id)
        when = clock.now()
        week = clock.week_of(clock.local_date(when))
        with write_tx(self.engine) as conn:
            cs.add_log(conn, paper.pk, status, int(minutes), rating, week, when)
        if status == "finished":
            guide = self.lib.guide(paper.id)
            self.lib.mark_known([t.term for t in guide.key_terms], source="read")
        return LogEntry(paper.id, paper.title, status, int(minutes), rating, week, when)

    def log(self, id: str | None = None) -> list[LogEntry]:
        pk = self.paper(id).pk if id else None
        with self.engine.connect() as conn:
            return [_entry(r) for r in cs.log_rows(conn, pk)]

    def read_ids(self) -> list[str]:
        """Papers finished, in the order they were first finished."""
        with self.engine.connect() as conn:
            done = cs.finished_pks(conn)
        return [p.id for p in self._papers(sorted(done, key=lambda k: done[k]))]

    # -- notes and tags --------------------------------------------------------------------
    def note(self, id: str) -> str | None:
        paper = self.paper(id)
        with self.engine.connect() as conn:
            return cs.get_note(conn, paper.pk)

    def save_note(self, id: str, body: str) -> Paper:
        paper = self.paper(id)
        with write_tx(self.engine) as conn:
            cs.save_note(conn, paper.pk, body, clock.now())
        return paper

    def tag(self, id: str, tags: Iterable[str], remove: bool = False) -> list[str]:
        """Add (or remove) tags; returns the paper's tags afterwards."""
        paper = self.paper(id)
        try:
            with write_tx(self.engine) as conn:
                if remove:
                    cs.remove_tags(conn, paper.pk, tags)
                else:
                    cs.add_tags(conn, paper.pk, tags)
                return cs.tags_of(conn, paper.pk)
        except ValueError as exc:
            raise CoachError(str(exc)) from None

    def tags(self, id: str) -> list[str]:
        """The paper's tags, sorted."""
        paper = self.paper(id)
        with self.engine.connect() as conn:
            return cs.tags_of(conn, paper.pk)

    def set_tags(self, id: str, tags: Iterable[str]) -> list[str]:
        """Replace the paper's tags with ``tags`` in one transaction; returns them."""
        paper = self.paper(id)
        try:
            wanted = list(dict.fromkeys(cs.normalize_tag(t) for t in tags))
            with write_tx(self.engine) as conn:
                current = cs.tags_of(conn, paper.pk)
                cs.remove_tags(conn, paper.pk, [t for t in current if t not in wanted])
                if wanted:
                    cs.add_tags(conn, paper.pk, wanted)
                return cs.tags_of(conn, paper.pk)
        except ValueError as exc:
            raise CoachError(str(exc)) from None

    def tagged(self, tag: str) -> list[Paper]:
        with self.engine.connect() as conn:
            return self._papers(cs.pks_tagged(conn, tag))

    # -- explain-back ----------------------------------------------------------------------
    def explain(self, id: str, text: str, save: bool = True) -> ExplanationScore:
        """Score the reader's high-level explanation of a paper and keep it (with the
        feedback) unless it is empty."""
        from paperpath.coach.explain import score_explanation

        paper = self.paper(id)
        if not paper.abstract.strip():
            raise CoachError(f"{paper.id}: the library has no abstract for this paper to "
                             "compare with (sync it from arXiv or import its PDF)")
        result = score_explanation(paper.title, paper.abstract, text)
        if save and text.strip():
            with write_tx(self.engine) as conn:
                cs.add_explanation(conn, paper.pk, text.strip(), float(result.score),
                                   result.to_dict(), clock.now())
        return result

    def explanations(self, id: str | None = None) -> list[dict[str, Any]]:
        pk = self.paper(id).pk if id else None
        with self.engine.connect() as conn:
            return cs.explanation_rows(conn, pk)

    # -- the weekly plan -------------------------------------------------------------------
    def week(self, *, new: bool = False, week: str | None = None) -> WeekPlan:
        """This week's plan (made once, then remembered; new=True makes it again, keeping
        what was already read this week)."""
        from paperpath.coach.week import plan_week

        return plan_week(self, new=new, week=week)

    def progress(self, weeks: int | None = None) -> Progress:
        """Weeks meeting the goal, the streak, cumulative papers and terms, coverage."""
        from paperpath.coach.progress import progress

        return progress(self.lib, weeks=weeks)

    def seed_canon(self) -> int:
        """Add the built-in canon of landmark papers to the library (those missing)."""
        from paperpath.coach.seed import seed_canon

        return seed_canon(self.lib)


__all__ = ["DEFAULT_COMFORT", "DEFAULT_HOURS", "DEFAULT_PAPERS", "Coach", "CoachError",
           "LogEntry"]
