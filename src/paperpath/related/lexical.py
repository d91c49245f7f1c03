"""Sparse lexical vectors for comparing papers: sublinear TF x IDF over Porter stems.

Dense embeddings capture paraphrase; exact shared vocabulary ("score matching", "LoRA") is what
a lexical vector sees best, and the two together rank related papers better than either (see
bench/csfcube.py). IDF comes from the library's corpus statistics (the same file the key terms
use: document frequencies of the words of noun phrases, so the vectors hold the nouns and their
modifiers); without them every word weighs the same.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from paperpath.text.corpus_stats import CorpusStats
from paperpath.text.tokens import STOP_WORDS, stem, words

SparseVec = dict[str, float]
MAX_CHARS = 20_000
MIN_STATS_DOCS = 50  # below this the statistics are too thin to judge which words count


def lexical_vector(text: str, stats: CorpusStats | None = None) -> SparseVec:
    """Unit-length {stem: weight} of a text (empty dict for a text without words)."""
    counts = Counter(stem(w) for w in words(text[:MAX_CHARS].lower())
                     if w not in STOP_WORDS and len(w) > 1)
    if stats is not None and stats.n_docs >= MIN_STATS_DOCS:
        # The statistics count the words of noun phrases (what key terms are made of): a
        # word they never saw is a verb, adverb or filler ("propose", "unlike"), which says
        # nothing about the topic; an unseen word would otherwise get the highest IDF.
        counts = Counter({t: n for t, n in counts.items() if stats.df(t)})
    if not counts:
        return {}
    vec = {t: (1.0 + math.log(n)) * (stats.idf(t) if stats is not None else 1.0)
           for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items() if v > 0} if norm > 0 else {}


def cosine(a: SparseVec, b: SparseVec) -> float:
    # The key intersection runs in C; only the few shared words are multiplied in Python.
    return sum(a[t] * b[t] for t in a.keys() & b.keys())


def shared_top(a: SparseVec, b: SparseVec, n: int = 5) -> list[str]:
    """The stems contributing most to the similarity of two vectors."""
    common = ((a[t] * b[t], t) for t in a.keys() & b.keys())
    return [t for _, t in sorted(common, reverse=True)[:n]]


def cosines(query: SparseVec, others: Iterable[SparseVec]) -> list[float]:
    return [cosine(query, o) for o in others]
