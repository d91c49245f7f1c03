"""Similar papers with reasons, and the two learner views built on them.

- `similar(paper, facet)`: papers related overall, or on one facet (background = the problem,
  method, result);
- `other_approaches(paper)`: same problem, different approach (similar background, dissimilar
  method), each shown with its method;
- `same_method_elsewhere(paper)`: the same method used on other problems (cross-pollination),
  each shown with the problem it attacks.
Candidates come from the vector index (whole papers and the asked facet), are scored by
`scoring.Scorer`, and every result says why it is there: the key terms both papers share and
the sentence of the other paper that matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, select

from paperpath.guide.analysis import ANALYSIS_VERSION
from paperpath.guide.terms import term_key
from paperpath.records import Paper
from paperpath.related.lexical import shared_top
from paperpath.related.scoring import Scorer, Weights, check_facet, fuse, weights_for
from paperpath.store.reader import papers_by_pk
from paperpath.store.schema import paper_analysis, papers
from paperpath.text.facets import facets
from paperpath.text.keyterms import key_terms
from paperpath.text.tokens import STOP_WORDS, stem, words
from paperpath.vectors.embedding import FACET_OF
from paperpath.vectors.index import VectorIndex

CANDIDATES = 200  # per source (whole paper, facet); reranked by the fused score
# The lexical signal reads and tokenizes each candidate's text: only the best candidates by
# the vector signals get it (the rest could not climb into the top 20 anyway).
LEXICAL_TOP = 100
TELLING_IDF = 2.5  # ln(1/0.08): a word in fewer than ~8% of papers
FACET_WORD = {"background": "problem", "method": "method", "result": "result"}


@dataclass
class RelatedPaper:
    paper: Paper
    score: float
    reason: str
    shared_terms: list[str] = field(default_factory=list)
    sentence: str | None = None  # the other paper's sentence that matches (or its approach)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.paper.id, "title": self.paper.title, "year": self.paper.year,
                "score": round(float(self.score), 4), "reason": self.reason,
                "shared_terms": self.shared_terms, "sentence": self.sentence,
                "url": self.paper.abs_url}


class RelatedFinder:
    def __init__(self, engine: Engine, index: VectorIndex, scorer: Scorer,
                 weights: dict[str | None, Weights] | None = None) -> None:
        self.engine = engine
        self.index = index
        self.scorer = scorer
        self.weights = weights or weights_for(index.model)

    # -- ranking ---------------------------------------------------------------------------
    def _query_vectors(self, pk: int, facet: str | None) -> tuple[np.ndarray, np.ndarray | None]:
        row = self.index.rows_of([pk])
        if row[0] < 0:
            raise LookupError("the paper has no vector yet: embed the library first")
        doc = self.index.vectors(row, "doc")[0]
        if facet is None:
            return doc, None
        vec = self.index.vectors(row, facet)[0]
        return doc, (vec if np.any(vec) else None)

    def candidates(self, pk: int, facet: str | None, k: int = CANDIDATES) -> list[int]:
        doc, fvec = self._query_vectors(pk, facet)
        found = list(self.index.search(doc, "doc", k, exclude=[pk]).pks)
        if fvec is not None:  # papers close on this facet, however different otherwise
            found += list(self.index.search(fvec, facet or "doc", k // 2, exclude=[pk]).pks)
        return list(dict.fromkeys(int(p) for p in found))

    def rank(self, pk: int, cand_pks: Sequence[int], facet: str | None = None,
             weights: Weights | None = None) -> list[tuple[int, float]]:
        """Candidates best first with their fused scores (also what bench/csfcube.py calls)."""
        facet = check_facet(facet)
        if not cand_pks:
            return []
        w = weights or self.weights[facet]
        with self.engine.connect() as conn:
            signals = self.scorer.signals(conn, pk, cand_pks, facet, lexical=False)
            keep = np.argsort(-fuse(signals, w), kind="stable")[:LEXICAL_TOP]
            signals["lexical"][keep] = self.scorer.lexical(conn, pk, [cand_pks[i] for i in keep])
        scores = fuse(signals, w)
        order = np.argsort(-scores, kind="stable")
        return [(int(cand_pks[i]), float(scores[i])) for i in order]

    # -- views -----------------------------------------------------------------------------
    def similar(self, paper: Paper, facet: str | None = None, limit: int = 20
                ) -> list[RelatedPaper]:
        facet = check_facet(facet)
        ranked = self.rank(paper.pk, self.candidates(paper.pk, facet), facet)[:limit]
        return self._explain(paper, ranked, facet, show=facet)

    def other_approaches(self, paper: Paper, limit: int = 10) -> list[RelatedPaper]:
        """Same problem, different approach: among the papers closest on the problem, those
        whose method is least like this one's rank first."""
        return self._contrast(paper, near="background", far="method", limit=limit)

    def same_method_elsewhere(self, paper: Paper, limit: int = 10) -> list[RelatedPaper]:
        """The same method on other problems: close on method, far on the problem."""
        return self._contrast(paper, near="method", far="background", limit=limit)

    def _contrast(self, paper: Paper, near: str, far: str, limit: int) -> list[RelatedPaper]:
        ranked = self.rank(paper.pk, self.candidates(paper.pk, near), near)[:max(50, 5 * limit)]
        if not ranked:
            return []
        pks = [pk for pk, _ in ranked]
        near_scores = np.array([s for _, s in ranked], dtype=np.float32)
        rows = self.index.rows_of(pks)
        qrow = self.index.rows_of([paper.pk])
        q_far = self.index.vectors(qrow, far)[0]
        far_sim = np.zeros(len(pks), dtype=np.float32)
        ok = rows >= 0
        if np.any(q_far) and ok.any():
            far_sim[ok] = self.index.vectors(rows[ok], far) @ q_far
        # Keep the closest half on `near`, then prefer the least similar on `far`.
        keep = near_scores >= np.median(near_scores)
        final = np.where(keep, near_scores - far_sim, -np.inf)
        order = [i for i in np.argsort(-final, kind="stable") if keep[i]][:limit]
        chosen = [(pks[i], float(near_scores[i])) for i in order]
        return self._explain(paper, chosen, near, show=far)

    # -- reasons ---------------------------------------------------------------------------
    def _telling(self, stem_: str) -> bool:
        """Whether a shared word says something: in under ~8% of the library's papers (so not
        "introduce", "outperforms", "two"). Without statistics every word passes."""
        stats = self.scorer.stats
        return stats is None or stats.n_docs < 50 or stats.idf(stem_) >= TELLING_IDF
    def _explain(self, paper: Paper, ranked: list[tuple[int, float]], facet: str | None,
                 show: str | None) -> list[RelatedPaper]:
        if not ranked:
            return []
        with self.engine.connect() as conn:
            found = papers_by_pk(conn, [pk for pk, _ in ranked])
            stored = _stored_analyses(conn, [paper.pk, *(pk for pk, _ in ranked)])
        # Only key terms are needed from this paper: stored, else extracted now (not the
        # whole analysis).
        mine = stored[paper.pk][0] if paper.pk in stored else key_terms(
            f"{paper.title}. {paper.abstract}", k=10, stats=self.scorer.stats)
        my_terms = {term_key(t): t for t in mine}
        with self.engine.connect() as conn:
            lex = self.scorer.lexical_vectors(conn, [paper.pk, *(pk for pk, _ in ranked)])
        surface = _surface_words(f"{paper.title}. {paper.abstract}")
        out = []
        for (pk, score), their_lex in zip(ranked, lex[1:], strict=True):
            other = found.get(pk)
            if other is None:
                continue
            # Stored analyses when current; otherwise only the facets (cheap) are worked out
            # now and the shared words come from the texts.
            their_terms, their_facets = stored.get(pk) or (
                [], facets(other.abstract) if show else [])
            shared = [my_terms[k] for k in dict.fromkeys(term_key(t) for t in their_terms)
                      if k in my_terms][:4]
            if len(shared) < 3:  # fall back on the words weighing most in both texts
                taken = {w for t in shared for w in t.lower().split()}
                shared += [surface[st] for st in shared_top(lex[0], their_lex, 12)
                           if st in surface and surface[st].lower() not in taken
                           and self._telling(st)][:3 - len(shared)]
            sentence = _facet_sentence(their_facets, show) if show else None
            out.append(RelatedPaper(other, score, _reason(facet, show, shared, sentence),
                                    shared, sentence))
        return out


