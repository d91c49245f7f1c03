"""Tests for mining term definitions and acronyms (paperpath.text.definitions)."""

from __future__ import annotations

import dataclasses
import random
import time

import pytest

from paperpath.text.definitions import (
    MAX_CHARS,
    MinedDefinition,
    _align,
    find_acronyms,
    mine_definitions,
    mine_prepared,
    normalize_term,
)
from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences


def mined(text: str) -> list[tuple[str, str, str]]:
    return [(d.term, d.definition, d.pattern) for d in mine_definitions(text)]


# --------------------------------------------------------------------------- definitions


@pytest.mark.parametrize(
    ("text", "term", "definition", "pattern"),
    [
        ("We propose FooNet, a graph network that maps molecules to spectra.",
         "FooNet", "a graph network that maps molecules to spectra", "appositive"),
        ("To this end, we introduce QuuxBench, the first benchmark for testing solvers on "
         "tiled puzzles.",
         "QuuxBench", "the first benchmark for testing solvers on tiled puzzles", "appositive"),
        ("BarNet, a convolutional model for audio tagging, outperforms strong baselines.",
         "BarNet", "a convolutional model for audio tagging", "appositive"),
        ("We present a retrieval method called QuuxRAG that indexes tables by column.",
         "QuuxRAG", "a retrieval method that indexes tables by column", "called"),
        ("Knowledge distillation is a technique for transferring knowledge from a large "
         "teacher model to a small student model.",
         "Knowledge distillation",
         "a technique for transferring knowledge from a large teacher model to a small student "
         "model", "copula"),
        ("Entity linking is the task of mapping mentions in text to entries of a knowledge "
         "base.",
         "Entity linking", "the task of mapping mentions in text to entries of a knowledge base",
         "copula"),
        ("Catastrophic forgetting refers to the loss of earlier skills when a network is "
         "trained on new tasks.",
         "Catastrophic forgetting",
         "the loss of earlier skills when a network is trained on new tasks", "refers-to"),
        ("Label noise is defined as the fraction of training examples whose labels are wrong.",
         "Label noise", "the fraction of training examples whose labels are wrong",
         "defined-as"),
        ("We define drift as the change in the input distribution between training and "
         "deployment.",
         "drift", "the change in the input distribution between training and deployment",
         "we-define"),
        ("Language models often state false facts with confidence, a phenomenon known as "
         "hallucination.",
         "hallucination", "Language models often state false facts with confidence",
         "known-as"),
        ("We observe a failure mode we call echo collapse, where the decoder repeats its own "
         "previous outputs.",
         "echo collapse", "a failure mode where the decoder repeats its own previous outputs",
         "we-call"),
    ],
)
def test_patterns(text: str, term: str, definition: str, pattern: str) -> None:
    assert mined(text) == [(term, definition, pattern)]


def test_record_fields_and_alias() -> None:
    text = ("Intro sentence here. We introduce Sparse Mixture Routing (SMR), a routing scheme "
            "that sends each token to two experts.")
    [found] = mine_definitions(text)
    assert found == MinedDefinition(
        term="Sparse Mixture Routing",
        definition="a routing scheme that sends each token to two experts",
        sentence="We introduce Sparse Mixture Routing (SMR), a routing scheme that sends each "
                 "token to two experts.",
        pattern="appositive",
        alias="SMR",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.term = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        # Pronoun, possessive and generic subjects.
        "This is a method that works well in practice.",
        "It is a framework that unifies retrieval and generation.",
        "Our method is a simple approach that needs no labels.",
        "The proposed method is a two-stage pipeline that retrieves and then ranks documents.",
        "A distinguishing feature is a memory bank that stores past keys.",
        # The paper itself.
        "This paper is a survey of methods that detect anomalies.",
        "In this paper, the model is a transformer that reads code.",
        # Judgements, not definitions.
        "Hallucination is a key challenge for deployed chatbots that answer questions.",
        "Federated learning is a promising paradigm for training models on phones.",
        # Negation, questions, imperatives.
        "Dropout is not a method that guarantees calibration.",
        "Is FooNet a network that maps graphs?",
        "Please refer to the appendix for details of the proofs.",
        # "a ..." is the subject of the clause, not an appositive.
        "In BarNet, a mask is computed for each frame.",
        "Therefore, a better model of the data is needed for this setting.",
        "For ImageNet, a ResNet is trained for ninety epochs.",
        # Too thin to teach anything.
        "We propose FooNet, a novel framework.",
        # Terms longer than six words, and cross-references.
        "A very long multi word technical term for testing here is a method that does things.",
        "We present Algorithm 1, a procedure that sorts the keys.",
    ],
)
def test_rejects(text: str) -> None:
    assert mine_definitions(text) == []


