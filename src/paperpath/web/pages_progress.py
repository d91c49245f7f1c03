"""The progress dashboard: the streak, totals, this week against the goal, the compounding
chart (an inline SVG drawn here: no plotting library, no script) and coverage of the field."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import func, select

from paperpath.coach import clock
from paperpath.coach.progress import Progress, WeekProgress, saved_map_path, streak_line
from paperpath.library import Library
from paperpath.store.schema import (
    explanations,
    known_terms,
    papers,
    profile,
    reading_log,
    review_log,
)
from paperpath.web.render import lib_of, page

router = APIRouter()

MAX_WEEKS = 520  # ten years: the most ?weeks= may ask for
STRIP_WEEKS = 52  # the goal strip shows the last year
COVERAGE_ROWS = 12  # areas shown before "more"
PAPERS_COLOUR = "#1f4e79"
TERMS_COLOUR = "#2e7d5b"
# The chart's geometry, in SVG user units (it scales to the page width).
W, H = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 64, 16, 44


# -- the data, cached ----------------------------------------------------------------------
def _stamp(lib: Library, weeks: int | None) -> tuple[Any, ...]:
    """Everything `coach.progress` depends on, as a few index lookups. Progress scans the
    papers table for coverage (~0.1 s at 75k papers, no index on primary_category), so it
    is recomputed only when this changes."""
    with lib.engine.connect() as conn:
        parts: list[Any] = [
            conn.execute(select(func.max(papers.c.rev))).scalar(),
            conn.execute(select(func.count()).select_from(papers)).scalar(),
        ]
        for table in (reading_log, explanations, review_log):
            parts.append(tuple(conn.execute(select(func.count(), func.max(table.c.id))).one()))
        parts.append(tuple(conn.execute(
            select(func.count(), func.max(known_terms.c.added_at))).one()))
        parts.append(conn.execute(select(profile.c.updated_at)).scalar())
    map_path = saved_map_path(lib)
    map_stamp = (str(map_path), map_path.stat().st_mtime_ns) if map_path else None
    return (id(lib), weeks, clock.local_date(), map_stamp, *parts)


def cached_progress(request: Request, weeks: int | None) -> Progress:
    lib = lib_of(request)
    state = request.app.state
    stamp = _stamp(lib, weeks)
    held = getattr(state, "progress_cache", None)
    if held is not None and held[0] == stamp:
        result: Progress = held[1]
        return result
    result = lib.coach.progress(weeks=weeks)
    state.progress_cache = (stamp, result)
    return result


# -- the chart -----------------------------------------------------------------------------
def nice_top(value: int) -> tuple[int, int]:
    """(axis top, tick step): a 1-2-5 step giving at most 5 ticks above zero."""
    if value <= 0:
        return 1, 1
    step = 1
    magnitude = 10 ** max(int(math.log10(value)) - 1, 0)
    for base in (1, 2, 5, 10, 20, 50, 100):
        step = base * magnitude
        if value / step <= 5:
            break
    return int(math.ceil(value / step) * step), step


def _x_positions(n: int) -> list[float]:
    inner = W - LEFT - RIGHT
    if n == 1:
        return [LEFT + inner / 2]
    return [LEFT + inner * i / (n - 1) for i in range(n)]


def _y(value: int, top: int) -> float:
    return TOP + (H - TOP - BOTTOM) * (1 - value / top)


def compounding_svg(p: Progress) -> Markup:
    """Cumulative papers read (left axis) and concepts known (right axis) week by week."""
    weeks = list(p.weeks)
    if not weeks:
        return Markup("")
    xs = _x_positions(len(weeks))
    p_top, p_step = nice_top(max(w.papers_total for w in weeks))
    t_top, t_step = nice_top(max(w.terms_total for w in weeks))
    first, last = weeks[0], weeks[-1]
    title = (f"Reading compounds: {last.papers_total} papers read and {last.terms_total} "
             f"concepts known after {len(weeks)} week{'s' if len(weeks) != 1 else ''}")
    desc = (f"From {first.week} to {last.week}, cumulative papers read rose from "
            f"{first.papers_total} to {last.papers_total} and concepts known from "
            f"{first.terms_total} to {last.terms_total}. The table below has every week.")
    out = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
           f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="chart-title">{escape(title)}</title>',
           f'<desc id="chart-desc">{escape(desc)}</desc>']
    for tick in range(0, p_top + 1, p_step):  # grid and left axis (papers)
        y = _y(tick, p_top)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" '
                   f'fill="{PAPERS_COLOUR}">{tick}</text>')
    for tick in range(0, t_top + 1, t_step):  # right axis (concepts)
        out.append(f'<text x="{W - RIGHT + 8}" y="{_y(tick, t_top) + 4:.1f}" '
                   f'fill="{TERMS_COLOUR}">{tick}</text>')
    out.append(f'<text class="axis-title" x="14" y="{(H - BOTTOM + TOP) / 2:.0f}" '
               f'fill="{PAPERS_COLOUR}" '
               f'text-anchor="middle" transform="rotate(-90 14 {(H - BOTTOM + TOP) / 2:.0f})">'
               'papers read</text>')
    out.append(f'<text class="axis-title" x="{W - 10}" y="{(H - BOTTOM + TOP) / 2:.0f}" '
               f'fill="{TERMS_COLOUR}" '
               f'text-anchor="middle" transform="rotate(90 {W - 10} '
               f'{(H - BOTTOM + TOP) / 2:.0f})">concepts known</text>')
    step = max(1, math.ceil(len(weeks) / 6))  # at most ~7 week labels stay readable
    shown = set(range(0, len(weeks), step)) | {len(weeks) - 1}
    kept = [i for i in sorted(shown)
            if i == len(weeks) - 1 or len(weeks) - 1 - i >= step / 2]  # not crowding the last
    for k, i in enumerate(kept):
        # Every other label is "minor": phones, with larger text, show only the rest.
        minor = ' class="minor"' if (len(kept) - 1 - k) % 2 else ""
        # The end labels align inwards so they stay inside the drawing at any text size.
        anchor = ("middle" if len(weeks) == 1 else "start" if i == 0
                  else "end" if i == len(weeks) - 1 else "middle")
        out.append(f'<text{minor} x="{xs[i]:.1f}" y="{H - BOTTOM + 20}" '
                   f'text-anchor="{anchor}">{escape(weeks[i].week)}</text>')
    out.append(_series(weeks, xs, [w.papers_total for w in weeks], p_top, PAPERS_COLOUR,
                       "papers", area=True))
    out.append(_series(weeks, xs, [w.terms_total for w in weeks], t_top, TERMS_COLOUR,
                       "concepts", area=False))
    out.append("</svg>")
    return Markup("\n".join(out))


def _series(weeks: list[WeekProgress], xs: list[float], values: list[int], top: int,
            colour: str, what: str, *, area: bool) -> str:
    points = " ".join(f"{x:.1f},{_y(v, top):.1f}" for x, v in zip(xs, values, strict=True))
    parts = []
    if area and len(xs) > 1:
        base = _y(0, top)
        parts.append(f'<polygon points="{xs[0]:.1f},{base:.1f} {points} {xs[-1]:.1f},'
                     f'{base:.1f}" fill="{colour}" fill-opacity="0.08"/>')
    dash = "" if area else ' stroke-dasharray="6 3"'
    parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                 f'stroke-width="2.5"{dash}/>')
    if len(xs) <= 60:  # markers with a tooltip; beyond that they only add clutter
        for w, x, v in zip(weeks, xs, values, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{_y(v, top):.1f}" r="3.5" fill="{colour}">'
                         f'<title>{escape(w.week)}: {v} {what}</title></circle>')
    return "\n".join(parts)


# -- the page ------------------------------------------------------------------------------
@router.get("/progress", response_class=HTMLResponse, include_in_schema=False)
def progress_page(request: Request, weeks: str | None = None) -> HTMLResponse:
    """The dashboard; ``weeks`` keeps the chart and table to the last N weeks."""
    limit: int | None = None
    if weeks not in (None, ""):
        try:
            limit = int(weeks)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_WEEKS:
            raise HTTPException(400, f"weeks={weeks}: give a number of weeks from 1 to "
                                     f"{MAX_WEEKS}")
    p = cached_progress(request, limit)
    past = [w for w in p.weeks if not w.future]
    cov = p.coverage
    read_total = max(p.totals.papers_read, 1)
    areas = [{"label": c.label, "papers": c.papers, "read": c.read,
              "share": round(100 * c.read / read_total)} for c in cov.clusters]
    return page(request, "progress.html", title="Progress", p=p, t=p.totals,
                streak=streak_line(p), this_week=p.this_week, chart=compounding_svg(p),
                strip=past[-STRIP_WEEKS:], met=sum(1 for w in past if w.goal_met),
                weeks_shown=len(past), areas=areas[:COVERAGE_ROWS],
                more_areas=areas[COVERAGE_ROWS:], limit=limit,
                colours={"papers": PAPERS_COLOUR, "terms": TERMS_COLOUR})
