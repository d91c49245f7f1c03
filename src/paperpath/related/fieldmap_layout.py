"""2-D layout of paper vectors for the map of the field: openTSNE fit, then placement.

`fit_layout` runs t-SNE (openTSNE, FFT gradients above 5k points, PCA initialisation, fixed
seed) on unit vectors. `place` puts further points into an existing layout without moving it:
each new point starts at the median position of its nearest already-placed neighbours (cosine
on the vectors, exact, blocked numpy) and a few optimisation steps of only the new points
refine it against the fixed reference (openTSNE's partial embedding with our own affinities,
so nothing but coordinates and vectors has to be kept between runs).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)

MIN_TSNE = 10  # below this t-SNE has no neighbourhoods to preserve: PCA of the vectors
PERPLEXITY = 30.0
EARLY_ITER = 250  # openTSNE defaults: early exaggeration phase, then the normal phase
MAIN_ITER = 500
PLACE_K = 15  # neighbours of a new point: affinities use all, the start position the first 10
PLACE_PERPLEXITY = 5.0  # openTSNE's `transform` default: new points follow close neighbours
REFINE_ITER = 100
SCALE = 50.0  # PCA-only layouts are spread like a t-SNE map, so labels and sizes fit
PARALLEL_MIN = 5_000  # fewer points run on one thread (see `_jobs`)
# Barnes-Hut below, FFT-interpolated gradients above: measured here, BH took 6.4 s against
# 8.9 s for 3,000 points and 26 s against 14 s for 9,000 (openTSNE's own switch is at 10k)
FFT_MIN = 5_000
APPROX_MIN = 5_000  # placing more points than this uses the fitted layout's Annoy index
APPROX_SEARCH_K = 3_000  # Annoy nodes inspected per query: 90% recall of 15 among 50k
CHUNK = 1_000  # queries per thread task
BLOCK_PAIRS = 16_000_000  # exact search: query x reference scores per block (~200 MB)


def _jobs(n_jobs: int, n: int) -> int:
    """Threads for ``n`` points; openTSNE's convention: -1 all cores, -2 all but one.

    Small problems run on one thread: openTSNE starts threads every iteration, and on a busy
    2-core machine 600 points took 16 s with 2 threads against 1.6 s with one.
    """
    if n < PARALLEL_MIN:
        return 1
    cores = os.cpu_count() or 1
    return max(1, n_jobs if n_jobs > 0 else cores + 1 + n_jobs)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32), so Euclidean distance ranks like cosine."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, np.float32(1e-12))


def _pca_layout(unit: np.ndarray) -> np.ndarray:
    """Tiny inputs: the first two principal components, spread to a t-SNE-like scale."""
    n = unit.shape[0]
    if n < 2:
        return np.zeros((n, 2), dtype=np.float32)
    centred = unit - unit.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    coords = np.zeros((n, 2), dtype=np.float64)
    proj = centred @ vt[:2].T
    coords[:, : proj.shape[1]] = proj
    spread = float(np.abs(coords).max())
    if spread > 0:
        coords *= SCALE / 2 / spread
    return coords.astype(np.float32)


def fit_layout(unit: np.ndarray, *, seed: int = 0, n_jobs: int = -1,
               progress: Progress | None = None) -> tuple[np.ndarray, Any]:
    """t-SNE coordinates (n, 2, float32) of unit-length rows, and the approximate
    nearest-neighbour index (openTSNE's Annoy) built on the way, or None when exact."""
    from openTSNE import TSNE  # heavy import, only when a layout is fitted
    from openTSNE.nearest_neighbors import Annoy

    n = unit.shape[0]
    if n < MIN_TSNE or np.ptp(unit, axis=0).max() < 1e-6:
        # too few papers for neighbourhoods, or all the same vector (PCA initialisation would
        # divide by a zero spread): the principal components are the whole story
        return _pca_layout(unit), None
    jobs = _jobs(n_jobs, n)
    total = EARLY_ITER + MAIN_ITER
    offset = [0]  # openTSNE counts iterations per phase; the callback reports the sum

    def tick(iteration: int, _error: float, _embedding: np.ndarray) -> bool:
        if progress is not None:
            progress("layout", offset[0] + iteration, total)
        return False

    tsne = TSNE(
        # perplexity needs about 3 x perplexity neighbours per point
        perplexity=min(PERPLEXITY, (n - 1) / 3),
        initialization="pca", metric="euclidean", n_jobs=jobs, random_state=seed,
        negative_gradient_method="fft" if n >= FFT_MIN else "bh",
        callbacks=tick, callbacks_every_iters=25, verbose=False,
    )
    if progress is not None:
        progress("neighbours", 0, 1)
    embedding = tsne.prepare_initial(unit)
    index = getattr(embedding.affinities, "knn_index", None)
    if progress is not None:
        progress("neighbours", 1, 1)
        progress("layout", 0, total)
    # the two phases of `TSNE.fit`, run here so the progress callback knows which one it is in
    embedding = embedding.optimize(n_iter=EARLY_ITER, exaggeration=tsne.early_exaggeration,
                                   momentum=tsne.initial_momentum, inplace=True)
    offset[0] = EARLY_ITER
    embedding = embedding.optimize(n_iter=MAIN_ITER, momentum=tsne.final_momentum, inplace=True)
    coords = np.asarray(embedding, dtype=np.float32)
    if not np.isfinite(coords).all():  # never seen; a broken map must not be saved
        log.warning("t-SNE gave non-finite coordinates for %d points; using PCA", n)
        return _pca_layout(unit), None
    return coords, index if isinstance(index, Annoy) else None


def nearest(ref_unit: np.ndarray, query_unit: np.ndarray, k: int, *,
            progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-``k`` cosine neighbours of each query row among ``ref_unit`` rows.

    Returns (indices (m, k) int64, similarities (m, k) float32), best first. Blocked so the
    scores and their partition (12 bytes a pair) stay near ``BLOCK_PAIRS`` pairs.
    """
    m, n = query_unit.shape[0], ref_unit.shape[0]
    k = min(k, n)
    idx = np.empty((m, k), dtype=np.int64)
    sim = np.empty((m, k), dtype=np.float32)
    block = max(16, BLOCK_PAIRS // max(n, 1))
    for start in range(0, m, block):
        scores = query_unit[start:start + block] @ ref_unit.T
        top = np.argpartition(scores, n - k, axis=1)[:, n - k:] if k < n else \
            np.broadcast_to(np.arange(n), (scores.shape[0], n)).copy()
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        idx[start:start + block] = np.take_along_axis(top, order, axis=1)
        sim[start:start + block] = np.take_along_axis(top_scores, order, axis=1)
        if progress is not None:
            progress("placing", min(start + block, m), m)
    return idx, sim


def nearest_approx(index: Any, query_unit: np.ndarray, k: int, *, n_jobs: int = -1,
                   progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Like `nearest`, through the Annoy index of a fitted layout (openTSNE's, Euclidean
    distances on unit rows). About 0.6 ms a query against 50k papers, where the exact search
    took 2 ms on the same busy machine; 90% of the 15 true neighbours are found."""
    m = query_unit.shape[0]
    annoy = index.index
    k = min(k, index.n_samples)
    idx = np.zeros((m, k), dtype=np.int64)
    dist = np.zeros((m, k), dtype=np.float64)

    def chunk(start: int) -> None:
        for i in range(start, min(start + CHUNK, m)):
            found, gaps = annoy.get_nns_by_vector(query_unit[i], k, search_k=APPROX_SEARCH_K,
                                                  include_distances=True)
            count = len(found)  # Annoy may return fewer; pad with the last one found
            if count:
                idx[i, :count], dist[i, :count] = found, gaps
                idx[i, count:], dist[i, count:] = found[-1], gaps[-1]

    starts = range(0, m, CHUNK)
    # Annoy releases the GIL while searching: threads share the work
    with ThreadPoolExecutor(max_workers=_jobs(n_jobs, m)) as pool:
        for done, _ in enumerate(pool.map(chunk, starts), start=1):
            if progress is not None:
                progress("placing", min(done * CHUNK, m), m)
    sim = (1.0 - dist**2 / 2.0).astype(np.float32)  # |a - b|^2 = 2 - 2 cos for unit rows
    return idx, sim


class _FixedReference:
    """Just enough of an openTSNE `Affinities` for a reference embedding that never moves."""

    def __init__(self, n: int) -> None:
        self.P = sp.csr_matrix((n, n))


def place(ref_coords: np.ndarray, ref_unit: np.ndarray, new_unit: np.ndarray, *,
          refine: bool = True, index: Any = None, n_jobs: int = -1,
          progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates for ``new_unit`` rows in the fixed layout ``ref_coords`` of ``ref_unit``.

    ``index``: the Annoy index `fit_layout` returned for ``ref_unit``; when given and there
    are many points to place, neighbours come from it instead of the exact search.
    Returns (coords (m, 2) float32, neighbour indices, neighbour similarities); the
    reference coordinates are not modified.
    """
    m = new_unit.shape[0]
    if m == 0:
        return (np.zeros((0, 2), np.float32), np.zeros((0, 0), np.int64),
                np.zeros((0, 0), np.float32))
    if index is not None and m >= APPROX_MIN:
        idx, sim = nearest_approx(index, new_unit, PLACE_K, n_jobs=n_jobs, progress=progress)
    else:
        idx, sim = nearest(ref_unit, new_unit, PLACE_K, progress=progress)
    # The median of the closest few resists neighbours split between two islands, where a
    # mean would land in the empty space between them.
    start = np.median(ref_coords[idx[:, :10]], axis=1).astype(np.float64)
    n_ref = ref_coords.shape[0]
    if not refine or n_ref < MIN_TSNE:
        return start.astype(np.float32), idx, sim
    return _refine(ref_coords, start, idx, sim, n_jobs=n_jobs), idx, sim


def _refine(ref_coords: np.ndarray, start: np.ndarray, idx: np.ndarray, sim: np.ndarray, *,
            n_jobs: int) -> np.ndarray:
    """A few t-SNE steps of the new points only, against the fixed reference points."""
    from openTSNE.affinity import joint_probabilities_nn
    from openTSNE.tsne import PartialTSNEEmbedding, TSNEEmbedding

    n_ref, jobs = ref_coords.shape[0], _jobs(n_jobs, ref_coords.shape[0] + len(start))
    distances = np.sqrt(np.clip(2.0 - 2.0 * sim.astype(np.float64), 0.0, None))
    P = joint_probabilities_nn(idx, distances, [min(PLACE_PERPLEXITY, idx.shape[1] / 3)],
                               symmetrize=False, normalization="point-wise",
                               n_reference_samples=n_ref, n_jobs=jobs)
    if not np.isfinite(P.data).all():  # a row of identical distances: give up refining
        return start.astype(np.float32)
    method = "fft" if n_ref >= FFT_MIN else "bh"
    # openTSNE re-centres a reference embedding in place when it builds its FFT grid: work on
    # a copy and shift the new points into and back out of that frame.
    reference = TSNEEmbedding(np.array(ref_coords, dtype=np.float64), _FixedReference(n_ref),
                              negative_gradient_method=method, n_jobs=jobs)
    if method == "fft":
        reference.prepare_interpolation_grid()
    shift = np.asarray(ref_coords, dtype=np.float64)[0] - np.asarray(reference)[0]
    partial = PartialTSNEEmbedding(start - shift, reference, P,
                                   **reference.gradient_descent_params)
    # openTSNE's own `transform` settings: small steps, clipped gradients, mild exaggeration
    partial.optimize(n_iter=REFINE_ITER, learning_rate=0.1, exaggeration=1.5, momentum=0.8,
                     max_grad_norm=0.25, max_step_norm=None, inplace=True)
    coords = np.asarray(partial, dtype=np.float64) + shift
    bad = ~np.isfinite(coords).all(axis=1)
    coords[bad] = start[bad]
    return coords.astype(np.float32)
