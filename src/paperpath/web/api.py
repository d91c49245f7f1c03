"""The JSON API under /api: the Python API (`paperpath.Library` and its coach) over HTTP.

Errors are JSON ``{"detail": "..."}``: 404 for an unknown paper, card or job, 400 for a value
the library refuses (with its one-line reason), 422 when a parameter has the wrong type.
The schema is at /api/openapi.json; /api/docs shows it offline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from paperpath.coach.clock import ClockError
from paperpath.coach.review import Reviewer
from paperpath.library import Library
from paperpath.records import Paper
from paperpath.web import api_models as m
from paperpath.web.render import lib_of, page

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": m.ErrorOut, "description": "A value the library refuses"},
    404: {"model": m.ErrorOut, "description": "No such paper (or card, or job)"},
}

router = APIRouter(prefix="/api", responses=ERRORS)


@contextmanager
def refused() -> Iterator[None]:
    """The library's own refusals (CoachError, QueryError, ClockError are ValueErrors) as
    400 with their one-line message; a LookupError as 404."""
    try:
        yield
    except LookupError as exc:
        raise HTTPException(404, _line(exc)) from None
    except (ValueError, ClockError) as exc:
        raise HTTPException(400, _line(exc)) from None


def _line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def paper_or_404(lib: Library, pid: str) -> Paper:
    paper = lib.get(pid)
    if paper is None:
        raise HTTPException(404, f"{pid}: no such paper in your library")
    return paper


def _ids(values: list[str]) -> list[str]:
    """Repeated parameters or comma-separated lists (?liked=a,b&liked=c)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


# -- papers and search ---------------------------------------------------------------------
@router.get("/papers/{pid:path}", response_model=m.PaperOut, tags=["papers"])
def get_paper(request: Request, pid: str) -> dict[str, Any]:
    """One paper by arXiv id (any version, or URL), DOI or library key."""
    return paper_or_404(lib_of(request), pid).to_dict()


@router.get("/search", response_model=m.SearchOut, tags=["papers"])
def search(request: Request, q: str,
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
           category: Annotated[list[str] | None, Query()] = None,
           since: str | None = None, until: str | None = None,
           code: bool | None = None, hybrid: bool = False) -> dict[str, Any]:
    """Ranked keyword search (BM25); ``hybrid`` fuses it with vector search. ``category``
    may repeat ("cs" means cs.*); ``since``/``until`` are YYYY, YYYY-MM or YYYY-MM-DD;
    ``code`` keeps papers with (or without) a code link."""
    lib = lib_of(request)
    filters: dict[str, Any] = {"category": _ids(category or []) or None, "since": since or None,
                               "until": until or None, "has_code": code, "offset": offset}
    with refused():
        find: Callable[..., Any] = lib.hybrid_search if hybrid else lib.search
        hits = find(q, limit=limit, **filters)
    return {"query": q, "offset": offset, "limit": limit, "hits": [h.to_dict() for h in hits]}


@router.get("/guide/{pid:path}", response_model=m.GuideOut, tags=["papers"])
def guide(request: Request, pid: str,
          level: Annotated[int | None, Query(ge=1, le=5)] = None) -> dict[str, Any]:
    """The reading guide of a paper for a reader of math comfort ``level`` (default: the
    profile's)."""
    lib = lib_of(request)
    paper = paper_or_404(lib, pid)
    reader = level or lib.coach.profile_or_default().math_comfort
    with refused():
        return lib.guide(paper.id, reader_level=reader).to_dict()


@router.get("/similar/{pid:path}", response_model=list[m.RelatedOut], tags=["papers"])
def similar(request: Request, pid: str,
            facet: Literal["background", "method", "result"] | None = None,
            view: Literal["similar", "approaches", "elsewhere"] = "similar",
            limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict[str, Any]]:
    """Related papers, each with a one-line reason: overall or on one ``facet``
    (view=similar), other approaches to the same problem, or the same method elsewhere."""
    lib = lib_of(request)
    paper = paper_or_404(lib, pid)
    with refused():
        if view == "approaches":
            found = lib.other_approaches(paper.id, limit=limit)
        elif view == "elsewhere":
            found = lib.same_method_elsewhere(paper.id, limit=limit)
        else:
            found = lib.similar(paper.id, facet=facet, limit=limit)
    return [r.to_dict() for r in found]


