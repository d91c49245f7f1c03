"""Search filters as portable SQL conditions (shared by every backend)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, literal, or_

from paperpath.search.types import SearchFilters
from paperpath.store.schema import papers


def parse_date(value: Any, *, end: bool = False) -> date | None:
    """A date from a date, 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (end=True: last day of it)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
        if len(parts) == 2:
            if end:
                nxt = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
                return date.fromordinal(nxt.toordinal() - 1)
            return date(parts[0], parts[1], 1)
        return date(parts[0], parts[1], parts[2])
    except (ValueError, TypeError):
        raise ValueError(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


def make_filters(category: str | list[str] | None = None, since: Any = None, until: Any = None,
                 has_code: bool | None = None, kind: str | None = None) -> SearchFilters:
    cats = [category] if isinstance(category, str) else list(category or [])
    return SearchFilters(
        categories=[c for c in cats if c],
        since=parse_date(since),
        until=parse_date(until, end=True),
        has_code=has_code,
        kind=kind,
    )


def filter_conditions(f: SearchFilters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.categories:
        padded = literal(" ") + papers.c.categories + literal(" ")
        alts = []
        for cat in f.categories:
            # "cs" means the whole archive (cs.*); "cs.LG" the exact category.
            pattern = f"% {_like_escape(cat)} %" if "." in cat else f"% {_like_escape(cat)}.%"
            alts.append(padded.like(pattern, escape="\\"))
        conds.append(or_(*alts))
    if f.since:
        conds.append(papers.c.published >= f.since)
    if f.until:
        conds.append(papers.c.published <= f.until)
    if f.has_code is not None:
        conds.append(papers.c.has_code.is_(f.has_code))
    if f.kind:
        conds.append(papers.c.kind == f.kind)
    return conds


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
