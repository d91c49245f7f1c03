"""`paperpath guide`, `analyze`, `terms` and `define`: the reading guide in the terminal."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from paperpath.cli.common import DbOption, JsonOption, console, fail, open_library, print_json
from paperpath.cli.progress import analyze_progress, stats_progress

if TYPE_CHECKING:
    from paperpath.guide.build import ReadingGuide

_LABEL_STYLE = {"problem": "yellow", "method": "cyan", "result": "green", "other": "dim"}


def guide(
    paper_id: str = typer.Argument(..., help="arXiv id or URL, DOI, or library key"),
    level: int = typer.Option(3, "--level", min=1, max=5,
                              help="Your math comfort, 1 (little) to 5 (proofs are fine)."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """The reading guide of one paper: summary, problem/method/result, key terms, difficulty,
    reading time and questions to read with."""
    lib = open_library(db)
    try:
        g = lib.guide(paper_id, reader_level=level)
    except LookupError:
        fail(f"{paper_id}: not in the library (try `paperpath search` or `paperpath add "
             f"{paper_id}`)")
    if json:
        print_json(g.to_dict())
        return
    render_guide(g)


def render_guide(g: ReadingGuide) -> None:
    """Print a reading guide for the terminal."""
    p = g.paper
    head = f"[bold]{escape(p.title)}[/]\n[dim]{escape(p.id)}"
    if p.published:
        head += f" · {p.published.isoformat()}"
    if p.categories:
        head += f" · {escape(' '.join(p.categories[:3]))}"
    head += "[/]"
    console.print(Panel(head, expand=True))
    console.print(f"[bold]In one line:[/] {escape(g.tldr)}", highlight=False)
    d, t = g.difficulty, g.reading_time
    basis = {"pdf": "from the PDF", "comments": "from the arXiv comment",
             "typical": "typical length assumed", "words": "from its length"}[t.basis]
    console.print(f"[bold]Difficulty:[/] {d.level}/5 ({d.label()}) — "
                  f"{escape('; '.join(d.reasons))}", highlight=False)
    pages = f"{t.pages} pages, " if t.pages else ""
    console.print(f"[bold]Reading time:[/] first pass ~{t.first_pass} min, full read "
                  f"~{t.full_read} min [dim]({pages}{basis}; your level {g.reader_level})[/]",
                  highlight=False)
    if g.paper.code_urls:
        console.print(f"[bold]Code:[/] {escape(' '.join(g.paper.code_urls))}", highlight=False)
    console.print()
    for label, title in (("problem", "The problem"), ("method", "The method"),
                         ("result", "The result")):
        sentences = g.facet(label)
        if sentences:
            console.print(f"[bold {_LABEL_STYLE[label]}]{title}[/]")
            for s in sentences:
                console.print(f"  • {escape(s)}", highlight=False)
    console.print()
    table = Table(title="Key terms", title_justify="left", show_lines=False, expand=True)
    table.add_column("term", style="bold", no_wrap=True)
    table.add_column("", width=6)
    table.add_column("what it means")
    for term in g.key_terms:
        meaning = term.definition or ""
        if not meaning and term.mined:
            m = term.mined[0]
            meaning = f"{m.definition} [dim](from {m.paper_id})[/]" if m.kind == "definition" \
                else f"short for {m.definition} [dim](in {m.paper_id})[/]"
            table.add_row(escape(term.term), "[magenta]new[/]" if term.new else "[dim]known[/]",
                          meaning)
            continue
        table.add_row(escape(term.term), "[magenta]new[/]" if term.new else "[dim]known[/]",
                      escape(meaning) if meaning else "[dim]—[/]")
    console.print(table)
    todo = [p for p in g.prerequisites if p.new]
    if todo:
        console.print("[bold]Background to have first:[/] " + escape(", ".join(
            f"{p.term}" + (f" ({p.introduced_in})" if p.introduced_in else "")
            for p in todo[:8])), highlight=False)
    console.print()
    console.print("[bold]Questions to read with[/]")
    stage = None
    for q in g.questions:
        if q.stage != stage:
            stage = q.stage
            console.print(f"  [underline]{stage}[/]")
        console.print(f"  ? {escape(q.text)}", highlight=False)
        if q.hint:
            console.print(f"    [dim]{escape(q.hint)}[/]", highlight=False)
    console.print("\n[dim]Mark terms you know: paperpath terms --know \"term\"[/]")


def analyze(
    workers: int = typer.Option(0, "--workers", min=0,
                                help="Worker processes (default: one per core, at most 4)."),
    rebuild_stats: bool = typer.Option(False, "--rebuild-stats",
                                       help="Recompute the corpus statistics first."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Precompute reading-guide data (key terms, TLDR, facets, difficulty, definitions) for
    every paper that lacks it. Safe to interrupt: rerun to finish."""
    lib = open_library(db)
    with stats_progress(enabled=not json) as on_stats, analyze_progress(enabled=not json) as on_a:
        report = lib.analyze(on_a, workers=workers or None, rebuild_stats=rebuild_stats,
                             stats_progress=on_stats)
    data = {"analyzed": report.analyzed, "definitions": report.definitions,
            "errors": report.errors, "seconds": round(report.seconds, 2),
            "papers_per_second": round(report.rate, 1), "error_samples": report.error_samples}
    if json:
        print_json(data)
        return
    console.print(f"Analysed {report.analyzed:,} papers in {report.seconds:.1f} s "
                  f"({report.rate:,.0f}/s); {report.definitions:,} definitions and acronyms "
                  f"found; {report.errors} errors.", highlight=False)
    for sample in report.error_samples:
        console.print(f"  [red]{escape(sample)}[/]", highlight=False)


