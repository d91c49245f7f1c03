"""Progress over the weeks: papers read against the goal, the streak, what compounds
(papers read, terms known) and how much of the field the reading has touched.

Weeks are the ISO week labels stored with each reading session, so a reader whose clock
jumped still sees each session where it was recorded: labels after the current week are kept
(and flagged), labels that cannot be read are skipped with a warning. Known terms,
explanations and reviews carry timestamps only; they count in the local week of the stamp.

Coverage uses the saved map of the field when one exists (building a map is far too slow for
a progress report), else the papers' arXiv primary categories.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from paperpath.coach import clock
from paperpath.coach.profile import DEFAULT_HOURS
from paperpath.coach.profile import DEFAULT_PAPERS as DEFAULT_GOAL
from paperpath.store.coach_store import load_profile, log_rows
from paperpath.store.schema import explanations, known_terms, papers, review_log

if TYPE_CHECKING:
    from paperpath.library import Library

UNCATEGORIZED = "uncategorized"

# Names for the arXiv categories ML readers meet most; others show as the bare code.
CATEGORY_NAMES = {
    "cs.LG": "Machine Learning",
    "stat.ML": "Machine Learning (stat)",
    "cs.AI": "Artificial Intelligence",
    "cs.CL": "Computation and Language",
    "cs.CV": "Computer Vision",
    "cs.RO": "Robotics",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.IR": "Information Retrieval",
    "cs.CR": "Cryptography and Security",
    "cs.SD": "Sound",
    "eess.AS": "Audio and Speech Processing",
    "eess.IV": "Image and Video Processing",
    "cs.HC": "Human-Computer Interaction",
    "cs.DC": "Distributed Computing",
    "cs.MA": "Multiagent Systems",
    "math.OC": "Optimization and Control",
}


@dataclass(frozen=True)
class WeekProgress:
    """One ISO week. ``finished`` counts papers finished for the first time that week (a
    re-read does not count twice); ``papers_total`` and ``terms_total`` are cumulative."""

    week: str
    finished: int
    started: int
    minutes: int
    hours: float
    goal_met: bool
    papers_total: int
    terms_total: int
    explanations: int
    reviews: int
    current: bool = False
    future: bool = False  # labelled after the current week (the clock changed?)


@dataclass(frozen=True)
class ClusterCoverage:
    label: str
    papers: int  # papers of the library in this cluster (or category)
    read: int  # of those, papers the reader finished


@dataclass(frozen=True)
class Coverage:
    """How much of the field the reading touched. ``source``: "map" (clusters of the saved
    map of the field), "category" (arXiv primary categories) or "none" (empty library)."""

    source: str
    clusters: tuple[ClusterCoverage, ...]
    clusters_touched: int
    clusters_total: int
    model: str | None = None  # the map's embedding model
    unplaced_read: int = 0  # papers read that the map does not show (added after it was built)

    @property
    def fraction(self) -> float:
        return self.clusters_touched / self.clusters_total if self.clusters_total else 0.0


@dataclass(frozen=True)
class Totals:
    papers_read: int
    papers_started: int  # distinct papers with any session
    minutes: int
    hours: float
    terms_known: int
    explanations: int
    reviews: int
    average_rating: float | None  # the latest rating of each rated paper, averaged
    weeks: int  # weeks from the first week to the current one, inclusive
    papers_per_week: float
    hours_per_week: float
    goal: int
    hours_goal: float


@dataclass(frozen=True)
class Progress:
    current_week: str
    first_week: str
    goal: int
    weeks: tuple[WeekProgress, ...]
    streak: int  # consecutive goal-met weeks ending this week (if met) or last week
    longest_streak: int
    this_week_met: bool
    # True while the streak (through last week) is at stake: this week still needs
    # ``needed_this_week`` papers to keep it. False once this week is met, or with no streak.
    streak_alive_this_week: bool
    needed_this_week: int
    totals: Totals
    coverage: Coverage
    warnings: tuple[str, ...] = ()
    hint: str | None = None  # what to do when there is nothing to show yet

    @property
    def this_week(self) -> WeekProgress | None:
        return next((w for w in self.weeks if w.current), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (str, int, float, bool, None, lists, dicts)."""
        data = asdict(self)
        for key in ("weeks", "warnings"):
            data[key] = list(data[key])
        data["coverage"]["clusters"] = list(data["coverage"]["clusters"])
        data["coverage"]["fraction"] = round(self.coverage.fraction, 4)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        cov = dict(data["coverage"])
        cov.pop("fraction", None)
        cov["clusters"] = tuple(ClusterCoverage(**c) for c in cov["clusters"])
        return cls(**{**data,
                      "weeks": tuple(WeekProgress(**w) for w in data["weeks"]),
                      "totals": Totals(**data["totals"]),
                      "coverage": Coverage(**cov),
                      "warnings": tuple(data["warnings"])})


