"""Tests for key-term extraction (paperpath.text.keyterms)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperpath.text import keyterms
from paperpath.text.corpus_stats import CorpusStats
from paperpath.text.keyterms import FEATURES, candidate_table, key_terms
from paperpath.text.tokens import WORD_RE, stem_phrase

ABSTRACT = (
    "Graph neural networks for molecular property prediction. Graph neural networks (GNNs) "
    "learn representations of molecules by message passing over atoms and bonds. We propose "
    "a message passing scheme with edge attention that improves molecular property "
    "prediction on standard benchmarks, and we show that graph neural networks with edge "
    "attention are more sample efficient than fingerprint-based models. Experiments on the "
    "QM9 dataset confirm that edge attention reduces the prediction error by 12% (see "
    "Figure 3 and Table 2)."
)
LIBRARY = [
    "Convolutional neural networks for image classification. We train deep networks.",
    "A survey of reinforcement learning. Agents learn policies from rewards.",
    "Transformers for machine translation. Attention replaces recurrence.",
    "Graph neural networks for traffic forecasting. We model roads as graphs.",
    "Large language models as zero-shot reasoners. We prompt models step by step.",
]


def test_finds_the_papers_topic_first() -> None:
    terms = key_terms(ABSTRACT)
    assert len(terms) == 10
    assert terms[0] == "graph neural networks"
    assert "molecular property prediction" in terms[:3]
    assert "edge attention" in terms
    assert "message passing" in terms


def test_one_phrase_per_stem_and_readable_case() -> None:
    terms = key_terms(ABSTRACT, k=30)
    stems = [stem_phrase(t) for t in terms]
    assert len(stems) == len(set(stems))
    assert "QM9 dataset" in terms  # acronyms keep their capitals
    assert all(t == t.strip() and "  " not in t for t in terms)
    assert "Graph neural networks" not in terms  # title case is lowered


def test_figure_references_and_numbers_are_never_terms() -> None:
    terms = key_terms(ABSTRACT, k=100)
    assert not any(re.search(r"\b(figure|table)\b", t, re.IGNORECASE) for t in terms)
    assert not any(re.fullmatch(r"[\d%. ]+", t) for t in terms)


def test_verbs_do_not_open_phrases() -> None:
    text = ("Most pertinent research has employed genetic algorithms. The proposed method "
            "uses distributed systems.")
    terms = key_terms(text, k=20)
    assert "genetic algorithms" in terms
    assert not any(t.startswith(("employed", "has", "uses")) for t in terms)
    assert "distributed systems" in terms


def test_k_bounds_the_output() -> None:
    assert key_terms(ABSTRACT, k=0) == []
    assert len(key_terms(ABSTRACT, k=3)) == 3
    assert key_terms(ABSTRACT, k=3) == key_terms(ABSTRACT, k=10)[:3]


def test_library_statistics_change_the_ranking_input() -> None:
    stats = CorpusStats.build([*LIBRARY, ABSTRACT])
    with_stats = key_terms(ABSTRACT, stats=stats)
    assert with_stats[0] == "graph neural networks"
    keys, _, default = candidate_table(ABSTRACT)
    _, _, local = candidate_table(ABSTRACT, stats)
    idf = FEATURES.index("idf_mean")
    assert not np.allclose(default[:, idf], local[:, idf])  # local IDFs are used
    bg = FEATURES.index("bg_idf_mean")
    assert np.allclose(default[:, bg], local[:, bg])  # the background stays the same
    assert len(keys) == len(set(keys)) == default.shape[0]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "$\\alpha$",
        "\\cite{smith2020} \\ref{fig:1} $$x^2$$",
        "1 2 3 4 5 % 12.5 -- ...",
        "深度学习模型在图像分类中的应用。",
        "Модели глубокого обучения для классификации изображений.",
        "x" * 100_000,
        "a" * 45 + " networks",
        "(((((((((())))))))))",
        "One sentence only",
    ],
)
def test_hostile_inputs_never_crash(text: str) -> None:
    terms = key_terms(text)
    assert isinstance(terms, list)
    assert all(isinstance(t, str) and t for t in terms)
    assert len(terms) <= 10


def test_latex_is_stripped() -> None:
    text = ("Diffusion models with $\\alpha$-divergence \\cite{ho2020}. We train "
            "\\emph{diffusion models} on images with \\textbf{score matching}.")
    terms = key_terms(text)
    assert "diffusion models" in terms
    assert "score matching" in terms
    assert not any("\\" in t or "$" in t or "cite" in t for t in terms)


def test_long_texts_are_capped() -> None:
    text = ABSTRACT + " " + "Unrelated filler about quantum chromodynamics. " * 5000
    assert len(text) > 10 * keyterms.MAX_CHARS
    terms = key_terms(text)
    assert "graph neural networks" in terms[:3]


def test_token_pattern_matches_the_shared_word_pattern() -> None:
    text = ("State-of-the-art GPT-4 reaches 93.5% on U.S. data_sets, e.g. x_1 (it's "
            "ResNet-50's) — w.r.t. α-divergence...")
    words = [t for t in keyterms._TOKEN_RE.findall(text) if t[0].isalnum() or t[0] == "α"]
    assert words == WORD_RE.findall(text)


def test_shipped_model_files() -> None:
    ranker = keyterms.default_ranker()
    assert ranker.mean.shape == (len(FEATURES),)
    assert ranker.score(np.zeros((3, len(FEATURES)))).shape == (3,)
    background = keyterms.background_stats()
    assert background.n_docs > 50_000
    assert background.df("network") > 1000


def test_ranker_refuses_other_features() -> None:
    data = {"features": ["len"], "mean": [0.0], "scale": [1.0],
            "layers": [{"W": [[1.0]], "b": [0.0]}]}
    with pytest.raises(ValueError, match="other features"):
        keyterms.Ranker.from_json(data)


def test_linear_ranker_scores_are_a_dot_product() -> None:
    n = len(FEATURES)
    weights = np.arange(n, dtype=float)
    ranker = keyterms.Ranker.from_json({
        "features": list(FEATURES), "mean": [1.0] * n, "scale": [2.0] * n,
        "layers": [{"W": [[w] for w in weights], "b": [0.5]}]})
    x = np.ones((2, n)) * 3
    assert np.allclose(ranker.score(x), ((x - 1) / 2) @ weights + 0.5)


def test_quality_on_shared_inspec_sample() -> None:
    """A sanity floor on real data (skipped without the shared folder)."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from snapshot_data import shared_dir

    path = shared_dir() / "data" / "keyphrase" / "inspec.jsonl"
    if not path.exists():
        pytest.skip(f"keyphrase data not found at {path}")
    with path.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for _, line in zip(range(200), handle, strict=False)]
    stats = CorpusStats.build(d["text"] for d in docs)
    hits = gold = 0
    for doc in docs:
        wanted = {stem_phrase(k) for k in doc["keyphrases"]}
        predicted = {stem_phrase(t) for t in key_terms(doc["text"], 10, stats)}
        hits += len(wanted & predicted)
        gold += len(wanted)
    precision = hits / (10 * len(docs))
    assert precision > 0.3  # ~0.38 measured; a broken tagger or ranker falls far below


