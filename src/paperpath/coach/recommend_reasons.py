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
from sqlalchemy import Engine, select

from paperpath.coach.recommend_corpus import Corpus, stored_key_terms
from paperpath.coach.recommend_lexical import LexicalMatrix, features
from paperpath.store.schema import papers
from paperpath.vectors.embedding import paper_text

TITLE_CHARS = 80
SHOWN = 3


def _lookup(terms: tuple[str, ...]) -> dict[str, str]:
    """A liked paper's key terms by lower-cased form, in the singular and plural too, so the
    thousand terms of a hundred results match by ``str.lower`` alone. (`guide.terms.term_key`
    also unifies synonyms through the glossary and stems every word, at ~20 µs a term: too
    slow here.)"""
    out: dict[str, str] = {}
    for term in terms:
        key = term.lower()
        out.setdefault(key, term)
        if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
            out.setdefault(key[:-1], term)
        else:
            out.setdefault(key + "s", term)
    return out


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
    known = corpus.key_terms
    with engine.connect() as conn:
        # Papers analysed since the corpus was read (absent from it): ask the database.
        late = [pk for pk in [*pks, *liked_pks] if pk not in known]
        stored = {pk: known[pk] for pk in [*pks, *liked_pks] if pk in known}
        if late:
            stored.update(stored_key_terms(conn, late))
        titles = dict(conn.execute(select(papers.c.pk, papers.c.title)
                                   .where(papers.c.pk.in_(liked_pks))).all()) \
            if liked_pks else {}
    out: list[Recommendation] = []
    pending: list[tuple[int, int, list[str]]] = []  # (result row, liked row, shared so far)
    liked_keys: dict[int, dict[str, str]] = {}
    word_ids: dict[str, set[int]] = {}
    for i, (row, pk) in enumerate(zip(chosen.tolist(), pks, strict=True)):
        score = round(float(values[i]), 4)
        word = word_of[i]
        if word is not None or paper_of[i] < 0:
            word = word or ""
            if word not in word_ids:
                word_ids[word] = {j for f in features(word)
                                  if (j := lex.vocab.get(f)) is not None}
            shared = [lex.terms[j] for j in _ranked_features(lex, row)
                      if j in word_ids[word]][:SHOWN]
            out.append(Recommendation(corpus.keys[row], score,
                                      f"matches your interest '{word}'", pk, word, shared))
            continue
        lr = int(paper_of[i])
        lpk = int(corpus.pks[lr])
        if lpk not in liked_keys:
            liked_keys[lpk] = _lookup(stored.get(lpk, ()))
        keys = liked_keys[lpk]
        shared = list(dict.fromkeys(keys[k] for k in map(str.lower, stored.get(pk, ()))
                                    if k in keys))[:SHOWN]
        if len(shared) < SHOWN:
            pending.append((row, lr, shared))
        title = _short(titles.get(lpk) or corpus.keys[lr])
        out.append(Recommendation(corpus.keys[row], score, f"you liked '{title}'", pk,
                                  corpus.keys[lr], shared))
    if pending:  # fewer than three shared key terms: add shared words, checked in the texts
        _add_shared_words(engine, corpus, pending)
    for rec in out:
        if rec.because is not None and not rec.reason.startswith("matches"):
            rec.reason += f"; shares {_join(rec.shared_terms)}" if rec.shared_terms \
                else "; close in content"
    return out


def _add_shared_words(engine: Engine, corpus: Corpus,
                      pending: list[tuple[int, int, list[str]]]) -> None:
    """Fill each (result row, liked row, shared) up to three with the features weighing most
    in both rows: rare words, and word pairs both texts write as such."""
    lex = corpus.lexical
    texts = _texts(engine, {int(corpus.pks[r]) for row, lr, _ in pending for r in (row, lr)})
    # One sparse product for all pairs: nonzero exactly where both rows hold a feature.
    both = lex.rows[[row for row, _, _ in pending]].multiply(lex.rows[[lr for _, lr, _ in
                                                                        pending]]).tocsr()
    telling = lex.telling_mask
    for i, (row, lr, shared) in enumerate(pending):
        lo, hi = both.indptr[i], both.indptr[i + 1]
        idx, weight = both.indices[lo:hi], both.data[lo:hi]
        ok = telling[idx]
        idx, weight = idx[ok], weight[ok]
        a = texts.get(int(corpus.pks[lr]), " ")
        b = texts.get(int(corpus.pks[row]), " ")
        taken = {w for t in shared for w in t.lower().split()}
        for j in idx[np.argsort(-weight, kind="stable")[:12]].tolist():
            if len(shared) >= SHOWN:
                break
            term = lex.terms[j]
            parts = term.split()
            if all(p in taken for p in parts):
                continue
            if len(parts) > 1 and not (_written(term, a) and _written(term, b)):
                continue
            shared.append(term)
            taken.update(parts)


def _ranked_features(lex: LexicalMatrix, row: int) -> list[int]:
    """A row's feature columns, heaviest (rarest) first."""
    lo, hi = lex.rows.indptr[row], lex.rows.indptr[row + 1]
    order = np.argsort(-lex.rows.data[lo:hi], kind="stable")
    return [int(j) for j in lex.rows.indices[lo:hi][order]]


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