# -- computing -----------------------------------------------------------------------------
def _parse_week(label: Any) -> str | None:
    """The canonical label ('2026-W05') of a stored week label, None if unreadable."""
    if not isinstance(label, str):
        return None
    try:
        return clock.week_of(clock.week_start(label.strip()))
    except clock.ClockError:
        return None


def _week_of_stamp(stamp: datetime | None) -> str | None:
    return clock.week_of(clock.local_date(stamp)) if stamp is not None else None


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _stamps(conn: Connection, column: Any) -> list[datetime]:
    return [s for s in conn.execute(select(column)).scalars() if s is not None]


def _streaks(met: list[bool]) -> tuple[int, int]:
    """(streak ending at the last element, or at the one before when the last is not met;
    longest run)."""
    longest = run = 0
    for ok in met:
        run = run + 1 if ok else 0
        longest = max(longest, run)
    tail = met if met and met[-1] else met[:-1]
    current = 0
    for ok in reversed(tail):
        if not ok:
            break
        current += 1
    return current, longest


def progress(lib: Library, *, weeks: int | None = None, today: date | None = None) -> Progress:
    """The reader's progress up to ``today`` (default: the reader's local date, or
    $PAPERPATH_NOW). ``weeks`` keeps only the last N weeks up to the current one in
    ``Progress.weeks`` (weeks labelled later are always kept); streaks, cumulative counts and
    totals are always computed over the whole history."""
    if weeks is not None and weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    current = clock.week_of(today) if today is not None else clock.current_week()
    warnings: list[str] = []
    with lib.engine.connect() as conn:
        prof = load_profile(conn)
        rows = log_rows(conn)
        term_stamps = _stamps(conn, known_terms.c.added_at)
        expl_stamps = _stamps(conn, explanations.c.created_at)
        review_stamps = _stamps(conn, review_log.c.reviewed_at)
    goal = int(prof["papers_per_week"]) if prof and prof.get("papers_per_week") else DEFAULT_GOAL
    hours_goal = float(prof["hours_per_week"]) if prof and prof.get("hours_per_week") \
        else DEFAULT_HOURS

    # Sessions by the week their label says; unreadable labels are reported and skipped.
    bad: list[str] = []
    sessions: list[tuple[str, dict[str, Any]]] = []
    for row in rows:
        week = _parse_week(row["week"])
        if week is None:
            bad.append(str(row["week"]))
        else:
            sessions.append((week, row))
    if bad:
        shown = ", ".join(repr(b) for b in sorted(set(bad))[:5])
        warnings.append(f"{len(bad)} reading-log row(s) have a week label that cannot be read "
                        f"({shown}); they were skipped")

    first_finish: dict[int, str] = {}  # paper -> week of its first finish (by label)
    started_in: dict[str, set[int]] = defaultdict(set)
    minutes_in: Counter[str] = Counter()
    last_rating: dict[int, int] = {}
    keys: dict[int, str] = {}
    for week, row in sessions:  # oldest logged first, so the last rating seen is the latest
        pk = int(row["paper_pk"])
        keys[pk] = row["key"]
        minutes_in[week] += max(int(row["minutes"] or 0), 0)
        if row["rating"] is not None:
            last_rating[pk] = int(row["rating"])
        if row["status"] == "finished":
            if pk not in first_finish or week < first_finish[pk]:
                first_finish[pk] = week
        else:
            started_in[week].add(pk)
    finished_in = Counter(first_finish.values())
    terms_in = Counter(_week_of_stamp(s) for s in term_stamps)
    expl_in = Counter(_week_of_stamp(s) for s in expl_stamps)
    reviews_in = Counter(_week_of_stamp(s) for s in review_stamps)

    # The series runs from the first logged week (or the profile's) to the current week;
    # weeks labelled later are appended so no session is dropped.
    starts = [w for w, _ in sessions]
    if prof and prof.get("created_at"):
        starts.append(clock.week_of(clock.local_date(prof["created_at"])))
    first = min([*starts, current])
    series = clock.weeks_between(first, current)
    later = sorted({w for counter in (finished_in, started_in, minutes_in, terms_in, expl_in,
                                      reviews_in) for w in counter if w and w > current})
    ahead = [w for w, _ in sessions if w > current]
    if ahead:
        warnings.append(f"{len(ahead)} reading-log row(s) are labelled after the current week "
                        f"{current} ({', '.join(sorted(set(ahead)))}): the clock may have "
                        "changed; they count in the week their label says")

    # Terms known before the first week are the starting point of the cumulative line.
    papers_total = 0
    terms_total = sum(n for w, n in terms_in.items() if w and w < first)
    out: list[WeekProgress] = []
    for week in [*series, *later]:
        done = finished_in.get(week, 0)
        papers_total += done
        terms_total += terms_in.get(week, 0)
        out.append(WeekProgress(
            week=week, finished=done, started=len(started_in.get(week, ())),
            minutes=minutes_in.get(week, 0), hours=_hours(minutes_in.get(week, 0)),
            goal_met=done >= goal, papers_total=papers_total, terms_total=terms_total,
            explanations=expl_in.get(week, 0), reviews=reviews_in.get(week, 0),
            current=week == current, future=week > current))

    past = out[:len(series)]
    streak, longest = _streaks([w.goal_met for w in past])
    this_week_met = past[-1].goal_met
    needed = max(goal - past[-1].finished, 0)
    total_minutes = sum(minutes_in.values())
    totals = Totals(
        papers_read=len(first_finish),
        papers_started=len(keys),
        minutes=total_minutes,
        hours=_hours(total_minutes),
        terms_known=len(term_stamps),
        explanations=len(expl_stamps),
        reviews=len(review_stamps),
        average_rating=round(sum(last_rating.values()) / len(last_rating), 2)
        if last_rating else None,
        weeks=len(series),
        papers_per_week=round(len(first_finish) / len(series), 2),
        hours_per_week=round(total_minutes / 60 / len(series), 2),
        goal=goal,
        hours_goal=hours_goal,
    )
    with lib.engine.connect() as conn:
        cover = coverage(lib, {pk: keys[pk] for pk in first_finish}, conn, warnings)
    hint = None
    if not sessions:
        hint = (f"No reading logged yet. Log each paper as you read it (`paperpath read <id>`); "
                f"{goal} papers a week, understood well enough to explain, add up fast.")
    shown = out
    if weeks is not None:
        shown = out[max(len(series) - weeks, 0):]
    return Progress(
        current_week=current, first_week=first, goal=goal, weeks=tuple(shown), streak=streak,
        longest_streak=longest, this_week_met=this_week_met,
        streak_alive_this_week=streak > 0 and not this_week_met, needed_this_week=needed,
        totals=totals, coverage=cover, warnings=tuple(warnings), hint=hint)


