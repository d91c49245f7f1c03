"""Library commands: add, ingest, search, show, stats."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from paperpath.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    open_library,
    print_json,
)
from paperpath.cli.progress import ingest_progress
from paperpath.records import Paper
from paperpath.search import QueryError
from paperpath.search.types import SearchHit
from paperpath.sources.snapshot import SnapshotError


def register(app: typer.Typer) -> None:
    app.command("add")(add)
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("show")(show)
    app.command("stats")(stats)
    app.command("reindex")(reindex)


def add(
    items: list[str] = typer.Argument(..., help="arXiv ids or URLs, BibTeX entries, .bib or "
                                      ".pdf files"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Add papers by arXiv id or URL, a DOI-bearing BibTeX entry, or a .bib / .pdf file."""
    lib = open_library(db)
    added, failed = [], 0
    for item in items:
        try:
            paper = lib.add(item)
        except (ValueError, LookupError, OSError, RuntimeError) as exc:
            failed += 1
            console.print(f"[red]✗[/] {escape(str(exc))}", highlight=False)
            continue
        added.append(paper)
        if not json:
            console.print(f"[green]✓[/] {escape(paper.id)}  {escape(paper.title)}",
                          highlight=False)
    if json:
        print_json([p.to_dict() for p in added])
    if failed:
        raise typer.Exit(1)


