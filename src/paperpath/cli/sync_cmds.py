"""`paperpath sync`: fetch new arXiv papers of a category or search query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paperpath.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    open_library,
    print_json,
)
from paperpath.sources.arxiv_api import SyncProgress, SyncReport


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


@contextmanager
def sync_progress(label: str, enabled: bool = True
                  ) -> Iterator[Callable[[SyncProgress], None] | None]:
    """A bar over the current date window's papers; None when disabled (e.g. --json)."""
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("[bold]sync[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[window]}"),
        TimeElapsedColumn(),
        console=err_console,
    )
    task = bar.add_task(escape(label), total=None, window="")

    def update(p: SyncProgress) -> None:
        lo, hi = p.window
        bar.update(task, completed=p.offset, total=p.total,
                   window=f"{lo:%Y-%m-%d} → {hi:%Y-%m-%d}  ({p.fetched} this run)")

    with bar:
        yield update


def sync(
    category: str | None = typer.Option(None, "--category", "-c",
                                        help="arXiv category, e.g. cs.LG"),
    query: str | None = typer.Option(None, "--query", "-q",
                                     help="arXiv search query, e.g. 'ti:diffusion'"),
    since: str | None = typer.Option(None, "--since",
                                     help="first submission date (YYYY-MM-DD); default: where "
                                          "the last sync stopped, else 7 days ago"),
    until: str | None = typer.Option(None, "--until", help="last submission date (YYYY-MM-DD)"),
    max_results: int | None = typer.Option(None, "--max", min=1,
                                           help="fetch at most N papers; the next sync goes on"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Fetch new arXiv papers (category and/or query) into the library, resuming where the
    previous sync stopped. Set PAPERPATH_ARXIV_API to use another endpoint."""
    if not category and not query:
        fail("give --category (e.g. cs.LG) and/or --query")
    lib = open_library(db)
    label = " ".join(x for x in (category, query and f"“{query}”") if x)
    try:
        with sync_progress(label, enabled=not json) as progress:
            report = lib.sync_arxiv(category=category, query=query, since=since, until=until,
                                    max_results=max_results, progress=progress)
    except ValueError as exc:  # bad category, query or date
        fail(str(exc))
    if json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if report.status == "failed":
        fail(report.message)


def _print_report(report: SyncReport) -> None:
    since = f"{report.since:%Y-%m-%d}" if report.since else "?"
    until = f"{report.until:%Y-%m-%d}" if report.until else "?"
    resumed = (f" (resumed at offset {report.resumed_from})"
               if report.resumed_from else "")
    console.print(
        f"{escape(report.key)} {since} → {until}{resumed}: fetched {report.fetched}, "
        f"[green]{report.inserted} new[/], {report.updated} updated, "
        f"{report.unchanged} unchanged", highlight=False)
    for err in report.errors[:10]:
        err_console.print(f"[yellow]skipped[/] {escape(err)}", highlight=False, soft_wrap=True)
    if report.status == "partial":
        console.print(escape(report.message), highlight=False)