def test_definition_stops_at_clause_end_and_anaphora() -> None:
    assert mined("We propose FooNet, a graph network for molecules; it is fast.") == [
        ("FooNet", "a graph network for molecules", "appositive")]
    assert mined("We propose FooNet, a graph network for molecules, and we show it is fast.") == [
        ("FooNet", "a graph network for molecules", "appositive")]
    # "designed to address this gap" leans on the previous sentence: cut it off.
    assert mined("We propose FooNet, a sparse graph network designed to address this gap.") == [
        ("FooNet", "a sparse graph network", "appositive")]
    # A second appositive in a list is not part of the first definition.
    assert mined("We evaluate on FooSet, a set of chemistry questions, and BarSet, a set of "
                 "physics questions.")[0][1] == "a set of chemistry questions"


def test_definition_length_is_capped() -> None:
    text = "We propose FooNet, a network that " + " ".join(["learns"] * 75) + "."
    assert len(text) < 600  # longer sentences are skipped altogether
    [found] = mine_definitions(text)
    assert len(found.definition) <= 301
    assert found.definition.endswith("…")


def test_one_definition_per_term() -> None:
    text = ("We propose FooNet, a graph network for molecules. FooNet is a model that maps "
            "molecules to spectra. We propose BarNet, a network for proteins.")
    assert [d.term for d in mine_definitions(text)] == ["FooNet", "BarNet"]


def test_latex_is_stripped() -> None:
    text = (r"We propose \textbf{FooNet} \cite{smith2020}, a network that learns step sizes "
            r"$\eta$ from data.")
    assert mined(text) == [("FooNet", "a network that learns step sizes η from data",
                            "appositive")]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\n", ".", "a", "(((", "$$$", r"\cite{x}", "?" * 1000,
     "Wir stellen FooNet vor, ein Netzwerk, das Moleküle abbildet.",
     "我们提出了一种新的方法，它是一种图神经网络。", "Это модель, которая работает."],
)
def test_hostile_inputs_do_not_crash(text: str) -> None:
    assert mine_definitions(text) == []
    assert isinstance(find_acronyms(text), dict)


def test_huge_text_is_capped_and_fast() -> None:
    filler = "Results improve on every dataset we tried with the same settings. " * 20_000
    tail = " We propose FooNet, a graph network that maps molecules to spectra."
    text = filler + tail  # ~1.3 MB; the definition lies beyond the cap
    assert len(text) > MAX_CHARS
    t0 = time.perf_counter()
    assert mine_definitions(text) == []
    find_acronyms(text + " Low-Rank Adaptation (LoRA)" * 1000)
    assert time.perf_counter() - t0 < 10  # generous: shared CI machines are slow
    assert mined(tail.strip()) == [("FooNet", "a graph network that maps molecules to spectra",
                                    "appositive")]


# --------------------------------------------------------------------------- acronyms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use Low-Rank Adaptation (LoRA) on large language models (LLMs).",
         {"LoRA": "Low-Rank Adaptation", "LLMs": "large language models"}),
        # Short form first, long form in parentheses.
        ("We train SPADE (Spatially Adaptive Denormalization) on faces.",
         {"SPADE": "Spatially Adaptive Denormalization"}),
        # Letters matched at word starts beat the greedy right-to-left match ("for ...").
        ("Fusion Latent for Optical Reconstruction and Alignment (FLoRA) works.",
         {"FLoRA": "Fusion Latent for Optical Reconstruction and Alignment"}),
        # The shortest expansion among equally good ones, as in Schwartz–Hearst.
        ("Prior work leveraged large language models (LLMs) for this.",
         {"LLMs": "large language models"}),
        ("Recent multi-modal large language models (MLLMs) see images.",
         {"MLLMs": "multi-modal large language models"}),
        ("We use Adaptive Moment Estimation (Adam; Kingma and Ba) to train.",
         {"Adam": "Adaptive Moment Estimation"}),
        ("A long form split\nacross lines: Graph Neural Networks\n(GNNs).",
         {"GNNs": "Graph Neural Networks"}),
    ],
)
def test_acronyms(text: str, expected: dict[str, str]) -> None:
    assert find_acronyms(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "images (e.g., photos) and results (ours) in 2021 (2021) (see Fig. 2)",
        "the model (TM) works",  # one initial for a determiner-led phrase
        "the accuracy (ACC) rises",  # letters not found in order
        "of the kind (KD) seen before",  # one short word holding two letters
        "(" * 10_000,
        ")(" * 5_000,
    ],
)
def test_acronym_rejects(text: str) -> None:
    assert find_acronyms(text) == {}


