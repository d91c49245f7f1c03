"""What every command shares: the console, opening the library, errors, JSON output."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console

from paperpath.library import Library

# soft_wrap: one-line messages stay one line (copyable ids, greppable errors) at any width.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DbOption = typer.Option(None, "--db", envvar="PAPERPATH_DB",
                        help="Library database URL or SQLite file (default: per-user data dir).")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def open_library(db: str | None) -> Library:
    try:
        return Library(db)
    except Exception as exc:
        fail(f"cannot open library {db or '(default)'}: {exc}")


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")
