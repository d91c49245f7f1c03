"""The reading guide over a library: corpus statistics, stored analyses, known terms.

`paperpath.Library` exposes these as methods (`guide`, `analyze`, `mark_known`, ...); they
live here so the library module stays a thin facade.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from paperpath.guide.analysis import ANALYSIS_VERSION, Analysis, analyze, difficulty_for
from paperpath.guide.build import MinedDefinitionRef, ReadingGuide, build_guide
from paperpath.guide.terms import glossary_entry, term_key
from paperpath.records import Paper
from paperpath.store.db import derived_path, write_tx
from paperpath.store.guide_store import (
    add_known,
    known_keys,
    list_known,
    load_analysis,
    mined_for,
    page_count,
    remove_known,
)
from paperpath.store.schema import papers
from paperpath.text.corpus_stats import CorpusStats

STATS_NAME = "keyterms-stats"
# Rebuild the corpus statistics once the library has grown by this much since they were built.
REBUILD_GROWTH = 0.2


def stats_path(engine: Engine) -> Path:
    """Where a library keeps its key-term corpus statistics (next to a SQLite file)."""
    return derived_path(engine, STATS_NAME)


def stats_need_rebuild(engine: Engine, path: Path) -> bool:
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(papers)).scalar_one())
    if n == 0:
        return False
    if not path.exists():
        return True
    try:
        built = CorpusStats.load(path).n_docs
    except (OSError, ValueError):
        return True
    return n > built * (1 + REBUILD_GROWTH) or n < built * (1 - REBUILD_GROWTH)


def build_stats(engine: Engine, path: Path,
                progress: Callable[[int, int], None] | None = None) -> CorpusStats:
    """Corpus statistics over every paper's title and abstract, saved to ``path``."""
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(papers)).scalar_one())

    def texts() -> Iterable[str]:
        done = 0
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=5000).execute(
                select(papers.c.title, papers.c.abstract))
            for title, abstract in result:
                done += 1
                if progress and done % 5000 == 0:
                    progress(done, total)
                yield f"{title}. {abstract}"

    stats = CorpusStats.build(texts())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    stats.save(tmp)
    tmp.replace(path)  # readers never see a half-written file
    if progress:
        progress(total, total)
    return stats


class GuideService:
    """Reading guides for one library; caches the corpus statistics it loads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stats: CorpusStats | None = None
        self._stats_mtime: float | None = None

    @property
    def stats_path(self) -> Path:
        return stats_path(self.engine)

    def stats(self) -> CorpusStats | None:
        path = self.stats_path
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None  # key_terms falls back to its built-in background statistics
        if self._stats is None or mtime != self._stats_mtime:
            self._stats = CorpusStats.load(path)
            self._stats_mtime = mtime
        return self._stats

    def analysis(self, paper: Paper) -> Analysis:
        """The stored analysis when current, else computed now (not stored)."""
        from paperpath.guide.difficulty import Difficulty

        with self.engine.connect() as conn:
            row = load_analysis(conn, paper.pk, ANALYSIS_VERSION)
        if row is None:
            return analyze(paper.title, paper.abstract, categories=paper.categories,
                           stats=self.stats())
        terms = list(row["key_terms"])
        difficulty = difficulty_for(f"{paper.title}. {paper.abstract}", terms, paper.categories)
        if difficulty.level != row["difficulty"]:  # same inputs, so only if rules changed
            difficulty = Difficulty(row["difficulty"], difficulty.reasons,
                                    row["math_density"])
        return Analysis(tldr=row["tldr"], facets=[(s, lab) for s, lab in row["facets"]],
                        key_terms=terms, difficulty=difficulty)

    def guide(self, paper: Paper, reader_level: int = 3) -> ReadingGuide:
        analysis = self.analysis(paper)
        with self.engine.connect() as conn:
            known = known_keys(conn)
            pages = page_count(conn, paper.pk)

        def mined(keys: Any) -> dict[str, list[MinedDefinitionRef]]:
            with self.engine.connect() as conn:
                found = mined_for(conn, list(keys))
            return {k: [MinedDefinitionRef(d, pid, kind) for d, pid, kind in v]
                    for k, v in found.items()}

        return build_guide(paper, analysis, known=known, mined=mined,
                           reader_level=reader_level, pages=pages)

    def define(self, term: str, limit: int = 5) -> tuple[Any, list[MinedDefinitionRef]]:
        """The glossary entry for ``term`` (or None) and definitions mined from the library."""
        entry = glossary_entry(term)
        keys = [term_key(term)]
        if entry is not None:
            keys += [term_key(name) for name in entry.names()]
        with self.engine.connect() as conn:
            found = mined_for(conn, keys, per_key=limit)
        refs = [MinedDefinitionRef(d, pid, kind) for k in dict.fromkeys(keys)
                for d, pid, kind in found.get(k, [])]
        return entry, refs[:limit]

    def mark_known(self, terms: Iterable[str], source: str = "marked") -> int:
        items = [(term_key(t), (glossary_entry(t).term if glossary_entry(t) else t.strip()))
                 for t in terms if t.strip()]
        with write_tx(self.engine) as conn:
            return add_known(conn, items, source)

    def forget_known(self, terms: Iterable[str]) -> int:
        with write_tx(self.engine) as conn:
            return remove_known(conn, [term_key(t) for t in terms if t.strip()])

    def known_terms(self) -> list[tuple[str, str, str]]:
        with self.engine.connect() as conn:
            return list_known(conn)
