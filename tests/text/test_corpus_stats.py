"""Tests for the library's document-frequency statistics (paperpath.text.corpus_stats)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from paperpath.text.corpus_stats import CorpusStats
from paperpath.text.tokens import stem_phrase

TEXTS = [
    "Graph neural networks for molecules. Graph neural networks learn from atoms and bonds.",
    "Convolutional neural networks for images. We train convolutional neural networks.",
    "A survey of reinforcement learning. Reinforcement learning agents act in environments.",
    "Graph neural networks meet reinforcement learning for molecule design.",
]


@pytest.fixture
def stats() -> CorpusStats:
    return CorpusStats.build(TEXTS)


def test_counts_documents_words_and_phrases(stats: CorpusStats) -> None:
    assert stats.n_docs == 4
    assert stats.df(stem_phrase("graph neural networks")) == 2  # once per document
    assert stats.df(stem_phrase("neural network")) == 3  # a sub-phrase counts too
    assert stats.df(stem_phrase("reinforcement learning")) == 2
    assert stats.df("network") == 3
    assert stats.df(stem_phrase("never seen phrase")) == 0
    # Whole noun phrases are counted apart from sub-phrases.
    assert stats.maximal_df[stem_phrase("graph neural networks")] == 2
    assert stem_phrase("neural networks") not in stats.maximal_df


def test_idf_is_smoothed_and_orders_by_rarity(stats: CorpusStats) -> None:
    assert stats.idf("network") < stats.idf("molecul") < stats.idf("unseenword")
    assert stats.idf("unseenword") == pytest.approx(1.6094379, rel=1e-6)  # ln(5/1)
    assert stats.phrase_idf("network") == stats.idf("network")
    assert stats.phrase_idf(stem_phrase("neural networks")) < stats.phrase_idf(
        stem_phrase("graph neural networks"))


def test_incremental_add_equals_build(stats: CorpusStats) -> None:
    other = CorpusStats()
    for text in TEXTS:
        other.add(text)
    assert (other.n_docs, other.word_df, other.phrase_df, other.maximal_df) == (
        stats.n_docs, stats.word_df, stats.phrase_df, stats.maximal_df)


def test_progress_is_reported() -> None:
    seen: list[int] = []
    CorpusStats.build(("paper about neural networks" for _ in range(2500)), progress=seen.append)
    assert seen == [1000, 2000]


def test_save_and_load_round_trip(stats: CorpusStats, tmp_path: Path) -> None:
    path = tmp_path / "library-keyterms-stats.tmp"  # the name need not say gzip
    stats.save(path, min_phrase_df=1)
    loaded = CorpusStats.load(path)
    assert loaded.n_docs == stats.n_docs
    assert loaded.word_df == stats.word_df
    assert loaded.phrase_df == stats.phrase_df
    assert loaded.maximal_df == stats.maximal_df
    assert loaded.idf("network") == stats.idf("network")
    with gzip.open(path, "rt", encoding="utf-8") as handle:  # plain text inside
        assert handle.readline().startswith("#paperpath-corpus-stats\t1\t4")


def test_save_prunes_rare_phrases_but_keeps_words(stats: CorpusStats, tmp_path: Path) -> None:
    path = tmp_path / "stats.gz"
    stats.save(path)  # phrases need df >= 2
    loaded = CorpusStats.load(path)
    assert loaded.word_df == stats.word_df
    assert loaded.df(stem_phrase("graph neural networks")) == 2
    assert loaded.df(stem_phrase("molecule design")) == 0


def test_pruning_bounds_memory_during_the_pass() -> None:
    texts = [f"study of topic{i} networks. Neural networks everywhere." for i in range(50)]
    stats = CorpusStats.build(texts, prune_every=10)
    # Each "topicN networks" phrase occurs once and is pruned; frequent phrases survive.
    assert not any(key.startswith("topic") for key in stats.phrase_df)
    assert stats.df(stem_phrase("neural networks")) == 50
    assert sum(1 for key in stats.word_df if key.startswith("topic")) == 50  # words stay


def test_phrase_tables_are_capped() -> None:
    stats = CorpusStats(max_phrases=3)
    for i in range(10):
        stats.add_terms(["w"], [f"p {j}" for j in range(i + 1)])
    stats.prune(2)
    assert set(stats.phrase_df) == {"p 0", "p 1", "p 2"}  # the three most frequent
    assert stats.word_df == {"w": 10}


@pytest.mark.parametrize("content", [b"", b"not gzip at all", gzip.compress(b"hello\tworld\n")])
def test_load_rejects_other_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        CorpusStats.load(path)


def test_empty_and_odd_texts() -> None:
    stats = CorpusStats.build(["", "   ", "$\\alpha$ \\cite{x}", "深度学习 模型", "1 2 3"])
    assert stats.n_docs == 5
    assert stats.idf("anything") > 0


def test_loaded_words_are_interned(stats: CorpusStats, tmp_path: Path) -> None:
    # Key terms look stems up as interned strings; interned table keys make those look-ups
    # compare identities.
    import sys

    path = tmp_path / "stats.tsv.gz"
    stats.save(path)
    loaded = CorpusStats.load(path)
    assert loaded.word_df == stats.word_df
    assert all(sys.intern(key) is key for key in loaded.word_df)
