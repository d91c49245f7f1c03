"""The home of the weekly loop: onboarding (the profile) and this week's plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from paperpath.coach import clock
from paperpath.coach.clock import ClockError
from paperpath.coach.profile import COMFORT_LEVELS, checklist_terms
from paperpath.coach.service import CoachError
from paperpath.library import Library
from paperpath.web.jobs import Job, JobManager, Reporter, Work
from paperpath.web.render import lib_of, page, redirect

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """A first visit goes to onboarding; afterwards straight to the week."""
    if lib_of(request).coach.profile() is None:
        return redirect("/onboarding")
    return redirect("/week")


@router.get("/onboarding", response_class=HTMLResponse, include_in_schema=False)
def onboarding(request: Request) -> HTMLResponse:
    lib = lib_of(request)
    coach = lib.coach
    profile = coach.profile_or_default()
    known = {term.lower() for term, _key, _source in lib.known_terms()}
    return page(request, "onboarding.html", title="Your profile",
                profile=profile, first=coach.profile() is None, comfort_levels=COMFORT_LEVELS,
                checklist=checklist_terms(), known=known, liked=coach.feedback_ids("like"),
                error=None)


@router.post("/onboarding", include_in_schema=False)
def save_onboarding(
    request: Request,
    interests: Annotated[str, Form()] = "",
    math_comfort: Annotated[int, Form()] = 3,
    hours_per_week: Annotated[float, Form()] = 3.0,
    papers_per_week: Annotated[int, Form()] = 2,
    liked: Annotated[str, Form()] = "",
    known: Annotated[list[str] | None, Form()] = None,
) -> Response:
    lib = lib_of(request)
    wanted = [part.strip() for part in interests.replace("\n", ",").split(",") if part.strip()]
    checked = set(known or [])
    offered = {term for _id, term in checklist_terms()}
    try:
        lib.coach.set_profile(interests=wanted, math_comfort=math_comfort,
                              hours_per_week=hours_per_week, papers_per_week=papers_per_week,
                              liked=liked.replace(",", " ").split(),
                              known_terms=sorted(checked & offered))
    except (CoachError, LookupError) as exc:
        return page(request, "onboarding.html", title="Your profile", status_code=400,
                    profile=lib.coach.profile_or_default(), first=lib.coach.profile() is None,
                    comfort_levels=COMFORT_LEVELS, checklist=checklist_terms(),
                    known=checked, liked=liked.split(), error=str(exc).strip("'\""))
    # Unticking a checklist term the reader had marked known forgets it.
    dropped = [t for t in offered - checked
               if t.lower() in {k.lower() for k, _key, _s in lib.known_terms()}]
    if dropped:
        lib.forget_known(dropped)
    return redirect("/week", "profile")


# Planning a week is instant once the library is embedded; the first plan after a big
# ingest embeds and ranks tens of thousands of papers (a minute or more). The page waits this
# long, then shows the job's progress instead of hanging.
PLAN_WAIT_S = 2.0


def plan_job(new: bool, week: str | None, jobs: JobManager | None = None) -> Work:
    def work(lib: Library, report: Reporter) -> str:
        # An ingest still running (serve --snapshot) embeds and prepares the library itself:
        # wait for it rather than doing the same work twice at once.
        for other in jobs.running() if jobs else []:
            if other.kind == "ingest":
                while not other.ended.is_set():
                    report(other.done, other.total,
                           f"waiting for the library to be ready: {other.message}")
                    other.ended.wait(0.5)

        def embedded(done: int, total: int) -> None:
            report(done, total, f"reading your library: {done:,} of {total:,} papers")

        lib.related().ensure_current(progress=embedded)
        report(0, 0, "choosing this week's papers…")
        plan = lib.coach.week(new=new, week=week)
        return f"planned {len(plan.items)} papers for {plan.week}"

    return work


def _planned(request: Request, new: bool, week: str | None) -> Job:
    jobs = request.app.state.jobs
    job: Job = jobs.start("plan", "Planning your week", plan_job(new, week, jobs))
    return jobs.wait(job.id, timeout=PLAN_WAIT_S)


@router.get("/week", response_class=HTMLResponse, include_in_schema=False)
def week(request: Request, week: str | None = None) -> Response:
    lib = lib_of(request)
    coach = lib.coach
    if coach.profile() is None and week is None:
        return redirect("/onboarding")
    try:
        clock.week_start(week or clock.current_week())  # a bad label is a 400, not a job
    except ClockError as exc:
        return page(request, "error.html", title="No such week", message=str(exc),
                    status_code=400)
    job = _planned(request, False, week)
    if job.state in ("queued", "running"):
        return page(request, "week_preparing.html", title="Planning your week", job=job)
    try:
        plan = coach.week(week=week)  # remembered by the job: instant
    except (CoachError, ClockError) as exc:
        return page(request, "error.html", title="No plan", message=str(exc),
                    status_code=400)
    from paperpath.coach.progress import streak_line

    level = coach.profile_or_default().math_comfort
    guides = {}
    for item in plan.items:
        try:
            guides[item.paper.id] = lib.guide(item.paper.id, reader_level=level)
        except LookupError:
            continue
    return page(request, "week.html", title=f"Week {plan.week}", plan=plan, guides=guides,
                streak=streak_line(coach.progress(weeks=1)), stats=lib.stats())


@router.post("/week/new", include_in_schema=False)
def replan(request: Request) -> Response:
    job = _planned(request, True, None)
    if job.state == "failed":
        return page(request, "error.html", title="No plan", message=job.message,
                    status_code=500)
    return redirect("/week", "replanned" if job.state == "done" else None)
