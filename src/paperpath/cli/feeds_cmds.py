"""`paperpath feeds ...`: follow blogs, newsletters and YouTube channels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
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
from paperpath.sources.feeds import FEED_KINDS, FeedError, FeedProgress, FeedSyncReport

feeds_app = typer.Typer(help="Follow blogs, newsletters and YouTube channels.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(feeds_app, name="feeds")


@feeds_app.command("add")
def add(
    url: str = typer.Argument(..., help="feed URL, or a YouTube channel/playlist URL"),
    kind: str | None = typer.Option(None, "--kind", help=f"one of {', '.join(FEED_KINDS)} "
                                    "(default: video for YouTube, else blog)"),
    db: str | None = DbOption,
) -> None:
    """Follow a feed. Its items arrive with `paperpath feeds sync`."""
    lib = open_library(db)
    try:
        feed = lib.add_feed(url, kind)
    except FeedError as exc:
        fail(str(exc))
    console.print(f"[green]✓[/] following {escape(feed.url)} ({feed.kind})", highlight=False)


@feeds_app.command("list")
def list_(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """The feeds you follow, with their item counts and last errors."""
    lib = open_library(db)
    feeds = lib.feeds()
    if json:
        print_json([f.to_dict() for f in feeds])
        return
    if not feeds:
        console.print("No feeds yet: add one with `paperpath feeds add URL`.")
        return
    table = Table(show_edge=False)
    for col in ("kind", "title", "url", "items", "last sync", "error"):
        table.add_column(col, overflow="fold")
    for f in feeds:
        table.add_row(f.kind, escape(f.title or ""), escape(f.url), str(f.items),
                      f"{f.last_synced:%Y-%m-%d %H:%M}" if f.last_synced else "never",
                      f"[red]{escape(f.last_error)}[/]" if f.last_error else "")
    console.print(table)


@feeds_app.command("remove")
def remove(url: str = typer.Argument(..., help="the feed's URL as listed"),
           db: str | None = DbOption) -> None:
    """Stop following a feed (what it brought stays in the library)."""
    lib = open_library(db)
    if not lib.remove_feed(url):
        fail(f"{url}: not a followed feed")
    console.print(f"removed {escape(url)}", highlight=False)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[FeedProgress], None] | None]:
    if not enabled:
        yield None
        return
    bar = Progress(TextColumn("[bold]feeds[/]"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console)
    task = bar.add_task("", total=None)

    def update(p: FeedProgress) -> None:
        bar.update(task, completed=p.done, total=p.total, description=escape(p.url))

    with bar:
        yield update


@feeds_app.command("sync")
def sync(url: str | None = typer.Argument(None, help="only this feed (default: all)"),
         db: str | None = DbOption, json: bool = JsonOption) -> None:
    """Fetch new items from followed feeds; arXiv links become papers."""
    lib = open_library(db)
    try:
        with _progress(enabled=not json) as progress:
            report = lib.sync_feeds(url, progress=progress)
    except FeedError as exc:
        fail(str(exc))
    if json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if report.errors and len(report.errors) == len(report.feeds):
        raise typer.Exit(1)  # nothing synced at all


def _print_report(report: FeedSyncReport) -> None:
    if not report.feeds:
        console.print("No feeds to sync: add one with `paperpath feeds add URL`.")
    for f in report.feeds:
        name = escape(f.title or f.url)
        if f.error:
            err_console.print(f"[red]✗[/] {escape(f.error)}", highlight=False, soft_wrap=True)
        elif f.status == "not-modified":
            console.print(f"[dim]·[/] {name}: not modified", highlight=False)
        else:
            console.print(f"[green]✓[/] {name}: {f.new_items} new ({f.papers} papers, "
                          f"{f.reading} reading items)", highlight=False)
        for w in f.warnings:
            err_console.print(f"  [yellow]warning:[/] {escape(w)}", highlight=False,
                              soft_wrap=True)
