"""Reading-time estimates for the three-pass method: a first pass and a full read.

A first pass (title, abstract, introduction, headings, conclusions) takes 5–10 minutes for
most papers; a full read scales with length and with how far the paper's difficulty is above
the reader's math comfort. Length comes from the PDF's page count when known, else from the
arXiv comment ("12 pages, 5 figures"), else from a typical conference paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAGES = re.compile(r"(\d{1,3})\s*(?:\+\s*\d{1,3}\s*)?pages?\b", re.IGNORECASE)
TYPICAL_PAGES = 10  # main text of an ML conference paper, without appendix
WORDS_PER_MINUTE = 200  # careful reading of technical prose


@dataclass(frozen=True)
class ReadingTime:
    """Minutes for the first pass and for a full read, and where the length came from."""

    first_pass: int
    full_read: int
    pages: int | None
    basis: str  # "pdf" | "comments" | "typical" | "words"


def pages_from_comments(comments: str | None) -> int | None:
    """Page count from an arXiv comment such as "9 pages, 4 figures" (None if absent)."""
    if not comments:
        return None
    match = _PAGES.search(comments)
    if not match:
        return None
    pages = int(match.group(1))
    return pages if 0 < pages <= 400 else None


def _round5(minutes: float) -> int:
    return max(5, int(5 * round(minutes / 5)))


def estimate_reading_time(
    *,
    difficulty: int,
    reader_level: int = 3,
    pages: int | None = None,
    comments: str | None = None,
    words: int | None = None,
    kind: str = "paper",
) -> ReadingTime:
    """Reading time in minutes for a reader whose math comfort is ``reader_level`` (1–5)."""
    gap = max(-2, min(3, difficulty - reader_level))
    factor = 1.35 ** gap  # each level above the reader's comfort costs about a third more
    if kind != "paper" and words:
        minutes = words / WORDS_PER_MINUTE * factor
        return ReadingTime(max(1, round(minutes / 3)), max(1, round(minutes)), None, "words")
    basis = "pdf" if pages else "typical"
    if not pages:
        pages = pages_from_comments(comments)
        basis = "comments" if pages else "typical"
    n_pages = pages or TYPICAL_PAGES
    # Appendices and references are skimmed: count pages past 12 at a quarter.
    effective = min(n_pages, 12) + 0.25 * max(0, n_pages - 12)
    full = effective * 5.0 * factor
    first = 5 + min(5.0, 0.25 * effective) + max(0, gap)
    return ReadingTime(first_pass=_round5(first), full_read=_round5(full),
                       pages=pages, basis=basis)
