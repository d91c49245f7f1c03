"""Facet labels (problem / method / result / other) for the sentences of an abstract."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest

import paperpath.text.facets as facets_module
from paperpath.text.facets import (
    LABELS,
    classify_sentences,
    facets,
    facets_prepared,
    tokenize,
)
from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences

# A made-up abstract with the usual shape: background, gap, proposal, details, evidence, link.
ABSTRACT = (
    "Graph neural networks are widely used to model molecules. "
    "However, existing message-passing models struggle to capture long-range interactions "
    "and fail on large proteins. "
    "In this paper, we propose RingNet, a hierarchical architecture that pools atoms into "
    "rings before passing messages. "
    "RingNet alternates local attention within rings with a global attention step over ring "
    "summaries. "
    "Experiments on three benchmarks show that RingNet outperforms strong baselines by 4.2% "
    "while using half the memory. "
    "Code is available at https://github.com/example/ringnet."
)


def test_a_typical_abstract_gets_the_expected_facets() -> None:
    labels = [label for _, label in facets(ABSTRACT)]
    assert labels == ["problem", "problem", "method", "method", "result", "other"]


def test_sentences_are_returned_in_order_with_their_text() -> None:
    pairs = facets(ABSTRACT)
    assert pairs[0][0] == "Graph neural networks are widely used to model molecules."
    assert all(label in LABELS for _, label in pairs)


def test_classify_sentences_matches_facets_and_can_refuse_other() -> None:
    sentences = [s for s, _ in facets(ABSTRACT)]
    assert classify_sentences(sentences) == [label for _, label in facets(ABSTRACT)]
    three_way = classify_sentences(sentences, allow_other=False)
    assert "other" not in three_way
    assert three_way[:5] == ["problem", "problem", "method", "method", "result"]


def test_context_matters_a_sentence_is_read_with_its_neighbours() -> None:
    sentence = "The encoder is a small transformer."
    first = classify_sentences([sentence, "However, current systems are slow.",
                                "We propose FastX.", "Experiments show gains."])
    middle = classify_sentences(["Detectors are slow.", "We propose FastX.", sentence,
                                 "Experiments show that FastX outperforms baselines."])
    assert first[0] == "problem"
    assert middle[2] == "method"


def test_empty_and_degenerate_inputs() -> None:
    assert facets("") == []
    assert facets("   \n\n  ") == []
    assert classify_sentences([]) == []
    assert len(classify_sentences([""])) == 1
    assert len(classify_sentences(["", "", ""])) == 3
    one = facets("We propose a method.")
    assert len(one) == 1 and one[0][1] in LABELS
    assert facets("...")[0][1] in LABELS


def test_latex_is_stripped_before_labelling() -> None:
    text = (r"Training with $\alpha$-divergences \cite{x} is unstable. "
            r"We introduce \emph{SoftDiv}, a smoothed $\mathcal{D}_\alpha$ objective. "
            r"Experiments show it converges $2\times$ faster.")
    pairs = facets(text)
    assert [label for _, label in pairs] == ["problem", "method", "result"]
    assert "\\cite" not in pairs[0][0] and "$" not in pairs[1][0]


def test_non_english_and_symbol_soup_never_crash() -> None:
    for text in ("Dies ist eine Zusammenfassung. Wir schlagen eine Methode vor.",
                 "本文提出了一种新方法。实验结果表明该方法有效。",
                 "∑∫∂ ≤ ≥ → !!! ??? 12345 %%%", "a" * 5000, "x. " * 500):
        pairs = facets(text)
        assert all(label in LABELS for _, label in pairs)


def test_huge_input_is_capped_and_fast() -> None:
    text = " ".join([ABSTRACT] * 2000)  # ~1 MB
    start = time.perf_counter()
    pairs = facets(text)
    assert time.perf_counter() - start < 1.0
    assert 0 < len(pairs) <= facets_module.MAX_SENTENCES


def test_long_sentence_lists_are_labelled_in_windows() -> None:
    sentences = [s for s, _ in facets(ABSTRACT)] * 30  # 180 sentences
    labels = classify_sentences(sentences)
    assert len(labels) == len(sentences)


def test_tokenize_collapses_numbers_and_lowercases() -> None:
    assert tokenize("Accuracy rose to 93.5% on GPT-4 tasks") == [
        "accuracy", "rose", "to", "0", "%", "on", "gpt-", "0", "tasks"]


def test_model_file_is_small_and_plain() -> None:
    from importlib import resources

    ref = resources.files("paperpath.data.models").joinpath(facets_module.MODEL_FILE)
    assert ref.is_file()
    with ref.open("rb") as fh:
        data = fh.read()
    assert len(data) < 3_000_000
    assert data[:2] == b"PK"  # a zip of .npy arrays (np.savez_compressed), never a pickle


SHARED = Path(os.environ.get("PAPERPATH_SHARED", Path(__file__).resolve().parents[3] / "shared"))
CORPUS = SHARED / "data" / "arxiv" / "arxiv-cs-2025-2026.jsonl.gz"


@pytest.mark.skipif(not CORPUS.exists(), reason="shared arXiv corpus not available")
def test_real_abstracts_have_a_sensible_shape() -> None:
    """On real abstracts: every label is valid, most have all three facets, problem leads."""
    complete = leading_problem = n = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            labels = [label for _, label in facets(json.loads(line)["abstract"])]
            if len(labels) < 4:
                continue
            n += 1
            complete += {"problem", "method", "result"} <= set(labels)
            leading_problem += labels[0] == "problem"
            if n == 300:
                break
    assert complete / n > 0.7
    assert leading_problem / n > 0.6


@pytest.mark.parametrize("abstract", [
    "",
    "One sentence only.",
    "We study $\\alpha$-nets \\cite{x}. They are fast. Code: https://github.com/a/b.",
    "We propose a model. " * 1200,  # past MAX_CHARS: facets reads only the opening
    "Sentence number. " * 100,  # past MAX_SENTENCES
])
def test_facets_prepared_equals_facets(abstract: str) -> None:

    split = split_sentences(strip_latex(abstract))
    assert facets_prepared(abstract, split) == facets(abstract)
