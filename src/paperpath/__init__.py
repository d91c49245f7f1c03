"""paperpath: a coach for reading machine-learning research every week."""

from paperpath.glossary import glossary
from paperpath.library import Library
from paperpath.records import Paper, PaperRecord
from paperpath.search import SearchHit

__all__ = ["Library", "Paper", "PaperRecord", "SearchHit", "glossary"]
__version__ = "0.1.0"
