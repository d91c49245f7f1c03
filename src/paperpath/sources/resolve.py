"""Turn what a person passes to `Library.add` into a record: arXiv id/URL, BibTeX, .bib, .pdf.

Owned by the sources helpers; see each branch for the module that does the work.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paperpath.ids import InvalidIdError, parse_arxiv_id
from paperpath.records import Paper, PaperRecord

if TYPE_CHECKING:
    from paperpath.library import Library


def record_for(lib: Library, item: str | Path) -> PaperRecord | Paper:
    """A record to store for item, or the Paper already in the library."""
    text = str(item).strip()
    try:
        arxiv_id, _ = parse_arxiv_id(text)
    except InvalidIdError:
        arxiv_id = None
    if arxiv_id:
        existing = lib.get(arxiv_id)
        if existing is not None:
            return existing
        raise LookupError(f"{text}: not in the library and fetching from arXiv is not "
                          "available yet")
    raise ValueError(f"{text!r}: not an arXiv id, arXiv URL, BibTeX entry, .bib or .pdf file")
