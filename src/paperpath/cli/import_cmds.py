"""`paperpath import FILE...`: BibTeX (.bib, Zotero / Better BibTeX exports) and PDF files."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paperpath.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    open_library,
    print_json,
)
from paperpath.library import Library

_SHOW_PROBLEMS = 20  # per file; --json has them all
_PROGRESS_FROM = 3  # files: below this a bar is just noise


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)


@dataclass(slots=True)
class FileOutcome:
    """One file's result in the summary: counts for BibTeX, one paper for a PDF."""

    file: str
    kind: str  # "bibtex" | "pdf"
    entries: int = 0
    added: int = 0
    merged: int = 0
    skipped: int = 0
    error: str | None = None  # the whole file failed
    problems: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "ok": not self.failed,
                "error": self.error, "entries": self.entries, "added": self.added,
                "merged": self.merged, "skipped": self.skipped, "problems": self.problems,
                **self.detail}


def import_files(
    files: Annotated[list[Path], typer.Argument(metavar="FILE",
                                                help="BibTeX (.bib) files and PDFs")],
    fetch: Annotated[bool, typer.Option(
        "--fetch/--no-fetch",
        help="Fetch metadata from the arXiv API for PDFs of arXiv papers not yet in the "
             "library.")] = True,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Import BibTeX files (Zotero / Better BibTeX exports work) and PDFs (their text is stored
    and linked to the paper, found by arXiv id, DOI or title)."""
    # Both libraries log every malformed block / object to stderr; our report lists them.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    lib = open_library(db)
    outcomes: list[FileOutcome] = []
    show_bar = not json and len(files) >= _PROGRESS_FROM
    bar = Progress(TextColumn("[bold]import[/]"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.description}"), TimeElapsedColumn(),
                   console=err_console, transient=True, disable=not show_bar)
    with bar:
        task = bar.add_task("", total=len(files))
        for path in files:
            bar.update(task, description=escape(path.name))
            outcomes.append(import_one(lib, path, fetch=fetch))
            bar.advance(task)
    if json:
        print_json([o.to_dict() for o in outcomes])
    else:
        _print_summary(outcomes)
    if any(o.failed for o in outcomes):
        raise typer.Exit(1)


def import_one(lib: Library, path: Path, *, fetch: bool = True) -> FileOutcome:
    """Import one file, turning every expected failure into the outcome's error."""
    from paperpath.sources.bibtex import BibtexError
    from paperpath.sources.pdf import PdfError, import_pdf_result

    if _is_pdf(path):
        out = FileOutcome(str(path), "pdf", entries=1)
        try:
            res = import_pdf_result(lib, path, fetch=fetch)
        except PdfError as exc:
            out.error, out.skipped = str(exc), 1
            return out
        if res.matched == "new":
            out.added = 1
        else:
            out.merged = 1
        out.problems = list(res.notes)
        out.detail = {"paper": res.paper.id, "title": res.paper.title, "pages": res.pages,
                      "chars": res.chars, "matched": res.matched}
        return out
    out = FileOutcome(str(path), "bibtex")
    try:
        report = lib.import_bibtex(path)
    except BibtexError as exc:
        out.error = str(exc)
        return out
    out.entries, out.added, out.merged, out.skipped = (report.entries, report.added,
                                                       report.merged, report.skipped)
    out.problems = [("skipped " if p.skipped else "") + str(p) for p in report.problems]
    if report.failed:
        out.error = f"{path}: nothing imported" + (
            f" ({report.problems[0]})" if len(report.problems) == 1 else "")
    return out


def _is_pdf(path: Path) -> bool:
    if path.suffix.lower() == ".pdf":
        return True
    if path.suffix.lower() in (".bib", ".bibtex"):
        return False
    try:
        with path.open("rb") as fh:
            return b"%PDF-" in fh.read(1024)
    except OSError:
        return False  # the BibTeX reader reports the unreadable file


def _print_summary(outcomes: list[FileOutcome]) -> None:
    table = Table(title="import", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("kind")
    for name in ("entries", "added", "merged", "skipped"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("result", overflow="fold")
    for o in outcomes:
        if o.failed:
            error = (o.error or "").removeprefix(f"{o.file}: ")  # the row names the file
            result = f"[red]failed[/]: {escape(error)}"
        elif o.kind == "pdf":
            how = "new paper" if o.added else f"attached (by {o.detail.get('matched')})"
            result = (f"[green]{escape(str(o.detail.get('paper')))}[/] {how}, "
                      f"{o.detail.get('pages')} pages")
        else:
            result = "[green]ok[/]" if not o.problems else f"[yellow]{len(o.problems)} " \
                     "problem(s)[/]"
        table.add_row(escape(o.file), o.kind, str(o.entries), str(o.added), str(o.merged),
                      str(o.skipped), result)
    if len(outcomes) > 1:
        table.add_section()
        table.add_row("[bold]total[/]", "", *(str(sum(getattr(o, n) for o in outcomes))
                                              for n in ("entries", "added", "merged",
                                                        "skipped")),
                      f"{sum(o.failed for o in outcomes)} file(s) failed")
    console.print(table)
    for o in outcomes:
        if not o.problems:
            continue
        console.print(f"[bold]{escape(o.file)}[/]", highlight=False)
        for text in o.problems[:_SHOW_PROBLEMS]:
            console.print(f"  [yellow]•[/] {escape(text)}", highlight=False)
        if len(o.problems) > _SHOW_PROBLEMS:
            console.print(f"  … and {len(o.problems) - _SHOW_PROBLEMS} more (see --json)")
