"""Resumable, batched ingestion of the arXiv snapshot into the library.

Lines are decoded, normalized and written in batches, while a separate process builds the
full-text index from committed batches. Each batch is committed together with the checkpoint
(lines done) in one transaction: killed at any moment, a rerun continues after the last
committed batch with nothing lost and nothing doubled.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from paperpath.records import RecordError
from paperpath.search.text_index import TextIndex
from paperpath.sources.snapshot import (
    MAX_LINE,
    SnapshotError,
    SnapshotFile,
    parse_line_row,
)
from paperpath.store.db import write_tx
from paperpath.store.schema import ingest_runs
from paperpath.store.writer import WriteResult, write_rows

# Records per transaction. 20,000 stored 8% faster alone at 400k papers but ended 10% slower
# end to end at 75k (the index process waits longer for each batch) with 43% more memory.
BATCH = int(os.environ.get("PAPERPATH_INGEST_BATCH", "5000"))
MAX_ERROR_SAMPLES = 100


@dataclass(slots=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class IngestReport:
    path: str
    lines: int = 0  # lines read in this run
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    resumed_from: int = 0  # lines skipped because an earlier run committed them
    status: str = "done"  # done | failed | interrupted
    message: str = ""
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "status": self.status, "message": self.message,
            "lines": self.lines, "resumed_from": self.resumed_from,
            "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
            "errors": self.error_count, "error_samples": [str(e) for e in self.errors],
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.records / self.seconds) if self.seconds else None,
        }


@dataclass(slots=True)
class Progress:
    bytes_done: int
    bytes_total: int
    lines: int
    records: int
    errors: int
    indexing: bool = False  # reading is done; waiting for the full-text index to catch up
    indexed: int = 0


ProgressFn = Callable[[Progress], None]


@dataclass(slots=True)
class _Batch:
    records: list[dict[str, Any]]  # rows as writer.row_from builds them
    errors: list[LineError]
    last_line: int
    last_byte: int


def _batches(snap: SnapshotFile, skip: int, start_byte: int, batch_size: int
             ) -> Iterator[_Batch | SnapshotError]:
    """Parsed batches of the file; a SnapshotError (truncated file) comes last, after the
    batch of every line read before it."""
    records: list[dict[str, Any]] = []
    errors: list[LineError] = []
    last_line, last_byte = skip, start_byte
    try:
        for lineno, line, pos in snap.lines(skip_lines=skip, start_byte=start_byte):
            last_line, last_byte = lineno, pos
            if line is None:
                errors.append(LineError(lineno, f"longer than {MAX_LINE >> 20} MiB: skipped"))
                continue
            if not line.strip():
                continue
            try:
                records.append(parse_line_row(line))
            except RecordError as exc:
                errors.append(LineError(lineno, str(exc)))
            if len(records) >= batch_size:
                yield _Batch(records, errors, last_line, last_byte)
                records, errors = [], []
    except SnapshotError as exc:
        yield _Batch(records, errors, last_line, last_byte)
        yield exc
        return
    yield _Batch(records, errors, last_line, last_byte)


def ingest_snapshot(engine: Engine, path: str | Path, progress: ProgressFn | None = None,
                    batch_size: int = BATCH, index: TextIndex | None = None) -> IngestReport:
    """Ingest (or resume ingesting) a snapshot file. Bad lines are skipped and reported.

    With a full-text index, an indexing process indexes the committed batches while this one
    reads and stores the next; the call returns when the index has caught up.
    """
    if index is None:
        return _ingest(engine, path, progress, batch_size)
    with index.worker() as worker:
        report = _ingest(engine, path, progress, batch_size)
        worker.finish()
        t0 = time.perf_counter()
        while worker.alive():
            if progress:
                progress(Progress(1, 1, report.lines, report.records, report.error_count,
                                  indexing=True, indexed=worker.indexed()))
            time.sleep(0.1)
        worker.check()
        report.seconds += time.perf_counter() - t0
    return report


def _ingest(engine: Engine, path: str | Path, progress: ProgressFn | None,
            batch_size: int) -> IngestReport:
    snap = SnapshotFile(Path(path))
    if not snap.path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if snap.path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory, expected a .jsonl or .jsonl.gz file")
    report = IngestReport(path=str(path))
    run_id, skip, start_byte = _start_run(engine, snap)
    report.resumed_from = skip
    total = snap.size
    t0 = time.perf_counter()
    # One thread: a parsing thread beside the writer cost more in GIL hand-offs than it saved
    # (the second core indexes full text meanwhile).
    try:
        for item in _batches(snap, skip, start_byte, batch_size):
            if isinstance(item, SnapshotError):
                report.status, report.message = "failed", str(item)
                break
            _commit_batch(engine, run_id, item, report, skip)
            if progress:
                progress(Progress(item.last_byte, total, report.lines + skip, report.records,
                                  report.error_count))
    except KeyboardInterrupt:
        report.status = "interrupted"
        report.message = (f"{path}: interrupted after line {skip + report.lines}; "
                          "run the same command again to resume")
        raise
    finally:
        report.seconds = time.perf_counter() - t0
        if report.status != "interrupted":
            _finish_run(engine, run_id, report)
    return report


def _start_run(engine: Engine, snap: SnapshotFile) -> tuple[int, int, int]:
    key = snap.source_key()
    now = datetime.now()
    with write_tx(engine) as conn:
        row = conn.execute(select(ingest_runs).where(ingest_runs.c.source_key == key)).first()
        if row is None:
            run_id = conn.execute(insert(ingest_runs).values(
                source_key=key, kind="snapshot", path=str(snap.path), status="running",
                lines_done=0, bytes_done=0, inserted=0, updated=0, unchanged=0, errors=0,
                error_samples=[], started_at=now)).inserted_primary_key[0]
            return int(run_id), 0, 0
        if row.status == "done":  # a finished file read again: start over (idempotent upserts)
            conn.execute(update(ingest_runs).where(ingest_runs.c.id == row.id).values(
                status="running", lines_done=0, bytes_done=0, inserted=0, updated=0,
                unchanged=0, errors=0, error_samples=[], started_at=now, finished_at=None))
            return int(row.id), 0, 0
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == row.id)
                     .values(status="running", path=str(snap.path)))
        start_byte = 0 if snap.compressed else int(row.bytes_done)
        return int(row.id), int(row.lines_done), start_byte


def _commit_batch(engine: Engine, run_id: int, batch: _Batch, report: IngestReport,
                  skip: int) -> None:
    with write_tx(engine) as conn:
        result = write_rows(conn, batch.records) if batch.records else WriteResult()
        report.inserted += result.inserted
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.error_count += len(batch.errors)
        room = MAX_ERROR_SAMPLES - len(report.errors)
        report.errors.extend(batch.errors[: max(room, 0)])
        report.lines = batch.last_line - skip
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(
            lines_done=batch.last_line, bytes_done=batch.last_byte,
            inserted=ingest_runs.c.inserted + result.inserted,
            updated=ingest_runs.c.updated + result.updated,
            unchanged=ingest_runs.c.unchanged + result.unchanged,
            errors=ingest_runs.c.errors + len(batch.errors),
        ))


def _finish_run(engine: Engine, run_id: int, report: IngestReport) -> None:
    with write_tx(engine) as conn:
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(
            status=report.status, finished_at=datetime.now(),
            error_samples=[str(e) for e in report.errors]))


def snapshot_status(engine: Engine, path: str | Path) -> str | None:
    """'done', 'running' (interrupted: a rerun resumes), 'failed', or None if never seen."""
    snap = SnapshotFile(Path(path))
    if not snap.path.is_file():
        return None
    with engine.connect() as conn:
        return conn.execute(select(ingest_runs.c.status)
                            .where(ingest_runs.c.source_key == snap.source_key())).scalar()
