"""`paperpath read`, `log`, `note`, `tag`, `explain` and the feedback commands (`like`,
`dislike`, `hide`, `too-hard`, `too-easy`): what the reader did with a paper."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.markup import escape

from paperpath.cli.common import DbOption, JsonOption, console, fail, open_library, print_json
from paperpath.coach.service import CoachError

PaperArg = typer.Argument(..., help="arXiv id or URL, DOI, or library key")


def read(
    paper_id: str = PaperArg,
    minutes: int = typer.Option(0, "--minutes", "-m", help="Minutes spent this session."),
    rating: int | None = typer.Option(None, "--rating", "-r", min=1, max=5,
                                      help="How useful it was, 1 to 5."),
    started: bool = typer.Option(False, "--started", help="Started, not finished yet."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Tag the paper (repeatable)."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Log reading a paper: minutes spent, a rating, finished (default) or --started."""
    lib = open_library(db)
    try:
        entry = lib.coach.read(paper_id, minutes=minutes, rating=rating,
                               status="started" if started else "finished")
        tags = lib.coach.tag(paper_id, tag) if tag else []
    except CoachError as exc:
        fail(str(exc))
    if json:
        print_json({**entry.to_dict(), "tags": tags})
        return
    verb = "started" if started else "read"
    console.print(f"{verb}: [bold]{escape(entry.title)}[/] ({entry.minutes} min"
                  + (f", rated {entry.rating}/5" if entry.rating else "") + f", {entry.week})",
                  highlight=False)
    if not started:
        console.print(f"now explain it in your own words: [bold]paperpath explain "
                      f"{escape(entry.paper_id)}[/]", highlight=False)


