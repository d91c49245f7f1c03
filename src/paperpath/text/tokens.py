"""Words, stop words and stems shared by the reading-guide models.

Stemming is the Porter algorithm (PyStemmer's C implementation, cached per word), the same
family the keyphrase benchmarks use to compare phrases.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# Words: letters/digits with inner hyphens, apostrophes or dots (e.g. "state-of-the-art",
# "GPT-4", "3.5"); everything else separates words.
WORD_RE = re.compile(r"[^\W_](?:[\w]|[-'.](?=[^\W_]))*", re.UNICODE)

_STEMMER = Stemmer.Stemmer("porter")

STOP_WORDS = frozenset(
    """a about above across after again against all almost along also although always am among
    an and another any are around as at be because been before being below between both but by
    can cannot could did do does doing done down during each either else even ever every few for
    from further had has have having he her here hers him his how however i if in into is it its
    itself just least less many may me might more most much must my neither no nor not of off
    often on once one only or other others otherwise our ours out over own per perhaps rather
    same several shall she should since so some such than that the their theirs them then there
    therefore these they this those though through thus to too toward towards under until up upon
    us very via was we well were what whatever when where whether which while who whom whose why
    will with within without would yet you your yours""".split()
)


def words(text: str) -> list[str]:
    """The words of ``text`` in order, case kept."""
    return WORD_RE.findall(text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter stem of a lower-cased ``word``."""
    return _STEMMER.stemWord(word.lower())


def stem_phrase(phrase: str) -> str:
    """Lower-cased, stemmed form of a phrase, words joined by single spaces."""
    return " ".join(stem(w) for w in words(phrase))
