"""The map of the field: a 2-D layout of the library, clustered and labelled by key terms.

`build_map` lays out paper vectors with openTSNE (above ``sample`` papers it fits a random
sample and places the rest like new papers, so a million papers cost a 50k fit plus
placement), clusters the picture with k-means and labels each cluster with its most
distinctive key terms. `extend_map` places new papers without moving the existing ones.
`save_map` / `load_map` keep a map in one ``.npz`` (arrays + a JSON header, no pickle);
`write_html` / `write_png` (re-exported from `fieldmap_render` / `fieldmap_png`) draw it.

Works on plain arrays: the caller supplies ids, vectors (one row per paper, any model) and
key terms; nothing here reads the library.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperpath.related.fieldmap_labels import cluster_layout, label_clusters
from paperpath.related.fieldmap_layout import Progress, fit_layout, place, unit_rows
from paperpath.related.fieldmap_png import write_png
from paperpath.related.fieldmap_render import atomic_write, write_html

FORMAT = "paperpath-fieldmap"
VERSION = 1


@dataclass
class FieldMap:
    """A laid-out library. Rows of ``coords`` and ``clusters`` follow ``ids``."""

    ids: list[str]  # paper ids in row order
    coords: np.ndarray  # (n, 2) float32
    clusters: np.ndarray  # (n,) int32 cluster of each point (-1 none)
    labels: dict[int, str]  # cluster -> label made from its most distinctive key terms
    centers: np.ndarray  # (k, 2) float32 label positions (on a member of the cluster)
    model: str  # embedding model the map was built from

    def __len__(self) -> int:
        return len(self.ids)


def _check_vectors(ids: Sequence[str], vectors: np.ndarray, what: str) -> np.ndarray:
    """Vectors as a float32 matrix with one finite, non-zero row per id, or a ValueError."""
    try:
        matrix = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: vectors are not numeric ({exc})") from None
    if matrix.ndim != 2:
        raise ValueError(f"{what}: vectors must be a 2-D array, got shape {matrix.shape}")
    if matrix.shape[0] != len(ids):
        raise ValueError(f"{what}: {len(ids)} ids but {matrix.shape[0]} vector rows")
    if matrix.shape[0] and matrix.shape[1] < 2:
        raise ValueError(f"{what}: vectors need at least 2 dimensions, got {matrix.shape[1]}")
    bad = ~np.isfinite(matrix).all(axis=1)
    bad |= ~bad & (np.abs(matrix).max(axis=1, initial=0.0) == 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        sample = ", ".join(repr(ids[i]) for i in rows[:5])
        raise ValueError(f"{what}: {len(rows)} vectors are NaN, infinite or all zero "
                         f"(ids {sample}{', ...' if len(rows) > 5 else ''})")
    return matrix


def _check_ids(ids: Sequence[str], what: str) -> list[str]:
    out = list(ids)
    if not all(isinstance(i, str) and i for i in out):
        raise ValueError(f"{what}: ids must be non-empty strings")
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: duplicate ids")
    return out


def _check_terms(ids: Sequence[str], key_terms: Sequence[Sequence[str]], what: str) -> None:
    if len(key_terms) != len(ids):
        raise ValueError(f"{what}: {len(ids)} ids but {len(key_terms)} key-term lists")
    if any(isinstance(terms, str) for terms in key_terms):  # a str is a sequence of letters
        raise ValueError(f"{what}: key terms must be a list of terms per paper, not a string")


def build_map(ids: Sequence[str], vectors: np.ndarray, key_terms: Sequence[Sequence[str]], *,
              model: str, seed: int = 0, sample: int = 50_000, n_jobs: int = -1,
              progress: Progress | None = None) -> FieldMap:
    """Lay out, cluster and label papers.

    ``vectors``: one row per id (any dimension >= 2; cosine geometry, rows need not be
    normalised). ``key_terms``: the papers' key terms, best first. Above ``sample`` papers
    the layout is fitted on a random sample and the rest are placed into it.
    ``progress(stage, done, total)`` is called with stages "neighbours", "layout",
    "placing", "clusters" and "labels". Raises ValueError for empty or inconsistent input.
    """
    what = "build_map"
    id_list = _check_ids(ids, what)
    matrix = _check_vectors(id_list, vectors, what)
    _check_terms(id_list, key_terms, what)
    if not id_list:
        raise ValueError(f"{what}: no papers to map")
    if sample < 100:
        raise ValueError(f"{what}: sample must be at least 100, got {sample}")
    unit = unit_rows(matrix)
    n = len(id_list)
    coords = np.empty((n, 2), np.float32)
    if n <= sample:
        coords[:] = fit_layout(unit, seed=seed, n_jobs=n_jobs, progress=progress)[0]
    else:
        rng = np.random.default_rng(seed)
        fitted = np.sort(rng.choice(n, size=sample, replace=False))
        rest = np.setdiff1d(np.arange(n), fitted, assume_unique=True)
        coords[fitted], index = fit_layout(unit[fitted], seed=seed, n_jobs=n_jobs,
                                           progress=progress)
        # the rest through the fit's own neighbour index: exact search is the cost at 1M
        coords[rest] = place(coords[fitted], unit[fitted], unit[rest], index=index,
                             n_jobs=n_jobs, progress=progress)[0]
        del index
    if progress is not None:
        progress("clusters", 0, 1)
    clusters, centers = cluster_layout(coords, seed=seed)
    if progress is not None:
        progress("clusters", 1, 1)
        progress("labels", 0, 1)
    labels = label_clusters(clusters, key_terms, len(centers))
    if progress is not None:
        progress("labels", 1, 1)
    return FieldMap(id_list, coords, clusters, labels, centers, model)


def extend_map(fmap: FieldMap, vectors_of_existing: np.ndarray, new_ids: Sequence[str],
               new_vectors: np.ndarray, new_key_terms: Sequence[Sequence[str]] | None = None,
               *, model: str | None = None, refine: bool = True, n_jobs: int = -1) -> FieldMap:
    """A new map with ``new_ids`` placed into ``fmap``; existing coordinates stay as they were.

    ``vectors_of_existing``: the vectors of ``fmap.ids`` in row order (same model). Each new
    paper starts at the median position of its nearest existing papers (cosine) and, with
    ``refine``, takes a few t-SNE steps against the fixed map; its cluster is the
    similarity-weighted vote of those neighbours. Clusters and labels are kept (rebuild the
    map now and then to relabel). ``new_key_terms`` is accepted for symmetry with
    `build_map` and checked, but labels are not recomputed. ``model``, when given, must
    match the map's.
    """
    what = "extend_map"
    if model is not None and model != fmap.model:
        raise ValueError(f"{what}: the map was built from {fmap.model!r}, not {model!r}")
    new_list = _check_ids(new_ids, what)
    new_matrix = _check_vectors(new_list, new_vectors, what)
    if new_key_terms is not None:
        _check_terms(new_list, new_key_terms, what)
    if not new_list:
        return FieldMap(list(fmap.ids), fmap.coords.copy(), fmap.clusters.copy(),
                        dict(fmap.labels), fmap.centers.copy(), fmap.model)
    clash = set(new_list).intersection(fmap.ids)
    if clash:
        raise ValueError(f"{what}: {len(clash)} ids are already on the map "
                         f"(e.g. {sorted(clash)[0]!r})")
    if not fmap.ids:
        raise ValueError(f"{what}: the map is empty; build one first")
    old_matrix = _check_vectors(fmap.ids, vectors_of_existing, f"{what} (existing)")
    if old_matrix.shape[1] != new_matrix.shape[1]:
        raise ValueError(f"{what}: existing vectors have {old_matrix.shape[1]} dimensions, "
                         f"new ones {new_matrix.shape[1]}")
    coords, idx, sim = place(fmap.coords, unit_rows(old_matrix), unit_rows(new_matrix),
                             refine=refine, n_jobs=n_jobs)
    clusters = _vote(fmap.clusters, idx, sim, len(fmap.centers))
    return FieldMap(list(fmap.ids) + new_list, np.concatenate([fmap.coords, coords]),
                    np.concatenate([fmap.clusters, clusters]), dict(fmap.labels),
                    fmap.centers.copy(), fmap.model)


def _vote(clusters: np.ndarray, idx: np.ndarray, sim: np.ndarray, k: int) -> np.ndarray:
    """Cluster of each new point: its neighbours' clusters, weighted by similarity."""
    if k == 0:
        return np.full(idx.shape[0], -1, np.int32)
    votes = np.zeros((idx.shape[0], k + 1))  # last column: neighbours without a cluster
    weights = np.maximum(sim, 0) + 1e-6
    np.add.at(votes, (np.arange(idx.shape[0])[:, None], clusters[idx]), weights)
    winner = votes[:, :k].argmax(axis=1)
    return np.where(votes[:, :k].max(axis=1) > 0, winner, -1).astype(np.int32)


