"""`paperpath quickstart`: the main job of `make run` — create the library, fill it, show it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from paperpath.cli.common import DbOption, console, fail, open_library
from paperpath.cli.guide_cmds import render_guide
from paperpath.cli.library_cmds import _print_hit
from paperpath.cli.progress import embed_progress, ingest_progress
from paperpath.cli.related_cmds import render_related
from paperpath.sources.snapshot import SnapshotError

DEMO_QUERIES = ("diffusion models for video", "retrieval augmented generation")


def register(app: typer.Typer) -> None:
    app.command("quickstart")(quickstart)


def quickstart(
    snapshot: Path | None = typer.Option(None, help="arXiv metadata snapshot to ingest once "
                                         "(.jsonl or .jsonl.gz)"),
    db: str | None = DbOption,
) -> None:
    """Create (or open) your library, ingest a snapshot if given, and show it working."""
    lib = open_library(db)
    console.print(f"[bold]paperpath library:[/] {escape(lib.url)}", highlight=False)
    if snapshot is not None and snapshot.is_file():
        if lib.snapshot_status(snapshot) == "done":
            console.print(f"{escape(str(snapshot))}: already ingested (run `paperpath ingest` "
                          "to read it again).", highlight=False)
        else:
            try:
                with ingest_progress(snapshot) as progress:
                    report = lib.ingest_snapshot(snapshot, progress=progress)
            except SnapshotError as exc:
                fail(str(exc))
            console.print(f"Ingested {report.records:,} papers in {report.seconds:.1f}s "
                          f"({report.error_count} bad lines).")
    elif snapshot is not None:
        console.print(f"[yellow]{escape(str(snapshot))} not found[/]: skipping the sample "
                      "corpus.", highlight=False)
    stats = lib.stats()
    console.print(f"\nThe library holds [bold]{stats['papers']:,}[/] papers "
                  f"({stats['with_code']:,} with code links).")
    if stats["papers"]:
        for query in DEMO_QUERIES:
            hits = lib.search(query, limit=3)
            if hits:
                console.print(f"\n[bold]paperpath search \"{escape(query)}\"[/]")
                for rank, hit in enumerate(hits, 1):
                    _print_hit(rank, hit)
        first = lib.search(DEMO_QUERIES[0], limit=1)
        if first:
            console.print(f"\n[bold]paperpath guide {escape(first[0].id)}[/]  "
                          "[dim]# the reading guide of a paper[/]")
            render_guide(lib.guide(first[0].id))
            console.print(f"\n[bold]paperpath related {escape(first[0].id)}[/]  "
                          "[dim]# who else attacked this problem, and how[/]")
            with embed_progress() as (papers, _):
                lib.related().ensure_current(progress=papers)
            render_related({"similar": lib.similar(first[0].id, limit=3),
                            "approaches": lib.other_approaches(first[0].id, limit=3)})
    from paperpath.cli.coach_cmds import render_plan

    console.print("\n[bold]paperpath week --brief[/]  [dim]# this week's reading plan[/]")
    render_plan(lib, lib.coach.week(), brief=True)
    console.print(
        "\n[bold]Your weekly loop:[/] paperpath init (interests, math comfort, hours) → "
        "paperpath week → paperpath read ID → paperpath explain ID → paperpath review → "
        "paperpath progress", highlight=False)
    console.print(
        "\n[bold]Next:[/] fill it from where research comes from —\n"
        "  paperpath ingest arxiv-metadata-oai-snapshot.json   # Kaggle's bulk file, resumable\n"
        "  paperpath sync --category cs.LG --since 2025-01-01  # the arXiv API (online)\n"
        "  paperpath feeds add https://example.org/feed.xml    # blogs, newsletters, YouTube\n"
        "  paperpath import references.bib paper.pdf           # Zotero/BibTeX exports, PDFs\n"
        "  paperpath add 1706.03762                            # one paper by id or URL\n"
        "then `paperpath search WORDS` (add --hybrid for meaning, not just words),\n"
        "`paperpath show ID`, `paperpath guide ID`, `paperpath related ID` and\n"
        "`paperpath map` (the field at a glance); `paperpath analyze` precomputes the guides.",
        highlight=False)
