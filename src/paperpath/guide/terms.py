"""Key terms meet the glossary: one identity per concept, and how much background it needs.

A term's key is its glossary id when the glossary knows it (so "LLM", "large language
models" and "Large Language Model" are one concept), else its lower-cased Porter stem. Known
terms are stored by that key.
"""

from __future__ import annotations

from functools import cache

from paperpath.glossary import GlossaryEntry, glossary, lookup
from paperpath.text.tokens import stem_phrase


@cache
def _by_id() -> dict[str, GlossaryEntry]:
    return {entry.id: entry for entry in glossary()}


def entry_by_id(entry_id: str) -> GlossaryEntry | None:
    return _by_id().get(entry_id)


def glossary_entry(term: str) -> GlossaryEntry | None:
    """The glossary entry for a term as written in a paper, if any."""
    return lookup(term)  # lookup handles plurals, case, hyphens and acronyms


def resolve_entry(term: str, acronyms: dict[str, str] | None = None) -> GlossaryEntry | None:
    """The glossary entry for a term *as this paper uses it*: an acronym the paper expands
    itself ("attack success rate (ASR)") is looked up by its expansion, never by another
    field's meaning of the same letters (ASR = speech recognition)."""
    if acronyms and term in acronyms:
        return lookup(acronyms[term])
    return lookup(term)


def term_key(term: str) -> str:
    """Stable identity of a concept: ``g:<glossary id>`` or ``s:<stemmed phrase>``."""
    entry = glossary_entry(term)
    if entry is not None:
        return f"g:{entry.id}"
    return f"s:{stem_phrase(term)}"[:200]


@cache
def prerequisite_depth(entry_id: str) -> int:
    """Length of the longest chain of prerequisites under a glossary entry (0 = none)."""
    return _depth(entry_id, frozenset())


def _depth(entry_id: str, seen: frozenset[str]) -> int:
    entry = entry_by_id(entry_id)
    if entry is None or entry_id in seen:
        return 0
    seen = seen | {entry_id}
    return max((1 + _depth(p, seen) for p in entry.prerequisites), default=0)


def prerequisites_closure(entry_ids: list[str], limit: int = 12) -> list[GlossaryEntry]:
    """Prerequisites of the given entries (direct first, then theirs), without the entries."""
    out: list[GlossaryEntry] = []
    seen = set(entry_ids)
    frontier = list(entry_ids)
    while frontier and len(out) < limit:
        nxt: list[str] = []
        for eid in frontier:
            entry = entry_by_id(eid)
            for pid in entry.prerequisites if entry else ():
                if pid not in seen and (pre := entry_by_id(pid)) is not None:
                    seen.add(pid)
                    out.append(pre)
                    nxt.append(pid)
        frontier = nxt
    return out[:limit]
