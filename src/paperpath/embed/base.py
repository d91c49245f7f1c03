"""What every embedder provides: a name stored with its vectors, a dimension, and `embed`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class EmbedderError(RuntimeError):
    """An embedder cannot be loaded or used (e.g. a model that is not available offline)."""


class Embedder(Protocol):
    #: Identity stored next to every vector: vectors of different names are never mixed, and a
    #: paper is re-embedded when the name changes (a new model or a new version of one).
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows, L2-normalised; an empty text gives a zero row."""
        ...


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """L2-normalise rows in place; rows of zeros stay zero."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x
