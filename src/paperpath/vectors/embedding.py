"""Embed every paper that lacks a current vector: the whole paper and each facet's sentences.

Batches are written in their own transactions, so an interrupted run keeps its work and the
next one continues; a paper is embedded again only when its text (content hash) changes, and
each model keeps its own vectors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine

from paperpath.embed.base import Embedder
from paperpath.embed.static import StaticEmbedder
from paperpath.store.db import write_tx
from paperpath.store.vector_store import (
    KINDS,
    count_unembedded,
    papers_rev,
    save_vectors,
    set_state,
    unembedded,
)
from paperpath.text.facets import facets as classify_facets

# Our facet labels -> the facet vector they feed ("problem" is what CSFCube calls background).
FACET_OF = {"problem": "background", "method": "method", "result": "result"}
FACET_KINDS = ("background", "method", "result")

ProgressFn = Callable[[int, int], None]


@dataclass
class EmbedReport:
    model: str
    embedded: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


def paper_text(title: str, abstract: str) -> str:
    title = (title or "").strip()
    abstract = (abstract or "").strip()
    return f"{title}. {abstract}" if title and abstract else title or abstract


def labelled_sentences(abstract: str, labelled: Sequence[Sequence[str]] | None = None
                       ) -> list[tuple[str, str | None]]:
    """Each sentence of the abstract with the facet vector it feeds (None for "other")."""
    pairs = labelled if labelled is not None else classify_facets(abstract or "")
    return [(str(sentence), FACET_OF.get(str(label))) for sentence, label in pairs]


def facet_texts(abstract: str, labelled: Sequence[Sequence[str]] | None = None
                ) -> dict[str, str]:
    """The abstract's sentences joined per facet (background / method / result)."""
    parts: dict[str, list[str]] = {k: [] for k in FACET_KINDS}
    for sentence, kind in labelled_sentences(abstract, labelled):
        if kind:
            parts[kind].append(sentence)
    return {k: " ".join(v) for k, v in parts.items()}


Vectors = dict[str, np.ndarray | None]


def embed_papers(embedder: Embedder, rows: Sequence[dict[str, Any]]) -> list[Vectors]:
    """Vectors of each paper row (title, abstract, optional stored facets) in one batch."""
    if isinstance(embedder, StaticEmbedder):
        return _embed_static(embedder, rows)
    texts: list[str] = []
    slots: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        texts.append(paper_text(row.get("title", ""), row.get("abstract", "")))
        slots.append((i, "doc"))
        if (row.get("title") or "").strip():
            texts.append(row["title"].strip())
            slots.append((i, "title"))
        for kind, text in facet_texts(row.get("abstract", ""), row.get("facets")).items():
            if text:
                texts.append(text)
                slots.append((i, kind))
    return _collect(len(rows), slots, embedder.embed(texts))


def _embed_static(embedder: StaticEmbedder, rows: Sequence[dict[str, Any]]) -> list[Vectors]:
    """The static model sums token vectors, so each sentence is tokenized once and its ids
    feed both the whole-paper vector and its facet's vector."""
    id_lists: list[list[int]] = []
    slots: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        abstract = row.get("abstract") or ""
        title = (row.get("title") or "").strip()
        title_ids = embedder.token_ids([title])[0] if title else []
        doc = list(title_ids)
        parts: dict[str, list[int]] = {}
        sentences = labelled_sentences(abstract, row.get("facets"))
        ids_of = embedder.token_ids([s for s, _ in sentences])
        for (_, kind), ids in zip(sentences, ids_of, strict=True):
            doc.extend(ids)
            if kind:
                parts.setdefault(kind, []).extend(ids)
        if not sentences and abstract.strip():  # unsplittable text: still part of the paper
            doc.extend(embedder.token_ids([abstract])[0])
        id_lists.append(doc)
        slots.append((i, "doc"))
        if title_ids:
            id_lists.append(title_ids)
            slots.append((i, "title"))
        for kind, ids in parts.items():
            id_lists.append(ids)
            slots.append((i, kind))
    return _collect(len(rows), slots, embedder.pool(id_lists))


def _collect(n: int, slots: list[tuple[int, str]], vecs: np.ndarray) -> list[Vectors]:
    out: list[Vectors] = [dict.fromkeys(KINDS) for _ in range(n)]
    for (i, kind), vec in zip(slots, vecs, strict=True):
        out[i][kind] = vec if np.any(vec) else None
    return out


def embed_library(engine: Engine, embedder: Embedder, *, progress: ProgressFn | None = None,
                  batch: int = 1000) -> EmbedReport:
    """Embed every paper without a current vector for this embedder."""
    with engine.connect() as conn:
        total = count_unembedded(conn, embedder.name)
        rev = papers_rev(conn)  # papers written later are caught by the next pass
    started = time.perf_counter()
    done = 0
    after = 0
    if progress:
        progress(0, total)
    while True:
        with engine.connect() as conn:
            rows = unembedded(conn, embedder.name, after, batch)
        if not rows:
            with write_tx(engine) as conn:
                set_state(conn, embedder.name, rev=rev, dim=embedder.dim)
            break
        after = rows[-1]["pk"]
        vecs = embed_papers(embedder, rows)
        with write_tx(engine) as conn:
            save_vectors(conn, embedder.name, embedder.dim,
                         [(r["pk"], r["content_hash"], v) for r, v in zip(rows, vecs, strict=True)])
        done += len(rows)
        if progress:
            progress(done, total)
    return EmbedReport(embedder.name, done, time.perf_counter() - started)
