"""The default static embedder: BERT WordPiece in Python, pooled static vectors."""

from __future__ import annotations

import numpy as np
import pytest

from paperpath.embed import get_embedder
from paperpath.embed.static import StaticEmbedder, WordPiece, default_static


@pytest.fixture(scope="module")
def emb() -> StaticEmbedder:
    return default_static()


def test_wordpiece_greedy_longest_match() -> None:
    vocab = {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "play": 4, "##ing": 5, ",": 6}
    wp = WordPiece(vocab)
    assert wp.encode("unaffable") == [1, 2, 3]
    assert wp.encode("Playing, unaffable") == [4, 5, 6, 1, 2, 3]
    assert wp.encode("xyz") == [0]  # no piece matches: unknown
    assert wp.encode("") == []


def test_wordpiece_normalises_case_accents_and_punctuation() -> None:
    vocab = {"[UNK]": 0, "cafe": 1, "(": 2, ")": 3, "x": 4}
    wp = WordPiece(vocab)
    assert wp.encode("CAFÉ (x)") == [1, 2, 4, 3]


def test_real_vocabulary_splits_words(emb: StaticEmbedder) -> None:
    ids = emb.token_ids(["Transformers use self-attention."])[0]
    assert len(ids) >= 5 and all(isinstance(i, int) for i in ids)
    assert emb.token_ids(["transformers"])[0] == emb.token_ids(["TRANSFORMERS"])[0]


def test_vectors_are_unit_rows_and_empty_is_zero(emb: StaticEmbedder) -> None:
    vecs = emb.embed(["graph neural networks for molecules", "", "   "])
    assert vecs.shape == (3, emb.dim) and vecs.dtype == np.float32
    assert np.linalg.norm(vecs[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vecs[1].any() and not vecs[2].any()
    assert emb.embed([]).shape == (0, emb.dim)


def test_related_texts_are_closer(emb: StaticEmbedder) -> None:
    a, b, c = emb.embed([
        "A diffusion model generates images by denoising.",
        "Denoising diffusion probabilistic models synthesise realistic pictures.",
        "We study tax policy and municipal bond markets."])
    assert a @ b > a @ c + 0.1


def test_hostile_input_is_cheap_and_finite(emb: StaticEmbedder) -> None:
    weird = ["\x00\x01 $\\alpha$ \\cite{x} 数据 ≤≥ " * 2000, "a" * 500, "😀" * 50]
    vecs = emb.embed(weird)
    assert np.isfinite(vecs).all()


def test_registry_names() -> None:
    assert get_embedder() is default_static()
    assert get_embedder("static").name.startswith("paperpath-static")