def terms(
    know: list[str] = typer.Option([], "--know", help="Mark a term as known (repeatable)."),
    forget: list[str] = typer.Option([], "--forget", help="Unmark a known term (repeatable)."),
    known: bool = typer.Option(False, "--known", help="List the terms you marked known."),
    area: str | None = typer.Option(None, "--area", help="Only this glossary area."),
    find: str | None = typer.Option(None, "--find", help="Only terms containing this text."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """List the built-in glossary (by area, known terms ticked), or mark terms known."""
    from paperpath.glossary import glossary, lookup

    if know or forget or known:
        lib = open_library(db)
        added = lib.mark_known(know) if know else 0
        removed = lib.forget_known(forget) if forget else 0
        if know or forget:
            unknown = [t for t in know if lookup(t) is None]
            msg = f"{added} term(s) marked known, {removed} unmarked."
            if unknown and not json:
                msg += f" (Not in the glossary, kept as written: {', '.join(unknown)})"
            if not known:
                if json:
                    print_json({"marked": added, "forgotten": removed})
                else:
                    console.print(msg, highlight=False)
                return
        rows = lib.known_terms()
        if json:
            print_json([{"term": t, "key": k, "source": s} for t, k, s in rows])
            return
        for t, _, s in rows:
            console.print(f"✓ {escape(t)} [dim]({s})[/]", highlight=False)
        if not rows:
            console.print("No known terms yet: paperpath terms --know \"gradient descent\"")
        return
    entries = glossary()
    if area:
        entries = [e for e in entries if e.area == area]
        if not entries:
            fail(f"{area}: no such glossary area (one of: "
                 f"{', '.join(sorted({e.area for e in glossary()}))})")
    if find:
        needle = find.casefold()
        entries = [e for e in entries if any(needle in n.casefold() for n in e.names())]
    known_keys = set()
    if db is not None or not json:
        lib = open_library(db)
        known_keys = {k for _, k, _ in lib.known_terms()}
    if json:
        print_json([{"id": e.id, "term": e.term, "aliases": list(e.aliases), "area": e.area,
                     "known": f"g:{e.id}" in known_keys} for e in entries])
        return
    by_area: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        mark = "[green]✓[/] " if f"g:{e.id}" in known_keys else ""
        alias = f" [dim]({escape(', '.join(e.aliases[:2]))})[/]" if e.aliases else ""
        by_area[e.area].append(f"{mark}{escape(e.term)}{alias}")
    for name in sorted(by_area):
        console.print(f"[bold]{name}[/] [dim]({len(by_area[name])})[/]")
        console.print("  " + " · ".join(by_area[name]), highlight=False)
    console.print(f"\n{len(entries)} terms. Define one: paperpath define \"KL divergence\"",
                  highlight=False)


def define(
    term: str = typer.Argument(..., help="A term or acronym, e.g. \"KL divergence\" or LoRA"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Define a term: the built-in glossary entry and definitions found in your library."""
    lib = open_library(db)
    entry, mined = lib.define(term)
    if json:
        print_json({"term": term,
                    "glossary": None if entry is None else {
                        "id": entry.id, "term": entry.term, "aliases": list(entry.aliases),
                        "definition": entry.definition, "math": entry.math,
                        "related": list(entry.related),
                        "prerequisites": list(entry.prerequisites),
                        "introduced_in": entry.introduced_in, "area": entry.area},
                    "from_library": [{"definition": m.definition, "paper": m.paper_id,
                                      "kind": m.kind} for m in mined]})
        return
    if entry is None and not mined:
        fail(f"{term}: not in the glossary and no definition found in your library "
             "(try `paperpath terms --find` with part of it)")
    if entry is not None:
        alias = f" ({', '.join(entry.aliases)})" if entry.aliases else ""
        console.print(f"[bold]{escape(entry.term)}[/]{escape(alias)} [dim]· {entry.area}[/]",
                      highlight=False)
        console.print(escape(entry.definition), highlight=False)
        if entry.math:
            console.print(f"[bold]The math:[/] {escape(entry.math)}", highlight=False)
        if entry.prerequisites:
            console.print(f"[bold]Learn first:[/] {escape(', '.join(entry.prerequisites))}",
                          highlight=False)
        if entry.related:
            console.print(f"[bold]Related:[/] {escape(', '.join(entry.related))}",
                          highlight=False)
        if entry.introduced_in:
            console.print(f"[bold]Introduced in:[/] {escape(entry.introduced_in)}",
                          highlight=False)
    if mined:
        console.print("\n[bold]In your library:[/]")
        for m in mined:
            what = m.definition if m.kind == "definition" else f"short for {m.definition}"
            console.print(f"  • {escape(what)} [dim]({escape(m.paper_id)})[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(guide)
    app.command()(analyze)
    app.command()(terms)
    app.command()(define)
