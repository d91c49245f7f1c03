"""`paperpath progress`: the streak, recent weeks against the goal, what has compounded and
how much of the field the reading has touched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from paperpath.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    open_library,
    print_json,
)

if TYPE_CHECKING:
    from paperpath.coach.progress import Progress

TABLE_WEEKS = 8  # rows of the weekly table without --weeks
TOP_CLUSTERS = 5
SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Values as block characters, lowest to highest (all the lowest block when flat)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARK[0] * len(values)
    return "".join(SPARK[round((v - low) / (high - low) * (len(SPARK) - 1))] for v in values)


def progress_cmd(
    weeks: int | None = typer.Option(None, "--weeks", min=1,
                                     help="Show (and export) only the last N weeks."),
    chart: Path | None = typer.Option(None, "--chart",
                                      help="Write the compounding chart to this PNG file."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Your reading over the weeks: the streak, papers against your weekly goal, what has
    added up (papers read, terms known) and how much of the field you have touched."""
    from paperpath.coach.clock import ClockError
    from paperpath.coach.progress import progress

    lib = open_library(db)
    try:
        result = progress(lib, weeks=weeks)
    except (ClockError, ValueError) as exc:
        fail(str(exc))
    finally:
        lib.close()
    written: Path | None = None
    if chart is not None:
        from paperpath.coach.progress_chart import write_chart

        try:
            written = write_chart(result, chart)
        except OSError as exc:
            fail(f"cannot write the chart to {chart}: {exc}")
    if json:
        print_json(result.to_dict())
        if written is not None:  # stdout stays pure JSON
            err_console.print(f"chart written to {written}", highlight=False)
        return
    render(result, table_weeks=weeks or TABLE_WEEKS)
    if written is not None:
        console.print(f"\nchart written to {written}", highlight=False)


def render(p: Progress, table_weeks: int = TABLE_WEEKS) -> None:
    """The human-readable report."""
    from paperpath.coach.progress import streak_line

    for warning in p.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    if p.hint:
        console.print(f"[bold]{escape(p.hint)}[/]", highlight=False)
    console.print(f"[bold green]{escape(streak_line(p))}[/]", highlight=False)
    if p.longest_streak > p.streak:
        console.print(f"[dim]longest streak: {p.longest_streak} weeks[/]", highlight=False)

    table = Table(title=f"Recent weeks (goal: {p.goal} papers a week)", title_justify="left")
    table.add_column("Week")
    table.add_column("Papers", justify="right")
    table.add_column("Started", justify="right")
    table.add_column("Hours", justify="right")
    table.add_column("Goal", justify="center")
    # The table always ends at the current week; later-labelled weeks follow, flagged.
    rows = [w for w in p.weeks if not w.future][-table_weeks:]
    rows += [w for w in p.weeks if w.future]
    for w in rows:
        name = w.week + (" (this week)" if w.current else " (future?)" if w.future else "")
        mark = "[green]✓[/]" if w.goal_met else ("…" if w.current else "·")
        table.add_row(name, f"{w.finished}/{p.goal}", str(w.started), f"{w.hours:g}", mark)
    console.print(table)

    t = p.totals
    rating = f"{t.average_rating:g}/5" if t.average_rating is not None else "—"
    console.print(
        f"[bold]Totals[/] over {t.weeks} week{'s' if t.weeks != 1 else ''}: "
        f"{t.papers_read} papers read, {t.hours:g} hours, {t.terms_known} terms known, "
        f"{t.explanations} explanations, {t.reviews} reviews, average rating {rating}",
        highlight=False)
    pace = "on pace" if t.papers_per_week >= t.goal else "below the goal"
    console.print(f"  {t.papers_per_week:g} papers a week on average vs a goal of {t.goal} "
                  f"({pace}); {t.hours_per_week:g} of {t.hours_goal:g} hours a week",
                  highlight=False)
    cumulative = [w.papers_total for w in p.weeks]
    if cumulative:
        console.print(f"  papers read  {sparkline(cumulative)}  {cumulative[-1]}",
                      highlight=False)
        terms = [w.terms_total for w in p.weeks]
        console.print(f"  terms known  {sparkline(terms)}  {terms[-1]}", highlight=False)

    cov = p.coverage
    if cov.source == "none":
        return
    kind = "clusters of the map" if cov.source == "map" else "arXiv categories"
    console.print(f"\n[bold]Coverage of the field[/]: {cov.clusters_touched} of "
                  f"{cov.clusters_total} {kind} touched", highlight=False)
    for c in cov.clusters[:TOP_CLUSTERS]:
        console.print(f"  {c.read:>3} read of {c.papers:>6,}  {escape(c.label)}",
                      highlight=False)
    if cov.unplaced_read:
        console.print(f"  [dim]{cov.unplaced_read} papers read are not on the map yet "
                      "(run `paperpath map` to add them)[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="progress")(progress_cmd)
