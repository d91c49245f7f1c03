"""The numeric parts of recommending: per-interest standard scores, their aggregation, the
diversity re-ranking (MMR) and the level-fit and recency adjustments. Pure numpy, no library:
`coach.recommend` feeds these the similarity columns it computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Tuning:
    """Weights of the ranking, in standard-score units (a candidate's similarity to one
    interest, minus its mean over the library, over its standard deviation).

    Chosen on the time-split benchmark (bench/recommend.py), the weights on readers disjoint
    from both samples it reports: the lexical signal carries most of it; the whole-paper
    vectors add paraphrase (and carry keyword interests); a shared primary category is a
    small tie-breaker.
    """

    dense: float = 0.15       # weight of the vector cosine beside the lexical one (1.0)
    best: float = 0.0         # weight of the best-matching interest beside the mean over all
    category: float = 0.6     # bonus for the share of liked papers in the same primary category
    disliked: float = 0.5     # how far the closest disliked paper pushes a candidate down
    near_duplicate: float = 0.97  # vector cosine to a liked paper above which it is "the same"
    duplicate_penalty: float = 3.0
    diversity: float = 1.0    # MMR: penalty per selected paper "on the same trick"
    # Two papers are on the same trick when their vectors are closer than this share of
    # random pairs of the library (~0.85 cosine with the static model): a threshold that
    # follows the embedding model's scale.
    same_trick: float = 0.9995
    window: int = 300         # how deep the diversity re-ranking looks
    prefilter: int = 3000     # rows (best lexical first) that also get the vector signal
    query_df: float = 0.1     # liked papers' words in more papers than this share are skipped
    level: float = 0.4        # penalty per difficulty level above the reader's comfort
    half_life_days: float = 180.0  # recency bonus halves with this age


DEFAULT = Tuning()


@dataclass
class Columns:
    """Similarities of every row to each interest, kept raw with each column's mean and
    spread: the standard scores are only materialised for the rows that need them (a full
    copy of 75k x interests costs more than computing the similarities)."""

    raw: np.ndarray   # rows x interests
    mean: np.ndarray  # per column
    std: np.ndarray   # per column, > 0

    @classmethod
    def of(cls, sims: np.ndarray) -> Columns:
        n = max(len(sims), 1)
        # Column sums as a matrix-vector product: numpy's sum(axis=0) over a tall, narrow
        # array is a strided loop three times slower.
        mean = (np.ones(len(sims), dtype=sims.dtype) @ sims).astype(np.float64) / n
        var = np.einsum("ij,ij->j", sims, sims, dtype=np.float64) / n - mean * mean
        return cls(sims, mean.astype(np.float32),
                   np.maximum(np.sqrt(np.maximum(var, 0.0)), 1e-6).astype(np.float32))

    def z(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Standard scores of ``rows``: a liked paper with generic words is close to
        everything, one with rare words to few, and a two-word keyword scores on another
        scale than an abstract; standard scores make each interest count alike."""
        return (self.raw[rows] - self.mean) / self.std

    def mean_z(self, weights: np.ndarray) -> np.ndarray:
        """The weighted mean of the standard scores of every row, in one pass."""
        w = weights / max(float(weights.sum()), 1e-9) / self.std
        return (self.raw @ w - float(self.mean @ w)).astype(np.float32)


def standardize(sims: np.ndarray, sample: np.ndarray | None = None) -> np.ndarray:
    """Each column as standard scores, mean and spread from the rows ``sample`` (all when
    None)."""
    cols = Columns.of(sims if sample is None else sims[sample])
    return (sims - cols.mean) / cols.std


def aggregate(scores: np.ndarray, weights: np.ndarray | None = None, best: float = 0.0
              ) -> np.ndarray:
    """One score per row from per-interest columns: the weighted mean (a paper close to
    several of your interests ranks above one close to a single one), plus ``best`` times the
    best column (so a single strong interest still counts)."""
    if scores.shape[1] == 0:
        return np.zeros(scores.shape[0], dtype=np.float32)
    w = np.ones(scores.shape[1], dtype=np.float32) if weights is None else weights
    out = scores @ (w / max(float(w.sum()), 1e-9))
    if best:
        out = out + best * scores.max(axis=1)
    return out.astype(np.float32)


