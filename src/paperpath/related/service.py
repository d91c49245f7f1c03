"""Related work over one library: its embedder, vector index and finder, kept up to date.

`paperpath.Library` exposes these (`embed`, `similar`, `other_approaches`,
`same_method_elsewhere`, `hybrid_search`); they live here so the library module stays a facade.
The embedding model of a library is, in order: the one asked for, $PAPERPATH_EMBEDDER, the one
last chosen with `paperpath embed --model` (remembered in the library), else the static default.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from paperpath.embed import Embedder, get_embedder
from paperpath.guide.service import GuideService
from paperpath.records import Paper
from paperpath.related.scoring import Scorer
from paperpath.related.similar import RelatedFinder, RelatedPaper
from paperpath.store.db import derived_path, library_id, write_tx
from paperpath.store.state import load_state, save_state
from paperpath.store.vector_store import get_state, papers_rev
from paperpath.vectors.embedding import EmbedReport, embed_library
from paperpath.vectors.index import ProgressFn as IndexProgressFn
from paperpath.vectors.index import VectorIndex

SETTING = "settings:embedder"


def vectors_dir(engine: Engine) -> Path:
    """Where a library keeps its vector index cache (next to a SQLite file)."""
    return derived_path(engine, "vectors")


def chosen_model(engine: Engine) -> str | None:
    with engine.connect() as conn:
        model = load_state(conn, SETTING).get("model")
    return str(model) if model else None


def remember_model(engine: Engine, model: str) -> None:
    with write_tx(engine) as conn:
        save_state(conn, SETTING, {"model": model})


class RelatedService:
    def __init__(self, engine: Engine, guides: GuideService, model: str | None = None) -> None:
        self.engine = engine
        self.guides = guides
        self.model = model or os.environ.get("PAPERPATH_EMBEDDER") or chosen_model(engine) \
            or "static"
        self._embedder: Embedder | None = None
        self._index: VectorIndex | None = None
        self._finder: RelatedFinder | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.model)
        return self._embedder

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            self._index = VectorIndex(self.engine, self.embedder.name, vectors_dir(self.engine),
                                      library_id=library_id(self.engine))
        return self._index

    @property
    def finder(self) -> RelatedFinder:
        if self._finder is None:
            self._finder = RelatedFinder(self.engine, self.index,
                                         Scorer(self.index, self.guides.stats()))
        return self._finder

    def embed(self, progress: Callable[[int, int], None] | None = None,
              index_progress: IndexProgressFn | None = None) -> EmbedReport:
        """Embed papers without a current vector, then bring the index up to date."""
        report = embed_library(self.engine, self.embedder, progress=progress)
        self._ensure_stats()
        self.index.refresh(index_progress)
        return report

    def ensure_current(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Cheap when nothing changed (two one-row reads): embeds papers added since the last
        pass and applies new vectors to the index."""
        with self.engine.connect() as conn:
            state = get_state(conn, self.embedder.name)
            rev = papers_rev(conn)
        if int(state.get("rev", -1)) < rev:
            embed_library(self.engine, self.embedder, progress=progress)
            self._ensure_stats()
        self.index.refresh()

    def _ensure_stats(self) -> None:
        """The lexical signal weighs words by IDF: build the corpus statistics when missing
        or when the library has grown by a fifth (shared with the key terms)."""
        from paperpath.guide.service import build_stats, stats_need_rebuild

        path = self.guides.stats_path
        if stats_need_rebuild(self.engine, path):
            build_stats(self.engine, path)
            self._finder = None  # a scorer with the new statistics

    def similar(self, paper: Paper, facet: str | None = None, limit: int = 20
                ) -> list[RelatedPaper]:
        self.ensure_current()
        return self.finder.similar(paper, facet=facet, limit=limit)

    def other_approaches(self, paper: Paper, limit: int = 10) -> list[RelatedPaper]:
        self.ensure_current()
        return self.finder.other_approaches(paper, limit=limit)

    def same_method_elsewhere(self, paper: Paper, limit: int = 10) -> list[RelatedPaper]:
        self.ensure_current()
        return self.finder.same_method_elsewhere(paper, limit=limit)
