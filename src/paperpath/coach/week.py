"""The weekly plan: this week's papers within the reader's hours, mixing the frontier (new
papers from their sources, recommended) with foundations (the next canon papers on their
path), each with the reason it was chosen. A week's plan is made once and remembered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from paperpath.coach import clock
from paperpath.store import coach_store as cs
from paperpath.store.db import write_tx
from paperpath.store.schema import feedback, papers

if TYPE_CHECKING:
    from paperpath.coach.profile import Profile
    from paperpath.coach.service import Coach
    from paperpath.records import Paper

# The frontier is the newest papers of the reader's sources: recommendations are ranked
# among this many of the most recent ones.
FRONTIER_POOL = 5000
FULL, FIRST_PASS = "full read", "first pass"
RECENCY = 0.3  # mild preference for the newest papers within the frontier


@dataclass(frozen=True)
class PlanItem:
    paper: Paper
    kind: str  # foundation | frontier
    reason: str
    minutes: int
    mode: str  # full read | first pass
    status: str = "to read"  # to read | started | read

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.paper.id, "title": self.paper.title, "kind": self.kind,
                "reason": self.reason, "minutes": self.minutes, "mode": self.mode,
                "status": self.status, "url": self.paper.abs_url}


@dataclass
class WeekPlan:
    week: str
    items: list[PlanItem]
    hours: float
    papers_goal: int
    created_at: datetime
    fresh: bool  # made by this call (else remembered)
    notes: list[str] = field(default_factory=list)
    due_reviews: int = 0

    @property
    def planned_minutes(self) -> int:
        return sum(i.minutes for i in self.items)

    @property
    def done(self) -> int:
        return sum(i.status == "read" for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week, "hours": self.hours, "papers_goal": self.papers_goal,
                "planned_minutes": self.planned_minutes, "done": self.done,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "fresh": self.fresh, "due_reviews": self.due_reviews, "notes": self.notes,
                "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class _Pick:
    pk: int
    kind: str
    reason: str


def plan_week(coach: Coach, *, new: bool = False, week: str | None = None) -> WeekPlan:
    week = week or clock.current_week()
    clock.week_start(week)  # a clear error for a malformed label
    profile = coach.profile_or_default()
    notes: list[str] = []
    if coach.profile() is None:
        notes.append("no profile yet: `paperpath init` tells the coach your interests, math "
                     "comfort and hours")
    coach.seed_canon()
    with coach.engine.connect() as conn:
        saved = cs.get_plan(conn, week)
        row = cs.load_profile(conn)
        touched = cs.touched_pks(conn)
    if saved is not None and not new:
        untouched = not any(int(i["paper_pk"]) in touched for i in saved["items"])
        # A plan made before the profile changed, and not started, follows the new profile.
        if not (untouched and row is not None and row["updated_at"] > saved["updated_at"]):
            return _materialize(coach, week, saved, profile, fresh=False, notes=notes)

    keep: list[dict[str, Any]] = []
    if saved is not None:  # remaking: what the reader already started or read stays
        keep = [i for i in saved["items"] if int(i["paper_pk"]) in touched]
    items = _choose(coach, profile, keep, notes)
    when = clock.now()
    with write_tx(coach.engine) as conn:
        cs.save_plan(conn, week, items, profile.hours_per_week, when)
        saved = cs.get_plan(conn, week)
    assert saved is not None
    return _materialize(coach, week, saved, profile, fresh=True, notes=notes)


def _excluded(coach: Coach) -> set[int]:
    """Papers never to plan again: read, hidden or disliked."""
    with coach.engine.connect() as conn:
        out = set(cs.finished_pks(conn))
        out.update(conn.execute(select(feedback.c.paper_pk)
                                .where(feedback.c.signal.in_(["hide", "dislike"]))).scalars())
    return out


def _choose(coach: Coach, profile: Profile, keep: list[dict[str, Any]],
            notes: list[str]) -> list[dict[str, Any]]:
    exclude = _excluded(coach) | {int(i["paper_pk"]) for i in keep}
    slots = max(0, profile.papers_per_week - len(keep))
    n_found = 0 if slots == 0 else max(1, round(slots * 0.4))
    foundations = _foundation_picks(coach, profile, exclude, n_found + 3)
    frontier = _frontier_picks(coach, profile, exclude, slots + 6)
    if not frontier:
        notes.append("no new papers from your sources yet: `paperpath sync --category cs.LG` "
                     "fetches recent arXiv papers, `paperpath ingest FILE` loads the arXiv "
                     "snapshot, `paperpath feeds add URL` follows a blog")
    # Alternate so both kinds get in even when the budget runs short.
    order = [*foundations[:n_found], *frontier[:slots - n_found]]
    order += [p for p in (*frontier[slots - n_found:], *foundations[n_found:])]
    budget = profile.hours_per_week * 60 - sum(int(i["minutes"]) for i in keep)
    chosen = list(keep)
    seen = set(exclude)
    short = False
    for pick in order:
        if len(chosen) >= profile.papers_per_week:
            break
        if pick.pk in seen:
            continue
        paper = coach.lib.get_pk(pick.pk)
        if paper is None:
            continue
        guide = coach.lib.guide(paper.id, reader_level=profile.math_comfort)
        full, first = guide.reading_time.full_read, guide.reading_time.first_pass
        if full <= budget:
            minutes, mode = full, FULL
        elif first <= budget or not chosen:
            minutes, mode = first, FIRST_PASS
            short = True
        else:
            short = True
            continue
        seen.add(pick.pk)
        budget -= minutes
        chosen.append({"paper_pk": pick.pk, "kind": pick.kind, "reason": pick.reason,
                       "minutes": minutes, "mode": mode})
    if short:
        notes.append(f"{profile.hours_per_week:g} hours do not fit every paper at a full read: "
                     "some are planned as a first pass (title, abstract, introduction, "
                     "figures, conclusion)")
    if len(chosen) < profile.papers_per_week:
        notes.append(f"only {len(chosen)} of {profile.papers_per_week} papers could be "
                     "planned: add papers to the library or raise your hours")
    return chosen


def _foundation_picks(coach: Coach, profile: Profile, exclude: set[int], n: int
                      ) -> list[_Pick]:
    from paperpath.coach.foundations import foundations_path

    with coach.engine.connect() as conn:
        read_keys = list(conn.execute(select(papers.c.key).where(
            papers.c.pk.in_(list(cs.finished_pks(conn))))).scalars())
    known = [t for t, _k, _s in coach.lib.known_terms()]
    liked = coach.feedback_ids("like")
    steps = foundations_path([*profile.interests, *liked], read=read_keys, known_terms=known,
                             comfort=profile.math_comfort)
    if not steps:  # interests beyond the canon: the general foundations still apply
        steps = foundations_path([], read=read_keys, known_terms=known,
                                 comfort=profile.math_comfort)
    out: list[_Pick] = []
    for step in steps:
        paper = coach.lib.get(step.paper.key())
        if paper is None or paper.pk in exclude:
            continue
        out.append(_Pick(paper.pk, "foundation", f"foundations: {step.reason}"))
        if len(out) >= n:
            break
    return out


def _frontier_pool(coach: Coach, exclude: set[int]) -> list[str]:
    """The newest papers that came from the reader's sources (not the built-in canon)."""
    with coach.engine.connect() as conn:
        rows = conn.execute(
            select(papers.c.pk, papers.c.key).where(papers.c.sources != "canon")
            .order_by(func.coalesce(papers.c.published, papers.c.updated).desc(),
                      papers.c.pk.desc())
            .limit(FRONTIER_POOL + len(exclude))).all()
    return [key for pk, key in rows if pk not in exclude][:FRONTIER_POOL]