# -- coverage ------------------------------------------------------------------------------
def saved_map_path(lib: Library) -> Path | None:
    """The saved map of the field of this library, or None. Prefers the model in use (as the
    related-work service picks it), else the most recently written map."""
    from paperpath.embed import is_static
    from paperpath.related.service import chosen_model, vectors_dir
    from paperpath.vectors.index import _slug

    root = vectors_dir(lib.engine)
    if not root.is_dir():
        return None
    found = [p for p in root.glob("*/map.npz") if p.is_file()]
    if not found:
        return None
    model = os.environ.get("PAPERPATH_EMBEDDER") or chosen_model(lib.engine) or "static"
    bare = model.removeprefix("st:")
    wanted = {_slug(bare), _slug(f"st:{bare}")}
    static = is_static(bare)

    def rank(path: Path) -> tuple[bool, float]:
        name = path.parent.name
        preferred = name in wanted or (static and name.startswith("paperpath-static"))
        return preferred, path.stat().st_mtime

    return max(found, key=rank)


def coverage(lib: Library, read: dict[int, str], conn: Connection,
             warnings: list[str] | None = None) -> Coverage:
    """Coverage of the field by the papers in ``read`` (pk -> key): by the saved map's
    clusters when there is a usable map, else by arXiv primary category."""
    path = saved_map_path(lib)
    if path is not None:
        try:
            return _map_coverage(path, set(read.values()))
        except (OSError, ValueError, KeyError) as exc:
            if warnings is not None:
                warnings.append(f"the saved map of the field could not be read ({exc}); "
                                "coverage is by arXiv category")
    return _category_coverage(conn, read)


def _sorted(items: Iterable[ClusterCoverage]) -> tuple[ClusterCoverage, ...]:
    # Where the reader has been first, then the biggest areas still to visit.
    return tuple(sorted(items, key=lambda c: (-c.read, -c.papers, c.label)))


# (map file, its mtime and size) -> (labels, papers per cluster, paper id -> cluster, model):
# loading a 75k-paper map and counting its clusters costs ~60 ms, on every progress view.
_MAP_CACHE: dict[tuple[str, int, int], tuple[dict[int, str], Counter[int], dict[str, int],
                                              str]] = {}


