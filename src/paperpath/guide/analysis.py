"""Per-paper analysis that the reading guide and later the coach read: key terms, TLDR,
facets and difficulty — computed from title and abstract, cheap enough for a whole library.

`analyze` does one paper; `analyze_many` gives the same results for many, faster: each model
runs over the whole batch in turn (a model's code and tables stay in the CPU caches, about a
third faster than paper after paper), key terms share numpy passes (`key_terms_many`), and
the LaTeX-stripped abstract and its sentences are computed once for TLDR, facets and mined
definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperpath.guide.difficulty import Difficulty, estimate_difficulty
from paperpath.guide.terms import prerequisite_depth, resolve_entry
from paperpath.text.definitions import MAX_CHARS as DEFINITIONS_MAX_CHARS
from paperpath.text.definitions import find_acronyms, mine_prepared
from paperpath.text.facets import MAX_CHARS as FACETS_MAX_CHARS
from paperpath.text.facets import facets as label_facets
from paperpath.text.facets import facets_prepared
from paperpath.text.keyterms import key_terms as extract_key_terms
from paperpath.text.keyterms import key_terms_many
from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences
from paperpath.text.tldr import MAX_CHARS as TLDR_MAX_CHARS
from paperpath.text.tldr import tldr as make_tldr
from paperpath.text.tldr import tldr_prepared

if TYPE_CHECKING:
    from paperpath.text.corpus_stats import CorpusStats

# Bump when any model or rule changes what analyze() returns: stored analyses are redone.
ANALYSIS_VERSION = "3"
N_TERMS = 12
# The longest abstract whose sentences `analyze_many` splits once for TLDR, facets and mined
# definitions (each model falls back to its own opening past its window).
_SHARED_MAX_CHARS = max(TLDR_MAX_CHARS, FACETS_MAX_CHARS, DEFINITIONS_MAX_CHARS)


@dataclass(frozen=True)
class Analysis:
    tldr: str
    facets: list[tuple[str, str]]
    key_terms: list[str]
    difficulty: Difficulty
    version: str = ANALYSIS_VERSION
    extra: dict[str, Any] = field(default_factory=dict)


def difficulty_for(text: str, terms: list[str], categories: list[str],
                   acronyms: dict[str, str] | None = None) -> Difficulty:
    if acronyms is None:
        acronyms = find_acronyms(text)
    depths: list[tuple[int, str]] = []
    for term in terms:
        entry = resolve_entry(term, acronyms)
        if entry is not None:
            depths.append((prerequisite_depth(entry.id), entry.term))
    depths.sort(reverse=True)
    return estimate_difficulty(
        text, categories=categories,
        prerequisite_depth=depths[0][0] if depths else 0,
        prerequisites=[name for _, name in depths[:2]])


def analyze(title: str, abstract: str, *, categories: list[str] | None = None,
            stats: CorpusStats | None = None) -> Analysis:
    """Key terms, TLDR, facets and difficulty of one paper."""
    title = strip_latex(title or "")
    abstract = abstract or ""
    text = f"{title}. {abstract}" if title else abstract
    terms = extract_key_terms(text, k=N_TERMS, stats=stats)
    acronyms = find_acronyms(text)
    return Analysis(
        tldr=make_tldr(title, abstract),
        facets=label_facets(abstract),
        key_terms=terms,
        difficulty=difficulty_for(text, terms, categories or [], acronyms=acronyms),
        extra={"acronyms": acronyms},
    )


def analyze_many(papers: Sequence[tuple[str | None, str | None, Sequence[str] | None]], *,
                 stats: CorpusStats | None = None, definitions: bool = False
                 ) -> list[Analysis]:
    """`analyze` of each (title, abstract, categories) of ``papers``: the same results, in
    order, faster for many papers. With ``definitions``, each result's ``extra`` also holds
    ``"definitions"``: `mine_definitions` of the abstract.

    An exception in any paper fails the whole call (the caller may redo the papers one by
    one to find the bad one).
    """
    titles = [strip_latex(title or "") for title, _, _ in papers]
    abstracts = [abstract or "" for _, abstract, _ in papers]
    texts = [f"{title}. {abstract}" if title else abstract
             for title, abstract in zip(titles, abstracts, strict=True)]
    # One model at a time over the whole batch (see the module docstring).
    terms = key_terms_many(texts, k=N_TERMS, stats=stats)
    acronyms = [find_acronyms(text) for text in texts]
    # Past every model's window (a pasted book) each model reads its own opening instead.
    stripped = [strip_latex(abstract) if len(abstract) <= _SHARED_MAX_CHARS else ""
                for abstract in abstracts]
    splits = [split_sentences(text) for text in stripped]
    tldrs = [tldr_prepared(*args)
             for args in zip(titles, abstracts, stripped, splits, strict=True)]
    facets = [facets_prepared(*args) for args in zip(abstracts, splits, strict=True)]
    levels = [difficulty_for(text, found, list(categories or ()), acronyms=short)
              for text, found, (_, _, categories), short
              in zip(texts, terms, papers, acronyms, strict=True)]
    mined = ([mine_prepared(*args) for args in zip(abstracts, splits, strict=True)]
             if definitions else None)
    out: list[Analysis] = []
    for i in range(len(papers)):
        extra: dict[str, Any] = {"acronyms": acronyms[i]}
        if mined is not None:
            extra["definitions"] = mined[i]
        out.append(Analysis(tldr=tldrs[i], facets=facets[i], key_terms=terms[i],
                            difficulty=levels[i], extra=extra))
    return out
