"""Search results and filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paperpath.records import Paper

# Highlight markers inside snippets: control characters never found in paper text.
HL_OPEN, HL_CLOSE = "\x02", "\x03"


@dataclass(slots=True)
class SearchFilters:
    categories: list[str] = field(default_factory=list)  # "cs.LG" exact, or "cs" for an archive
    since: date | None = None
    until: date | None = None
    has_code: bool | None = None
    kind: str | None = None



@dataclass(slots=True)
class SearchHit:
    paper: Paper
    score: float  # higher is better (negated BM25 on SQLite)
    snippet_raw: str = ""  # abstract excerpt with HL_OPEN/HL_CLOSE around matches
    title_raw: str = ""

    @property
    def id(self) -> str:
        return self.paper.id

    def snippet(self, open_: str = "«", close: str = "»") -> str:
        return _mark(self.snippet_raw, open_, close)

    def title(self, open_: str = "«", close: str = "»") -> str:
        return _mark(self.title_raw or self.paper.title, open_, close)

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, highlighted) pieces, for renderers that escape text."""
        out: list[tuple[str, bool]] = []
        for i, piece in enumerate(re.split(f"[{HL_OPEN}{HL_CLOSE}]", self.snippet_raw)):
            if piece:
                out.append((piece, i % 2 == 1))
        return out

    def to_dict(self) -> dict[str, Any]:
        data = self.paper.to_dict()
        data["score"] = round(self.score, 4)
        data["snippet"] = self.snippet()
        data["title_highlighted"] = self.title()
        return data


def _mark(text: str, open_: str, close: str) -> str:
    return text.replace(HL_OPEN, open_).replace(HL_CLOSE, close)