@router.get("/recommend", response_model=list[m.RecommendationOut], tags=["papers"])
def recommend(request: Request,
              liked: Annotated[list[str] | None, Query()] = None,
              disliked: Annotated[list[str] | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[dict[str, Any]]:
    """Papers to read next for someone who liked ``liked`` (paper ids, or keywords for a cold
    start; repeat the parameter or separate with commas), by content only."""
    lib = lib_of(request)
    wanted = _ids(liked or [])
    if not wanted:
        raise HTTPException(400, "give liked papers or keywords (?liked=1706.03762)")
    with refused():
        found = lib.recommend(wanted, _ids(disliked or []), limit=limit)
    from paperpath.web.map_data import titles_of

    titles = titles_of(lib, [pid for pid, _s, _r in found])
    return [{"id": pid, "title": title, "score": round(float(score), 4), "reason": reason}
            for (pid, score, reason), title in zip(found, titles, strict=True)]


@router.get("/stats", response_model=m.StatsOut, tags=["papers"])
def stats(request: Request) -> dict[str, Any]:
    """What the library holds."""
    data = lib_of(request).stats()
    data["by_sources"] = {str(k): v for k, v in data["by_sources"].items()}
    data["by_kind"] = {str(k): v for k, v in data["by_kind"].items()}
    return data


# -- the coach -----------------------------------------------------------------------------
def _profile(lib: Library) -> dict[str, Any]:
    saved = lib.coach.profile()
    return {**(saved or lib.coach.profile_or_default()).to_dict(), "saved": saved is not None}


@router.get("/profile", response_model=m.ProfileOut, tags=["coach"])
def get_profile(request: Request) -> dict[str, Any]:
    """The reader's profile (the defaults before one is saved)."""
    return _profile(lib_of(request))


@router.put("/profile", response_model=m.ProfileOut, tags=["coach"])
def put_profile(request: Request, body: m.ProfileIn) -> dict[str, Any]:
    """Create or edit the profile; fields left out keep their value."""
    lib = lib_of(request)
    for pid in body.liked:
        paper_or_404(lib, pid)
    with refused():
        lib.coach.set_profile(interests=body.interests, add_interests=body.add_interests,
                              math_comfort=body.math_comfort,
                              hours_per_week=body.hours_per_week,
                              papers_per_week=body.papers_per_week, liked=body.liked,
                              known_terms=body.known_terms)
    return _profile(lib)


@router.get("/week", response_model=m.WeekOut, tags=["coach"])
def week(request: Request, week: str | None = None) -> dict[str, Any]:
    """This week's plan (made once, then remembered), or that of ``week`` (2026-W48)."""
    with refused():
        return lib_of(request).coach.week(week=week).to_dict()


@router.post("/week/new", response_model=m.WeekOut, tags=["coach"])
def replan(request: Request) -> dict[str, Any]:
    """Plan this week again, keeping what was already read."""
    with refused():
        return lib_of(request).coach.week(new=True).to_dict()


@router.post("/read", response_model=m.LogEntryOut, status_code=201, tags=["coach"])
def read(request: Request, body: m.ReadIn) -> dict[str, Any]:
    """Log a reading session; finishing a paper counts its key terms as met."""
    lib = lib_of(request)
    paper = paper_or_404(lib, body.id)
    with refused():
        entry = lib.coach.read(paper.id, minutes=body.minutes, rating=body.rating,
                               status=body.status)
    return entry.to_dict()


@router.post("/feedback", response_model=m.FeedbackOut, tags=["coach"])
def feedback(request: Request, body: m.FeedbackIn) -> dict[str, Any]:
    """Record (or withdraw) like, dislike, too_hard, too_easy or hide."""
    lib = lib_of(request)
    paper = paper_or_404(lib, body.id)
    with refused():
        lib.coach.feedback(paper.id, body.signal, on=body.on)
    return {"id": paper.id, "signals": lib.coach.signals(paper.id)}


@router.post("/explain", response_model=m.ExplainOut, tags=["coach"])
def explain(request: Request, body: m.ExplainIn) -> dict[str, Any]:
    """Score an explanation of the paper in the reader's words: what it covers, what it
    misses (kept with the paper unless save is false)."""
    lib = lib_of(request)
    paper = paper_or_404(lib, body.id)
    if not body.text.strip():
        raise HTTPException(400, "text is empty: explain the problem, the method and the result")
    with refused():
        return lib.coach.explain(paper.id, body.text, save=body.save).to_dict()


@router.get("/notes/{pid:path}", response_model=m.NoteOut, tags=["coach"])
def get_note(request: Request, pid: str) -> dict[str, Any]:
    """The reader's note on a paper (null when none)."""
    lib = lib_of(request)
    paper = paper_or_404(lib, pid)
    return {"id": paper.id, "body": lib.coach.note(paper.id)}


@router.put("/notes/{pid:path}", response_model=m.NoteOut, tags=["coach"])
def put_note(request: Request, pid: str, body: m.NoteIn) -> dict[str, Any]:
    """Replace the note on a paper."""
    lib = lib_of(request)
    paper = paper_or_404(lib, pid)
    with refused():
        lib.coach.save_note(paper.id, body.body)
    return {"id": paper.id, "body": lib.coach.note(paper.id)}


@router.get("/review/due", response_model=list[m.ReviewCardOut], tags=["review"])
def review_due(request: Request,
               limit: Annotated[int | None, Query(ge=1, le=1000)] = None
               ) -> list[dict[str, Any]]:
    """Review cards due now, most overdue first (cards for new reading are made first)."""
    from paperpath.web.pages_review import sync

    rev = Reviewer(lib_of(request))
    sync(request, rev)
    return [c.to_dict() for c in rev.due(limit=limit)]


@router.post("/review/{card_id}", response_model=m.ReviewCardOut, tags=["review"])
def review(request: Request, card_id: int, body: m.ReviewIn) -> dict[str, Any]:
    """Record a review of a card (1 again .. 4 easy) and schedule its next one."""
    with refused():
        return Reviewer(lib_of(request)).review(card_id, body.rating,
                                                duration_ms=body.duration_ms).to_dict()


@router.get("/progress", response_model=m.ProgressOut, tags=["coach"])
def progress(request: Request,
             weeks: Annotated[int | None, Query(ge=1, le=520)] = None) -> dict[str, Any]:
    """Weeks meeting the goal, the streak, totals and how much of the field was covered."""
    return lib_of(request).coach.progress(weeks=weeks).to_dict()


# -- background jobs -----------------------------------------------------------------------
@router.get("/jobs", response_model=list[m.JobOut], tags=["jobs"])
def jobs(request: Request) -> list[dict[str, Any]]:
    """Background jobs of this server (ingest, sync, map...), newest first."""
    return [j.to_dict() for j in request.app.state.jobs.all()]


@router.get("/jobs/{job_id}", response_model=m.JobOut, tags=["jobs"])
def job(request: Request, job_id: str) -> dict[str, Any]:
    """One job's state and progress (pages poll this)."""
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"{job_id}: no such job (jobs last as long as the server)")
    return dict(found.to_dict())


# -- the documentation, offline ------------------------------------------------------------
@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    from paperpath.web.api_docs import models, operations

    schema = request.app.openapi()
    base = str(request.base_url).rstrip("/")
    shapes = models(schema)
    return page(request, "api_docs.html", title="JSON API", operations=operations(schema, base),
                models=shapes, model_names={s["name"] for s in shapes}, base=base)
