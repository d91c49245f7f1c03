"""How related two papers are, overall or for one facet: a weighted sum of similarity signals.

Signals (all cosines, computed for a query paper against a set of candidate papers):
- ``doc``: the whole-paper embedding vectors;
- ``lexical``: TF-IDF vectors of the whole texts (exact shared vocabulary);
- ``title``: the title embeddings (a title names the paper's core topic in a few words);
- ``facet_doc``: the query's facet sentences (its problem, method or result) against the
  candidate's whole paper: "who else works on this problem" needn't be phrased as one;
- ``facet``: facet against the same facet of the candidate.
Weights per facet live in `WEIGHTS`; bench/csfcube.py tunes them on the CSFCube dev folds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, select

from paperpath.related.lexical import SparseVec, cosine, lexical_vector
from paperpath.store.schema import papers
from paperpath.text.corpus_stats import CorpusStats
from paperpath.vectors.embedding import paper_text
from paperpath.vectors.index import VectorIndex

FACETS = ("background", "method", "result")
SIGNALS = ("doc", "lexical", "title", "facet_doc", "facet")


@dataclass(frozen=True)
class Weights:
    doc: float = 1.0
    lexical: float = 1.0
    title: float = 0.0
    facet_doc: float = 0.0
    facet: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {"doc": self.doc, "lexical": self.lexical, "title": self.title,
                "facet_doc": self.facet_doc, "facet": self.facet}


# Defaults from CSFCube fold1_dev (bench/csfcube.py, one weight set tuned over all facets):
# static model doc 1 / lexical 1 / title 0.2; MiniLM doc 1 / lexical 1 / title 0.7 /
# facet 0.3. For the facet views of the static model a small facet weight is kept (fold2_dev
# chose facet_doc 0.7, facet 0.1) so that asking for "same method" weighs the method.
STATIC_WEIGHTS: dict[str | None, Weights] = {
    None: Weights(1.0, 1.0, 0.2, 0.0, 0.0),
    **dict.fromkeys(("background", "method", "result"), Weights(1.0, 1.0, 0.2, 0.3, 0.1)),
}
TRANSFORMER_WEIGHTS: dict[str | None, Weights] = {
    None: Weights(1.0, 1.0, 0.7, 0.0, 0.0),
    **dict.fromkeys(("background", "method", "result"), Weights(1.0, 1.0, 0.7, 0.0, 0.3)),
}
WEIGHTS = STATIC_WEIGHTS


def weights_for(model: str) -> dict[str | None, Weights]:
    """The default weights for an embedding model's vectors."""
    return TRANSFORMER_WEIGHTS if model.startswith("st:") else STATIC_WEIGHTS


def check_facet(facet: str | None) -> str | None:
    if facet in (None, "", "all", "any"):
        return None
    if facet == "problem":
        return "background"
    if facet not in FACETS:
        raise ValueError(f"facet {facet!r}: use one of background (the problem), method, result")
    return facet


class Scorer:
    """Computes the signals for a query paper and candidates from one vector index."""

    def __init__(self, index: VectorIndex, stats: CorpusStats | None = None) -> None:
        self.index = index
        self.stats = stats
        self._lex: dict[int, SparseVec] = {}

    def lexical_vectors(self, conn: Connection, pks: Sequence[int]) -> list[SparseVec]:
        missing = [pk for pk in pks if pk not in self._lex]
        for i in range(0, len(missing), 900):
            chunk = missing[i:i + 900]
            for pk, title, abstract in conn.execute(
                    select(papers.c.pk, papers.c.title, papers.c.abstract)
                    .where(papers.c.pk.in_(chunk))):
                self._lex[int(pk)] = lexical_vector(paper_text(title, abstract), self.stats)
        if len(self._lex) > 50_000:  # a cache for repeated queries, not a copy of the library
            keep = set(pks)
            self._lex = {k: v for k, v in self._lex.items() if k in keep}
        return [self._lex.get(int(pk), {}) for pk in pks]

    def lexical(self, conn: Connection, query_pk: int, cand_pks: Sequence[int]) -> np.ndarray:
        lex = self.lexical_vectors(conn, [query_pk, *cand_pks])
        return np.array([cosine(lex[0], v) for v in lex[1:]], dtype=np.float32)

    def signals(self, conn: Connection, query_pk: int, cand_pks: Sequence[int],
                facet: str | None, lexical: bool = True) -> dict[str, np.ndarray]:
        """Each signal as an array aligned with ``cand_pks`` (0 where a vector is missing;
        ``lexical=False`` leaves the lexical one at 0 for the caller to fill)."""
        facet = check_facet(facet)
        n = len(cand_pks)
        out = {s: np.zeros(n, dtype=np.float32) for s in SIGNALS}
        qrow = self.index.rows_of([query_pk])
        rows = self.index.rows_of(cand_pks)
        have = rows >= 0
        if qrow[0] >= 0 and have.any():
            q_doc = self.index.vectors(qrow, "doc")[0]
            docs = self.index.vectors(rows[have], "doc")
            out["doc"][have] = docs @ q_doc
            out["title"][have] = self.index.vectors(rows[have], "title") \
                @ self.index.vectors(qrow, "title")[0]
            if facet is not None:
                q_f = self.index.vectors(qrow, facet)[0]
                if not np.any(q_f):  # no sentence of that facet: the paper stands for it
                    q_f = q_doc
                out["facet_doc"][have] = docs @ q_f
                out["facet"][have] = self.index.vectors(rows[have], facet) @ q_f
        if lexical:
            out["lexical"][:] = self.lexical(conn, query_pk, cand_pks)
        return out


def fuse(signals: Mapping[str, np.ndarray], weights: Weights) -> np.ndarray:
    w = weights.as_dict()
    total = np.zeros_like(next(iter(signals.values())))
    for name, arr in signals.items():
        if w.get(name):
            total += w[name] * arr
    return total
