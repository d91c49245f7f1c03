"""Tests for the lexicon + rules part-of-speech tagger (paperpath.text.postag)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperpath.text.postag import NOUN_TAGS, apply_rules, lexicon, tag, word_tag


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


def _reference_rules(tokens: list[str], tags: list[str]) -> list[str]:
    """The contextual rules written plainly, one token at a time (the definition)."""
    from paperpath.text.postag import _DETERMINERS, _VERB_TAGS, ADJ_TAGS, VERBAL_GERUNDS

    tags = list(tags)
    n = len(tags)
    for i in range(n):
        t = tags[i]
        prev = tags[i - 1] if i else "."
        if t in _VERB_TAGS:
            if prev in _DETERMINERS or prev in ADJ_TAGS:
                tags[i] = "NN"
        elif t in NOUN_TAGS or t in ADJ_TAGS:
            if prev in ("TO", "MD") and t in ("NN", "JJ"):
                tags[i] = "VB"
            elif prev == "PRP" and t in ("NN", "JJ", "NNS"):
                tags[i] = "VBZ" if tokens[i].endswith("s") else "VBP"
            elif t == "NNS" and prev in ("NN", "NNP", "PRP") and i + 1 < n \
                    and tags[i + 1] in _DETERMINERS:
                tags[i] = "VBZ"
        elif t == "VBG":
            if tokens[i].lower() in VERBAL_GERUNDS:
                continue
            nxt = tags[i + 1] if i + 1 < n else "."
            inside = (prev in ADJ_TAGS or prev in NOUN_TAGS or prev in _DETERMINERS) \
                and nxt not in _DETERMINERS
            opening = nxt in NOUN_TAGS and prev not in ("IN", "TO", "RB", "VBZ", "VBP", "VBD",
                                                        "MD")
            if inside or opening:
                tags[i] = "NN"
    return tags


_TAGS = ["NN", "NNS", "NNP", "NNPS", "JJ", "JJR", "VB", "VBP", "VBZ", "VBG", "VBN", "VBD",
         "DT", "PRP", "PRP$", "POS", "CD", "TO", "MD", "IN", "RB", ".", ","]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["models", "using", "learning", "data", "x"]),
                          st.sampled_from(_TAGS)), max_size=30))
def test_fast_rules_equal_the_plain_definition(pairs: list[tuple[str, str]]) -> None:
    tokens = [token for token, _ in pairs]
    tags = [t for _, t in pairs]
    assert apply_rules(tokens, list(tags)) == _reference_rules(tokens, tags)


def test_tag_is_word_tag_then_rules() -> None:
    tokens = "We want to model the learning rate of deep networks .".split()
    assert tag(tokens) == apply_rules(tokens, [word_tag(t) for t in tokens])