def _surface_words(text: str) -> dict[str, str]:
    """Stem -> the word as first written in the text (to show shared stems as words)."""
    out: dict[str, str] = {}
    for w in words(text[:20_000]):
        if len(w) > 2 and w.lower() not in STOP_WORDS:
            out.setdefault(stem(w), w if w.isupper() else w.lower())
    return out


def _facet_sentence(labelled: Sequence[Sequence[str]], kind: str) -> str | None:
    sents = [s for s, lab in labelled if FACET_OF.get(lab) == kind]
    return sents[0] if sents else None


def _stored_analyses(conn: Connection, pks: Sequence[int]
                     ) -> dict[int, tuple[list[str], list[tuple[str, str]]]]:
    """(key terms, facets) of the papers whose stored analysis is current, in one query."""
    rows = conn.execute(
        select(paper_analysis.c.paper_pk, paper_analysis.c.key_terms, paper_analysis.c.facets)
        .join(papers, and_(papers.c.pk == paper_analysis.c.paper_pk,
                           papers.c.content_hash == paper_analysis.c.content_hash))
        .where(paper_analysis.c.version == ANALYSIS_VERSION)
        .where(paper_analysis.c.paper_pk.in_(list(pks))))
    return {int(pk): (list(terms or []), [(str(a), str(b)) for a, b in (facets_ or [])])
            for pk, terms, facets_ in rows}


def _reason(facet: str | None, show: str | None, shared: list[str], sentence: str | None) -> str:
    terms = ", ".join(f"'{t}'" for t in shared)
    if facet is None:
        head = f"shares {terms}" if terms else "close in content"
    elif show == facet:
        head = f"similar {FACET_WORD[facet]}" + (f"; shares {terms}" if terms else "")
    else:
        head = f"similar {FACET_WORD[facet]}, different {FACET_WORD[show or facet]}" \
            + (f"; shares {terms}" if terms else "")
    if sentence and show:
        return f"{head} — their {FACET_WORD[show]}: {sentence}"
    return head
