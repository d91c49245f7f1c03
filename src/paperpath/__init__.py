"""paperpath: a coach for reading machine-learning research every week."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paperpath.glossary import glossary
from paperpath.library import Library
from paperpath.records import Paper, PaperRecord
from paperpath.search import SearchHit

if TYPE_CHECKING:
    from paperpath.coach.explain import score_explanation
    from paperpath.text.facets import facets
    from paperpath.text.keyterms import key_terms
    from paperpath.text.tldr import tldr

__all__ = ["Library", "Paper", "PaperRecord", "SearchHit", "facets", "glossary", "key_terms",
           "score_explanation", "tldr"]
__version__ = "0.1.0"

# The reading-guide functions load their models on first use; importing paperpath stays fast.
_LAZY = {"key_terms": "paperpath.text.keyterms", "tldr": "paperpath.text.tldr",
         "facets": "paperpath.text.facets", "score_explanation": "paperpath.coach.explain"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'paperpath' has no attribute {name!r}")
