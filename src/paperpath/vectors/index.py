"""Nearest-neighbour search over one model's paper vectors.

The vectors in the library's database are the truth; this index is a cache built from them in
a folder next to the library: raw float16 matrices (one per kind: doc, background, method,
result; memory-mapped), the paper keys, and above `ANN_THRESHOLD` papers an HNSW graph per
kind (usearch). It notices new writes through the model's version counter, applies them
incrementally, and rebuilds itself when a file is missing, truncated or from another library:
a broken cache is never served.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from paperpath.store.vector_store import (
    KINDS,
    count_current,
    get_state,
    iter_vectors,
    last_write,
)

ANN_THRESHOLD = 100_000
FORMAT = 1
_F16 = np.dtype("<f2")
# HNSW settings: recall@20 >= 0.95 against exact search at 1M papers (bench/similar_scale.py).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 96

ProgressFn = Callable[[str, int, int], None]


class IndexCorrupt(RuntimeError):
    pass


@dataclass
class Hits:
    pks: np.ndarray     # int64, best first
    scores: np.ndarray  # float32 cosine similarity


def _slug(model: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
    return keep[:120] or "model"


class VectorIndex:
    def __init__(self, engine: Engine, model: str, folder: Path, *,
                 ann_threshold: int = ANN_THRESHOLD, library_id: str = "") -> None:
        self.engine = engine
        self.model = model
        self.folder = folder / _slug(model)
        self.ann_threshold = ann_threshold
        self.library_id = library_id
        self.meta: dict[str, Any] = {}
        self.pks = np.zeros(0, dtype=np.int64)
        self._mats: dict[str, np.ndarray] = {}
        self._f32: dict[str, np.ndarray] = {}
        self._ann: dict[str, Any] = {}

    # -- state -----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.pks.shape[0])

    @property
    def dim(self) -> int:
        return int(self.meta.get("dim", 0))

    def refresh(self, progress: ProgressFn | None = None) -> None:
        """Bring the cache up to date with the database (cheap when nothing changed)."""
        with self.engine.connect() as conn:
            state = get_state(conn, self.model)
        version = int(state.get("version", 0))
        if self.meta and self.meta.get("version") == version:
            return
        try:
            self._load()
        except (OSError, ValueError, IndexCorrupt):
            self.meta = {}
        if self.meta.get("version") == version:
            return
        if self.meta and self.meta.get("dim") == state.get("dim"):
            try:
                self._apply_delta(version, progress)
                return
            except (OSError, ValueError, IndexCorrupt):
                pass
        self._rebuild(version, progress)

    def _meta_path(self) -> Path:
        return self.folder / "meta.json"

    def _load(self) -> None:
        meta = json.loads(self._meta_path().read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("model") != self.model \
                or meta.get("library") != self.library_id:
            raise IndexCorrupt("cache from another library, model or format")
        n, dim = int(meta["n"]), int(meta["dim"])
        pks = np.fromfile(self.folder / "pks.i64", dtype="<i8")
        if pks.shape[0] != n:
            raise IndexCorrupt("key file truncated")
        mats = {}
        for kind in KINDS:
            path = self.folder / f"{kind}.f16"
            if path.stat().st_size != n * dim * 2:
                raise IndexCorrupt(f"{path.name} has the wrong size")
            mats[kind] = (np.memmap(path, dtype=_F16, mode="r", shape=(n, dim)) if n
                          else np.zeros((0, dim), dtype=_F16))
        self.meta, self.pks, self._mats = meta, pks, mats
        self._f32.clear()
        self._ann.clear()

    def _write_meta(self) -> None:
        tmp = self._meta_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(self.meta), encoding="utf-8")
        os.replace(tmp, self._meta_path())

    def _rebuild(self, version: int, progress: ProgressFn | None) -> None:
        with self.engine.connect() as conn:
            total = count_current(conn, self.model)
            state = get_state(conn, self.model)
            stamp = last_write(conn, self.model)
        dim = int(state.get("dim", 0))
        tmp = self.folder.with_name(self.folder.name + ".building")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        files = {k: open(tmp / f"{k}.f16", "wb") for k in KINDS}  # noqa: SIM115
        n = 0
        try:
            with open(tmp / "pks.i64", "wb") as keys, self.engine.connect() as conn:
                for pks, blobs in iter_vectors(conn, self.model):
                    keys.write(pks.astype("<i8").tobytes())
                    for kind in KINDS:
                        files[kind].write(_stack(blobs[kind], dim).tobytes())
                    n += len(pks)
                    if progress:
                        progress("vectors", n, total)
        finally:
            for f in files.values():
                f.close()
        meta = {"format": FORMAT, "model": self.model, "library": self.library_id, "n": n,
                "dim": dim, "version": version, "last": stamp.isoformat() if stamp else ""}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(tmp, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self._load()

    def _apply_delta(self, version: int, progress: ProgressFn | None) -> None:
        """Vectors written since the cache was built: overwrite changed rows, append new
        papers (keys only grow), and update the HNSW graphs the same way."""
        since = datetime.fromisoformat(self.meta["last"]) if self.meta.get("last") else None
        dim = self.dim
        with self.engine.connect() as conn:
            stamp = last_write(conn, self.model)
            batches = list(iter_vectors(conn, self.model, since=since))
            total = count_current(conn, self.model)
        if not batches:
            raise IndexCorrupt("nothing to apply")  # e.g. deletions: rebuild
        pks = np.concatenate([b[0] for b in batches])
        blobs = {k: [x for b in batches for x in b[1][k]] for k in KINDS}
        rows = np.searchsorted(self.pks, pks)
        known = (rows < self.n) & (self.pks[np.minimum(rows, max(self.n - 1, 0))] == pks) \
            if self.n else np.zeros(len(pks), dtype=bool)
        new = ~known
        if new.any() and self.n and pks[new].min() <= self.pks[-1]:
            raise IndexCorrupt("new keys inside the key range")
        if self.n + int(new.sum()) != total:
            raise IndexCorrupt("counts disagree (papers deleted?)")
        ann_kinds = [k for k in KINDS if (self.folder / f"{k}.usearch").exists()]
        anns = {k: self._open_ann(k) for k in ann_kinds}
        self._mats.clear()  # close the read-only maps before writing
        for kind in KINDS:
            mat = _stack(blobs[kind], dim)
            path = self.folder / f"{kind}.f16"
            if known.any():
                m = np.memmap(path, dtype=_F16, mode="r+", shape=(self.n, dim))
                m[rows[known]] = mat[known]
                m.flush()
                del m
            if new.any():
                with open(path, "ab") as f:
                    f.write(mat[new].tobytes())
            if kind in anns:
                index = anns[kind]
                for pk in pks[known]:
                    index.remove(int(pk))
                nz = np.any(mat != 0, axis=1)
                if nz.any():
                    index.add(pks[nz], mat[nz].astype(np.float32))
                index.save(str(self.folder / f"{kind}.usearch"))
        if new.any():
            with open(self.folder / "pks.i64", "ab") as f:
                f.write(pks[new].astype("<i8").tobytes())
        self.meta.update(n=self.n + int(new.sum()), version=version,
                         last=stamp.isoformat() if stamp else "")
        self._write_meta()
        if progress:
            progress("vectors", total, total)
        self._load()

    # -- access ----------------------------------------------------------------------------
    def rows_of(self, pks: Iterable[int]) -> np.ndarray:
        """Row of each key, -1 when the paper has no current vector."""
        keys = np.fromiter((int(p) for p in pks), dtype=np.int64)
        if not self.n or not keys.size:
            return np.full(keys.shape, -1, dtype=np.int64)
        rows = np.searchsorted(self.pks, keys)
        rows[rows >= self.n] = self.n - 1
        return np.where(self.pks[rows] == keys, rows, -1)

    def vectors(self, rows: np.ndarray, kind: str = "doc") -> np.ndarray:
        """float32 vectors of the given rows (zero rows where the kind is missing)."""
        if kind in self._f32:
            return self._f32[kind][rows]
        return np.asarray(self._mats[kind][rows], dtype=np.float32)

    def matrix(self, kind: str = "doc") -> np.ndarray:
        """The whole float32 matrix of a kind (held in memory; for exact search)."""
        if kind not in self._f32:
            self._f32[kind] = np.asarray(self._mats[kind], dtype=np.float32)
        return self._f32[kind]

    def search(self, query: np.ndarray, kind: str = "doc", k: int = 20,
               exclude: Iterable[int] = (), exact: bool | None = None,
               progress: ProgressFn | None = None) -> Hits:
        """The ``k`` papers whose ``kind`` vector is most similar to ``query``."""
        skip = {int(p) for p in exclude}
        if not self.n or not np.any(query):
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        q = np.asarray(query, dtype=np.float32)
        if exact is None:
            exact = self.n < self.ann_threshold
        if exact:
            scores = self.matrix(kind) @ q
            take = min(self.n, k + len(skip))
            top = np.argpartition(-scores, take - 1)[:take] if take < self.n \
                else np.arange(self.n)
            top = top[np.argsort(-scores[top], kind="stable")]
            pks, sc = self.pks[top], scores[top]
        else:
            index = self.ann(kind, progress)
            m = index.search(q, k + len(skip))
            pks, sc = np.asarray(m.keys, dtype=np.int64), 1.0 - np.asarray(m.distances)
        mask = np.array([p not in skip for p in pks.tolist()], dtype=bool) \
            if skip else np.ones(len(pks), dtype=bool)
        mask &= sc > 0 if kind != "doc" else True  # zero facet vectors match nothing
        return Hits(pks[mask][:k], sc[mask][:k].astype(np.float32))

    # -- approximate index -----------------------------------------------------------------
    def _open_ann(self, kind: str) -> Any:
        from usearch.index import Index

        index = Index(ndim=self.dim, metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                      expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)
        index.load(str(self.folder / f"{kind}.usearch"))
        return index

    def ann(self, kind: str = "doc", progress: ProgressFn | None = None) -> Any:
        """The HNSW graph of a kind, loaded or built (minutes at a million papers)."""
        if kind in self._ann:
            return self._ann[kind]
        path = self.folder / f"{kind}.usearch"
        index = None
        if path.exists():
            try:
                index = self._open_ann(kind)
                if len(index) != int(np.count_nonzero(np.any(self._mats[kind] != 0, axis=1))):
                    index = None
            except (OSError, RuntimeError, ValueError):
                index = None
        if index is None:
            index = self._build_ann(kind, progress)
        self._ann[kind] = index
        return index

    def _build_ann(self, kind: str, progress: ProgressFn | None) -> Any:
        from usearch.index import Index

        index = Index(ndim=self.dim, metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                      expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)
        step = 50_000
        for start in range(0, self.n, step):
            mat = np.asarray(self._mats[kind][start:start + step], dtype=np.float32)
            nz = np.any(mat != 0, axis=1)
            if nz.any():
                index.add(self.pks[start:start + step][nz], mat[nz])
            if progress:
                progress(f"{kind} graph", min(self.n, start + step), self.n)
        tmp = self.folder / f"{kind}.usearch.tmp"
        index.save(str(tmp))
        os.replace(tmp, self.folder / f"{kind}.usearch")
        return index


def _stack(blobs: list[bytes | None], dim: int) -> np.ndarray:
    out = np.zeros((len(blobs), dim), dtype=_F16)
    for i, b in enumerate(blobs):
        if b is not None:
            if len(b) != 2 * dim:
                raise IndexCorrupt(f"a stored vector has {len(b) // 2} values, expected {dim}")
            out[i] = np.frombuffer(b, dtype=_F16)
    return out