# Texts that reach the rarer paths of the fast feature code: a word that is no noun in one
# phrase but ends a candidate elsewhere ("proposed" / "proposal", both "propos"), an 8-word
# noun phrase whose 7-word sub-phrases are candidates elsewhere (sub-phrases that long are not
# generated in place), repeated words inside one phrase, acronym definitions.
TRICKY = [
    "The proposed method is good. A proposal is made and the proposed method helps.",
    "We build efficient sparse graph neural network training system design. We use sparse "
    "graph neural network training system design, and efficient sparse graph neural network "
    "training system, too.",
    "Learning rate schedules for deep learning. Deep learning models use learning rate "
    "warmup, and learning helps.",
    "Graph neural network graph pooling improves graph neural network graph classification "
    "of graphs.",
    "Retrieval augmented generation (RAG) helps large language models (LLMs). We study RAG "
    "for LLMs with graph retrieval augmented generation.",
]


def test_tricky_texts_reach_the_rare_paths() -> None:
    reached = []
    for text in TRICKY[:2]:
        doc = keyterms._analyse(text)
        cands = keyterms._candidates(doc)
        assert cands is not None
        reached.append(keyterms._extra_pairs(doc, cands)[0])
    assert all(reached)


def _naive_nesting(keys: list[str], counts: list[int]) -> tuple[list[int], ...]:
    """Per candidate: super-phrases, sub-phrases and occurrences as a sub-phrase, by the
    definition: every proper sub-phrase of a candidate's stems that is a candidate too."""
    index = {key: i for i, key in enumerate(keys)}
    n_sup = [0] * len(keys)
    n_subs = [0] * len(keys)
    sup_count = [0] * len(keys)
    for outer, key in enumerate(keys):
        words = key.split(" ")
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                inner = index.get(" ".join(words[start:start + size]))
                if inner is not None:
                    n_sup[inner] += 1
                    n_subs[outer] += 1
                    sup_count[inner] += counts[outer]
    return n_sup, n_subs, sup_count


@pytest.mark.parametrize("text", [ABSTRACT, *TRICKY])
def test_nesting_features_follow_the_definition(text: str) -> None:
    keys, _, features = candidate_table(text)
    counts = np.rint(np.exp(features[:, FEATURES.index("log_count")])).astype(int).tolist()
    n_sup, n_subs, sup_count = _naive_nesting(keys, counts)
    assert np.array_equal(features[:, FEATURES.index("log_supers")], np.log1p(n_sup))
    assert np.array_equal(features[:, FEATURES.index("log_subs")], np.log1p(n_subs))
    assert np.array_equal(features[:, FEATURES.index("log_super_count")], np.log1p(sup_count))
    assert any(n > 0 for n in n_subs)


