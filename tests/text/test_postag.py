"""Tests for the lexicon + rules part-of-speech tagger (paperpath.text.postag)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from paperpath.text.postag import NOUN_TAGS, lexicon, tag


def tagged(sentence: str) -> dict[str, str]:
    tokens = sentence.replace(".", " .").replace(",", " ,").split()
    return dict(zip(tokens, tag(tokens), strict=True))


def test_lexicon_is_textblobs_brill_lexicon_with_overrides() -> None:
    table = lexicon()
    assert len(table) > 90_000
    assert table["the"] == "DT"
    assert table["network"] == "NN"
    assert table["novel"] == "JJ"  # NN in news text, an adjective in papers


def test_tags_a_typical_abstract_sentence() -> None:
    tags = tagged("We propose a novel graph neural network for molecular property prediction.")
    assert tags["We"] == "PRP"
    assert tags["propose"] in ("VB", "VBP")
    assert tags["a"] == "DT"
    assert tags["novel"] == "JJ"
    assert tags["neural"] == "JJ"
    assert tags["network"] == "NN"
    assert tags["for"] == "IN"
    assert tags["prediction"] == "NN"
    assert tags["."] == "."


@pytest.mark.parametrize(
    ("sentence", "word", "expected"),
    [
        ("The use of attention is common.", "use", "NN"),  # verb after a determiner
        ("We want to model the data.", "model", "VB"),  # noun after "to"
        ("We present a method.", "present", "VBP"),  # adjective after "we"
        ("Deep learning is popular.", "learning", "NN"),  # gerund inside a noun phrase
        ("The learning rate matters.", "learning", "NN"),
        ("We improve results by using attention.", "using", "VBG"),  # a real verb
        ("It models the data.", "models", "VBZ"),
    ],
)
def test_contextual_rules(sentence: str, word: str, expected: str) -> None:
    assert tagged(sentence)[word] == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hyperparameterization", "NN"),
        ("convolutionalized", "VBN"),
        ("transformerish", "NN"),
        ("equivariantly", "RB"),
        ("diffusional", "JJ"),
        ("tokenizers", "NNS"),
        ("GPT-4", "NNP"),
        ("ResNet-50", "NNP"),
        ("self-distilled", "JJ"),
        ("encoder-decoder", "NN"),
        ("1998", "CD"),
        ("3.5%", "CD"),
    ],
)
def test_unknown_words_are_tagged_by_spelling(word: str, expected: str) -> None:
    assert tag(["the", word])[1] == expected or tag([word])[0] == expected


def test_capitalised_common_words_use_the_lower_case_entry() -> None:
    # "Deep" is NNP in the lexicon (news headlines); at a sentence start it is an adjective.
    assert tag(["Deep", "networks"]) == ["JJ", "NNS"]
    assert tag(["Lyapunov", "functions"])[0] in NOUN_TAGS


def test_punctuation_and_edge_cases() -> None:
    assert tag([]) == []
    assert tag([",", "(", ")", ".", ";"]) == [",", "(", ")", ".", ":"]
    assert len(tag(["深度学习", "模型", "Ünïcödé", "x" * 500])) == 4


def test_does_not_import_textblob() -> None:
    """Only textblob's data file is read: importing textblob would pull in nltk (~1 s)."""
    code = ("import sys; from paperpath.text.postag import tag; tag(['a', 'model']); "
            "print('textblob' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
