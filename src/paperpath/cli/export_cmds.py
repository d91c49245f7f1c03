"""`paperpath export` and `paperpath import-data`: the reader's work in and out of paperpath."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from paperpath.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    open_library,
    print_json,
)

WHATS = ("anki", "markdown", "bibtex", "log", "data")
_MAX_PROBLEMS_SHOWN = 20  # the rest are counted: a broken file can have thousands


def export(
    what: str = typer.Argument(..., help="anki | markdown | bibtex | log | data"),
    out: Path = typer.Option(..., "--out", "-o",
                             help="The file to write (for markdown: a folder)."),
    fmt: str = typer.Option("csv", "--format", help="For log: csv or json."),
    tag: str | None = typer.Option(None, "--tag", help="bibtex: papers with this tag."),
    read: bool = typer.Option(False, "--read",
                              help="bibtex, markdown: only the papers you finished."),
    week: str | None = typer.Option(None, "--week",
                                    help="bibtex: the papers of a week's plan (2026-W10, "
                                         "or 'this')."),
    paper: list[str] = typer.Option([], "--paper",
                                    help="bibtex: these papers (repeatable)."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Export your work: review cards for Anki (.apkg), notes for Obsidian (Markdown folder),
    a BibTeX reading list, the reading log (CSV/JSON), or everything as one JSON backup
    (read back with `paperpath import-data`)."""
    from paperpath.coach import clock
    from paperpath.coach import export as exp

    if what not in WHATS:
        fail(f"{what!r}: export one of {', '.join(WHATS)}")
    if what != "bibtex" and (tag or week or paper):
        fail("--tag, --week and --paper choose papers for `export bibtex` only")
    if what == "log" and fmt not in ("csv", "json"):
        fail(f"--format {fmt!r}: use csv or json")
    if what != "log" and fmt != "csv":
        fail("--format applies to `export log` only")
    lib = open_library(db)
    if week in ("this", "current"):
        week = clock.current_week()
    try:
        if what == "anki":
            count: int | dict[str, int] = exp.export_anki(lib, out)
            message = (f"wrote {count} review card(s) to {out}; in Anki: File → Import "
                       "(importing a newer export updates the same notes)")
        elif what == "markdown":
            count = exp.export_markdown(lib, out, only_read=read)
            message = f"wrote {count} paper note(s) and index.md to {out}/"
        elif what == "bibtex":
            count = exp.export_bibtex(lib, out, keys=paper or None, tag=tag, read=read,
                                      week=week)
            message = f"wrote {count} BibTeX entr{'y' if count == 1 else 'ies'} to {out}"
        elif what == "log":
            count = exp.export_log(lib, out, fmt=fmt)
            message = f"wrote {count} reading session(s) to {out}"
        else:
            count = exp.export_data(lib, out)
            parts = ", ".join(f"{k.replace('_', ' ')}: {n}" for k, n in count.items() if n)
            message = f"wrote {out}: {parts or 'nothing yet'}"
    except (ValueError, LookupError) as exc:  # ExportError, ClockError, bad tag
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror or exc})")
    if json:
        print_json({"what": what, "path": str(out), "count": count})
        return
    console.print(escape(message), highlight=False)


def import_data_cmd(
    file: Path = typer.Argument(..., help="A `paperpath export data` JSON file, or a "
                                          "reading log from `paperpath export log`."),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Import a backup made by `paperpath export data` (or a reading log CSV/JSON). Safe to
    repeat: what is already here is kept, newer notes and later-reviewed cards win. Bad
    records are skipped and listed; the rest goes in as one transaction."""
    from paperpath.coach.importer import COUNT_KEYS, DataImportError, import_data

    lib = open_library(db)
    try:
        result = import_data(lib, file)
    except DataImportError as exc:
        fail(str(exc))
    if json:
        print_json(result)
        return
    parts = ", ".join(f"{k.replace('_', ' ')}: {result[k]}" for k in COUNT_KEYS if result[k])
    console.print(f"imported from {escape(str(file))}: {escape(parts) or 'nothing new'}",
                  highlight=False)
    problems = result["problems"]
    for line in problems[:_MAX_PROBLEMS_SHOWN]:
        err_console.print(f"[yellow]skipped:[/] {escape(line)}", highlight=False)
    if len(problems) > _MAX_PROBLEMS_SHOWN:
        err_console.print(f"[yellow]skipped:[/] … and {len(problems) - _MAX_PROBLEMS_SHOWN} "
                          "more (use --json for all)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(export)
    app.command(name="import-data")(import_data_cmd)
