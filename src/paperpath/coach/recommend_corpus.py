"""The in-memory view of a library that recommendations rank: one row per paper of the vector
index, with the ids a person may type, primary categories, dates and the lexical matrix
(`recommend_lexical`).

Ranking tens of thousands of candidates in a few milliseconds needs whole-library arrays, not
per-paper queries: the dense vectors come from the vector index (`VectorIndex.matrix`), the
rest from here, read once per library change (~0.3 s at 75k papers). Author names are never
read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import orjson
from sqlalchemy import Connection, Engine, Text, and_, select, type_coerce

from paperpath.coach.recommend_lexical import LexicalMatrix, lexical_matrix
from paperpath.guide.analysis import ANALYSIS_VERSION
from paperpath.ids import InvalidIdError, normalize_doi, parse_arxiv_id
from paperpath.store.schema import paper_analysis, papers


@dataclass
class Corpus:
    """Rows aligned with the vector index (`VectorIndex.pks`, ascending paper keys)."""

    pks: np.ndarray            # int64
    keys: list[str]            # public ids (`Paper.id`)
    hashes: list[str]          # content hashes: which lexical rows are still current
    by_id: dict[str, int]      # public id, arXiv id and DOI -> row
    primary: np.ndarray        # int32 code of the primary category, -1 if none
    category_names: list[str]
    day: np.ndarray            # int32 date ordinal (published, else updated), 0 if unknown
    lexical: LexicalMatrix
    token: tuple[object, ...] = ()  # what the corpus was built from (index version, rev)
    # Recently resolved candidate lists (a coach asks about the same week's papers often).
    pools: dict[tuple[int, int], tuple[tuple[str, ...], np.ndarray]] = field(
        default_factory=dict)
    same_trick: float | None = None  # vector cosine that counts as "the same trick"
    # Stored key terms by paper key, for the reasons (~50 MB at 75k papers, read in 0.6 s;
    # a hundred results' terms from the database cost a quarter of a request).
    key_terms: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # (vector matrix, sample rows, their vectors): see `Recommender._sample`.
    sample: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return int(self.pks.shape[0])

    def row_of(self, ident: str) -> int | None:
        """Row of a paper by public id, arXiv id (any version or URL) or DOI; None if absent."""
        text = ident.strip()
        row = self.by_id.get(text)
        if row is not None:
            return row
        try:
            arxiv, _version = parse_arxiv_id(text)
            return self.by_id.get(arxiv)
        except InvalidIdError:
            pass
        doi = normalize_doi(text) if _looks_like_doi(text) else None
        return self.by_id.get(f"doi:{doi}") if doi else None

    def split(self, items: Sequence[str]) -> tuple[list[int], list[str], list[str]]:
        """(paper rows, keywords, id-shaped strings the library lacks), in order, deduped."""
        rows: list[int] = []
        words: list[str] = []
        unknown: list[str] = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            row = self.row_of(text)
            if row is not None:
                rows.append(row)
            elif looks_like_id(text):
                unknown.append(text)
            else:
                words.append(text)
        return list(dict.fromkeys(rows)), list(dict.fromkeys(words)), unknown

    def resolve(self, candidates: Iterable[str] | None) -> np.ndarray | None:
        """Rows of the candidate ids (None: all). Unknown ids are ignored unless none is
        known: then a ValueError names up to five of them."""
        if candidates is None:
            return None
        wanted = tuple(candidates)
        key = (len(wanted), hash(wanted))
        hit = self.pools.get(key)
        if hit is not None and hit[0] == wanted:  # the same list as a recent request
            return hit[1]
        get = self.by_id.get  # exact ids first: one dict lookup each
        rows = [r if (r := get(c)) is not None else self.row_of(str(c)) for c in wanted]
        found = np.fromiter((r for r in rows if r is not None), dtype=np.int64)
        if wanted and not len(found):
            shown = ", ".join(repr(c) for c in wanted[:5])
            raise ValueError(f"none of the {len(wanted)} candidates is a paper of this "
                             f"library: {shown}" + (" ..." if len(wanted) > 5 else ""))
        if len(self.pools) >= 4:
            self.pools.pop(next(iter(self.pools)))
        self.pools[key] = (wanted, found)
        return found


def looks_like_id(text: str) -> bool:
    """Whether a string names a paper (arXiv id or URL, DOI) rather than a topic."""
    try:
        parse_arxiv_id(text.strip())
        return True
    except InvalidIdError:
        return _looks_like_doi(text.strip())


def _looks_like_doi(text: str) -> bool:
    return text.lower().startswith(("doi:", "10.", "https://doi.org/", "http://doi.org/",
                                    "http://dx.doi.org/", "https://dx.doi.org/"))


def _day(value: object) -> int:
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10]).toordinal()
        except ValueError:
            return 0
    return 0


def load_corpus(engine: Engine, pks: np.ndarray, folder: Path | None,
                token: tuple[object, ...] = (), previous: Corpus | None = None,
                library: str = "") -> Corpus:
    """The corpus for the index rows ``pks``. Lexical rows come from ``previous`` or the
    matrix saved in ``folder`` when the paper's content hash is unchanged, else are computed
    now; ``library`` (the library's id) keeps another library's saved matrix out."""
    pks = np.asarray(pks, dtype=np.int64)
    meta: dict[int, tuple[str, str | None, str | None, str, str, int]] = {}
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=5000).execute(
            select(papers.c.pk, papers.c.key, papers.c.arxiv_id, papers.c.doi,
                   papers.c.primary_category, papers.c.content_hash, papers.c.published,
                   papers.c.updated))
        for pk, key, arxiv, doi, cat, chash, published, updated in result:
            meta[int(pk)] = (key, arxiv, doi, cat or "", chash, _day(published or updated))
    keep = np.fromiter((int(p) in meta for p in pks), dtype=bool, count=len(pks))
    pks = pks[keep]  # an index row whose paper was deleted since: not recommendable
    n = len(pks)
    keys: list[str] = []
    hashes: list[str] = []
    by_id: dict[str, int] = {}
    cat_code: dict[str, int] = {}
    primary = np.full(n, -1, dtype=np.int32)
    day = np.zeros(n, dtype=np.int32)
    for row, pk in enumerate(pks.tolist()):
        key, arxiv, doi, cat, chash, d = meta[pk]
        keys.append(key)
        hashes.append(chash)
        by_id[key] = row
        if arxiv:
            by_id.setdefault(arxiv, row)
        if doi:
            by_id.setdefault(f"doi:{doi}", row)
            by_id.setdefault(doi, row)
        if cat:
            primary[row] = cat_code.setdefault(cat, len(cat_code))
        day[row] = d
    lexical = lexical_matrix(engine, pks, hashes, folder, None if previous is None else
                             (previous.pks, previous.hashes, previous.lexical), library)
    corpus = Corpus(pks, keys, hashes, by_id, primary, list(cat_code), day, lexical, token)
    corpus.key_terms = _key_terms(engine, pks, hashes, previous)
    return corpus


def stored_key_terms(conn: Connection, pks: Sequence[int] | None = None
                     ) -> dict[int, tuple[str, ...]]:
    """Key terms of the papers (all when None) whose stored analysis is current."""
    stmt = (select(paper_analysis.c.paper_pk, type_coerce(paper_analysis.c.key_terms, Text))
            .join(papers, and_(papers.c.pk == paper_analysis.c.paper_pk,
                               papers.c.content_hash == paper_analysis.c.content_hash))
            .where(paper_analysis.c.version == ANALYSIS_VERSION))
    out: dict[int, tuple[str, ...]] = {}
    chunks = [None] if pks is None else [list(pks[i:i + 900]) for i in range(0, len(pks), 900)]
    for chunk in chunks:
        part = stmt if chunk is None else stmt.where(paper_analysis.c.paper_pk.in_(chunk))
        # The JSON as text, decoded by orjson: a third faster than the JSON column type.
        out.update((int(pk), tuple(orjson.loads(text) or ())) for pk, text in
                   conn.execute(part) if text)
    return out


def _key_terms(engine: Engine, pks: np.ndarray, hashes: list[str], previous: Corpus | None
               ) -> dict[int, tuple[str, ...]]:
    """Everyone's key terms: those of unchanged papers kept from ``previous``, the rest read."""
    kept: dict[int, tuple[str, ...]] = {}
    if previous is not None:
        old = dict(zip(previous.pks.tolist(), previous.hashes, strict=True))
        kept = {pk: terms for pk, terms in previous.key_terms.items() if pk in old}
        same = {pk for pk, h in zip(pks.tolist(), hashes, strict=True) if old.get(pk) == h}
        kept = {pk: terms for pk, terms in kept.items() if pk in same}
        todo = [pk for pk in pks.tolist() if pk not in same]
    with engine.connect() as conn:
        if previous is None or len(todo) > 5000:
            return {**stored_key_terms(conn), **kept}
        return {**kept, **stored_key_terms(conn, todo)}
