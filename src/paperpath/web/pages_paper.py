"""The paper page: the reading guide, related work, and everything the reader does with a
paper (log, rating, feedback, notes, tags, explain-back)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from paperpath.coach.service import CoachError
from paperpath.library import Library
from paperpath.records import Paper
from paperpath.web.render import TEMPLATES, lib_of, page, paper_url, redirect

router = APIRouter()

SIGNALS = {"like": "Like", "dislike": "Not for me", "too_hard": "Too hard",
           "too_easy": "Too easy", "hide": "Hide"}


def paper_or_404(lib: Library, pid: str) -> Paper:
    paper = lib.get(pid)
    if paper is None:
        raise HTTPException(404, f"{pid}: no such paper in your library")
    return paper


def _paper_context(lib: Library, paper: Paper) -> dict[str, Any]:
    coach = lib.coach
    level = coach.profile_or_default().math_comfort
    explanations = coach.explanations(paper.id)
    return {"paper": paper, "g": lib.guide(paper.id, reader_level=level), "level": level,
            "signals": set(coach.signals(paper.id)), "signal_names": SIGNALS,
            "log": coach.log(paper.id), "note": coach.note(paper.id) or "",
            "tags": coach.tags(paper.id), "explanations": explanations,
            "last_explanation": explanations[-1] if explanations else None}


@router.get("/paper/{pid:path}", response_class=HTMLResponse, include_in_schema=False)
def paper_page(request: Request, pid: str) -> HTMLResponse:
    lib = lib_of(request)
    paper = paper_or_404(lib, pid)
    return page(request, "paper.html", title=paper.title, **_paper_context(lib, paper))


@router.get("/related/{view}/{pid:path}", response_class=HTMLResponse, include_in_schema=False)
def related_fragment(request: Request, view: str, pid: str) -> HTMLResponse:
    """Related work as a page fragment, loaded after the paper page (it may embed first)."""
    lib = lib_of(request)
    paper = paper_or_404(lib, pid)
    views = {"similar": lib.similar, "approaches": lib.other_approaches,
             "elsewhere": lib.same_method_elsewhere}
    if view not in views:
        raise HTTPException(404, f"{view}: related views are {', '.join(views)}")
    items = views[view](paper.id, limit=6)
    return TEMPLATES.TemplateResponse(request, "related.html",
                                       {"items": items, "view": view, "paper": paper})


def _sync_cards(lib: Library) -> None:
    """Make the review cards of what was just read or explained, so the nav's due count is
    right at once (not only after the review page is opened)."""
    from paperpath.coach.review import Reviewer

    Reviewer(lib).sync_cards()


def _fail(request: Request, lib: Library, paper: Paper, exc: Exception) -> HTMLResponse:
    return page(request, "paper.html", title=paper.title, status_code=400,
                error=str(exc).strip("'\""), **_paper_context(lib, paper))


@router.post("/papers/read", include_in_schema=False)
def read(request: Request, id: Annotated[str, Form()],
         minutes: Annotated[int, Form()] = 0, rating: Annotated[str, Form()] = "",
         status: Annotated[str, Form()] = "finished") -> Response:
    lib = lib_of(request)
    paper = paper_or_404(lib, id)
    try:
        lib.coach.read(paper.id, minutes=minutes, rating=int(rating) if rating else None,
                       status=status)
    except (CoachError, ValueError) as exc:
        return _fail(request, lib, paper, exc)
    _sync_cards(lib)
    return redirect(paper_url(paper.id), "read" if status == "finished" else "started")


@router.post("/papers/feedback", include_in_schema=False)
def feedback(request: Request, id: Annotated[str, Form()],
             signal: Annotated[str, Form()]) -> Response:
    """``signal`` is like | dislike | too_hard | too_easy | hide; "-like" withdraws it."""
    lib = lib_of(request)
    paper = paper_or_404(lib, id)
    try:
        lib.coach.feedback(paper.id, signal.lstrip("-"), on=not signal.startswith("-"))
    except CoachError as exc:
        return _fail(request, lib, paper, exc)
    return redirect(paper_url(paper.id), "feedback")


@router.post("/papers/note", include_in_schema=False)
def note(request: Request, id: Annotated[str, Form()],
         body: Annotated[str, Form()] = "") -> Response:
    lib = lib_of(request)
    paper = paper_or_404(lib, id)
    lib.coach.save_note(paper.id, body)
    return redirect(paper_url(paper.id), "note", anchor="notes")


@router.post("/papers/tags", include_in_schema=False)
def tags(request: Request, id: Annotated[str, Form()],
         tags: Annotated[str, Form()] = "") -> Response:
    lib = lib_of(request)
    paper = paper_or_404(lib, id)
    wanted = [t.strip() for t in tags.replace(",", " ").split() if t.strip()]
    try:
        lib.coach.set_tags(paper.id, wanted)
    except CoachError as exc:
        return _fail(request, lib, paper, exc)
    return redirect(paper_url(paper.id), "tags", anchor="notes")


@router.post("/papers/explain", include_in_schema=False)
def explain(request: Request, id: Annotated[str, Form()],
            text: Annotated[str, Form()] = "") -> Response:
    lib = lib_of(request)
    paper = paper_or_404(lib, id)
    if not text.strip():
        return _fail(request, lib, paper,
                     ValueError("Write a few sentences first: what problem, how, what result."))
    try:
        lib.coach.explain(paper.id, text)
    except CoachError as exc:
        return _fail(request, lib, paper, exc)
    _sync_cards(lib)
    return redirect(paper_url(paper.id), "explained", anchor="explain")
