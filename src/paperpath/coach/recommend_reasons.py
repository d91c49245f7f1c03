"""Why a paper is recommended, in a sentence: "you liked 'X'; shares 'a', 'b' and 'c'" or
"matches your interest 'video generation'".

The liked paper named is the one closest to the result; what they share comes from the stored
key terms of both (`paper_analysis.key_terms`, matched by concept as `similar` does), then from
the rarest words and word pairs of both texts, a pair only where both texts write it as such
(so never "genome open" from "Visual Genome, Open Images").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection, Engine, and_, select

from paperpath.coach.recommend_corpus import Corpus
from paperpath.coach.recommend_lexical import LexicalMatrix, features
from paperpath.guide.analysis import ANALYSIS_VERSION
from paperpath.store.schema import paper_analysis, papers
from paperpath.vectors.embedding import paper_text

TITLE_CHARS = 80
SHOWN = 3



def _key(term: str) -> str:
    """A key term's identity for matching: lower-cased, a plural "s" off the last word.
    (`guide.terms.term_key` also unifies synonyms through the glossary and stems every
    word, at ~20 µs a term: too slow for the thousand key terms of a hundred results.)"""
    key = term.lower()
    return key[:-1] if key.endswith("s") and not key.endswith("ss") and len(key) > 3 else key


@dataclass
class Recommendation:
    id: str
    score: float
    reason: str
    pk: int = 0
    because: str | None = None  # the liked paper's id, or the keyword, that it is closest to
    shared_terms: list[str] = field(default_factory=list)

    def as_tuple(self) -> tuple[str, float, str]:
        return self.id, self.score, self.reason


def explain(engine: Engine, corpus: Corpus, chosen: np.ndarray, values: np.ndarray,
            word_of: list[str | None], paper_of: np.ndarray) -> list[Recommendation]:
    """Recommendations for ``chosen`` rows with scores ``values``; each is explained by its
    keyword (``word_of``) or else by the liked paper at row ``paper_of`` (-1: none)."""
    lex = corpus.lexical
    pks = [int(p) for p in corpus.pks[chosen]]
    liked_pks = sorted({int(corpus.pks[r]) for r in paper_of if r >= 0})
    with engine.connect() as conn:
        stored = _key_terms(conn, [*pks, *liked_pks])
        titles = dict(conn.execute(select(papers.c.pk, papers.c.title)
                                   .where(papers.c.pk.in_(liked_pks))).all()) \
            if liked_pks else {}
    out: list[Recommendation] = []
    pending: list[tuple[int, int, list[str]]] = []  # (result row, liked row, shared so far)
    for i, (row, pk) in enumerate(zip(chosen.tolist(), pks, strict=True)):
        score = round(float(values[i]), 4)
        word = word_of[i]
        if word is not None or paper_of[i] < 0:
            word = word or ""
            mine = features(word)
            shared = [t for t in _top_shared_rows(lex, row, None, 50) if t in mine][:SHOWN]
            out.append(Recommendation(corpus.keys[row], score,
                                      f"matches your interest '{word}'", pk, word, shared))
            continue
        lr = int(paper_of[i])
        lpk = int(corpus.pks[lr])
        shared = _shared_key_terms(stored.get(lpk, []), stored.get(pk, []))
        if len(shared) < SHOWN:
            pending.append((row, lr, shared))
        title = _short(titles.get(lpk) or corpus.keys[lr])
        out.append(Recommendation(corpus.keys[row], score, f"you liked '{title}'", pk,
                                  corpus.keys[lr], shared))
    if pending:  # fewer than three shared key terms: add shared words, checked in the texts
        texts = _texts(engine, {int(corpus.pks[r]) for row, lr, _ in pending
                                for r in (row, lr)})
        for row, lr, shared in pending:
            a = texts.get(int(corpus.pks[lr]), " ")
            b = texts.get(int(corpus.pks[row]), " ")
            taken = {w for t in shared for w in t.lower().split()}
            for term in _top_shared_rows(lex, lr, row, 12):
                if len(shared) >= SHOWN:
                    break
                parts = term.split()
                if all(p in taken for p in parts) or not lex.telling(term):
                    continue
                if len(parts) > 1 and not (_written(term, a) and _written(term, b)):
                    continue
                shared.append(term)
                taken.update(parts)
    for rec in out:
        if rec.because is not None and not rec.reason.startswith("matches"):
            rec.reason += f"; shares {_join(rec.shared_terms)}" if rec.shared_terms \
                else "; close in content"
    return out


def _key_terms(conn: Connection, pks: list[int]) -> dict[int, list[str]]:
    """Stored key terms of the papers whose analysis is current (as
    `related.similar._stored_analyses`, without decoding the facets: a third of the time
    of a request's reasons)."""
    rows = conn.execute(
        select(paper_analysis.c.paper_pk, paper_analysis.c.key_terms)
        .join(papers, and_(papers.c.pk == paper_analysis.c.paper_pk,
                           papers.c.content_hash == paper_analysis.c.content_hash))
        .where(paper_analysis.c.version == ANALYSIS_VERSION)
        .where(paper_analysis.c.paper_pk.in_(pks)))
    return {int(pk): list(terms or []) for pk, terms in rows}


def _shared_key_terms(mine: list[str], theirs: list[str]) -> list[str]:
    keys = {_key(t): t for t in mine}
    return [keys[k] for k in dict.fromkeys(_key(t) for t in theirs) if k in keys][:SHOWN]


def _top_shared_rows(lex: LexicalMatrix, a: int, b: int | None, n: int) -> list[str]:
    """The features weighing most in both rows (in row ``a`` alone when ``b`` is None).
    Works on the sparse rows directly: cheaper than `related.lexical.shared_top`'s dicts
    for the hundred results of a request."""
    rows = lex.rows
    ia, va = rows.indices[rows.indptr[a]:rows.indptr[a + 1]], \
        rows.data[rows.indptr[a]:rows.indptr[a + 1]]
    if b is None:
        common, weight = ia, va
    else:
        ib, vb = rows.indices[rows.indptr[b]:rows.indptr[b + 1]], \
            rows.data[rows.indptr[b]:rows.indptr[b + 1]]
        common, xa, xb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
        weight = va[xa] * vb[xb]
    order = np.argsort(-weight, kind="stable")[:n]
    return [lex.terms[int(common[k])] for k in order]


def _written(term: str, text: str) -> bool:
    """Whether a word pair stands in the (lower-cased) text as written: not across a comma,
    a stop word or a hyphen, nor inside a longer word."""
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_"):
            return True
        start = text.find(term, start + 1)
    return False


def _texts(engine: Engine, pks: set[int]) -> dict[int, str]:
    with engine.connect() as conn:
        return {int(pk): paper_text(t, a).lower() for pk, t, a in conn.execute(
            select(papers.c.pk, papers.c.title, papers.c.abstract)
            .where(papers.c.pk.in_(sorted(pks))))}


def _join(terms: list[str]) -> str:
    quoted = [f"'{t}'" for t in terms]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1].rstrip() + "…"
