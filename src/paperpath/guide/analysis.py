"""Per-paper analysis that the reading guide and later the coach read: key terms, TLDR,
facets and difficulty — computed from title and abstract, cheap enough for a whole library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperpath.guide.difficulty import Difficulty, estimate_difficulty
from paperpath.guide.terms import prerequisite_depth, resolve_entry
from paperpath.text.definitions import find_acronyms
from paperpath.text.facets import facets as label_facets
from paperpath.text.keyterms import key_terms as extract_key_terms
from paperpath.text.latex import strip_latex
from paperpath.text.tldr import tldr as make_tldr

if TYPE_CHECKING:
    from paperpath.text.corpus_stats import CorpusStats

# Bump when any model or rule changes what analyze() returns: stored analyses are redone.
ANALYSIS_VERSION = "2"
N_TERMS = 12


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
