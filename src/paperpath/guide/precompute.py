"""Analyse the whole library in batches: key terms, TLDR, facets, difficulty and the
definitions its text contains — stored, resumable, redone only for changed papers.

Work is spread over worker processes (one per core by default); each batch is written in its
own transaction, so an interrupted run keeps what it finished and the next run picks up the
papers still missing or out of date.

Speed (the target is 1,000 papers/s on two cores): the workers analyse chunks of papers with
`analyze_many` (each model over the whole chunk in turn, shared sentence splits) and send back
plain tuples with their JSON already encoded; the main process only reads batches of rows and
writes tuples with one executemany per table, so both cores analyse.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from paperpath.guide.analysis import ANALYSIS_VERSION, Analysis, analyze, analyze_many
from paperpath.guide.terms import term_key
from paperpath.store.db import write_tx
from paperpath.store.guide_store import (
    DEFINITION_FIELDS,
    count_stale,
    encode_analysis,
    save_encoded,
    stale_papers,
)
from paperpath.text.corpus_stats import CorpusStats
from paperpath.text.definitions import MinedDefinition, mine_definitions

BATCH = 2000


@dataclass
class AnalyzeProgress:
    done: int
    total: int
    elapsed: float


@dataclass
class AnalyzeReport:
    analyzed: int
    definitions: int
    errors: int
    seconds: float
    error_samples: list[str]

    @property
    def rate(self) -> float:
        return self.analyzed / self.seconds if self.seconds > 0 else 0.0


ProgressFn = Callable[[AnalyzeProgress], None]

_STATS: CorpusStats | None = None

# What a worker sends back for a chunk of papers: analysis tuples and definition tuples as
# `guide_store.save_encoded` takes them (plain tuples, JSON already encoded: cheap to pickle
# and to insert, so the one writer process stays nearly idle), and error messages.
_Encoded = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]


def _init_worker(stats_path: str | None) -> None:
    global _STATS
    _STATS = CorpusStats.load(Path(stats_path)) if stats_path else None


def analyze_row(row: dict[str, Any], stats: CorpusStats | None = None
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The analysis row and mined-definition rows of one paper row."""
    stats = stats if stats is not None else _STATS
    cats = (row.get("categories") or "").split()
    result = analyze(row["title"], row["abstract"], categories=cats, stats=stats)
    return _rows(row, result, mine_definitions(row["abstract"] or ""))


def _rows(row: dict[str, Any], result: Analysis, mined: list[MinedDefinition]
          ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    analysis = {
        "paper_pk": row["pk"], "content_hash": row["content_hash"], "version": ANALYSIS_VERSION,
        "tldr": result.tldr, "facets": [list(f) for f in result.facets],
        "key_terms": result.key_terms, "difficulty": result.difficulty.level,
        "math_density": result.difficulty.math_density,
    }
    defs: list[dict[str, Any]] = []
    for found in mined:
        defs.append({"paper_pk": row["pk"], "term_key": term_key(found.term), "term": found.term,
                     "definition": found.definition, "sentence": found.sentence,
                     "kind": "definition"})
    # Acronyms over title + abstract, found once by analyze() for the difficulty estimate.
    for short, long in result.extra.get("acronyms", {}).items():
        defs.append({"paper_pk": row["pk"], "term_key": term_key(short), "term": short,
                     "definition": long, "sentence": "", "kind": "acronym"})
    return analysis, defs


def _encode(rows: list[tuple[dict[str, Any], list[dict[str, Any]]]], errors: list[str]
            ) -> _Encoded:
    return ([encode_analysis(a) for a, _ in rows],
            [tuple(d[f] for f in DEFINITION_FIELDS) for _, defs in rows for d in defs], errors)


def _analyze_batch(rows: list[dict[str, Any]]) -> _Encoded:
    """Analyse a chunk of paper rows, all models at once (`analyze_many`); when that fails,
    paper by paper, so that one bad paper costs only itself."""
    try:
        results = analyze_many(
            [(r["title"], r["abstract"], (r.get("categories") or "").split()) for r in rows],
            stats=_STATS, definitions=True)
        done = [_rows(row, result, result.extra.pop("definitions"))
                for row, result in zip(rows, results, strict=True)]
        return _encode(done, [])
    except Exception:  # find the bad paper(s) below
        pass
    done = []
    errors: list[str] = []
    for row in rows:
        try:
            done.append(analyze_row(row))
        except Exception as exc:  # one bad paper must not stop the library
            errors.append(f"paper pk {row['pk']}: {type(exc).__name__}: {exc}")
    return _encode(done, errors)


def _batches(engine: Engine, size: int) -> Iterator[list[dict[str, Any]]]:
    after = 0
    while True:
        with engine.connect() as conn:
            rows = stale_papers(conn, ANALYSIS_VERSION, after, size)
        if not rows:
            return
        after = rows[-1]["pk"]
        yield rows


def default_workers() -> int:
    """Worker processes when the caller names none: one per core, at most 4."""
    return min(4, os.cpu_count() or 1)


def analyze_library(engine: Engine, *, stats_path: Path | None = None,
                    progress: ProgressFn | None = None, workers: int | None = None,
                    batch: int = BATCH) -> AnalyzeReport:
    """Analyse every paper whose analysis is missing or stale; returns counts and speed."""
    with engine.connect() as conn:
        total = count_stale(conn, ANALYSIS_VERSION)
    workers = workers or default_workers()
    started = time.perf_counter()
    done = n_defs = n_err = 0
    samples: list[str] = []

    def record(result: _Encoded) -> None:
        nonlocal done, n_defs, n_err
        analyses, defs, errors = result
        with write_tx(engine) as conn:
            save_encoded(conn, analyses, defs)
        done += len(analyses) + len(errors)
        n_defs += len(defs)
        n_err += len(errors)
        samples.extend(errors[: max(0, 10 - len(samples))])
        if progress:
            progress(AnalyzeProgress(done, total, time.perf_counter() - started))

    if progress:
        progress(AnalyzeProgress(0, total, 0.0))
    if total and (workers <= 1 or total < batch):
        _init_worker(str(stats_path) if stats_path else None)
        for rows in _batches(engine, batch):
            record(_analyze_batch(rows))
    elif total:
        ctx = mp.get_context("spawn")  # no fork of a process holding DB connections/threads
        with ctx.Pool(workers, initializer=_init_worker,
                      initargs=(str(stats_path) if stats_path else None,)) as pool:
            # One DB batch at a time (memory stays flat), split so every worker is busy; the
            # next batch is being analysed while this one is written.
            pending = None
            for rows in _batches(engine, batch):
                step = max(50, len(rows) // (2 * workers))
                chunks = [rows[i:i + step] for i in range(0, len(rows), step)]
                nxt = pool.map_async(_analyze_batch, chunks)
                if pending is not None:
                    record(_merge(pending.get()))
                pending = nxt
            if pending is not None:
                record(_merge(pending.get()))
    return AnalyzeReport(done - n_err, n_defs, n_err, time.perf_counter() - started, samples)


def _merge(parts: list[_Encoded]) -> _Encoded:
    analyses: list[tuple[Any, ...]] = []
    defs: list[tuple[Any, ...]] = []
    errors: list[str] = []
    for a, d, e in parts:
        analyses.extend(a)
        defs.extend(d)
        errors.extend(e)
    return analyses, defs, errors
