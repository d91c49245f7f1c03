"""Rich progress bars for long commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from paperpath.cli.common import err_console
from paperpath.ingest import Progress as IngestProgress

if TYPE_CHECKING:  # the guide's models load only when a guide command runs
    from paperpath.guide.precompute import AnalyzeProgress


@contextmanager
def ingest_progress(path: Path, enabled: bool = True
                    ) -> Iterator[Callable[[IngestProgress], None] | None]:
    """A bar over the file's bytes with records/s; None when disabled (e.g. --json)."""
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[records]:>10,} records"),
        TextColumn("[red]{task.fields[errors]} bad[/]"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
    task = bar.add_task(path.name, total=path.stat().st_size if path.exists() else None,
                        records=0, errors=0)

    index_task = None

    def update(p: IngestProgress) -> None:
        nonlocal index_task
        if not p.indexing:
            bar.update(task, completed=p.bytes_done, total=p.bytes_total, records=p.records,
                       errors=p.errors)
            return
        # Reading is done; the full-text index finishes the last batches.
        if index_task is None:
            bar.update(task, completed=bar.tasks[task].total)
            index_task = bar.add_task("full-text index", total=p.records, records=p.indexed,
                                      errors=0)
        bar.update(index_task, completed=p.indexed, records=p.indexed)

    with bar:
        yield update


def _count_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>10,.0f}/{task.total:,.0f}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


@contextmanager
def stats_progress(enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A bar for building the corpus statistics (papers read / total)."""
    if not enabled:
        yield None
        return
    bar = _count_bar()
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task("corpus statistics", total=total)
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


@contextmanager
def analyze_progress(enabled: bool = True) -> Iterator[Callable[[AnalyzeProgress], None] | None]:
    """A bar over the papers being analysed for the reading guide."""
    if not enabled:
        yield None
        return
    bar = _count_bar()
    task = None

    def update(p: AnalyzeProgress) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task("analysing papers", total=p.total)
        bar.update(task, completed=p.done, total=p.total)

    with bar:
        yield update


@contextmanager
def embed_progress(enabled: bool = True
                   ) -> Iterator[tuple[Callable[[int, int], None] | None,
                                       Callable[[str, int, int], None] | None]]:
    """Bars for embedding papers and for building the vector index."""
    if not enabled:
        yield None, None
        return
    bar = _count_bar()
    tasks: dict[str, object] = {}

    def papers(done: int, total: int) -> None:
        if "papers" not in tasks:
            tasks["papers"] = bar.add_task("embedding papers", total=total)
        bar.update(tasks["papers"], completed=done, total=total)  # type: ignore[arg-type]

    def index(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(f"index: {stage}", total=total)
        bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

    with bar:
        yield papers, index


@contextmanager
def map_progress(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """One bar per stage of laying out the map (neighbours, layout, placing, labels)."""
    if not enabled:
        yield None
        return
    bar = _count_bar()
    tasks: dict[str, object] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(f"map: {stage}", total=max(total, 1))
        bar.update(tasks[stage], completed=done, total=max(total, 1))  # type: ignore[arg-type]

    with bar:
        yield update
