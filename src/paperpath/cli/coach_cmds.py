"""`paperpath init`, `profile` and `week`: set up the coach and this week's plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.prompt import IntPrompt, Prompt

from paperpath.cli.common import DbOption, JsonOption, console, fail, open_library, print_json
from paperpath.coach.clock import ClockError
from paperpath.coach.profile import COMFORT_LEVELS as _COMFORT
from paperpath.coach.profile import Profile, checklist_terms
from paperpath.coach.service import CoachError

if TYPE_CHECKING:
    from paperpath.coach.week import WeekPlan
    from paperpath.library import Library

def _ask_profile(current: Profile) -> dict[str, object]:
    console.print("[bold]Let's set up your weekly reading.[/] Press Enter to keep a value.\n")
    interests = Prompt.ask("What do you want to learn about? (comma-separated, e.g. "
                           "'diffusion models, reinforcement learning')",
                           default=", ".join(current.interests) or "", show_default=False)
    for level, text in _COMFORT.items():
        console.print(f"  {level}. {text}")
    comfort = IntPrompt.ask("Your math comfort", default=current.math_comfort,
                            choices=[str(i) for i in range(1, 6)], show_choices=False)
    hours = float(Prompt.ask("Hours a week for reading", default=f"{current.hours_per_week:g}"))
    per_week = IntPrompt.ask("Papers a week", default=current.papers_per_week)
    liked = Prompt.ask("Papers you liked (arXiv ids, optional)", default="",
                       show_default=False)
    terms = checklist_terms()
    console.print("\nWhich of these do you already know? (numbers like 1,4,7 · 'all' · "
                  "Enter for none)")
    for i, (_tid, term) in enumerate(terms, 1):
        console.print(f"  {i:>2}. {escape(term)}", highlight=False)
    picked = Prompt.ask("Known", default="", show_default=False).strip().lower()
    if picked == "all":
        known = [t for _i, t in terms]
    else:
        numbers = [int(x) for x in picked.replace(",", " ").split() if x.isdigit()]
        known = [terms[n - 1][1] for n in numbers if 1 <= n <= len(terms)]
    return {"interests": [interests], "math_comfort": comfort, "hours_per_week": hours,
            "papers_per_week": per_week, "liked": liked.replace(",", " ").split(),
            "known_terms": known}


def init(
    interest: list[str] = typer.Option([], "--interest", "-i",
                                       help="A topic you want to learn (repeatable)."),
    comfort: int | None = typer.Option(None, "--comfort", min=1, max=5,
                                       help="Math comfort, 1 (little) to 5 (proofs)."),
    hours: float | None = typer.Option(None, "--hours", help="Hours a week (default 3)."),
    papers: int | None = typer.Option(None, "--papers", help="Papers a week (default 2)."),
    liked: list[str] = typer.Option([], "--liked", help="A paper you liked (repeatable)."),
    know: list[str] = typer.Option([], "--know", help="A term you already know (repeatable)."),
    db: str | None = DbOption,
) -> None:
    """Set up (or edit) your profile: interests, math comfort, hours and papers a week, and
    the terms you know. Without options it asks; every answer is also an option."""
    lib = open_library(db)
    coach = lib.coach
    flags = bool(interest or comfort or hours or papers or liked or know)
    try:
        seeded = coach.seed_canon()
        if flags:
            current = coach.profile()
            profile = coach.set_profile(
                interests=interest if interest or current is None else None,
                math_comfort=comfort, hours_per_week=hours, papers_per_week=papers,
                liked=liked, known_terms=know)
        else:
            answers = _ask_profile(coach.profile_or_default())
            profile = coach.set_profile(**answers)  # type: ignore[arg-type]
    except CoachError as exc:
        fail(str(exc))
    if seeded:
        console.print(f"added {seeded} landmark papers from the built-in canon to your library")
    show_profile(profile, len(lib.known_terms()))
    console.print("\nnext: [bold]paperpath week[/] for this week's papers")


def show_profile(p: Profile, known: int) -> None:
    interests = ", ".join(p.interests) or "(none yet: general ML foundations)"
    console.print(f"[bold]Interests:[/] {escape(interests)}", highlight=False)
    console.print(f"[bold]Math comfort:[/] {p.math_comfort}/5 ({_COMFORT[p.math_comfort]})")
    console.print(f"[bold]Each week:[/] {p.papers_per_week} papers in {p.hours_per_week:g} "
                  f"hours · [bold]terms you know:[/] {known}", highlight=False)


def profile_cmd(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """Show your profile (edit it with `paperpath init --comfort 3 ...`)."""
    lib = open_library(db)
    p = lib.coach.profile()
    if json:
        print_json({"profile": p.to_dict() if p else None,
                    "liked": lib.coach.feedback_ids("like")})
        return
    if p is None:
        console.print("no profile yet: run [bold]paperpath init[/]")
        return
    show_profile(p, len(lib.known_terms()))


def week(
    new: bool = typer.Option(False, "--new", help="Plan this week again (keeps what you "
                                                  "already started or read)."),
    which: str | None = typer.Option(None, "--week", help="Another week, e.g. 2026-W47."),
    brief: bool = typer.Option(False, "--brief", help="Only the list, no reading guides."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """This week's papers: the frontier and your foundations, within your hours, each with
    why it was chosen and its reading guide. The plan is remembered for the week."""
    lib = open_library(db)
    try:
        plan = lib.coach.week(new=new, week=which)
    except (CoachError, ClockError) as exc:
        fail(str(exc))
    if json:
        data = plan.to_dict()
        if not brief:
            for item, raw in zip(plan.items, data["items"], strict=True):
                raw["guide"] = lib.guide(item.paper.id).to_dict()
        print_json(data)
        return
    render_plan(lib, plan, brief=brief)


def render_plan(lib: Library, plan: WeekPlan, *, brief: bool = False) -> None:
    """Print a week's plan: each pick, why, and (unless brief) its reading guide."""
    hours, planned = plan.hours, plan.planned_minutes
    console.print(f"[bold]Week {plan.week}[/] — {plan.done}/{plan.papers_goal} papers read · "
                  f"planned {planned // 60} h {planned % 60:02d} min of your {hours:g} h"
                  + ("" if plan.fresh else " [dim](plan made "
                     f"{plan.created_at:%a %d %b}; --new to redo)[/]"), highlight=False)
    from paperpath.coach.progress import streak_line

    console.print(f"[dim]{escape(streak_line(lib.coach.progress(weeks=1)))}[/]",
                  highlight=False)
    level = lib.coach.profile_or_default().math_comfort
    for n, item in enumerate(plan.items, 1):
        mark = {"read": "[green]✓ read[/]", "started": "[yellow]… started[/]",
                "to read": ""}[item.status]
        badge = "[magenta]foundation[/]" if item.kind == "foundation" else "[cyan]frontier[/]"
        console.print(f"\n[bold]{n}. {escape(item.paper.title)}[/] {mark}", highlight=False)
        console.print(f"   {badge} · [dim]{escape(item.paper.id)}[/] · {item.mode} "
                      f"~{item.minutes} min", highlight=False)
        console.print(f"   [italic]why:[/] {escape(item.reason)}", highlight=False)
        if brief:
            continue
        g = lib.guide(item.paper.id, reader_level=level)
        console.print(f"   [bold]in one line:[/] {escape(g.tldr)}", highlight=False)
        console.print(f"   [bold]difficulty:[/] {g.difficulty.level}/5 "
                      f"({g.difficulty.label()})", highlight=False)
        new_terms = [t.term for t in g.new_terms][:6]
        if new_terms:
            console.print(f"   [bold]new terms:[/] {escape(', '.join(new_terms))}",
                          highlight=False)
        first = [q.text for q in g.questions if q.stage == "first pass"][:2]
        for q in first:
            console.print(f"   [bold]ask:[/] {escape(q)}", highlight=False)
        if item.paper.code_urls:
            console.print(f"   [bold]code:[/] {escape(item.paper.code_urls[0])}",
                          highlight=False)
    if not plan.items:
        console.print("\nnothing to plan yet.")
    for note in plan.notes:
        console.print(f"\n[dim]note: {escape(note)}[/]", highlight=False)
    if plan.due_reviews:
        console.print(f"\n[bold]{plan.due_reviews} review cards due[/]: paperpath review")
    console.print("\nafter reading: [bold]paperpath read ID --minutes 50 --rating 4[/], then "
                  "[bold]paperpath explain ID[/]")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("profile")(profile_cmd)
    app.command()(week)
