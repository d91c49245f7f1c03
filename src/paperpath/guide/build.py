"""Assemble the reading guide of one paper from its analysis, the glossary, the reader's
known terms and the definitions mined from the library.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from paperpath.guide.analysis import Analysis
from paperpath.guide.difficulty import Difficulty
from paperpath.guide.questions import Question, build_questions
from paperpath.guide.reading_time import ReadingTime, estimate_reading_time
from paperpath.guide.terms import prerequisites_closure, resolve_entry, term_key
from paperpath.records import Paper
from paperpath.text.definitions import find_acronyms


@dataclass(frozen=True)
class MinedDefinitionRef:
    """A definition found in a library paper's own text."""

    definition: str
    paper_id: str
    kind: str = "definition"  # or "acronym"


@dataclass(frozen=True)
class GuideTerm:
    """A key term of the paper, with what the reader needs to understand it."""

    term: str
    key: str
    new: bool
    glossary_id: str | None = None
    definition: str | None = None
    math: str | None = None
    mined: tuple[MinedDefinitionRef, ...] = ()


@dataclass(frozen=True)
class Prerequisite:
    """Background to learn first: a glossary concept and the paper that introduced it."""

    term: str
    glossary_id: str
    definition: str
    introduced_in: str | None
    new: bool


@dataclass(frozen=True)
class ReadingGuide:
    """Everything a beginner needs to read one paper well."""

    paper: Paper
    tldr: str
    facets: list[tuple[str, str]]
    key_terms: list[GuideTerm]
    prerequisites: list[Prerequisite]
    difficulty: Difficulty
    reading_time: ReadingTime
    questions: list[Question]
    reader_level: int = 3
    pages: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def facet(self, label: str) -> list[str]:
        """The abstract sentences with one label (problem, method, result, other)."""
        return [s for s, lab in self.facets if lab == label]

    @property
    def problem(self) -> list[str]:
        return self.facet("problem")

    @property
    def method(self) -> list[str]:
        return self.facet("method")

    @property
    def result(self) -> list[str]:
        return self.facet("result")

    @property
    def new_terms(self) -> list[GuideTerm]:
        return [t for t in self.key_terms if t.new]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the CLI's ``--json`` and the web API)."""
        return {
            "id": self.paper.id,
            "title": self.paper.title,
            "authors": self.paper.authors,
            "categories": self.paper.categories,
            "published": self.paper.published.isoformat() if self.paper.published else None,
            "url": self.paper.abs_url,
            "pdf_url": self.paper.pdf_url,
            "code_urls": self.paper.code_urls,
            "tldr": self.tldr,
            "problem": self.problem,
            "method": self.method,
            "result": self.result,
            "facets": [{"sentence": s, "label": lab} for s, lab in self.facets],
            "key_terms": [asdict(t) for t in self.key_terms],
            "prerequisites": [asdict(p) for p in self.prerequisites],
            "difficulty": {"level": self.difficulty.level, "label": self.difficulty.label(),
                           "reasons": list(self.difficulty.reasons),
                           "math_density": self.difficulty.math_density},
            "reading_time": asdict(self.reading_time),
            "reader_level": self.reader_level,
            "questions": [asdict(q) for q in self.questions],
        }


MinedLookup = Callable[[Sequence[str]], dict[str, list[MinedDefinitionRef]]]


def build_guide(
    paper: Paper,
    analysis: Analysis,
    *,
    known: Collection[str] = (),
    mined: MinedLookup | None = None,
    reader_level: int = 3,
    pages: int | None = None,
) -> ReadingGuide:
    """The guide for ``paper``. ``known`` holds term keys (`guide.terms.term_key`) the reader
    knows; ``mined`` maps term keys to definitions found in the library."""
    # Acronyms as this paper defines them: "ASR" may be attack success rate here.
    acronyms = find_acronyms(f"{paper.title}. {paper.abstract}")
    entries = [resolve_entry(t, acronyms) for t in analysis.key_terms]
    keys = [f"g:{e.id}" if e is not None else term_key(acronyms.get(t, t))
            for t, e in zip(analysis.key_terms, entries, strict=True)]
    mined_by_key = mined(keys) if mined else {}
    terms: list[GuideTerm] = []
    seen: set[str] = set()
    for term, key, entry in zip(analysis.key_terms, keys, entries, strict=True):
        if key in seen:  # "LLM" after "large language model": one concept, listed once
            continue
        seen.add(key)
        definition = entry.definition if entry else None
        if definition is None and term in acronyms:
            definition = f"Short for “{acronyms[term]}”."
        terms.append(GuideTerm(
            term=term, key=key, new=key not in known,
            glossary_id=entry.id if entry else None,
            definition=definition,
            math=entry.math if entry else None,
            mined=tuple(r for r in mined_by_key.get(key, []) if r.paper_id != paper.id)[:2]
            or tuple(mined_by_key.get(key, []))[:1],
        ))
    entry_ids = [t.glossary_id for t in terms if t.glossary_id]
    prerequisites = [
        Prerequisite(term=e.term, glossary_id=e.id, definition=e.definition,
                     introduced_in=e.introduced_in, new=f"g:{e.id}" not in known)
        for e in prerequisites_closure(entry_ids)
    ]
    words = len(f"{paper.title} {paper.abstract}".split())
    reading = estimate_reading_time(
        difficulty=analysis.difficulty.level, reader_level=reader_level, pages=pages,
        comments=paper.comments, words=words, kind=paper.kind)
    # Terms worth explaining first: new ones the reader can look up (glossary or library).
    to_learn = sorted((t for t in terms if t.new),
                      key=lambda t: (t.definition is None, not t.mined))
    questions = build_questions(paper.title, analysis.facets, analysis.key_terms,
                                [t.term for t in to_learn])
    return ReadingGuide(
        paper=paper, tldr=analysis.tldr, facets=analysis.facets, key_terms=terms,
        prerequisites=prerequisites, difficulty=analysis.difficulty, reading_time=reading,
        questions=questions, reader_level=reader_level, pages=pages)
