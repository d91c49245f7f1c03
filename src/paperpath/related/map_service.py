"""The map of a library: built once, extended with new papers, drawn as HTML and PNG.

The map is saved next to the vector index (`map.npz` in the model's folder). Asking again
places only the papers added since (their neighbours fix where they go; nothing else moves);
it is rebuilt from scratch when papers were removed, when more than a fifth of the map would
be new, or on request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from paperpath.records import abs_url
from paperpath.related.fieldmap import FieldMap, build_map, extend_map, load_map, save_map
from paperpath.related.fieldmap_png import write_png
from paperpath.related.fieldmap_render import write_html
from paperpath.store.schema import paper_analysis, papers
from paperpath.vectors.index import VectorIndex

REBUILD_GROWTH = 0.2
Progress = Callable[[str, int, int], None]


def _paper_rows(engine: Engine, pks: np.ndarray) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    keys = [int(p) for p in pks]
    with engine.connect() as conn:
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            for r in conn.execute(
                    select(papers.c.pk, papers.c.key, papers.c.title, papers.c.abstract,
                           paper_analysis.c.key_terms)
                    .outerjoin(paper_analysis, paper_analysis.c.paper_pk == papers.c.pk)
                    .where(papers.c.pk.in_(chunk))):
                out[int(r.pk)] = dict(r._mapping)
    return out


def _key_terms(rows: list[dict[str, Any]], stats: Any) -> list[list[str]]:
    """Stored key terms, computed now for papers not analysed yet."""
    from paperpath.text.keyterms import key_terms_many

    missing = [i for i, r in enumerate(rows) if r["key_terms"] is None]
    if missing:
        found = key_terms_many([f"{rows[i]['title']}. {rows[i]['abstract']}" for i in missing],
                               k=10, stats=stats)
        for i, terms in zip(missing, found, strict=True):
            rows[i]["key_terms"] = terms
    return [list(r["key_terms"] or []) for r in rows]


def library_map(engine: Engine, index: VectorIndex, stats: Any = None, *,
                rebuild: bool = False, progress: Progress | None = None) -> FieldMap:
    """The map of every paper with a vector, up to date (built or extended as needed)."""
    if index.n == 0:
        raise ValueError("the library has no embedded papers to map")
    path = index.folder / "map.npz"
    rows_by_pk = _paper_rows(engine, index.pks)
    pks = [int(p) for p in index.pks if int(p) in rows_by_pk]
    key_of = {pk: rows_by_pk[pk]["key"] for pk in pks}
    current = [key_of[pk] for pk in pks]
    old: FieldMap | None = None
    if path.exists() and not rebuild:
        try:
            old = load_map(path)
        except (OSError, ValueError):
            old = None  # damaged: build a fresh one
    if old is not None and old.model == index.model:
        on_map = set(old.ids)
        new_pks = [pk for pk in pks if key_of[pk] not in on_map]
        gone = on_map - set(current)
        if not new_pks and not gone:
            return old
        if not gone and len(new_pks) <= REBUILD_GROWTH * len(old):
            pk_at = {key_of[pk]: pk for pk in pks}
            old_rows = index.rows_of([pk_at[k] for k in old.ids])
            new_rows = index.rows_of(new_pks)
            fmap = extend_map(old, index.vectors(old_rows, "doc"), [key_of[p] for p in new_pks],
                              index.vectors(new_rows, "doc"), model=index.model)
            save_map(fmap, path)
            return fmap
    rows = [rows_by_pk[pk] for pk in pks]
    if progress:
        progress("key terms", 0, len(rows))
    terms = _key_terms(rows, stats)
    vectors = index.vectors(index.rows_of(pks), "doc")
    fmap = build_map(current, vectors, terms, model=index.model, progress=progress)
    save_map(fmap, path)
    return fmap


def draw(engine: Engine, fmap: FieldMap, *, html: Path | None = None, png: Path | None = None,
         highlight: Mapping[str, str] | None = None, title: str = "Map of the field"
         ) -> list[Path]:
    """Write the interactive HTML and/or the PNG of a map; returns the files written."""
    written: list[Path] = []
    rows: dict[str, Any] = {}
    with engine.connect() as conn:
        for i in range(0, len(fmap.ids), 900):
            rows.update((r.key, r) for r in conn.execute(
                select(papers.c.key, papers.c.title, papers.c.arxiv_id, papers.c.doi,
                       papers.c.url).where(papers.c.key.in_(fmap.ids[i:i + 900]))))
    titles = [rows[k].title if k in rows else k for k in fmap.ids]
    urls = [abs_url(rows[k].arxiv_id, rows[k].doi, rows[k].url) if k in rows else None
            for k in fmap.ids]
    if html is not None:
        written.append(write_html(fmap, html, titles=titles, highlight=highlight, urls=urls,
                                  title=title))
    if png is not None:
        written.append(write_png(fmap, png, highlight=highlight, title=title))
    return written
