"""Turn what a person types into a safe full-text query.

Supported: bare words (all must match; ranked by BM25), "quoted phrases", -excluded words,
`OR` between words, `word*` prefixes, and field terms `title:word` / `author:name`.
Anything else is treated as text, so no input can produce an FTS syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Words too common to narrow a search; dropped unless quoted (they only slow OR queries
# and make AND queries miss papers that phrase things differently).
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from has have how in into is it its of on or "
    "our that the their these this those to via was we what when where which who why will "
    "with using based towards toward "
    # Pronouns and auxiliaries: "teaching robots by showing them" must not rank a paper
    # titled "Love Them, Hate Them" through the some-of-the-words fallback.
    "i me my you your he him his she her they them us been were would should could about "
    "also than then there both each such very just may might must shall".split()
)
_TOKEN = re.compile(r'(-?)(?:(\w+):)?("([^"]*)"?|[^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[\w][\w\-'.]*\*?", re.UNICODE)
COLUMNS = {"title": "title", "author": "authors", "authors": "authors", "abstract": "abstract"}


class QueryError(ValueError):
    """A query that cannot be searched (e.g. only excluded words)."""


@dataclass(slots=True, frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False
    column: str | None = None

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        expr = quoted + ("*" if self.prefix else "")
        return f"{self.column} : {expr}" if self.column else expr


@dataclass(slots=True)
class ParsedQuery:
    groups: list[list[Term]] = field(default_factory=list)  # AND of ORs
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]

    def fts_all(self) -> str:
        """Every group must match."""
        return self._with_exclusions(" AND ".join(_group(g) for g in self.groups))

    def fts_any(self) -> str:
        """Any term may match (the fallback when requiring all finds too little)."""
        return self._with_exclusions(" OR ".join(t.fts() for t in self.terms))

    def _with_exclusions(self, expr: str) -> str:
        if not self.excluded:
            return expr
        return f"({expr}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"

    def words(self) -> list[str]:
        return [t.text for t in self.terms]


def _group(terms: list[Term]) -> str:
    if len(terms) == 1:
        return terms[0].fts()
    return "(" + " OR ".join(t.fts() for t in terms) + ")"


def parse_query(text: str) -> ParsedQuery:
    """Parse a search box query. Raises QueryError when only excluded terms are given."""
    query = ParsedQuery()
    pending_or = False
    text = _CONTROL.sub(" ", text or "")  # a NUL would end the FTS5 string early
    for m in _TOKEN.finditer(text):
        negate, col, raw, phrase_body = m.group(1), m.group(2), m.group(3), m.group(4)
        column = COLUMNS.get(col.lower()) if col else None
        if col and column is None:  # "foo:bar" that is not a field: search it as text
            raw = f"{col} {raw}"
        if phrase_body is not None:
            words = phrase_body.split()
            terms = [Term(" ".join(words), phrase=True, column=column)] if words else []
        elif raw == "OR" and not negate:
            pending_or = bool(query.groups)
            continue
        else:
            terms = []
            for w in _WORD.findall(raw):
                prefix = w.endswith("*")
                w = w.rstrip("*").strip("-'.")
                if not w:
                    continue
                if w.lower() in STOP_WORDS and not column and not prefix:
                    continue
                terms.append(Term(w, prefix=prefix, column=column))
        for i, term in enumerate(terms):
            if negate:
                query.excluded.append(term)
            elif pending_or and i == 0:
                query.groups[-1].append(term)
            else:
                query.groups.append([term])
        pending_or = False
    if query.excluded and not query.groups:
        raise QueryError(f"query {text!r} only excludes words: add at least one word to find")
    return query
