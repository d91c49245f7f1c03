"""Embedders: text -> unit vectors. The default is static (offline, fast); transformer
sentence embeddings are an optional extra.

    from paperpath.embed import get_embedder
    emb = get_embedder()                       # the default static model
    emb = get_embedder("all-MiniLM-L6-v2")     # sentence-transformers (paperpath[semantic])
"""

from __future__ import annotations

from paperpath.embed.base import Embedder, EmbedderError, normalize_rows

DEFAULT = "static"
_STATIC_NAMES = {"", "static", "default"}


def is_static(model: str | None) -> bool:
    """Whether a model name (as given, or an embedder's own name) means the static default."""
    name = (model or "").strip()
    return name.lower() in _STATIC_NAMES or name.startswith("paperpath-static")


def get_embedder(model: str | None = None, *, allow_download: bool = False) -> Embedder:
    """The embedder for a model name: "static" (default) or a sentence-transformers model
    ("all-MiniLM-L6-v2", a Hugging Face name, a local folder; "st:" prefixes are accepted)."""
    name = (model or DEFAULT).strip()
    if is_static(name):
        from paperpath.embed.static import default_static

        return default_static()
    from paperpath.embed.transformer import TransformerEmbedder

    return TransformerEmbedder(name.removeprefix("st:"), allow_download=allow_download)


__all__ = ["DEFAULT", "Embedder", "EmbedderError", "get_embedder", "is_static",
           "normalize_rows"]
