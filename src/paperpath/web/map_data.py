"""The saved map of the field in the form the browser draws it, kept in memory per map file.

The browser gets the points in three parts so a 75k-paper map stays light and fast:

* ``points.bin`` — the coordinates, quantised to uint16 (x then y, little-endian): 4 bytes a
  paper, immutable for a map version, so cached for good;
* ``points.json`` — the small part: the clusters (label, colour, the slice of points they
  own: points are sorted by cluster so each cluster is one contiguous run) and the reader's
  read and liked papers, which change as the reader reads;
* titles in chunks of `CHUNK` points, fetched when the pointer first hovers there.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from sqlalchemy import select

from paperpath.library import Library
from paperpath.related.fieldmap import load_map
from paperpath.related.fieldmap_render import (
    DEFAULT_HIGHLIGHT,
    HIGHLIGHT_STYLES,
    NO_CLUSTER,
    cluster_colours,
    drawn_label,
)
from paperpath.store.schema import papers

CHUNK = 2000  # titles per lazy request: ~150 kB raw, ~60 kB gzipped
MAX_TITLE = 120
EXAMPLES = 3  # central papers listed per cluster in the text alternative


@dataclass(frozen=True)
class Cluster:
    id: int  # the map's cluster number, -1 for papers in none
    label: str
    short: str  # the label as drawn on the map
    colour: str
    start: int  # first point of the cluster's run
    count: int
    x: float  # where its label goes
    y: float
    examples: tuple[int, ...]  # points nearest the cluster's middle


@dataclass
class MapView:
    path: Path
    version: str
    model: str
    ids: list[str]  # in point order (sorted by cluster)
    point_of: dict[str, int]
    xy: np.ndarray  # (n, 2) float32, point order
    clusters: list[Cluster]
    bounds: tuple[float, float, float, float]  # x0, y0, x1, y1
    coords: bytes  # uint16 x[n] then y[n] (gzip saves 3% of it: not worth it)
    _chunks: dict[int, list[str]]  # titles of whole chunks (hover)
    _some: dict[int, str]  # titles of single points (highlights, examples, search)
    _bodies: dict[int, tuple[bytes, bytes]]  # titles.json of a chunk, plain and gzipped

    def __len__(self) -> int:
        return len(self.ids)

    def cluster_of(self, point: int) -> Cluster:
        starts = [c.start for c in self.clusters]
        return self.clusters[int(np.searchsorted(starts, point, side="right")) - 1]

    def titles(self, lib: Library, points: list[int]) -> dict[int, str]:
        """Short titles of some points (remembered: the map's titles rarely change)."""
        missing = [p for p in dict.fromkeys(points)
                   if p not in self._some and p // CHUNK not in self._chunks]
        if missing:
            found = titles_of(lib, [self.ids[p] for p in missing])
            self._some.update(zip(missing, map(shorten, found), strict=True))
        out: dict[int, str] = {}
        for p in points:
            chunk = self._chunks.get(p // CHUNK)
            out[p] = chunk[p % CHUNK] if chunk is not None else self._some[p]
        return out

    def chunk_json(self, lib: Library, chunk: int) -> tuple[bytes, bytes]:
        """The ids and titles of a chunk of points as JSON, plain and gzipped."""
        body = self._bodies.get(chunk)
        if body is None:
            start = chunk * CHUNK
            raw = orjson.dumps({"chunk": chunk, "start": start,
                                "ids": self.ids[start:start + CHUNK],
                                "titles": self.chunk_titles(lib, chunk)})
            body = self._bodies[chunk] = (raw, gzip.compress(raw, 6, mtime=0))
        return body

    def chunk_titles(self, lib: Library, chunk: int) -> list[str]:
        cached = self._chunks.get(chunk)
        if cached is None:
            keys = self.ids[chunk * CHUNK:(chunk + 1) * CHUNK]
            cached = [shorten(t) for t in titles_of(lib, keys)]
            self._chunks[chunk] = cached
        return cached


def shorten(title: str) -> str:
    text = " ".join(title.split())
    return text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 1].rstrip() + "…"


def titles_of(lib: Library, keys: list[str]) -> list[str]:
    found: dict[str, str] = {}
    with lib.engine.connect() as conn:
        for i in range(0, len(keys), 900):  # SQLite's bound-parameter limit
            found.update((r.key, r.title) for r in conn.execute(
                select(papers.c.key, papers.c.title).where(papers.c.key.in_(keys[i:i + 900]))))
    return [found.get(k, k) for k in keys]


_views: dict[Path, MapView] = {}
_lock = threading.Lock()


def map_path(lib: Library) -> Path | None:
    # The progress page's choice of map: the embedder need not be loaded (1.5 s or more) to
    # know where its map lies.
    from paperpath.coach.progress import saved_map_path

    return saved_map_path(lib)


def stamp(path: Path) -> str:
    st = path.stat()
    raw = f"{path}:{st.st_mtime_ns}:{st.st_size}".encode()
    return hashlib.blake2b(raw, digest_size=6).hexdigest()


def current_view(lib: Library) -> MapView | None:
    """The saved map, loaded once per version of its file; None when there is none."""
    path = map_path(lib)
    if path is None:
        return None
    try:
        version = stamp(path)
    except OSError:
        return None
    with _lock:  # one load at a time: a 75k map takes ~0.2 s and many requests may ask
        view = _views.get(path)
        if view is None or view.version != version:
            try:
                view = build_view(path, version)
            except (OSError, ValueError):
                return None
            _views[path] = view
        return view


def build_view(path: Path, version: str) -> MapView:
    fmap = load_map(path)
    n = len(fmap.ids)
    # unclustered points (-1) go last, after the clusters in their order
    keys = np.where(fmap.clusters < 0, np.iinfo(np.int32).max, fmap.clusters)
    order = np.argsort(keys, kind="stable")
    xy = np.asarray(fmap.coords, np.float32)[order]
    labels_of = np.asarray(fmap.clusters)[order]
    ids = [fmap.ids[i] for i in order.tolist()]
    colours = cluster_colours(fmap.centers)
    k = len(fmap.centers)
    clusters: list[Cluster] = []
    run_values, run_starts, run_counts = np.unique(labels_of, return_index=True,
                                                   return_counts=True)
    runs = sorted(zip(run_starts.tolist(), run_values.tolist(), run_counts.tolist(),
                      strict=True))
    for start, c, count in runs:
        members = xy[start:start + count]
        if c >= 0 and c < k:
            cx, cy = (float(v) for v in fmap.centers[c])
        else:
            cx, cy = (float(v) for v in members.mean(axis=0))
        gaps = ((members - np.array([cx, cy], np.float32)) ** 2).sum(axis=1)
        near = np.argsort(gaps)[:EXAMPLES] + start
        label = fmap.labels.get(c, "") if c >= 0 else ""
        clusters.append(Cluster(
            id=int(c), label=label or ("other papers" if c < 0 else f"cluster {c}"),
            short=drawn_label(label, k) if label else "", start=int(start), count=int(count),
            colour=colours[c] if 0 <= c < len(colours) else NO_CLUSTER, x=cx, y=cy,
            examples=tuple(int(i) for i in near)))
    if n:
        low, high = xy.min(axis=0), xy.max(axis=0)
    else:
        low = high = np.zeros(2, np.float32)
    span = np.maximum(high - low, 1e-6)
    q = np.rint((xy - low) / span * 65535).astype("<u2") if n else np.zeros((0, 2), "<u2")
    coords = np.ascontiguousarray(q.T).tobytes()  # all x, then all y
    return MapView(path=path, version=version, model=fmap.model, ids=ids,
                   point_of={pid: i for i, pid in enumerate(ids)}, xy=xy, clusters=clusters,
                   bounds=(float(low[0]), float(low[1]), float(high[0]), float(high[1])),
                   coords=coords, _chunks={}, _some={}, _bodies={})


def reader_marks(lib: Library, view: MapView) -> dict[str, list[int]]:
    """The reader's papers on the map: points read and liked."""
    coach = lib.coach
    marks: dict[str, list[int]] = {}
    for kind, ids in (("read", coach.read_ids()), ("liked", coach.feedback_ids("like"))):
        marks[kind] = [view.point_of[i] for i in ids if i in view.point_of]
    return marks


def points_payload(lib: Library, view: MapView) -> dict[str, Any]:
    """What points.json sends: clusters, the reader's papers, where the rest is."""
    marks = reader_marks(lib, view)
    wanted = sorted({p for points in marks.values() for p in points})
    titles = view.titles(lib, wanted) if wanted else {}
    highlights = []
    for kind, points in marks.items():
        colour, symbol, _ = HIGHLIGHT_STYLES.get(kind, DEFAULT_HIGHLIGHT)
        highlights.append({"kind": kind, "colour": colour, "symbol": symbol,
                           "points": [{"i": p, "id": view.ids[p], "title": titles[p]}
                                      for p in points]})
    return {
        "version": view.version, "model": view.model, "n": len(view),
        "bounds": list(view.bounds), "scale": 65535,
        "coords": f"/map/points.bin?v={view.version}",
        "titles": f"/map/titles/{{chunk}}.json?v={view.version}", "chunk": CHUNK,
        "clusters": [{"id": c.id, "label": c.label, "short": c.short, "colour": c.colour,
                      "start": c.start, "count": c.count, "x": round(c.x, 3),
                      "y": round(c.y, 3)} for c in view.clusters],
        "highlights": highlights,
    }