def test_candidates_come_in_order_of_first_position() -> None:
    # `_features` relies on it for the "first_rank" feature.
    for text in [ABSTRACT, *TRICKY]:
        doc = keyterms._analyse(text)
        cands = keyterms._candidates(doc)
        assert cands is not None
        firsts = cands.rec[::keyterms._REC]
        assert firsts == sorted(firsts)
        _, _, features = candidate_table(text)
        assert np.array_equal(features[:, FEATURES.index("first_rank")],
                              np.arange(len(firsts)) / len(firsts))


def test_key_terms_many_equals_key_terms_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyterms, "BATCH", 3)  # several batches, and a partial one
    texts = [ABSTRACT, "", "   ", "of the and", *TRICKY, *LIBRARY, "x"]
    stats = CorpusStats.build([*LIBRARY, ABSTRACT, *TRICKY])
    for k, library in ((10, None), (4, stats)):
        assert keyterms.key_terms_many(texts, k, library) == [key_terms(t, k, library)
                                                              for t in texts]
    assert keyterms.key_terms_many(texts, 0) == [[] for _ in texts]
    assert keyterms.key_terms_many([]) == []


def test_batched_features_equal_single_ones_bit_for_bit() -> None:
    texts = [ABSTRACT, *TRICKY, *LIBRARY]
    docs = [keyterms._analyse(t) for t in texts]
    cands = [keyterms._candidates(d) for d in docs]
    pairs = [(d, c) for d, c in zip(docs, cands, strict=True) if c is not None]
    bg = keyterms.background_stats()
    stats = CorpusStats.build(texts)
    together = keyterms._features([d for d, _ in pairs], [c for _, c in pairs], stats, bg)
    start = 0
    for doc, cand in pairs:
        alone = keyterms._features([doc], [cand], stats, bg)
        assert together[start:start + len(alone)].tobytes() == alone.tobytes()
        start += len(alone)
    assert start == len(together)


def test_token_caches_are_bounded_and_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [key_terms(t) for t in [ABSTRACT, *TRICKY]]
    monkeypatch.setattr(keyterms, "_CACHE_MAX", 5)
    keyterms._PIECE_INFO.clear()
    keyterms._TOKEN_INFO.clear()
    assert [key_terms(t) for t in [ABSTRACT, *TRICKY]] == expected
    assert len(keyterms._PIECE_INFO) <= 5 and len(keyterms._TOKEN_INFO) <= 5


def test_tokens_seen_before_the_background_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Building library statistics needs no background table; tokens cached then lack its
    # frequencies, and key terms look them up instead.
    expected = key_terms(ABSTRACT)
    monkeypatch.setattr(keyterms, "_SHIPPED_WORDS", None)
    keyterms._PIECE_INFO.clear()
    keyterms._TOKEN_INFO.clear()
    keyterms.document_terms(ABSTRACT)
    assert keyterms._TOKEN_INFO["networks"][8] == -1
    assert key_terms(ABSTRACT) == expected
    keyterms._PIECE_INFO.clear()
    keyterms._TOKEN_INFO.clear()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aB1_-'.,( )\t\n\x1c\xa0\u2028\u3000é深", max_size=60))
def test_piece_cache_tokenizes_like_the_pattern(text: str) -> None:
    # Splitting on whitespace first (and caching per piece) finds the pattern's tokens.
    assert [info[0] for info in keyterms._infos(text)] == keyterms._TOKEN_RE.findall(text)


def test_links_are_not_key_terms() -> None:
    from paperpath.text.keyterms import key_terms

    terms = key_terms("Video diffusion models are slow because sampling needs hundreds of "
                      "denoising steps. We propose score distillation into a four-step "
                      "student. Code: https://github.com/example/fastvid and "
                      "www.example.org/fastvid-demo", k=10)
    assert "score distillation" in terms
    assert not {t for t in terms if any(p in t.lower() for p in
                                        ("https", "fastvid", "github", "www", "example"))}


def test_naming_verbs_introduce_terms_without_joining_them() -> None:
    from paperpath.text.keyterms import key_terms

    terms = key_terms("We propose choosing the option most likely to be best, the idea now "
                      "called Thompson sampling, with a network dubbed FastNet for named "
                      "entity recognition.", k=10)
    assert "Thompson sampling" in terms and "FastNet" in terms
    assert not [t for t in terms if t.lower().startswith(("called ", "dubbed "))]
    assert any("named entity" in t.lower() for t in terms)
