"""Papers to read next: `Library.recommend` and the `Recommender` behind it.

A reader's interests are the papers they liked and, for a cold start, keywords. Each candidate
paper is compared with each interest on two signals over the whole library at once: the
lexical matrix of `recommend_lexical` (words and word pairs, IDF squared) and the whole-paper
vectors of the library's embedder. Each interest's column becomes standard scores (so a
generic abstract, a specific one and a two-word keyword count alike), the columns are
averaged, a shared primary category adds a little, and papers like a disliked one go down.
The top few hundred are then re-ranked for diversity (no crowd of near-identical papers) and
explained: "you liked 'X'; shares 'a', 'b'" from the stored key terms of both papers, else the
rarest features they share. Author names are never read: only title, abstract, categories,
dates, vectors and derived analyses.

Speed (bench/recommend.py, 75k papers, 34k candidates): ~16 ms a request (median; p95 ~21
ms) after the first call of a process, which reads the caches (~3 s: vectors via
`RelatedService.ensure_current`, the lexical matrix and the key terms); the very first call on
a library builds the lexical matrix (~30 s, 1.8 GB peak). Keyword-only requests score every
paper by its vector as well: ~30 ms.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from sqlalchemy import select

from paperpath.coach.recommend_corpus import Corpus, load_corpus
from paperpath.coach.recommend_rank import (
    DEFAULT,
    Columns,
    Tuning,
    aggregate,
    effective_comfort,
    group_rows,
    level_penalty,
    mmr,
    recency_bonus,
    standardize,
    stats_rows,
    trick_threshold,
    unit,
    unit_rows,
)
from paperpath.coach.recommend_reasons import Recommendation, explain
from paperpath.store.db import derived_path
from paperpath.store.schema import paper_analysis, papers
from paperpath.store.vector_store import papers_rev

if TYPE_CHECKING:
    from paperpath.library import Library
    from paperpath.related.service import RelatedService

MAX_INTERESTS = 32   # more liked papers are grouped into this many interests (k-means)
STATS_SAMPLE = 4096  # rows whose similarities give each column's mean and spread

# One corpus per related service (per library and model), dropped with it.
_CORPORA: weakref.WeakKeyDictionary[RelatedService, Corpus] = weakref.WeakKeyDictionary()


@dataclass
class _Interests:
    """Query side: one column per interest (a liked paper, a group of them, or a keyword)."""

    dense: np.ndarray            # (q, dim) unit rows
    lexical: sp.csr_matrix       # (q, terms) unit rows
    labels: list[str | int]      # corpus row of a liked paper, or the keyword
    weights: np.ndarray


class Recommender:
    """Ranks papers for one reader's interests over a library.

        rec = Recommender(lib)                     # the library's embedding model
        rec.rank(liked=["2006.11239", "video generation"], disliked=["2312.00001"],
                 candidates=None, limit=20, comfort=3, too_hard=[...], too_easy=[...],
                 recency_weight=0.3, exclude={pk, ...})

    - ``liked`` / ``disliked``: paper ids (arXiv id in any version or URL, DOI, library key)
      or keywords — any string that is not shaped like an id is a keyword interest (for
      ``disliked``, a topic to avoid). Id-shaped strings the library lacks are ignored; a
      ``ValueError`` names them when nothing usable is left.
    - ``candidates``: ids to rank (default: the whole library). Unknown ones are ignored,
      unless none is known: then a ``ValueError`` names up to five of them.
    - ``comfort``: the reader's level, 1-5; papers above it (difficulty from the stored
      analyses, `paper_analysis.difficulty`, or ``difficulty_of`` {pk: level}) go down, those
      far below a little. ``too_hard`` / ``too_easy``: ids of papers the reader found so; each
      moves the effective level towards them (a level of 3 is assumed without ``comfort``).
    - ``recency_weight``: bonus (standard-score units; 0.3 is mild) for newer papers,
      halving every `Tuning.half_life_days`.
    - ``exclude``: paper keys (`Paper.pk`) never to return (already read, already planned).
    Returns `Recommendation`s best first: the liked and disliked papers themselves never.
    The neutral defaults (no level, no recency, nothing excluded) are what `recommend` uses.
    """

    def __init__(self, lib: Library, model: str | None = None, tuning: Tuning = DEFAULT) -> None:
        self.lib = lib
        self.service = lib.related(model)
        self.tuning = tuning

    # -- caches ----------------------------------------------------------------------------
    def corpus(self) -> Corpus:
        """The ranked view of the library, refreshed when papers or vectors changed."""
        service = self.service
        corpus = _CORPORA.get(service)
        with self.lib.engine.connect() as conn:
            rev = papers_rev(conn)
        if corpus is not None and corpus.token[2:] == (rev,):
            return corpus  # no paper written since: the vectors are current too
        service.ensure_current()
        index = service.index
        token = (index.meta.get("version"), index.n, rev)
        if corpus is None or corpus.token != token:
            corpus = load_corpus(self.lib.engine, index.pks,
                                 derived_path(self.lib.engine, "recommend"), token, corpus,
                                 index.library_id)
            _CORPORA[service] = corpus
        return corpus

    # -- ranking ---------------------------------------------------------------------------
    def rank(self, liked: Iterable[str], disliked: Iterable[str] = (),
             candidates: Iterable[str] | None = None, limit: int = 100, *,
             comfort: int | None = None, difficulty_of: Mapping[int, int] | None = None,
             too_hard: Iterable[str] = (), too_easy: Iterable[str] = (),
             recency_weight: float = 0.0, exclude: Iterable[int] = ()) -> list[Recommendation]:
        liked, disliked = list(liked), list(disliked)
        if limit <= 0:
            return []
        corpus = self.corpus()
        like_rows, like_words, unknown = corpus.split(liked)
        dis_rows, dis_words, _ = corpus.split(disliked)
        if not like_rows and not like_words:
            shown = ", ".join(repr(s) for s in (unknown or liked)[:5])
            raise ValueError(f"nothing to recommend from: {shown or 'no liked papers'} "
                             "(not papers of this library; give paper ids or keywords)")
        pool = corpus.resolve(candidates)
        if pool is not None and not len(pool):
            return []
        t = self.tuning
        matrix = self.service.index.matrix("doc")
        sample = self._sample(corpus, matrix) if t.dense else None
        likes = self._interests(corpus, matrix, like_rows, like_words)
        dislikes = self._interests(corpus, matrix, dis_rows, dis_words) \
            if dis_rows or dis_words else None
        allowed = self._allowed(corpus, pool, like_rows + dis_rows, exclude,
                                [*too_hard, *too_easy])
        if not allowed.any():
            return []
        # 1. The lexical signal over every row (sparse, cheap) picks the rows worth the
        # vectors; keyword interests need the vectors everywhere (a topic in other words).
        lex = self._lexical(corpus, likes)
        bonus = self._category(corpus, like_rows)
        score = lex.mean_z(likes.weights) + bonus
        if t.best:
            score += t.best * lex.z().max(axis=1)
        dlex = self._lexical(corpus, dislikes) if dislikes else None
        if dlex is not None:
            score -= t.disliked * np.clip(dlex.z().max(axis=1), 0, None)
        score = np.where(allowed, score, -np.inf).astype(np.float32)
        rows = np.flatnonzero(allowed)
        if t.dense and not like_words and len(rows) > t.prefilter:
            rows = rows[np.argpartition(-score[rows], t.prefilter - 1)[:t.prefilter]]
        # 2. Both signals on those rows.
        z = lex.z(rows)
        if t.dense:
            z = z + t.dense * self._dense_z(matrix, likes, rows, sample)
        score = aggregate(z, likes.weights, t.best) + bonus[rows]
        if dislikes is not None and dlex is not None:
            near = dlex.z(rows)
            if t.dense:
                near = near + t.dense * self._dense_z(matrix, dislikes, rows, sample)
            score -= t.disliked * np.clip(near.max(axis=1), 0, None)
        # 3. The best few hundred: adjustments, then the diversity re-ranking.
        depth = min(len(rows), max(t.window, 2 * limit))
        top = np.argpartition(-score, depth - 1)[:depth] if depth < len(rows) \
            else np.arange(len(rows))
        top = top[np.argsort(-score[top], kind="stable")]
        rel, z, top = score[top], z[top], rows[top]
        if like_rows:  # the same paper under another id, or a copy: nothing new to read
            dup = (matrix[top] @ matrix[like_rows].T).max(axis=1)
            rel = rel - t.duplicate_penalty * (dup >= t.near_duplicate)
        level = effective_comfort(comfort, self._levels(corpus, too_hard, difficulty_of),
                                  self._levels(corpus, too_easy, difficulty_of))
        if level is not None:
            rel = rel - level_penalty(self._difficulty(corpus, top, difficulty_of), level,
                                      t.level)
        if recency_weight:
            rel = rel + recency_bonus(corpus.day[top], int(corpus.day.max()), recency_weight,
                                      t.half_life_days)
        if corpus.same_trick is None:
            corpus.same_trick = trick_threshold(matrix, t.same_trick)
        order, values = mmr(rel, matrix[top], min(limit, len(top)), t.diversity,
                            corpus.same_trick)
        chosen = top[order]
        # Lexical cosines of the results with each liked paper: the interest columns when
        # each liked paper is one (computing them again cost a tenth of a request).
        alone = len(likes.labels) - len(like_words) == len(like_rows)
        lex_liked = lex.raw[chosen][:, :len(like_rows)] if alone else None
        return self._explain(corpus, matrix, chosen, values, likes, z[order], like_rows,
                             lex_liked)

    def _allowed(self, corpus: Corpus, pool: np.ndarray | None, seen: list[int],
                 exclude: Iterable[int], feedback: list[str]) -> np.ndarray:
        """Which rows may be returned: the candidates, less the reader's own papers."""
        allowed = np.zeros(corpus.n, dtype=bool)
        allowed[pool if pool is not None else slice(None)] = True
        allowed[seen] = False
        skip = np.asarray(list(exclude), dtype=np.int64)
        if skip.size and corpus.n:
            rows = np.minimum(np.searchsorted(corpus.pks, skip), corpus.n - 1)
            allowed[rows[corpus.pks[rows] == skip]] = False
        allowed[[r for r in (corpus.row_of(i) for i in feedback) if r is not None]] = False
        return allowed

    def _category(self, corpus: Corpus, like_rows: list[int]) -> np.ndarray:
        """Bonus for the share of liked papers in a row's primary category."""
        if not self.tuning.category or not like_rows:
            return np.zeros(corpus.n, dtype=np.float32)
        prim = corpus.primary[like_rows]
        counts = np.bincount(prim[prim >= 0], minlength=len(corpus.category_names) + 1)
        share = np.where(corpus.primary >= 0, counts[np.maximum(corpus.primary, 0)], 0)
        return (self.tuning.category * share / len(like_rows)).astype(np.float32)

    def _interests(self, corpus: Corpus, matrix: np.ndarray, rows: list[int],
                   words: list[str]) -> _Interests:
        dense: list[np.ndarray] = []
        lexical: list[sp.csr_matrix] = []
        labels: list[str | int] = []
        if rows:
            groups = group_rows(matrix[rows], MAX_INTERESTS)
            member = sp.csr_matrix(
                (np.ones(len(rows), dtype=np.float32),
                 np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]),
                 np.cumsum([0, *(len(g) for g in groups)])), shape=(len(groups), len(rows)))
            dense.append(unit(member @ matrix[rows]))
            lexical.append(unit_rows(member @ corpus.lexical.rows[rows]))
            labels.extend(rows[g[0]] for g in groups)
        if words:
            dense.append(np.asarray(self.service.embedder.embed(words), dtype=np.float32))
            lexical.append(corpus.lexical.encode(words))
            labels.extend(words)
        q = len(labels)
        return _Interests(np.concatenate(dense).reshape(q, matrix.shape[1]),
                          sp.csr_matrix(sp.vstack(lexical, format="csr"), dtype=np.float32),
                          labels, np.ones(q, dtype=np.float32))

    def _lexical(self, corpus: Corpus, it: _Interests) -> Columns:
        """The lexical cosine of every row with each interest. Mean and spread come from all
        rows: the cosines are mostly 0 with a long tail, so a sample's spread swings with the
        few close papers it happens to hold (which cost 10% nDCG)."""
        query = it.lexical
        lex = corpus.lexical
        if self.tuning.query_df < 1 and lex.n_built >= 1000:
            # Words in more than a few percent of papers weigh little (IDF squared) but have
            # the longest postings: leaving them out of the query halves its cost.
            common = lex.df[query.indices] > self.tuning.query_df * lex.n_built
            if common.any() and not common.all():
                query = query.copy()
                query.data[common] = 0
                query.eliminate_zeros()
        cols, pos = np.unique(query.indices, return_inverse=True)
        if not len(cols):
            return Columns.of(np.zeros((corpus.n, len(it.labels)), dtype=np.float32))
        # The query as a dense (features x interests) block, built straight from its entries.
        block = np.zeros((len(cols), query.shape[0]), dtype=np.float32)
        block[pos, np.repeat(np.arange(query.shape[0]), np.diff(query.indptr))] = query.data
        return Columns.of(np.asarray(lex.csc[:, cols] @ block, dtype=np.float32))

    @staticmethod
    def _sample(corpus: Corpus, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """A fixed sample of rows and their vectors, for the mean and spread of the vector
        cosines (copied once per corpus: gathering them took a tenth of a request)."""
        if corpus.n <= STATS_SAMPLE:
            return None
        if corpus.sample is None or corpus.sample[0] is not matrix:
            rows = stats_rows(corpus.n, STATS_SAMPLE)
            assert rows is not None
            corpus.sample = (matrix, rows, np.ascontiguousarray(matrix[rows]))
        return corpus.sample[1], corpus.sample[2]

    @staticmethod
    def _dense_z(matrix: np.ndarray, it: _Interests, rows: np.ndarray,
                 sample: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
        """Standard scores of the vector cosine of ``rows`` with each interest (mean and
        spread from the sample rows: the cosines are spread out, a sample suffices)."""
        if len(rows) >= len(matrix) // 2 or sample is None:
            return standardize(matrix @ it.dense.T, None if sample is None else sample[0])[rows]
        ref = sample[1] @ it.dense.T
        mean = ref.mean(axis=0, keepdims=True)
        std = np.maximum(ref.std(axis=0, keepdims=True), 1e-6)
        return (matrix[rows] @ it.dense.T - mean) / std

    def _levels(self, corpus: Corpus, ids: Iterable[str],
                difficulty_of: Mapping[int, int] | None) -> list[int]:
        rows = np.asarray([r for r in (corpus.row_of(i) for i in ids) if r is not None],
                          dtype=np.int64)
        return [int(d) for d in self._difficulty(corpus, rows, difficulty_of)] if len(rows) \
            else []

    def _difficulty(self, corpus: Corpus, rows: np.ndarray,
                    difficulty_of: Mapping[int, int] | None) -> np.ndarray:
        """Difficulty 1-5 of each row (0 when unknown): ``difficulty_of`` first, else the
        stored analysis when it is current for the paper's text."""
        pks = [int(p) for p in corpus.pks[rows]]
        known = dict(difficulty_of or {})
        need = [pk for pk in pks if pk not in known]
        if need:
            from paperpath.guide.analysis import ANALYSIS_VERSION

            with self.lib.engine.connect() as conn:
                for i in range(0, len(need), 900):
                    known.update(conn.execute(
                        select(paper_analysis.c.paper_pk, paper_analysis.c.difficulty)
                        .join(papers, papers.c.pk == paper_analysis.c.paper_pk)
                        .where(papers.c.content_hash == paper_analysis.c.content_hash)
                        .where(paper_analysis.c.version == ANALYSIS_VERSION)
                        .where(paper_analysis.c.paper_pk.in_(need[i:i + 900]))).all())
        return np.asarray([int(known.get(pk) or 0) for pk in pks], dtype=np.int8)

    # -- reasons ---------------------------------------------------------------------------
    def _explain(self, corpus: Corpus, matrix: np.ndarray, chosen: np.ndarray,
                 values: np.ndarray, likes: _Interests, z: np.ndarray, like_rows: list[int],
                 lex_liked: np.ndarray | None) -> list[Recommendation]:
        """Reasons for the chosen rows; ``z`` holds their standard scores per interest,
        ``lex_liked`` (when known) their lexical cosines with each liked paper."""
        if not len(chosen):
            return []
        # A keyword explains a result when it matches better than any liked paper does...
        is_word = np.array([isinstance(label, str) for label in likes.labels])
        word_of: list[str | None] = [None] * len(chosen)
        if is_word.any():
            wz = np.where(is_word, z, -np.inf)
            pz = np.where(is_word, -np.inf, z).max(axis=1)
            for i, j in enumerate(wz.argmax(axis=1)):
                if wz[i, j] >= pz[i]:
                    word_of[i] = str(likes.labels[j])
        # ...else the liked paper closest to it (both signals, raw cosines).
        paper_of = np.full(len(chosen), -1, dtype=np.int64)
        if like_rows:
            if lex_liked is None:
                rows = corpus.lexical.rows
                lex_liked = (rows[chosen] @ rows[like_rows].T).toarray()
            raw = lex_liked + self.tuning.dense * (matrix[chosen] @ matrix[like_rows].T)
            paper_of = np.asarray(like_rows)[raw.argmax(axis=1)]
        return explain(self.lib.engine, corpus, chosen, values, word_of, paper_of)


def recommend(lib: Library, liked: list[str], disliked: list[str],
              candidates: list[str] | None, limit: int, model: str | None = None
              ) -> list[tuple[str, float, str]]:
    """`Library.recommend`: (paper id, score, reason) best first, with neutral defaults (no
    level fit, no recency). See `Recommender` for the rules on ids and keywords."""
    return [r.as_tuple() for r in Recommender(lib, model).rank(liked, disliked, candidates,
                                                               limit)]