def log_cmd(
    paper_id: str | None = typer.Argument(None, help="Only this paper."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Your reading log, oldest first."""
    lib = open_library(db)
    try:
        entries = lib.coach.log(paper_id)
    except CoachError as exc:
        fail(str(exc))
    if json:
        print_json([e.to_dict() for e in entries])
        return
    if not entries:
        console.print("nothing logged yet: [bold]paperpath read ID --minutes 50[/]")
    for e in entries:
        rating = f" · {e.rating}/5" if e.rating else ""
        console.print(f"{e.logged_at:%Y-%m-%d} {e.week} [bold]{e.status:<8}[/] "
                      f"{e.minutes:>4} min{rating}  {escape(e.title)} [dim]{escape(e.paper_id)}"
                      "[/]", highlight=False)


def note(
    paper_id: str = PaperArg,
    text: str | None = typer.Option(None, "--text", help="Set the note to this Markdown "
                                                         "('-' reads standard input)."),
    show: bool = typer.Option(False, "--show", help="Print the note."),
    db: str | None = DbOption,
) -> None:
    """Your Markdown notes on a paper: opens $EDITOR (or use --text), stored in the library."""
    lib = open_library(db)
    try:
        paper = lib.coach.paper(paper_id)
        current = lib.coach.note(paper.id)
    except CoachError as exc:
        fail(str(exc))
    if show:
        console.print(escape(current) if current else "[dim](no note yet)[/]", highlight=False)
        return
    if text is None:
        template = current or f"# {paper.title}\n\n"
        edited = typer.edit(template, extension=".md")
        if edited is None:
            console.print("note unchanged")
            return
        body = edited
    else:
        body = sys.stdin.read() if text == "-" else text
    lib.coach.save_note(paper.id, body.rstrip() + "\n")
    console.print(f"saved your note on [bold]{escape(paper.title)}[/]", highlight=False)


def tag_cmd(
    paper_id: str = PaperArg,
    tags: list[str] = typer.Argument(None, help="Tags to add."),
    remove: bool = typer.Option(False, "--remove", help="Remove these tags instead."),
    db: str | None = DbOption,
) -> None:
    """Tag a paper (e.g. `paperpath tag 2006.11239 diffusion to-reread`)."""
    lib = open_library(db)
    try:
        now = lib.coach.tag(paper_id, tags or [], remove=remove)
    except CoachError as exc:
        fail(str(exc))
    console.print("tags: " + (", ".join(now) if now else "(none)"), highlight=False)


def _feedback(signal: str, done: str) -> Callable[..., None]:
    def command(paper_id: str = PaperArg,
                undo: bool = typer.Option(False, "--undo", help="Take it back."),
                db: str | None = DbOption) -> None:
        lib = open_library(db)
        try:
            paper = lib.coach.feedback(paper_id, signal, on=not undo)
        except CoachError as exc:
            fail(str(exc))
        state = "no longer " + done if undo else done
        console.print(f"{state}: [bold]{escape(paper.title)}[/] — future plans take it into "
                      "account", highlight=False)

    command.__doc__ = f"Mark a paper as {done} (recommendations and plans learn from it)."
    return command


def explain(
    paper_id: str = PaperArg,
    text: str | None = typer.Option(None, "--text", help="Your explanation ('-' reads "
                                                         "standard input)."),
    file: Path | None = typer.Option(None, "--file", help="Read it from a file."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Explain the paper at a high level in your own words; paperpath says what you covered
    and what is missing (the problem, the method, the result, key terms) and what to re-read."""
    lib = open_library(db)
    try:
        paper = lib.coach.paper(paper_id)
    except CoachError as exc:
        fail(str(exc))
    if file is not None:
        try:
            body = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{file}: cannot read it ({exc})")
    elif text is not None:
        body = sys.stdin.read() if text == "-" else text
    elif sys.stdin.isatty():
        edited = typer.edit(f"\n\n# Explain '{paper.title}' above: what problem, how, what "
                            "they found. Lines starting with # are ignored.\n",
                            extension=".md")
        body = "\n".join(line for line in (edited or "").splitlines()
                         if not line.startswith("#"))
    else:
        body = sys.stdin.read()
    try:
        result = lib.coach.explain(paper.id, body)
    except CoachError as exc:
        fail(str(exc))
    if json:
        print_json(result.to_dict())
        return
    render_explanation(result)
    if paper.sources == ["canon"]:
        console.print(f"[dim]note: the library only has paperpath's one-line summary of this "
                      f"paper; online, `paperpath add {escape(paper.id)}` fetches its abstract "
                      "for a fuller comparison[/]", highlight=False)


def render_explanation(result: object) -> None:
    from paperpath.coach.explain import ExplanationScore

    assert isinstance(result, ExplanationScore)
    pct = round(result.score * 100)
    filled = round(result.score * 20)
    color = "green" if pct >= 70 else "yellow" if pct >= 40 else "red"
    console.print(f"[bold]score:[/] [{color}]{'█' * filled}{'░' * (20 - filled)} {pct}%[/]")
    console.print(f"[bold]{escape(result.verdict)}[/]", highlight=False)
    for w in result.warnings:
        console.print(f"[yellow]! {escape(w)}[/]", highlight=False)
    covered = [p.label for p in result.covered]
    if covered:
        console.print(f"  [green]✓ covered:[/] {escape(', '.join(covered))}", highlight=False)
    facets = [p for p in result.missing if p.kind != "term"]
    terms = [p for p in result.missing if p.kind == "term"]
    shown: set[str] = set()
    for part in facets:
        console.print(f"  [red]✗ missing {escape(part.label)}[/]", highlight=False)
        if part.sentence and part.sentence not in shown:
            shown.add(part.sentence)
            console.print(f"      [dim]re-read: {escape(part.sentence)}[/]", highlight=False)
    if terms:
        console.print(f"  [red]✗ key terms not named:[/] "
                      f"{escape(', '.join(p.label for p in terms))}", highlight=False)
        for part in terms:
            if part.sentence and part.sentence not in shown:
                shown.add(part.sentence)
                console.print(f"      [dim]re-read: {escape(part.sentence)}[/]",
                              highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(read)
    app.command("log")(log_cmd)
    app.command()(note)
    app.command("tag")(tag_cmd)
    app.command()(explain)
    for signal, name, done in (("like", "like", "liked"), ("dislike", "dislike", "disliked"),
                               ("hide", "hide", "hidden"),
                               ("too_hard", "too-hard", "too hard"),
                               ("too_easy", "too-easy", "too easy")):
        app.command(name)(_feedback(signal, done))