def _map_index(path: Path) -> tuple[dict[int, str], Counter[int], dict[str, int], str]:
    from paperpath.related.fieldmap import load_map

    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    cached = _MAP_CACHE.get(key)
    if cached is None:
        fmap = load_map(path)
        cluster_of = {k: c for k, c in zip(fmap.ids, fmap.clusters.tolist(), strict=True)
                      if c >= 0}
        cached = (dict(fmap.labels), Counter(cluster_of.values()),
                  {k: c for k, c in zip(fmap.ids, fmap.clusters.tolist(), strict=True)},
                  fmap.model)
        _MAP_CACHE.clear()
        _MAP_CACHE[key] = cached
    return cached


def _map_coverage(path: Path, read_keys: set[str]) -> Coverage:
    labels, sizes, cluster_of, model = _map_index(path)
    hits: Counter[int] = Counter(cluster_of[k] for k in read_keys
                                 if cluster_of.get(k, -1) >= 0)
    clusters = _sorted(ClusterCoverage(labels.get(c, f"cluster {c}"), n, hits[c])
                       for c, n in sizes.items())
    return Coverage("map", clusters, sum(1 for c in clusters if c.read), len(clusters),
                    model=model, unplaced_read=sum(1 for k in read_keys if k not in cluster_of))


def category_label(code: str) -> str:
    name = CATEGORY_NAMES.get(code)
    return f"{code} {name}" if name else code


# (database, papers' write counter, count) -> (papers per area, canon paper pk -> area). The
# grouped scan costs ~100 ms at 75k papers; papers change far less often than the reading log.
_AREA_CACHE: dict[tuple[str, int, int], tuple[Counter[str], dict[int, str]]] = {}


def _area_sizes(conn: Connection) -> tuple[Counter[str], dict[int, str]]:
    rev, count = conn.execute(select(func.max(papers.c.rev), func.count())
                              .select_from(papers)).one()
    key = (str(conn.engine.url), int(rev or 0), int(count))
    cached = _AREA_CACHE.get(key)
    if cached is not None:
        return cached
    sizes: Counter[str] = Counter({(cat or UNCATEGORIZED): int(n) for cat, n in conn.execute(
        select(papers.c.primary_category, func.count()).group_by(papers.c.primary_category))})
    canon_area = _canon_areas(conn, sizes)
    _AREA_CACHE.clear()  # one library per process in practice: keep only the latest
    _AREA_CACHE[key] = (sizes, canon_area)
    return sizes, canon_area


def _category_coverage(conn: Connection, read: dict[int, str]) -> Coverage:
    base, canon_area = _area_sizes(conn)
    sizes = Counter(base)
    hits: Counter[str] = Counter()
    pks = list(read)
    for i in range(0, len(pks), 900):  # SQLite's bound-parameter limit
        for pk, cat in conn.execute(
                select(papers.c.pk, papers.c.primary_category)
                .where(papers.c.pk.in_(pks[i:i + 900]))):
            hits[canon_area.get(pk) or cat or UNCATEGORIZED] += 1
    if not sizes:
        return Coverage("none", (), 0, 0)
    clusters = _sorted(ClusterCoverage(category_label(c), n, hits[c]) for c, n in sizes.items()
                       if n)
    return Coverage("category", clusters, sum(1 for c in clusters if c.read), len(clusters))


def _canon_areas(conn: Connection, sizes: Counter[str]) -> dict[int, str]:
    """Canon papers carry no arXiv category: count them under their canon area instead.
    Moves them in ``sizes`` and returns pk -> area for those papers."""
    from paperpath.coach.canon import AREAS, canon_paper

    rows = conn.execute(select(papers.c.pk, papers.c.key).where(
        papers.c.primary_category.is_(None), papers.c.sources == "canon")).all()
    out: dict[int, str] = {}
    for pk, key in rows:
        entry = canon_paper(key)
        if entry is None:
            continue
        area = f"canon: {AREAS.get(entry.area, entry.area)}"
        sizes[UNCATEGORIZED] -= 1
        sizes[area] += 1
        out[int(pk)] = area
    return out


# -- words -------------------------------------------------------------------------------
def _papers(n: int) -> str:
    return f"{n} paper{'s' if n != 1 else ''}"


def streak_line(p: Progress) -> str:
    """One honest, encouraging sentence about the streak."""
    if p.this_week_met:
        return (f"{p.streak}-week streak — this week's goal is met "
                f"({_papers(p.this_week.finished if p.this_week else 0)}). Keep it going.")
    if p.streak_alive_this_week:
        more = f"{p.needed_this_week} more paper{'s' if p.needed_this_week != 1 else ''}"
        return f"{p.streak}-week streak — {more} this week keeps it."
    if p.longest_streak:
        return (f"No streak right now (longest: {p.longest_streak} weeks) — "
                f"{_papers(p.needed_this_week)} this week starts a new one.")
    return f"No streak yet — {_papers(p.needed_this_week)} this week starts one."