def _frontier_picks(coach: Coach, profile: Profile, exclude: set[int], n: int
                    ) -> list[_Pick]:
    from paperpath.coach.recommend import Recommender

    pool = _frontier_pool(coach, exclude)
    if not pool:
        return []
    liked = coach.feedback_ids("like")
    # Papers the reader finished and rated 4+ count as liked too.
    rated = [e.paper_id for e in coach.log() if e.status == "finished" and (e.rating or 0) >= 4]
    interests = [*profile.interests, *dict.fromkeys([*liked, *rated])]
    if not interests:
        interests = ["machine learning"]
    found = Recommender(coach.lib).rank(
        interests, coach.feedback_ids("dislike"), candidates=pool, limit=n,
        comfort=profile.math_comfort, too_hard=coach.feedback_ids("too_hard"),
        too_easy=coach.feedback_ids("too_easy"), recency_weight=RECENCY, exclude=exclude)
    return [_Pick(r.pk, "frontier", r.reason) for r in found if r.pk not in exclude]


def _materialize(coach: Coach, week: str, saved: dict[str, Any], profile: Profile, *,
                 fresh: bool, notes: list[str]) -> WeekPlan:
    with coach.engine.connect() as conn:
        finished = cs.finished_pks(conn)
        touched = cs.touched_pks(conn)
    items: list[PlanItem] = []
    for raw in saved["items"]:
        pk = int(raw["paper_pk"])
        paper = coach.lib.get_pk(pk)
        if paper is None:  # removed from the library since
            continue
        status = "read" if pk in finished else "started" if pk in touched else "to read"
        items.append(PlanItem(paper, raw["kind"], raw["reason"], int(raw["minutes"]),
                              raw.get("mode", FULL), status))
    plan = WeekPlan(week, items, float(saved["hours"]), profile.papers_per_week,
                    saved["created_at"], fresh, notes)
    plan.due_reviews = _due_reviews(coach)
    return plan


def _due_reviews(coach: Coach) -> int:
    from paperpath.coach.review import Reviewer

    reviewer = Reviewer(coach.lib)
    reviewer.sync_cards()
    return reviewer.due_count()
