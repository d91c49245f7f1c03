"""`paperpath serve`: the web app on this computer."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import typer
from rich.markup import escape

from paperpath.cli.common import DbOption, console, fail, open_library

HINT = ("Fill the library from the Sources page, or from a terminal:\n"
        "  paperpath ingest arxiv-metadata-oai-snapshot.json   # the arXiv bulk snapshot\n"
        "  paperpath sync --category cs.LG --since 2025-01-01  # the arXiv API (online)")


def is_loopback(host: str) -> bool:
    """True when ``host`` only ever means this computer (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (this computer only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    snapshot: Path | None = typer.Option(
        None, help="arXiv snapshot to ingest in the background on start if not yet ingested "
                   "(progress on the Sources page)."),
    db: str | None = DbOption,
) -> None:
    """Start the web app: the whole weekly loop in your browser."""
    if not is_loopback(host):
        fail(f"--host {host}: paperpath serves one person and has no accounts yet, so it only "
             "listens on this computer (127.0.0.1, ::1 or localhost)")
    import uvicorn

    from paperpath.web.app import create_app
    from paperpath.web.jobs_work import ingest_job

    lib = open_library(db)
    seeded = lib.coach.seed_canon()
    if seeded:
        console.print(f"added {seeded} landmark papers from the built-in canon to your library")
    app = create_app(lib, seed=False)
    console.print(f"[bold]paperpath library:[/] {escape(lib.url)} "
                  f"({lib.stats()['papers']:,} papers)", highlight=False)
    if snapshot is not None:
        if not snapshot.is_file():
            console.print(f"[yellow]{escape(str(snapshot))} not found[/]: not ingesting it",
                          highlight=False)
        elif lib.snapshot_status(snapshot) != "done":
            app.state.jobs.start("ingest", f"Ingesting {snapshot.name}",
                                 ingest_job(snapshot, prepare=True))
            console.print(f"ingesting {escape(str(snapshot))} in the background "
                          "(see the Sources page)", highlight=False)
    elif lib.stats()["papers"] < 1000:
        console.print(HINT, highlight=False)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"\n[bold green]paperpath is running at http://{shown}:{port}/[/]  "
                  "(Ctrl+C to stop)\n", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(serve)
