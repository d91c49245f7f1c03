"""paperpath: a coach for reading machine-learning research every week."""

from paperpath.library import Library
from paperpath.records import Paper, PaperRecord
from paperpath.search import SearchHit

__all__ = ["Library", "Paper", "PaperRecord", "SearchHit"]
__version__ = "0.1.0"
