"""Label each sentence of an abstract as problem, method, result or other.

The reading guide shows an abstract as three facets: what problem the paper attacks (the task,
why it matters, what earlier work lacks), what the authors did (the method and how it works) and
what they found (experiments, numbers, claims). Code/data links and similar boilerplate are
``other``.

Two small linear models, trained by ``scripts/train/facets.py`` and shipped as
``data/models/facets-v1.npz``:

1. a *sentence model* over the sentence itself — its words, its first one to three words, its
   position and length — trained on arXiv abstracts weakly labelled by structure and cue
   phrases (see the training script), so it knows far more vocabulary than the rules;
2. a *context model* over the sentence model's probabilities for the sentence and its
   neighbours, how far the abstract has got (has a method been proposed yet? has evidence been
   reported?), a few cue-word flags and the relative position — trained on hand-labelled
   abstracts.

At run time this is a tokenizer pass, dictionary look-ups and a handful of small numpy
operations per abstract (no scikit-learn): about a tenth of a millisecond.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from itertools import repeat
from typing import NamedTuple

import numpy as np

from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences

LABELS: tuple[str, ...] = ("problem", "method", "result", "other")
MODEL_FILE = "facets-v1.npz"

# Caps for hostile input: a whole paper pasted as an "abstract" is cut to its opening; a
# sentence that runs for pages only contributes its first words.
MAX_CHARS = 20_000
MAX_SENTENCES = 80
MAX_TOKENS = 80

# Lower-cased words (with ' and -), numbers (collapsed to "0" below) and "%". Kept simple:
# tokenizing is a good part of the run time.
_TOKEN = re.compile(r"[a-z][a-z'-]*|[0-9][0-9.,]*|%")
_DIGIT = re.compile(r"[0-9]")

# Cue words behind the context model's flags (token sets: much cheaper than regexes).
_SUBJECTS = frozenset({"we", "paper", "work", "study", "article", "here", "our"})
_METHOD_VERBS = frozenset(
    """propose proposes proposed introduce introduces introduced present presents presented
    develop develops developed design designs designed devise devises devised formulate
    formulates formulated build builds construct constructs contribute contributes""".split())
_RESULT_WORDS = frozenset(
    """experiments experiment experimental experimentally empirical empirically extensive
    outperform outperforms outperformed outperforming surpass surpasses surpassing ablation
    ablations evaluations results findings achieves achieving""".split())
_RESULT_PHRASES = re.compile(
    r"we (?:show|find|found|observe|demonstrate)|show that|results (?:show|demonstrate)|"
    r"state-of-the-art (?:performance|results)")
_PROBLEM_WORDS = frozenset(
    """however despite although challenge challenges challenging limitation limitations
    limited suffer suffers struggle struggles fail fails lack lacks lacking bottleneck
    bottlenecks remains remain existing underexplored unclear""".split())
_OTHER_WORDS = frozenset({"available", "released", "release", "open-source", "open-sourced",
                          "github", "http", "https", "url", "page", "website"})
_OTHER_NOUNS = frozenset({"code", "codes", "data", "dataset", "datasets", "models",
                          "implementation", "project", "weights", "demo", "github", "http",
                          "https", "website"})
N_CUES = 7


def tokenize(sentence: str) -> list[str]:
    """Lower-cased word tokens of ``sentence``, numbers as ``0``, at most ``MAX_TOKENS``."""
    return _tokens(sentence.lower())


def _tokens(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)[:MAX_TOKENS]
    if _DIGIT.search(text) is None:  # most sentences: no numbers to collapse
        return tokens
    return ["0" if "0" <= t[0] <= "9" else t for t in tokens]


def sentence_features(tokens: list[str], index: int, count: int) -> list[str]:
    """Sparse feature names of one tokenized sentence at ``index`` of ``count``.

    The words themselves, the first one to three words (prefix ``^``), position and length
    (prefix ``#``; no token can start with either). Word bigrams were tried and added nothing
    over the opening words. Shared with training.
    """
    feats = ["#bias", *tokens,
             f"#pos{min(index, 5)}", f"#end{min(count - 1 - index, 3)}",
             f"#rel{(10 * index) // max(count, 1)}", f"#len{min(len(tokens) // 8, 6)}"]
    if tokens:
        feats.append("^" + tokens[0])
        feats.append("^" + " ".join(tokens[:2]))
        feats.append("^" + " ".join(tokens[:3]))
    return feats


def cue_flags(text: str, tokens: list[str]) -> tuple[bool, bool, bool, bool]:
    """(method, result, problem, other) cue flags of a lower-cased sentence and its tokens."""
    method = not _SUBJECTS.isdisjoint(tokens[:12]) and not _METHOD_VERBS.isdisjoint(tokens)
    result = not _RESULT_WORDS.isdisjoint(tokens) or _RESULT_PHRASES.search(text) is not None
    problem = not _PROBLEM_WORDS.isdisjoint(tokens)
    other = not _OTHER_WORDS.isdisjoint(tokens) and not _OTHER_NOUNS.isdisjoint(tokens)
    return method, result, problem, other


class _Model(NamedTuple):
    vocab: dict[str, int]  # feature name -> row of w1; row 0 is all zeros (unknown feature)
    w1: np.ndarray  # (features, labels): sentence model
    w2: np.ndarray  # (context features, labels): context model
    b2: np.ndarray


@lru_cache(maxsize=1)
def _model() -> _Model:
    """Load the shipped weights once, lazily."""
    ref = resources.files("paperpath.data.models").joinpath(MODEL_FILE)
    with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        names = bytes(data["vocab"]).decode("utf-8").split("\n")
        w1 = np.vstack([np.zeros((1, len(LABELS))), data["w1"].astype(np.float64)])
        return _Model(vocab={name: i + 1 for i, name in enumerate(names)}, w1=w1,
                      w2=data["w2"].astype(np.float64), b2=data["b2"].astype(np.float64))


def sentence_scores(model: _Model, sentences: list[str]
                    ) -> tuple[np.ndarray, list[tuple[bool, bool, bool, bool]]]:
    """Stage 1: the sentence model's log-probabilities ``(len(sentences), 4)``, and cue flags.

    ``sentences`` must be non-empty; each is read up to ``MAX_CHARS`` characters.
    """
    count = len(sentences)
    ids: list[int] = []
    starts: list[int] = []
    cues = []
    get = model.vocab.get
    for i, sentence in enumerate(sentences):
        text = sentence[:MAX_CHARS].lower()
        tokens = _tokens(text)
        starts.append(len(ids))
        ids.extend(map(get, sentence_features(tokens, i, count), repeat(0)))
        cues.append(cue_flags(text, tokens))
    # Every sentence has at least the bias feature, so no segment is empty.
    logits = np.add.reduceat(model.w1.take(ids, axis=0), starts, axis=0)
    logits -= logits.max(axis=1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)), cues


@lru_cache(maxsize=MAX_SENTENCES + 1)
def _position_columns(count: int) -> np.ndarray:
    index = np.arange(count)
    rel = index / max(count - 1, 1)
    return np.column_stack([rel, rel * rel, index == 0, index == count - 1]).astype(float)


def context_features(scores: np.ndarray, flags: list[tuple[bool, bool, bool, bool]]
                     ) -> np.ndarray:
    """Stage 2 inputs per sentence: own and neighbour probabilities, progress, cues, position."""
    count = len(flags)
    labels = len(LABELS)
    probs = np.exp(scores)
    x = np.zeros((count, 5 * labels + N_CUES + 4))
    x[:, :labels] = scores
    x[1:, labels:2 * labels] = probs[:-1]  # previous sentence
    x[:-1, 2 * labels:3 * labels] = probs[1:]  # next sentence
    # Running maxima: how sure we are that a method / result appeared before this sentence,
    # and that a problem / method statement still follows it.
    x[1:, 3 * labels:4 * labels] = np.maximum.accumulate(probs[:-1], axis=0)
    x[:-1, 4 * labels:5 * labels] = np.maximum.accumulate(probs[:0:-1], axis=0)[::-1]
    cues = []
    method_seen = result_seen = False
    for method, result, problem, other in flags:
        cues.append((method, result, other, problem, method_seen, result_seen,
                     method_seen and not method))
        method_seen = method_seen or method
        result_seen = result_seen or (result and method_seen)
    x[:, 5 * labels:5 * labels + N_CUES] = cues
    x[:, 5 * labels + N_CUES:] = _position_columns(count)
    return x


def _logits(sentences: list[str]) -> np.ndarray:
    model = _model()
    return context_features(*sentence_scores(model, sentences)) @ model.w2 + model.b2


def classify_sentences(sentences: list[str], *, allow_other: bool = True) -> list[str]:
    """One facet label per sentence, in order; the sentences are read as one abstract.

    Order and neighbours matter. With ``allow_other=False`` every sentence gets one of
    problem / method / result (for callers that must place each sentence in a facet).
    """
    labels: list[str] = []
    # A very long input (a full text) is read in abstract-sized windows.
    for start in range(0, len(sentences), MAX_SENTENCES):
        logits = _logits(sentences[start:start + MAX_SENTENCES])
        if not allow_other:
            logits[:, LABELS.index("other")] = -np.inf
        labels.extend(LABELS[k] for k in logits.argmax(axis=1).tolist())
    return labels


def facets(abstract: str) -> list[tuple[str, str]]:
    """The abstract's sentences (LaTeX stripped), each with problem/method/result/other.

    >>> facets("")
    []
    """
    return _labelled(split_sentences(strip_latex(abstract[:MAX_CHARS])))


def facets_prepared(abstract: str, split: list[str]) -> list[tuple[str, str]]:
    """``facets(abstract)`` for a caller that already has
    ``split_sentences(strip_latex(abstract))`` (the precompute shares it between models)."""
    if len(abstract) > MAX_CHARS:  # facets reads only the opening: other sentences
        return facets(abstract)
    return _labelled(split)


def _labelled(split: list[str]) -> list[tuple[str, str]]:
    sentences = split[:MAX_SENTENCES]
    return list(zip(sentences, classify_sentences(sentences), strict=True))
