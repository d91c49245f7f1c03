"""A fast part-of-speech tagger for scientific English (Penn Treebank tags).

Key-term extraction only needs to tell nouns and adjectives from verbs, adverbs and function
words, and it must run in a fraction of a millisecond per abstract, so this is the simplest
tagger that is good enough:

1. lexicon look-up in the Brill/Pattern English lexicon that ships inside the ``textblob``
   package (``textblob/en/en-lexicon.txt``, one most-frequent tag per word), with a handful of
   overrides for words whose everyday tag is wrong in papers ("novel" is an adjective there);
2. spelling rules for unknown words (suffixes, digits, capitals, hyphenated compounds);
3. one left-to-right pass of a few contextual rules (a verb after a determiner is a noun, a
   noun after "to" or a modal is a verb, "we present" is a verb, ...).

textblob's own tagger is not used at run time (it is slow), nor is textblob imported; only its
data file is read, once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
ADJ_TAGS = frozenset({"JJ", "JJR", "JJS"})

# Words whose lexicon tag (most frequent in news text) is wrong in scientific prose.
_OVERRIDES = {
    "novel": "JJ", "present": "JJ", "based": "VBN", "via": "IN", "data": "NNS", "dataset": "NN",
    "datasets": "NNS", "embedding": "NN", "embeddings": "NNS", "encoding": "NN",
    "modelling": "NN", "modeling": "NN", "learning": "VBG", "pretrained": "JJ",
    "pre-trained": "JJ", "fine-tuned": "JJ", "fine-tuning": "NN", "multi": "JJ",
    "outperforms": "VBZ", "outperform": "VBP", "leverages": "VBZ", "leverage": "VB",
    "enables": "VBZ", "yields": "VBZ", "exhibits": "VBZ", "achieves": "VBZ", "adopts": "VBZ",
    "significantly": "RB", "respectively": "RB", "furthermore": "RB", "moreover": "RB",
    "e.g": "FW", "i.e": "FW", "etc": "FW", "et": "FW", "al": "FW", "vs": "IN",
    "its": "PRP$", "their": "PRP$", "our": "PRP$", "this": "DT", "these": "DT", "those": "DT",
    "that": "IN", "which": "WDT", "such": "JJ", "other": "JJ", "same": "JJ", "various": "JJ",
    "several": "JJ", "many": "JJ", "few": "JJ", "new": "JJ", "first": "JJ", "last": "JJ",
    "paper": "NN", "papers": "NNS", "show": "VBP", "shows": "VBZ", "demonstrate": "VBP",
    "demonstrates": "VBZ", "propose": "VBP", "proposes": "VBZ", "study": "NN",
    "studies": "NNS", "work": "NN", "works": "NNS", "result": "NN", "results": "NNS",
}

_PUNCT_TAGS = {",": ",", ".": ".", "!": ".", "?": ".", ";": ":", ":": ":", "(": "(", ")": ")",
               "[": "(", "]": ")", "{": "(", "}": ")", '"': '"', "'": '"', "“": '"', "”": '"',
               "-": ":", "–": ":", "—": ":", "/": "SYM", "=": "SYM", "+": "SYM", "%": "NN"}

# Suffix rules for unknown lower-case words, longest suffix first (first match wins).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ness", "NN"), ("ment", "NN"), ("tion", "NN"), ("sion", "NN"), ("ity", "NN"),
    ("ism", "NN"), ("ship", "NN"), ("ance", "NN"), ("ence", "NN"), ("ics", "NNS"),
    ("ings", "NNS"), ("ing", "VBG"), ("ed", "VBN"), ("ly", "RB"), ("ous", "JJ"), ("ful", "JJ"),
    ("ive", "JJ"), ("able", "JJ"), ("ible", "JJ"), ("ical", "JJ"), ("al", "JJ"), ("ic", "JJ"),
    ("less", "JJ"), ("ary", "JJ"), ("ular", "JJ"), ("oid", "JJ"), ("ize", "VB"), ("ise", "VB"),
    ("ify", "VB"), ("ss", "NN"), ("us", "NN"), ("is", "NN"), ("s", "NNS"),
)
_NUMBER = re.compile(r"^[+-]?\d[\d.,]*%?$")
_HAS_DIGIT = re.compile(r"\d")

# Gerunds that head a verb phrase ("models using attention"), never a noun compound.
VERBAL_GERUNDS = frozenset(
    """using including achieving yielding leveraging improving reducing enabling providing
    requiring making having being showing outperforming combining exploiting allowing
    following considering involving containing generating producing giving taking leading
    resulting incorporating introducing capturing utilizing utilising employing applying
    obtaining maintaining ensuring preserving addressing integrating solving increasing
    decreasing performing proposing presenting demonstrating revealing compared according
    regarding concerning depending focusing relying based""".split()
)
_DETERMINERS = frozenset({"DT", "PRP$", "POS", "CD", "WP$"})
_VERB_TAGS = frozenset({"VB", "VBP"})


@lru_cache(maxsize=1)
def lexicon() -> dict[str, str]:
    """The word → tag table: textblob's Brill lexicon plus this module's overrides."""
    # Locate the data file without importing textblob (its import pulls in nltk: ~1 s).
    spec = find_spec("textblob")
    if spec is None or spec.origin is None:
        raise RuntimeError("the textblob package (its English lexicon) is not installed")
    path = Path(spec.origin).parent / "en" / "en-lexicon.txt"
    table: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(";;;"):
                continue
            parts = line.split()
            if len(parts) == 2:
                # Some entries carry alternatives ("NN|JJ"); the first is the most frequent.
                table[parts[0]] = parts[1].split("|", 1)[0]
    table.update(_OVERRIDES)
    return table


def _unknown(word: str) -> str:
    """Tag of a word the lexicon lacks, from its spelling alone."""
    if _NUMBER.match(word):
        return "CD"
    if _HAS_DIGIT.search(word):
        # Model and product names: "GPT-4", "ResNet-50", "T5", "3D"; "3d", "x86" are nouns.
        return "NNP" if any(c.isupper() for c in word) else "NN"
    if "-" in word:
        head = word.rsplit("-", 1)[1]
        tag = word_tag(head) if head else "NN"
        if tag in NOUN_TAGS:
            return "NNS" if tag in ("NNS", "NNPS") else "NN"
        # "graph-based", "self-supervised", "long-range": compound modifiers.
        return "JJ"
    if word[:1].isupper():
        return "NNPS" if word.endswith("s") and word[:-1].isupper() else "NNP"
    for suffix, tag in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return tag
    return "NN"


@lru_cache(maxsize=100_000)
def word_tag(word: str) -> str:
    """Context-free tag of one token (cached: vocabularies are Zipfian), before `apply_rules`."""
    if word in _PUNCT_TAGS:
        return _PUNCT_TAGS[word]
    table = lexicon()
    lower = word.lower()
    if lower in _OVERRIDES:
        return _OVERRIDES[lower]
    if word[:1].isupper():
        # Title case and sentence starts: the lower-case entry is the informative one
        # ("Deep" is NNP in the lexicon only because of news headlines).
        if not word.isupper() or len(word) == 1:
            tag = table.get(lower)
            if tag is not None:
                return tag
        tag = table.get(word)
        if tag is not None:
            return tag
        return _unknown(word)
    tag = table.get(word)
    if tag is None and word != lower:
        tag = table.get(lower)
    return tag if tag is not None else _unknown(word)


def tag(tokens: Sequence[str]) -> list[str]:
    """Penn Treebank tags for ``tokens`` (words and punctuation, as split by the caller)."""
    return apply_rules(tokens, [word_tag(token) for token in tokens])


# Tags before which a noun or adjective may be re-tagged (see `apply_rules`): everything else
# leaves it alone, so the common case costs one set look-up.
_RETAG_AFTER = frozenset({"TO", "MD", "PRP", "NN", "NNP"})
_NOUN_OR_ADJ = NOUN_TAGS | ADJ_TAGS


def apply_rules(tokens: Sequence[str], tags: list[str]) -> list[str]:
    """The contextual pass of `tag`: rewrites ``tags`` (the `word_tag` of each of ``tokens``)
    in place, left to right, and returns it.

    Split from `tag` so that a caller that caches per-token look-ups (key terms) can skip
    `word_tag`. Each rule sees the final tag of the previous token and the look-up tag of the
    next one.
    """
    n = len(tags)
    prev = "."
    for i, t in enumerate(tags):
        if t in _VERB_TAGS:
            # "the use", "a set", "our fit": a base verb after a determiner is a noun.
            if prev in _DETERMINERS or prev in ADJ_TAGS:
                t = tags[i] = "NN"
        elif t in _NOUN_OR_ADJ:
            if prev not in _RETAG_AFTER:
                pass
            elif prev in ("TO", "MD"):
                if t in ("NN", "JJ"):
                    t = tags[i] = "VB"  # "to model", "can model"
            elif prev == "PRP" and t in ("NN", "JJ", "NNS"):
                # "we present", "it models", "they study".
                t = tags[i] = "VBZ" if tokens[i].endswith("s") else "VBP"
            elif t == "NNS" and i + 1 < n and tags[i + 1] in _DETERMINERS:
                t = tags[i] = "VBZ"  # "the model learns the ...", "this results in" stays NNS
        elif t == "VBG" and tokens[i].lower() not in VERBAL_GERUNDS:
            nxt = tags[i + 1] if i + 1 < n else "."
            # "deep learning", "the training", "image processing": gerunds inside noun phrases.
            if (prev in ADJ_TAGS or prev in NOUN_TAGS or prev in _DETERMINERS) \
                    and nxt not in _DETERMINERS:
                t = tags[i] = "NN"
            elif nxt in NOUN_TAGS and prev not in ("IN", "TO", "RB", "VBZ", "VBP", "VBD", "MD"):
                t = tags[i] = "NN"  # "learning rate", "clustering algorithms" at a phrase start
        prev = t
    return tags