def mmr(relevance: np.ndarray, vectors: np.ndarray, k: int, penalty: float = DEFAULT.diversity,
        threshold: float = 0.85) -> tuple[np.ndarray, np.ndarray]:
    """Greedy diversity re-ranking (maximal marginal relevance, thresholded).

    Picks ``k`` of the rows best first; a row's value is its relevance minus ``penalty`` for
    each already picked row whose cosine with it exceeds ``threshold``, scaled by how far
    above (1.0 for an identical vector). Papers on different tricks do not penalise each
    other at all, so the order only changes where several near-identical papers crowd the
    top. Returns (order, values): values never increase along the order, since penalties only
    grow as rows are picked. ``vectors`` are unit rows aligned with ``relevance``.
    """
    n = len(relevance)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    rel = relevance.astype(np.float64)
    if penalty <= 0 or n < 2:
        order = np.argsort(-rel, kind="stable")[:k]
        return order, rel[order].astype(np.float32)
    sims = vectors @ vectors.T
    excess = np.clip((sims - threshold) / max(1.0 - threshold, 1e-6), 0.0, None)
    pen = np.zeros(n)
    taken = np.zeros(n, dtype=bool)
    order = np.empty(k, dtype=np.int64)
    values = np.empty(k, dtype=np.float32)
    for step in range(k):
        value = np.where(taken, -np.inf, rel - penalty * pen)
        pick = int(np.argmax(value))
        order[step] = pick
        values[step] = value[pick]
        taken[pick] = True
        pen += excess[pick]
    return order, values


def trick_threshold(matrix: np.ndarray, quantile: float = DEFAULT.same_trick,
                    pairs: int = 2000) -> float:
    """The cosine above which two papers of this vector space count as the same trick: the
    given quantile of the cosines of random pairs of papers."""
    n = len(matrix)
    if n < 50:
        return 0.85
    rng = np.random.default_rng(0)
    a = matrix[rng.choice(n, min(pairs, n), replace=False)]
    b = matrix[rng.choice(n, min(pairs, n), replace=False)]
    sims = (a @ b.T).ravel()
    return float(np.quantile(sims[sims < 0.999], quantile))  # not a paper with itself


def level_penalty(difficulty: np.ndarray, comfort: float, weight: float = DEFAULT.level
                  ) -> np.ndarray:
    """Penalty for papers above the reader's level (1-5), and half as much for those more
    than a level below it; 0 where the difficulty is unknown (0)."""
    d = difficulty.astype(np.float32)
    over = np.clip(d - comfort, 0, None)
    under = np.clip(comfort - 1 - d, 0, None)
    return np.where(d > 0, weight * (over + 0.5 * under), 0.0).astype(np.float32)


def effective_comfort(comfort: int | None, too_hard: Sequence[int], too_easy: Sequence[int]
                      ) -> float | None:
    """The reader's level after feedback: each paper marked too hard (of known difficulty)
    pulls it half-way below that paper's level, each too easy half-way above; None when there
    is neither a level nor feedback."""
    hard = [d for d in too_hard if d > 0]
    easy = [d for d in too_easy if d > 0]
    if comfort is None and not hard and not easy:
        return None
    level = float(comfort if comfort is not None else 3)
    for d in hard:
        level = min(level, (level + d - 1) / 2)
    for d in easy:
        level = max(level, (level + d + 1) / 2)
    return float(np.clip(level, 1, 5))


def recency_bonus(day: np.ndarray, newest: int, weight: float,
                  half_life: float = DEFAULT.half_life_days) -> np.ndarray:
    """``weight`` for a paper of the newest date, halving every ``half_life`` days; 0 for
    papers without a date."""
    age = np.clip(newest - day.astype(np.float64), 0, None)
    return np.where(day > 0, weight * np.power(0.5, age / half_life), 0.0).astype(np.float32)


def stats_rows(n: int, size: int) -> np.ndarray | None:
    """A fixed sample of rows for column statistics (None: all rows, in a small library)."""
    if n <= size:
        return None
    return np.random.default_rng(0).choice(n, size, replace=False)


def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def unit_rows(x: sp.spmatrix) -> sp.csr_matrix:
    x = sp.csr_matrix(x, dtype=np.float32)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms),
                                            where=norms > 0)) @ x, dtype=np.float32)


def group_rows(vectors: np.ndarray, k: int) -> list[list[int]]:
    """Liked papers as at most ``k`` interests: each alone when few, else k-means groups of
    similar papers (so a reader with 300 liked papers costs what one with 32 does)."""
    n = len(vectors)
    if n <= k:
        return [[i] for i in range(n)]
    rng = np.random.default_rng(0)
    centers = vectors[rng.choice(n, k, replace=False)]
    assign = np.zeros(n, dtype=np.int64)
    for _ in range(8):
        assign = (vectors @ centers.T).argmax(axis=1)
        for j in range(k):
            members = vectors[assign == j]
            if len(members):
                c = members.sum(axis=0)
                centers[j] = c / max(float(np.linalg.norm(c)), 1e-9)
    return [g for j in range(k) if (g := np.flatnonzero(assign == j).tolist())]
