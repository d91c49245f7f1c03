"""Document frequencies over a library, the corpus statistics behind key-term ranking.

A word or phrase that is frequent in one paper but rare in the library is what the paper is
about; one that every paper uses ("proposed method") is not. `CorpusStats` counts, per stemmed
word and per stemmed candidate phrase (the noun phrases `paperpath.text.keyterms` considers),
how many documents contain it. It is built in one streaming pass (`build` / `add`), and saved
as a small gzip'd text file (one ``kind<TAB>key<TAB>df`` line per entry), never pickle.

Memory stays bounded on a 1M-paper library: words are all kept (a few hundred thousand stems),
while the long tail of phrases is pruned as the pass goes: every ``prune_every`` documents the
phrases seen only once so far are dropped, and if more than ``max_phrases`` remain, the rarest
go until they fit. A phrase rarer than about one in ``prune_every`` documents is therefore
under-counted or absent, which only matters for phrases too rare to inform a ranking anyway;
saving keeps phrases with df >= ``min_phrase_df``.
"""

from __future__ import annotations

import gzip
import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

_MAGIC = "#paperpath-corpus-stats"
_VERSION = 1


class CorpusStats:
    """Document count and document frequencies of stemmed words and candidate phrases."""

    __slots__ = ("_log_n", "max_phrases", "maximal_df", "n_docs", "phrase_df", "prune_every",
                 "word_df")

    def __init__(self, n_docs: int = 0, word_df: dict[str, int] | None = None,
                 phrase_df: dict[str, int] | None = None,
                 maximal_df: dict[str, int] | None = None, prune_every: int = 20_000,
                 max_phrases: int = 500_000) -> None:
        self.n_docs = n_docs
        self.word_df: dict[str, int] = word_df if word_df is not None else {}
        # Multi-word candidate phrases (any sub-phrase of a noun phrase that ends in a noun)...
        self.phrase_df: dict[str, int] = phrase_df if phrase_df is not None else {}
        # ...and those seen as a whole noun phrase: "neural network" is one in most papers,
        # "network architecture search" only inside a longer phrase.
        self.maximal_df: dict[str, int] = maximal_df if maximal_df is not None else {}
        self.prune_every = prune_every
        self.max_phrases = max_phrases
        self._log_n = math.log(n_docs + 1)

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, texts: Iterable[str], progress: Callable[[int], None] | None = None,
              prune_every: int = 20_000) -> CorpusStats:
        """Statistics over ``texts`` (e.g. title + abstract per paper), in one pass.

        ``progress``, when given, is called with the number of documents done every 1,000.
        ``prune_every=0`` keeps every phrase (memory grows with the corpus).
        """
        stats = cls(prune_every=prune_every)
        for text in texts:
            stats.add(text)
            if progress is not None and stats.n_docs % 1000 == 0:
                progress(stats.n_docs)
        return stats

    def add(self, text: str) -> None:
        """Count one more document."""
        from paperpath.text.keyterms import document_terms  # keyterms imports this module

        words, phrases, maximal = document_terms(text)
        self.add_terms(words, phrases, maximal)

    def add_terms(self, words: Iterable[str], phrases: Iterable[str],
                  maximal: Iterable[str] = ()) -> None:
        """Count one document given its distinct stemmed words and phrases."""
        self.n_docs += 1
        self._log_n = math.log(self.n_docs + 1)
        for table, keys in ((self.word_df, words), (self.phrase_df, phrases),
                            (self.maximal_df, maximal)):
            get = table.get
            for key in keys:
                table[key] = get(key, 0) + 1
        if self.prune_every and self.n_docs % self.prune_every == 0:
            self.prune(2)

    def prune(self, min_df: int) -> None:
        """Drop phrases (never words) seen in fewer than ``min_df`` documents, and then the
        rarest ones until at most ``max_phrases`` remain per table."""
        for table in (self.phrase_df, self.maximal_df):
            floor = min_df
            if len(table) > self.max_phrases:
                counts = sorted(table.values(), reverse=True)
                floor = max(floor, counts[self.max_phrases] + 1)  # ties go too
            for key in [key for key, df in table.items() if df < floor]:
                del table[key]

    # -- lookups --------------------------------------------------------------------------

    def idf(self, word: str) -> float:
        """Smoothed inverse document frequency of a stemmed word: ln((N+1)/(df+1))."""
        return self._log_n - math.log(self.word_df.get(word, 0) + 1)

    def phrase_idf(self, phrase: str) -> float:
        """Smoothed IDF of a stemmed phrase (words joined by single spaces)."""
        if " " not in phrase:
            return self.idf(phrase)
        return self._log_n - math.log(self.phrase_df.get(phrase, 0) + 1)

    def df(self, key: str) -> int:
        """Document frequency of a stemmed word or phrase (0 when unseen or pruned)."""
        table = self.phrase_df if " " in key else self.word_df
        return table.get(key, 0)

    # -- files ----------------------------------------------------------------------------

    def save(self, path: str | Path, min_phrase_df: int = 2, min_word_df: int = 1) -> None:
        """Write the statistics as gzip'd text (whatever the file name says)."""
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
            out.write(f"{_MAGIC}\t{_VERSION}\t{self.n_docs}\n")
            for kind, table, floor in (("w", self.word_df, min_word_df),
                                       ("p", self.phrase_df, min_phrase_df),
                                       ("m", self.maximal_df, min_phrase_df)):
                out.writelines(f"{kind}\t{key}\t{df}\n"
                               for key, df in sorted(table.items()) if df >= floor)

    @classmethod
    def load(cls, path: str | Path) -> CorpusStats:
        """Read a file written by `save`; ValueError when it is not one."""
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                header = handle.readline().rstrip("\n").split("\t")
                if len(header) != 3 or header[0] != _MAGIC or header[1] != str(_VERSION):
                    raise ValueError(f"{path}: not a paperpath corpus-statistics file")
                tables: dict[str, dict[str, int]] = {"w": {}, "p": {}, "m": {}}
                for line in handle:
                    kind, key, df = line.rstrip("\n").split("\t")
                    tables[kind][key] = int(df)
                # Interned words: `keyterms` looks stems up as interned strings, and a dict
                # look-up that finds the very same object skips comparing the characters.
                tables["w"] = {sys.intern(key): df for key, df in tables["w"].items()}
        except (gzip.BadGzipFile, EOFError, KeyError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not a paperpath corpus-statistics file") from exc
        except ValueError as exc:
            raise ValueError(f"{path}: malformed corpus-statistics file ({exc})") from exc
        return cls(int(header[2]), tables["w"], tables["p"], tables["m"])

    def __repr__(self) -> str:
        return (f"CorpusStats(n_docs={self.n_docs}, words={len(self.word_df)}, "
                f"phrases={len(self.phrase_df)})")