def test_first_expansion_wins() -> None:
    text = "Reinforcement Learning (RL) is used. Later, robot learning (RL) again."
    assert find_acronyms(text) == {"RL": "Reinforcement Learning"}


# --------------------------------------------------------------------------- grouping


def test_normalize_term_groups_variants() -> None:
    assert normalize_term("Large Language Models (LLMs)") == normalize_term("large language model")
    assert normalize_term("“Echo collapse”") == normalize_term("echo collapses")
    assert normalize_term("LoRA") == "lora"
    assert normalize_term("") == ""


@pytest.mark.parametrize("text", [
    "",
    "We propose FooNet, a network that maps graphs to trees. Edge learning refers to "
    "training at the edge.",
    "Filler sentence about nothing much. " * 6000 + "We propose BarNet, a network that "
    "sorts lists.",  # past MAX_CHARS: only the opening is mined
])
def test_mine_prepared_equals_mine_definitions(text: str) -> None:

    split = split_sentences(strip_latex(text))
    assert mine_prepared(text, split) == mine_definitions(text)


def _align_by_search(short: str, long: str) -> tuple[int, int] | None:
    """The specification of `_align`: a memoised search over every alignment."""
    chars = [c.lower() for c in short if c.isalnum()]
    text = long.lower()
    n = len(chars)
    if not n or len(text) <= n:
        return None
    memo: dict[tuple[int, int], int] = {}

    def best(ci: int, pos: int) -> int:
        if ci == n:
            return 0
        if (ci, pos) not in memo:
            result = -1
            i = text.find(chars[ci], pos)
            while i != -1:
                sub = best(ci + 1, i + 1)
                if sub >= 0:
                    result = max(result, sub + (i == 0 or not text[i - 1].isalnum()))
                i = text.find(chars[ci], i + 1)
            memo[ci, pos] = result
        return memo[ci, pos]

    choice: tuple[int, int] | None = None
    i = text.find(chars[0])
    while i != -1:
        if i == 0 or text[i - 1] == " ":
            sub = best(1, i + 1)
            if sub >= 0 and (choice is None or sub + 1 >= choice[1]):
                choice = (i, sub + 1)
        i = text.find(chars[0], i + 1)
    return choice


def test_align_equals_exhaustive_search() -> None:
    rng = random.Random(5)
    for _ in range(5000):
        short = "".join(rng.choice("abcAB1İx-") for _ in range(rng.randint(0, 6)))
        long = "".join(rng.choice("abcdeAB -İıx1") for _ in range(rng.randint(0, 30)))
        assert _align(short, long) == _align_by_search(short, long), (short, long)
    assert _align("LoRA", "Low-Rank Adaptation") == (0, 3)  # L, R, A at word starts