def ingest(
    path: Path = typer.Argument(..., help="arXiv metadata snapshot (.json/.jsonl, optionally .gz)"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Ingest the arXiv bulk metadata snapshot. Interrupted? Run it again to resume."""
    lib = open_library(db)
    try:
        with ingest_progress(path, enabled=not json) as progress:
            report = lib.ingest_snapshot(path, progress=progress)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        fail(str(exc))
    except SnapshotError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:  # e.g. another process holding the write lock too long
        fail(f"{path}: database error ({getattr(exc, 'orig', None) or exc.__class__.__name__});"
             " what was committed is kept — run the same command again to resume")
    except RuntimeError as exc:  # the indexing process failed
        fail(f"{path}: {exc}")
    except KeyboardInterrupt:
        fail(f"{path}: interrupted; everything up to the last batch is saved — run the same "
             "command again to resume", code=130)
    if json:
        print_json(report.to_dict())
    else:
        rate = report.records / report.seconds if report.seconds else 0
        resumed = f" (resumed after line {report.resumed_from:,})" if report.resumed_from else ""
        console.print(
            f"[bold]{escape(str(path))}[/]{resumed}: {report.lines:,} lines in "
            f"{report.seconds:.1f}s ({rate:,.0f} records/s) — [green]{report.inserted:,} new[/], "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
            f"[{'red' if report.error_count else 'dim'}]{report.error_count:,} bad lines[/]",
            highlight=False,
        )
        for err in report.errors[:20]:
            console.print(f"  [red]•[/] {escape(str(path))} {escape(str(err))}", highlight=False)
        if report.error_count > 20:
            console.print(f"  … and {report.error_count - 20:,} more (see --json)")
    if report.status == "failed":
        fail(report.message)


def search(
    query: str = typer.Argument("", help='Words to find; "phrases", -exclude, OR, title:word, '
                                "author:name"),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000),
    category: list[str] = typer.Option([], "--category", "-c", help="e.g. cs.LG, or cs for cs.*"),
    since: str | None = typer.Option(None, help="YYYY, YYYY-MM or YYYY-MM-DD"),
    until: str | None = typer.Option(None, help="YYYY, YYYY-MM or YYYY-MM-DD"),
    has_code: bool | None = typer.Option(None, "--code/--no-code", help="Only papers with "
                                         "(or without) a code link"),
    hybrid: bool = typer.Option(False, "--hybrid", help="Also find papers that say it in other "
                                "words (keyword + vector search, fused; embeds new papers first)"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Search the library (BM25 ranking, snippets with the matching words highlighted)."""
    lib = open_library(db)
    try:
        if hybrid:
            hits = lib.hybrid_search(query, limit=limit, category=category or None,
                                     since=since, until=until, has_code=has_code)
        else:
            hits = lib.search(query, limit=limit, category=category or None, since=since,
                              until=until, has_code=has_code)
    except (QueryError, ValueError) as exc:
        fail(str(exc))
    if json:
        print_json([h.to_dict() for h in hits])
        return
    if not hits:
        console.print("No papers found. Try fewer words, or check [bold]paperpath stats[/] to "
                      "see what the library holds.")
        return
    for rank, hit in enumerate(hits, 1):
        _print_hit(rank, hit)


def _marked(text: str, hit_style: str = "bold yellow") -> str:
    from paperpath.search.types import HL_CLOSE, HL_OPEN

    return escape(text).replace(HL_OPEN, f"[{hit_style}]").replace(HL_CLOSE, "[/]")


def _print_hit(rank: int, hit: SearchHit) -> None:
    p = hit.paper
    meta = " · ".join(x for x in (
        p.id, p.categories[0] if p.categories else "", p.published.isoformat() if p.published
        else "", "code" if p.code_urls else "") if x)
    console.print(f"[dim]{rank:>2}.[/] [bold]{_marked(hit.title_raw or p.title)}[/]",
                  highlight=False)
    console.print(f"    [cyan]{escape(meta)}[/]", highlight=False)
    console.print(f"    {_marked(hit.snippet_raw)}", highlight=False)


def show(
    paper_id: str = typer.Argument(..., help="arXiv id or URL, DOI, or library key"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Show one paper."""
    lib = open_library(db)
    paper = lib.get(paper_id)
    if paper is None:
        fail(f"{paper_id}: not in the library (try `paperpath search` or `paperpath add "
             f"{paper_id}`)")
    if json:
        print_json(paper.to_dict())
        return
    console.print(_paper_panel(paper))


def _paper_panel(p: Paper) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    rows = [
        ("id", p.id),
        ("authors", ", ".join(p.authors[:12]) + (" …" if len(p.authors) > 12 else "")),
        ("categories", " ".join(p.categories)),
        ("published", p.published.isoformat() if p.published else ""),
        ("updated", p.updated.isoformat() if p.updated else ""),
        ("versions", " ".join(p.versions)),
        ("DOI", p.doi or ""),
        ("journal", p.journal_ref or p.venue or ""),
        ("comments", p.comments or ""),
        ("code", "\n".join(p.code_urls)),
        ("link", p.abs_url or ""),
        ("sources", " ".join(p.sources)),
    ]
    for name, value in rows:
        if value:
            grid.add_row(name, escape(value))
    body = Table.grid()
    body.add_row(grid)
    body.add_row("")
    body.add_row(escape(p.abstract or "(no abstract)"))
    return Panel(body, title=f"[bold]{escape(p.title)}[/]", title_align="left", expand=True)


def stats(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """What the library holds."""
    lib = open_library(db)
    data = lib.stats()
    data["database"] = lib.url
    if json:
        print_json(data)
        return
    table = Table(title="paperpath library", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("papers", f"{data['papers']:,}")
    for kind, n in sorted(data["by_kind"].items()):
        if kind != "paper":
            table.add_row(f"  {kind}s", f"{n:,}")
    table.add_row("with code links", f"{data['with_code']:,}")
    table.add_row("with full text", f"{data['with_full_text']:,}")
    if data["published_first"]:
        table.add_row("published", f"{data['published_first']} … {data['published_last']}")
    for cat in data["top_categories"]:
        table.add_row(f"  {cat['category']}", f"{cat['papers']:,}")
    table.add_row("database", escape(lib.url))
    console.print(table)


def reindex(db: str | None = DbOption) -> None:
    """Rebuild the full-text search index from the library (it is derived data)."""
    lib = open_library(db)
    total = len(lib)
    with Progress(console=err_console) as bar:
        task = bar.add_task("full-text index", total=total)
        n = lib.reindex(progress=lambda done, _pending: bar.update(task, completed=done))
        bar.update(task, completed=total)
    console.print(f"Indexed {n:,} papers.")
