"""The lexical side of recommendations: a sparse matrix of every paper's words and word pairs.

Features are the words and adjacent-word pairs of title + abstract (lower-cased, accents
stripped, English stop words out, as arxiv-sanity-lite tokenizes), weighted by IDF squared,
binary term frequency, rows of unit length. Pairs and the squared IDF make the rare, specific
vocabulary of a paper ("prosthetic vision", a dataset's name) count most: on the time-split
benchmark (bench/recommend.py) this beat the library's noun-stem TF-IDF
(`related.lexical`) by half and plain IDF by ~10%. Author names are never read.

Building it for 75k papers takes ~30 s, so the matrix is saved beside the library
(``<db>-recommend/lexical.npz``); afterwards only new or changed papers (by content hash) are
tokenized, against the saved vocabulary, until the library has grown or shrunk by a fifth and
the vocabulary and IDF are rebuilt. Building holds every distinct feature of the library in a
dict for a moment (1.8 GB peak RSS at 75k papers; the saved file is 79 MB).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, strip_accents_unicode
from sqlalchemy import Engine, select

from paperpath.store.schema import papers
from paperpath.vectors.embedding import paper_text

FORMAT = 3
REBUILD_GROWTH = 0.2
MAX_DF = 0.5  # a feature in over half the papers separates nothing (kept in tiny libraries)
IDF_POWER = 2.0
_CHUNK = 900  # keys per IN (...) list: under SQLite's variable limit
_TOKEN = re.compile(r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b")  # arxiv-sanity-lite's token pattern
_STOP = frozenset(ENGLISH_STOP_WORDS)
MAX_CHARS = 20_000
TELLING = 0.08  # a shared feature in more papers than this share is too common to show


def features(text: str) -> set[str]:
    """The lexical features of a text: its words and adjacent-word pairs (after stop words go,
    as scikit-learn forms n-grams)."""
    toks = [t for t in _TOKEN.findall(strip_accents_unicode(text[:MAX_CHARS].lower()))
            if t not in _STOP]
    return {*toks, *(f"{a} {b}" for a, b in pairwise(toks))}


@dataclass
class LexicalMatrix:
    """Unit-length rows over ``terms`` (column j is ``terms[j]``), weighted by ``weight``."""

    rows: sp.csr_matrix
    terms: list[str]
    df: np.ndarray       # document frequency at build time
    n_built: int         # papers the vocabulary and IDF were built from
    vocab: dict[str, int] = field(default_factory=dict)
    _csc: sp.csc_matrix | None = None
    _telling: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not self.vocab:
            self.vocab = {t: j for j, t in enumerate(self.terms)}
        n = max(self.n_built, 1)
        self.weight = ((np.log((1 + n) / (1 + self.df)) + 1) ** IDF_POWER).astype(np.float32)

    @property
    def csc(self) -> sp.csc_matrix:
        # Column slices (the papers holding a reader's words) are what a request reads.
        if self._csc is None:
            self._csc = self.rows.tocsc()
        return self._csc

    def encode(self, texts: list[str]) -> sp.csr_matrix:
        """Unit-length rows for texts over this vocabulary (unknown features are dropped: no
        paper could share them)."""
        return _rows([[j for f in features(t) if (j := self.vocab.get(f)) is not None]
                      for t in texts], self.weight, len(self.terms))

    @property
    def telling_mask(self) -> np.ndarray:
        """Which features say something when two papers share them: those in under ~8% of
        the papers (so not "model" or "results"); in a tiny library all."""
        if self._telling is None:
            self._telling = self.df < TELLING * self.n_built if self.n_built >= 50 \
                else np.ones(len(self.terms), dtype=bool)
        return self._telling


def _rows(cols: list[list[int]], weight: np.ndarray, n_terms: int) -> sp.csr_matrix:
    indptr = np.zeros(len(cols) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(c) for c in cols])
    indices = np.fromiter((j for c in cols for j in c), dtype=np.int32, count=int(indptr[-1]))
    data = weight[indices] if len(indices) else np.zeros(0, dtype=np.float32)
    mat = sp.csr_matrix((data, indices, indptr), shape=(len(cols), n_terms))
    norms = np.sqrt(np.asarray(mat.multiply(mat).sum(axis=1)).ravel())
    mat = sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
                   .astype(np.float32)) @ mat
    mat = sp.csr_matrix(mat, dtype=np.float32)
    mat.sort_indices()
    return mat


def _texts(engine: Engine, pks: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(pks), _CHUNK):
            for pk, title, abstract in conn.execute(
                    select(papers.c.pk, papers.c.title, papers.c.abstract)
                    .where(papers.c.pk.in_(pks[i:i + _CHUNK]))):
                out[int(pk)] = paper_text(title, abstract)
    return out


Rows = tuple[np.ndarray, list[str], "LexicalMatrix"]  # paper keys, content hashes, matrix


def lexical_matrix(engine: Engine, pks: np.ndarray, hashes: list[str], folder: Path | None,
                   previous: Rows | None = None, library: str = "") -> LexicalMatrix:
    """The matrix for papers ``pks`` (rows in that order) whose texts have content
    ``hashes``: rows of ``previous`` or of the matrix saved in ``folder`` (for the library
    with id ``library``) are reused while the paper's hash is unchanged; the rest are
    tokenized now."""
    old = previous if previous is not None else \
        _read(folder, library) if folder is not None else None
    n = len(pks)
    if old is None or abs(n - old[2].n_built) > REBUILD_GROWTH * max(old[2].n_built, 1):
        lex = _build(engine, pks)
    else:
        lex = _update(engine, pks, hashes, *old)
        if lex is old[2]:
            return lex  # nothing changed: nothing to save
    if folder is not None:
        _write(folder, pks, hashes, lex, library)
    return lex


def _build(engine: Engine, pks: np.ndarray) -> LexicalMatrix:
    """Vocabulary, document frequencies and rows from scratch."""
    vocab: dict[str, int] = {}
    cols: list[list[int]] = []
    pk_list = pks.tolist()
    for i in range(0, len(pk_list), 5000):
        chunk = pk_list[i:i + 5000]
        texts = _texts(engine, chunk)
        for pk in chunk:
            cols.append([vocab.setdefault(f, len(vocab)) for f in features(texts.get(pk, ""))])
    n = len(cols)
    df = np.bincount(np.fromiter((j for c in cols for j in c), dtype=np.int64),
                     minlength=len(vocab)) if vocab else np.zeros(0, dtype=np.int64)
    # Features of one paper can match no other; those in most papers separate nothing.
    keep = df >= 2
    if n >= 100:
        keep &= df <= MAX_DF * n
    new_id = np.full(len(vocab), -1, dtype=np.int64)
    new_id[keep] = np.arange(int(keep.sum()))
    terms = [""] * int(keep.sum())
    for term, j in vocab.items():
        if keep[j]:
            terms[new_id[j]] = term
    del vocab
    kept_df = df[keep].astype(np.float32)
    lex = LexicalMatrix(sp.csr_matrix((0, len(terms)), dtype=np.float32), terms, kept_df, n)
    lex.rows = _rows([[int(new_id[j]) for j in c if new_id[j] >= 0] for c in cols],
                     lex.weight, len(terms))
    return lex


def _update(engine: Engine, pks: np.ndarray, hashes: list[str], old_pks: np.ndarray,
            old_hashes: list[str], lex: LexicalMatrix) -> LexicalMatrix:
    """Rows of unchanged papers reused; new or changed papers encoded with the old vocabulary."""
    where = {pk: (i, h) for i, (pk, h) in enumerate(zip(old_pks.tolist(), old_hashes,
                                                        strict=True))}
    src = np.full(len(pks), -1, dtype=np.int64)
    for row, (pk, h) in enumerate(zip(pks.tolist(), hashes, strict=True)):
        hit = where.get(pk)
        if hit is not None and hit[1] == h:
            src[row] = hit[0]
    todo = np.flatnonzero(src < 0)
    if not len(todo) and len(pks) == len(old_pks) and np.array_equal(src, np.arange(len(pks))):
        return lex
    texts = _texts(engine, [int(pks[r]) for r in todo])
    fresh = lex.encode([texts.get(int(pks[r]), "") for r in todo])
    stacked = sp.vstack([lex.rows[src[src >= 0]], fresh], format="csr")
    order = np.concatenate([np.flatnonzero(src >= 0), todo])
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    rows = sp.csr_matrix(stacked[inverse], dtype=np.float32)
    rows.sort_indices()
    return LexicalMatrix(rows, lex.terms, lex.df, lex.n_built, lex.vocab)


def _read(folder: Path, library: str) -> Rows | None:
    try:
        meta = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("library", "") != library:
            return None
        with np.load(folder / "lexical.npz", allow_pickle=False) as z:
            pks, df, indices, indptr = z["pks"], z["df"], z["indices"], z["indptr"]
            scale, terms_utf8, hashes_utf8 = z["scale"], z["terms"], z["hashes"]
        terms = _unjoin(terms_utf8, len(df))
        hashes = _unjoin(hashes_utf8, len(pks))
        if meta.get("n") != len(pks) or len(indptr) != len(pks) + 1 or len(scale) != len(pks):
            return None
        lex = LexicalMatrix(sp.csr_matrix((0, len(terms)), dtype=np.float32), terms, df,
                            int(meta["n_built"]))
        # The weights are not stored: each row's are the features' weights times its scale.
        data = lex.weight[indices] * np.repeat(scale, np.diff(indptr))
        lex.rows = sp.csr_matrix((data, indices, indptr), shape=(len(pks), len(terms)))
        return pks, hashes, lex
    except (OSError, ValueError, KeyError, IndexError):
        return None  # missing or unreadable: tokenize again


def _unjoin(utf8: np.ndarray, n: int) -> list[str]:
    items = utf8.tobytes().decode("utf-8").split("\n") if n else []
    if len(items) != n:
        raise ValueError("cache truncated")
    return items


def _write(folder: Path, pks: np.ndarray, hashes: list[str], lex: LexicalMatrix,
           library: str) -> None:
    rows = lex.rows
    first = rows.data[rows.indptr[:-1].clip(max=max(len(rows.data) - 1, 0))] \
        if len(rows.data) else np.zeros(len(pks), dtype=np.float32)
    head = lex.weight[rows.indices[rows.indptr[:-1].clip(max=max(len(rows.indices) - 1, 0))]] \
        if len(rows.indices) else np.ones(len(pks), dtype=np.float32)
    scale = np.where(np.diff(rows.indptr) > 0, first / head, 0).astype(np.float32)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lexical.json").unlink(missing_ok=True)  # no stale meta beside a new file
        tmp = folder / f"lexical.{os.getpid()}.tmp.npz"  # two processes never share a file
        np.savez(tmp, pks=pks, indices=rows.indices.astype(np.int32), indptr=rows.indptr,
                 scale=scale, df=lex.df,
                 terms=np.frombuffer("\n".join(lex.terms).encode("utf-8"), dtype=np.uint8),
                 hashes=np.frombuffer("\n".join(hashes).encode("utf-8"), dtype=np.uint8))
        os.replace(tmp, folder / "lexical.npz")
        meta = {"format": FORMAT, "library": library, "n": len(pks), "n_built": lex.n_built,
                "n_terms": len(lex.terms), "idf": f"ln((1+n)/(1+df))+1, power {IDF_POWER}"}
        (folder / "lexical.json").write_text(json.dumps(meta), encoding="utf-8")
    except OSError:
        pass  # a cache: failing to save only costs the next start its tokenizing
