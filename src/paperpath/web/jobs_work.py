"""The work the web app runs as background jobs: each factory returns a function
``work(lib, report) -> finishing message`` for `JobManager.start`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paperpath.ingest import Progress
from paperpath.library import Library
from paperpath.web.jobs import Reporter, Work

if TYPE_CHECKING:  # the sources and the guide load when their job runs
    from paperpath.guide.precompute import AnalyzeProgress
    from paperpath.sources.arxiv_api import SyncProgress
    from paperpath.sources.feeds import FeedProgress
    from paperpath.sources.http import PoliteClient


def ingest_job(path: Path, *, prepare: bool = False) -> Work:
    """Ingest an arXiv snapshot (resumes where an earlier run stopped). ``prepare`` then
    embeds the library and builds the recommender's matrix, so the reader's first weekly
    plan is instant (`paperpath serve --snapshot` does this on a first start)."""

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
        message = (f"ingested {result.records:,} papers from {path.name} in "
                   f"{result.seconds:.0f} s ({result.error_count:,} bad lines skipped)")
        if prepare:
            embed_job()(lib, report)
            report(0, 0, "preparing recommendations…")
            from paperpath.coach.recommend import Recommender

            Recommender(lib).corpus()
            message += "; embedded and ready for your weekly plans"
        return message

    return work


# -- online sources: a network or API failure fails the job with a one-line message ---------
def feeds_job(url: str | None = None, client: PoliteClient | None = None) -> Work:
    """Fetch new items of every followed feed (or only ``url``)."""

    def work(lib: Library, report: Reporter) -> str:
        def progress(p: FeedProgress) -> None:
            report(p.done, p.total, f"fetched {p.done} of {p.total} feeds ({p.url})")

        result = lib.sync_feeds(url, client=client, progress=progress)
        if not result.feeds:
            return "no feeds to sync: add one first"
        errors = result.errors
        if len(errors) == len(result.feeds):  # nothing synced at all: the job failed
            raise RuntimeError("; ".join(errors[:3]))
        totals = result.to_dict()
        message = (f"{len(result.feeds) - len(errors)} feed(s) synced: "
                   f"{result.new_items} new items ({totals['papers']} papers, "
                   f"{totals['reading']} reading items)")
        if errors:
            message += f"; {len(errors)} failed: {errors[0]}"
        return message

    return work


def arxiv_job(category: str | None, query: str | None, since: str | None = None,
              client: PoliteClient | None = None, base_url: str | None = None) -> Work:
    """Fetch new arXiv papers of a category and/or query (resumes where the last sync of the
    same category/query stopped when no date is given)."""

    def work(lib: Library, report: Reporter) -> str:
        def progress(p: SyncProgress) -> None:
            lo, hi = p.window
            report(p.offset, p.total, f"{p.fetched:,} papers fetched "
                   f"(submitted {lo:%Y-%m-%d} to {hi:%Y-%m-%d})")

        result = lib.sync_arxiv(category=category, query=query, since=since, client=client,
                                base_url=base_url, progress=progress)
        if result.status == "failed":
            raise RuntimeError(result.message)
        message = (f"fetched {result.fetched:,} papers: {result.inserted:,} new, "
                   f"{result.updated:,} updated, {result.unchanged:,} unchanged")
        if result.errors:
            message += f"; {len(result.errors)} skipped"
        if result.status == "partial":
            message += f" ({result.message})"
        return message

    return work


# -- derived data (offline) --------------------------------------------------------------
def embed_job() -> Work:
    """Embedding vectors for every paper without current ones, then the vector index."""

    def work(lib: Library, report: Reporter) -> str:
        def papers(done: int, total: int) -> None:
            report(done, total, f"embedding papers: {done:,} of {total:,}")

        def index(stage: str, done: int, total: int) -> None:
            report(done, total, f"vector index, {stage}: {done:,} of {total:,}")

        result = lib.embed(progress=papers, index_progress=index)
        return f"embedded {result.embedded:,} papers with {result.model} in {result.seconds:.0f} s"

    return work


def analyze_job() -> Work:
    """Precompute the reading guides (key terms, TLDR, facets, difficulty, definitions)."""

    def work(lib: Library, report: Reporter) -> str:
        def stats(done: int, total: int) -> None:
            report(done, total, f"corpus statistics: {done:,} of {total:,} papers")

        def progress(p: AnalyzeProgress) -> None:
            report(p.done, p.total, f"analysed {p.done:,} of {p.total:,} papers")

        result = lib.analyze(progress, stats_progress=stats)
        message = (f"analysed {result.analyzed:,} papers in {result.seconds:.0f} s; "
                   f"{result.definitions:,} definitions found")
        if result.errors:
            message += f"; {result.errors} errors ({result.error_samples[0]})" \
                if result.error_samples else f"; {result.errors} errors"
        return message

    return work
