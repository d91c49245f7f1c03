"""The work the web app runs as background jobs: each factory returns a function
``work(lib, report) -> finishing message`` for `JobManager.start`."""

from __future__ import annotations

from pathlib import Path

from paperpath.ingest import Progress
from paperpath.library import Library
from paperpath.web.jobs import Reporter, Work


def ingest_job(path: Path) -> Work:
    """Ingest an arXiv snapshot (resumes where an earlier run stopped)."""

    def work(lib: Library, report: Reporter) -> str:
        def progress(p: Progress) -> None:
            if p.indexing:
                report(p.indexed, p.records, f"indexing for search: {p.indexed:,} of "
                       f"{p.records:,} papers")
            else:
                report(p.bytes_done, p.bytes_total, f"read {p.records:,} papers "
                       f"({p.errors:,} bad lines)")

        result = lib.ingest_snapshot(path, progress=progress)
        if result.status != "done":
            raise RuntimeError(result.message or result.status)
        return (f"ingested {result.records:,} papers from {path.name} in {result.seconds:.0f} s "
                f"({result.error_count:,} bad lines skipped)")

    return work