def save_map(fmap: FieldMap, path: str | os.PathLike[str]) -> Path:
    """Write ``fmap`` to ``path`` (.npz: arrays + JSON header, no pickle), atomically."""
    header = {"format": FORMAT, "version": VERSION, "model": fmap.model, "ids": fmap.ids,
              "labels": {str(c): label for c, label in fmap.labels.items()}}
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, coords=np.asarray(fmap.coords, np.float32),
        clusters=np.asarray(fmap.clusters, np.int32),
        centers=np.asarray(fmap.centers, np.float32).reshape(-1, 2),
        header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8))
    return atomic_write(Path(path), buffer.getvalue())


def load_map(path: str | os.PathLike[str]) -> FieldMap:
    """Read a map written by `save_map`; ValueError if the file is not one."""
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes().decode())
            coords, clusters = data["coords"], data["clusters"]
            centers = data["centers"]
    except (OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path}: not a paperpath field map ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path}: not a paperpath field map")
    if header.get("version") != VERSION:
        raise ValueError(f"{path}: field map version {header.get('version')} is not supported")
    ids = header["ids"]
    if coords.shape != (len(ids), 2) or clusters.shape != (len(ids),):
        raise ValueError(f"{path}: field map arrays do not match its {len(ids)} ids")
    labels = {int(c): str(label) for c, label in header["labels"].items()}
    return FieldMap(list(ids), coords.astype(np.float32), clusters.astype(np.int32), labels,
                    centers.astype(np.float32), str(header["model"]))


__all__ = ["FieldMap", "build_map", "extend_map", "load_map", "save_map", "write_html",
           "write_png"]
