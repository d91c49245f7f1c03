from __future__ import annotations

import pytest

from paperpath.related.lexical import cosine, lexical_vector, shared_top
from paperpath.text.corpus_stats import CorpusStats


def test_lexical_vectors_weigh_rare_words() -> None:
    stats = CorpusStats.build(["the model works", "a model of graphs", "diffusion of images",
                               "a model", "another model"])
    a = lexical_vector("Diffusion model for images", stats)
    b = lexical_vector("Images made by diffusion", stats)
    c = lexical_vector("A model of everything", stats)
    assert sum(v * v for v in a.values()) == pytest.approx(1.0)
    assert cosine(a, b) > cosine(a, c)
    assert shared_top(a, b, 2)[0] in {"diffus", "imag"}
    assert lexical_vector("", stats) == {} and lexical_vector("of the a", stats) == {}


def test_words_the_statistics_never_count_are_dropped() -> None:
    # The statistics count the words of noun phrases; "propose" (a verb) never is one.
    texts = [f"A diffusion model of images number {i}." for i in range(10)] + \
        [f"A graph network of molecules number {i}." for i in range(50)]
    stats = CorpusStats.build(texts)
    vec = lexical_vector("We propose a diffusion model", stats)
    assert "propos" not in vec and "diffus" in vec
    assert "propos" in lexical_vector("We propose a diffusion model")  # no statistics: all
