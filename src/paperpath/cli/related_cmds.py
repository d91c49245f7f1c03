"""`paperpath embed` and `paperpath related`: vectors for the library and related work."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from paperpath.cli.common import DbOption, JsonOption, console, fail, open_library, print_json
from paperpath.cli.progress import embed_progress

if TYPE_CHECKING:
    from paperpath.related.similar import RelatedPaper

ModelOption = typer.Option(
    None, "--model",
    help="Embedding model: 'static' (default, built in) or a sentence-transformers model, "
         "e.g. all-MiniLM-L6-v2 (needs paperpath[semantic]); a choice is remembered.")

VIEWS = {
    "similar": "Similar papers",
    "approaches": "Same problem, different approach",
    "elsewhere": "Same method, other problems",
}


def embed(model: str | None = ModelOption, db: str | None = DbOption,
          json: bool = JsonOption) -> None:
    """Compute embedding vectors for every paper that lacks them (only new or changed papers
    next time; safe to interrupt) and update the vector index."""
    from paperpath.embed import EmbedderError

    lib = open_library(db)
    try:
        with embed_progress(not json) as (papers, index):
            report = lib.embed(model=model, progress=papers, index_progress=index)
    except EmbedderError as exc:
        fail(str(exc))
    if json:
        print_json({"model": report.model, "embedded": report.embedded,
                    "seconds": round(report.seconds, 2), "papers_per_s": round(report.rate)})
        return
    console.print(f"embedded {report.embedded:,} papers with {report.model} in "
                  f"{report.seconds:.1f} s", highlight=False)


def related(
    paper_id: str = typer.Argument(..., help="arXiv id or URL, DOI, or library key"),
    view: str = typer.Option(
        "all", "--view",
        help="similar | approaches (same problem, different approach) | elsewhere (same "
             "method, other problems) | all"),
    facet: str | None = typer.Option(
        None, "--facet", help="For --view similar: background (the problem), method, result."),
    limit: int = typer.Option(10, "--limit", min=1, max=200),
    model: str | None = ModelOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Who else attacked this problem, and how? Related papers with the reason for each."""
    from paperpath.embed import EmbedderError

    if view not in (*VIEWS, "all"):
        fail(f"--view {view!r}: use similar, approaches, elsewhere or all")
    lib = open_library(db)
    paper = lib.get(paper_id)
    if paper is None:
        fail(f"{paper_id}: not in the library (try `paperpath search` or `paperpath add "
             f"{paper_id}`)")
    views = list(VIEWS) if view == "all" else [view]
    results: dict[str, list[RelatedPaper]] = {}
    try:
        with embed_progress(not json) as (papers, _):
            lib.related(model).ensure_current(progress=papers)
        for v in views:
            if v == "similar":
                results[v] = lib.similar(paper_id, facet=facet, limit=limit, model=model)
            elif v == "approaches":
                results[v] = lib.other_approaches(paper_id, limit=limit, model=model)
            else:
                results[v] = lib.same_method_elsewhere(paper_id, limit=limit, model=model)
    except EmbedderError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    if json:
        print_json({"paper": paper.id, "title": paper.title,
                    **{v: [r.to_dict() for r in rs] for v, rs in results.items()}})
        return
    console.print(f"[bold]{escape(paper.title)}[/] [dim]{escape(paper.id)}[/]", highlight=False)
    render_related(results, facet)


def render_related(results: dict[str, list[RelatedPaper]], facet: str | None = None) -> None:
    """Print related-work views (keys of VIEWS) with each item's reason."""
    for v, rs in results.items():
        heading = VIEWS[v] + (f" ({facet})" if v == "similar" and facet else "")
        console.print(f"\n[bold underline]{heading}[/]")
        if not rs:
            console.print("  [dim]nothing yet: the library needs more papers on this[/]")
        for i, r in enumerate(rs, 1):
            year = f" ({r.paper.year})" if r.paper.year else ""
            console.print(f"{i:>2}. [bold]{escape(r.paper.title)}[/]{year} "
                          f"[dim]{escape(r.paper.id)}[/]", highlight=False)
            console.print(f"    [dim]{escape(r.reason)}[/]", highlight=False)




def map_cmd(
    out: Path = typer.Option(Path("paperpath-map.html"), "--out", "-o",
                             help="The interactive HTML map; a PNG is written next to it."),
    read: list[str] = typer.Option([], "--read", help="Highlight a paper as read (repeatable; "
                                   "default: your reading log)."),
    liked: list[str] = typer.Option([], "--liked", help="Highlight a paper as liked (default: "
                                    "the papers you liked)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Lay the map out again from scratch."),
    model: str | None = ModelOption,
    db: str | None = DbOption,
) -> None:
    """Draw the map of the field: every paper placed by similarity, clusters labelled by their
    key terms, your papers highlighted. Works offline; new papers are added to the existing
    layout."""
    from paperpath.cli.progress import map_progress
    from paperpath.embed import EmbedderError

    lib = open_library(db)
    # Your reading log and likes are highlighted unless papers are named explicitly.
    read = read or lib.coach.read_ids()
    liked = liked or lib.coach.feedback_ids("like")
    marks = {**{p: "read" for p in read}, **{p: "liked" for p in liked}}
    png = out.with_suffix(".png")
    try:
        with embed_progress() as (papers, _):
            lib.related(model).ensure_current(progress=papers)
        with map_progress() as progress:
            fmap = lib.map(out, png, highlight=marks, rebuild=rebuild, model=model,
                           progress=progress)
    except (EmbedderError, LookupError, ValueError) as exc:
        fail(str(exc))
    console.print(f"mapped {len(fmap.ids):,} papers in {len(fmap.labels)} clusters: "
                  f"{out} (interactive) and {png}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(embed)
    app.command()(related)
    app.command(name="map")(map_cmd)
