"""Key terms of a paper: its most important noun phrases, best first.

Pipeline, all pure Python and a fraction of a millisecond per abstract:

1. clean-up and tokens: LaTeX stripped, the first ``MAX_CHARS`` characters only, words and
   punctuation (punctuation breaks phrases);
2. part-of-speech tags (`paperpath.text.postag`) and noun phrases: maximal runs of
   adjectives/nouns (a past participle only where it modifies, "the distributed system", not
   "research employed genetic algorithms") ending in a noun, without stop words, figure
   references or numbers; candidates are these phrases and their sub-phrases that end in a
   noun ("neural networks" inside "Cohen-Grossberg neural networks"), keyed by Porter stems so
   that "neural network" and "neural networks" are one candidate;
3. features per candidate that name no word (frequency, first position, length, title,
   IDF of its words and of the phrase in the library's `CorpusStats`, how much of a fixed
   phrase it is in a large background corpus of CS abstracts, ...);
4. a small ranker over those features (a linear model or a tiny MLP, weights in
   ``data/models/keyterms-ranker.json``, trained by ``scripts/train/keyterms_ranker.py``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from paperpath.text.latex import strip_latex
from paperpath.text.postag import ADJ_TAGS, NOUN_TAGS, lexicon, tag
from paperpath.text.tokens import STOP_WORDS, stem

if TYPE_CHECKING:
    from paperpath.text.corpus_stats import CorpusStats

MAX_CHARS = 20_000  # long full texts: the first pages carry the key terms, and time is capped
MAX_WORDS = 6  # longest candidate phrase, in words
MAX_CHUNK = 8  # longer noun phrases are only mined for their sub-phrases

BACKGROUND_FILE = "keyterms-background.tsv.gz"
RANKER_FILE = "keyterms-ranker.json"

# Words exactly as `tokens.WORD_RE` (written without its per-character look-ahead, 30% faster)
# or single punctuation marks.
_TOKEN_RE = re.compile(r"[^\W_]\w*(?:[-'.][^\W_]\w*)*|[^\w\s]")
_PHRASE_TAGS = NOUN_TAGS | ADJ_TAGS | {"VBN"}
_HAS_ALPHA = re.compile(r"[^\W\d_]")
# "Figure 5A", "Table 2", "Eq. 3": references, never key terms.
_REFERENCE_WORDS = frozenset(
    "figure figures fig figs table tables tab eq eqs eqn equation equations section sections "
    "sec appendix chapter ref refs algorithm lemma theorem corollary step steps".split()
)
# A participle is part of a noun phrase only after these ("the proposed method", "of distributed
# systems", "a fully connected layer", "uses distributed systems"); after a noun or an
# auxiliary it is a verb ("research employed genetic methods", "has attracted attention").
_PARTICIPLE_OPENERS = frozenset({"DT", "PRP$", "IN", "CC", ",", "(", ":", ".", "JJ", "CD", "RB",
                                 "VB", "VBZ", "VBP", "VBD", "VBG", "TO"})
_AUXILIARIES = frozenset(
    "be is are was were been being has have had having do does did get gets got".split()
)


@dataclass(slots=True)
class _Doc:
    tokens: list[str]
    tags: list[str]
    stems: list[str]  # Porter stems of the words of noun phrases, "" elsewhere
    chunks: list[tuple[int, int]]  # maximal noun phrases, token spans [a, b)
    title_end: int  # tokens before this index are in the first sentence (the title)


def _analyse(text: str) -> _Doc:
    """Tokens, tags, stems and maximal noun phrases of ``text``."""
    text = strip_latex(text[:MAX_CHARS])
    tokens = _TOKEN_RE.findall(text)
    tags = tag(tokens)
    n = len(tokens)
    stems = [""] * n
    chunks: list[tuple[int, int]] = []
    start = last_noun = -1  # the current run of noun-phrase words, and its last noun
    title_end = n
    prev_lower = ""
    for i, (token, t) in enumerate(zip(tokens, tags, strict=True)):
        lower = token.lower()
        ok = False
        # Gerunds the tagger left as verbs are verbs ("using", "by learning").
        if t in _PHRASE_TAGS and lower not in STOP_WORDS and 1 < len(token) <= 40 \
                and "." not in token and (token.isalpha() or _HAS_ALPHA.search(token)):
            ok = not (
                (t == "VBN" and (not i or tags[i - 1] not in _PARTICIPLE_OPENERS
                                 or prev_lower in _AUXILIARIES))
                or (lower in _REFERENCE_WORDS and i + 1 < n and not tokens[i + 1].isalpha())
                or (prev_lower in _REFERENCE_WORDS and not token.isalpha()))
        if ok:
            stems[i] = stem(lower)
            if start < 0:
                start = i
            if t in NOUN_TAGS:
                last_noun = i
        else:
            if start >= 0 and last_noun >= start:
                chunks.append((start, last_noun + 1))  # a noun phrase ends with its head noun
            start = -1
            if t == "." and title_end == n:
                title_end = i
        prev_lower = lower
    if start >= 0 and last_noun >= start:
        chunks.append((start, last_noun + 1))
    return _Doc(tokens, tags, stems, chunks, title_end)


def _spans(doc: _Doc) -> list[tuple[int, int, int, int]]:
    """Candidate spans ``(x, y, a, b)``: noun phrases ``[a, b)`` and their noun-ending
    sub-phrases ``[x, y)`` (the phrase itself when ``(x, y) == (a, b)``)."""
    out: list[tuple[int, int, int, int]] = []
    tags = doc.tags
    for a, b in doc.chunks:
        if b - a <= MAX_CHUNK:
            out.append((a, b, a, b))
        for x in range(a, b):
            for y in range(x + 1, min(b, x + MAX_WORDS) + 1):
                if tags[y - 1] in NOUN_TAGS and (x != a or y != b):
                    out.append((x, y, a, b))
    return out


def document_terms(text: str) -> tuple[set[str], set[str], set[str]]:
    """Distinct stemmed words, multi-word candidate phrases and maximal noun phrases of a text.

    What `CorpusStats` counts per document.
    """
    doc = _analyse(text)
    words = {s for s in doc.stems if s}
    phrases: set[str] = set()
    maximal: set[str] = set()
    stems = doc.stems
    for x, y, a, b in _spans(doc):
        if y - x > 1:
            key = " ".join(stems[x:y])
            phrases.add(key)
            if x == a and y == b:
                maximal.add(key)
    return words, phrases, maximal


# -- features ---------------------------------------------------------------------------------

FEATURES = (
    # shape
    "len", "len2", "len3", "len4p", "adj_frac", "starts_adj", "acronym", "defined_acronym",
    # occurrences in the document
    "log_count", "log_max_count", "maximal", "log_suffix_count", "log_first", "first_rank",
    "sent_index",
    # nesting among the document's candidates
    "log_supers", "log_subs", "log_super_count", "super_max_pmi",
    # word frequencies in the document and IDFs in the library (local statistics)
    "head_tf", "wtf_mean", "tfidf_mean", "tfidf_rank", "idf_mean", "idf_max", "idf_min",
    "idf_first", "idf_last", "phrase_idf",
    # the background corpus: how common, and how much of a fixed phrase
    "bg_idf_mean", "bg_idf_min", "bg_idf_first", "bg_idf_last", "bg_tfidf_sum",
    "bg_phrase_df", "bg_maximal_df", "bg_maximal_ratio", "bg_pmi",
)
_COL = {name: i for i, name in enumerate(FEATURES)}


@dataclass(slots=True)
class _Candidate:
    key: str
    x: int
    y: int
    count: int = 0
    max_count: int = 0  # occurrences as a whole noun phrase
    suffix_count: int = 0  # ... as its tail ("neural networks" in "deep neural networks")


def _candidates(doc: _Doc) -> dict[str, _Candidate]:
    cands: dict[str, _Candidate] = {}
    stems = doc.stems
    for x, y, a, b in _spans(doc):
        key = " ".join(stems[x:y])
        cand = cands.get(key)
        if cand is None:
            cand = cands[key] = _Candidate(key, x, y)
        cand.count += 1
        if y == b:
            if x == a:
                cand.max_count += 1
            else:
                cand.suffix_count += 1
    return cands


def _features(doc: _Doc, cands: dict[str, _Candidate], local: CorpusStats,
              background: CorpusStats) -> np.ndarray:
    """The feature matrix, one row per candidate (in ``cands`` order), columns `FEATURES`.

    Per-word values are computed once per token, then gathered for every candidate at once
    with numpy (a candidate is a span of at most `MAX_CHUNK` tokens).
    """
    tokens, tags, stems = doc.tokens, doc.tags, doc.stems
    n = len(tokens)
    tf = Counter(stems)  # occurrences of each word inside noun phrases
    # Per-token values, filled for the words of noun phrases (0 elsewhere).
    idx = [i for a, b in doc.chunks for i in range(a, b)]
    words = [stems[i] for i in idx]
    local_get, bg_get = local.word_df.get, background.word_df.get
    per_word = np.array([(local_get(w, 0), bg_get(w, 0), tf[w]) for w in words],
                        dtype=np.float64).reshape(len(words), 3)
    local_df = np.zeros(n)
    local_df[idx] = per_word[:, 0]
    bg_df = np.zeros(n)
    bg_df[idx] = per_word[:, 1]
    tf_tok = np.ones(n)
    tf_tok[idx] = per_word[:, 2]
    adj_tok = np.zeros(n)
    adj_tok[idx] = [tags[i] in ADJ_TAGS for i in idx]
    # IDF exactly as `CorpusStats.idf`: ln((N + 1) / (df + 1)).
    log_bg_df = np.log1p(bg_df)
    idf_l = math.log(local.n_docs + 1) - np.log1p(local_df)
    idf_b = math.log(background.n_docs + 1) - log_bg_df
    stops = [i for i, t in enumerate(tags) if t == "."]  # sentence ends
    defined = {i for i in range(1, n - 2)  # "long form (LF)": i is the end of the long form
               if tokens[i] == "(" and tokens[i + 2] == ")" and _is_acronym(tokens[i + 1])}
    # Containment between candidates: a candidate's sub-phrases that are candidates too.
    index = {key: i for i, key in enumerate(cands)}
    m = len(index)
    n_subs = [0] * m
    pairs: list[tuple[int, int]] = []  # (inner, outer)
    for key, cand in cands.items():
        length = cand.y - cand.x
        if length < 2:
            continue
        span = stems[cand.x:cand.y]
        outer = index[key]
        for size in range(1, length):
            for start in range(length - size + 1):
                inner = index.get(" ".join(span[start:start + size]))
                if inner is not None:
                    pairs.append((inner, outer))
                    n_subs[outer] += 1
    values = list(cands.values())
    keys = list(cands)
    spans = np.array([(c.x, c.y, c.count, c.max_count, c.suffix_count) for c in values],
                     dtype=np.intp).reshape(m, 5)
    x, y = spans[:, 0], spans[:, 1]
    count, max_count, suffix_count = (spans[:, j].astype(np.float64) for j in (2, 3, 4))
    length = (y - x).astype(np.float64)
    multi = length > 1
    bg_phrase, bg_maximal = background.phrase_df.get, background.maximal_df.get
    local_phrase = local.phrase_df.get
    dfs = np.array([(bg_phrase(k, 0), bg_maximal(k, 0), local_phrase(k, 0)) if " " in k
                    else (0, 0, 0) for k in keys], dtype=np.float64).reshape(m, 3)
    # A single word's "phrase" frequency is its word frequency.
    bg_pdf = np.where(multi, dfs[:, 0], bg_df[x])
    bg_mdf = dfs[:, 1]
    # Phrase IDF as `CorpusStats.phrase_idf`; a single word's is its word IDF.
    phrase_idf = np.where(multi, math.log(local.n_docs + 1) - np.log1p(dfs[:, 2]), idf_l[x])
    inner_of, outer_of = (np.array(pairs, dtype=np.intp).reshape(-1, 2).T if pairs
                          else (np.zeros(0, np.intp), np.zeros(0, np.intp)))
    n_sup = np.bincount(inner_of, minlength=m).astype(np.float64)
    sup_count = np.bincount(inner_of, weights=count[outer_of], minlength=m)
    # Word values gathered per candidate: (m, width) matrices, masked past the phrase's end,
    # stacked so that each reduction is one numpy call.
    width = int(length.max())
    offsets = np.arange(width)
    pos = np.minimum(x[:, None] + offsets, n - 1)
    mask = offsets < length[:, None]
    li, bi = idf_l[pos], idf_b[pos]
    log1p_tf = np.log1p(tf_tok[pos])
    sums = (np.stack((li, bi, np.log(tf_tok[pos]), log1p_tf * li, log1p_tf * bi, adj_tok[pos],
                      log_bg_df[pos])) * mask).sum(axis=2)
    mins = np.where(mask, np.stack((li, bi)), np.inf).min(axis=2)
    last = y - 1
    # Pointwise mutual information per extra word: a fixed phrase scores high.
    pmi = np.where(multi, (np.log1p(bg_pdf) + (length - 1) * math.log(background.n_docs + 1)
                          - sums[6]) / np.maximum(length - 1, 1), 0.0)
    sup_pmi = np.full(m, -np.inf)
    np.maximum.at(sup_pmi, inner_of, pmi[outer_of])
    sup_pmi[n_sup == 0] = 0.0
    first = np.log1p(x)
    columns = {
        "len": length, "len2": length == 2, "len3": length == 3, "len4p": length >= 4,
        "adj_frac": sums[5] / length, "starts_adj": adj_tok[x],
        "acronym": [c.y - c.x == 1 and _is_acronym(tokens[c.x]) for c in values],
        "defined_acronym": [c.y in defined for c in values],
        "log_count": np.log(count), "log_max_count": np.log1p(max_count),
        "maximal": max_count > 0, "log_suffix_count": np.log1p(suffix_count),
        "log_first": first, "first_rank": _ranks(first) / m,
        "sent_index": np.log1p(np.searchsorted(stops, x)),
        "log_supers": np.log1p(n_sup), "log_subs": np.log1p(np.asarray(n_subs)),
        "log_super_count": np.log1p(sup_count), "super_max_pmi": sup_pmi,
        "head_tf": np.log(tf_tok[last]), "wtf_mean": sums[2] / length,
        "tfidf_mean": sums[3] / length, "tfidf_rank": _ranks(-sums[3]) / m,
        "idf_mean": sums[0] / length, "idf_max": np.where(mask, li, -np.inf).max(axis=1),
        "idf_min": mins[0], "idf_first": idf_l[x], "idf_last": idf_l[last],
        "phrase_idf": phrase_idf, "bg_idf_mean": sums[1] / length, "bg_idf_min": mins[1],
        "bg_idf_first": idf_b[x], "bg_idf_last": idf_b[last], "bg_tfidf_sum": sums[4],
        "bg_phrase_df": np.log1p(bg_pdf), "bg_maximal_df": np.log1p(bg_mdf),
        "bg_maximal_ratio": (bg_mdf + 1) / (bg_pdf + 2), "bg_pmi": pmi,
    }
    matrix = np.empty((m, len(FEATURES)))
    for j, name in enumerate(FEATURES):
        matrix[:, j] = columns[name]
    return matrix


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the smallest value, 1 for the next, ... (ties by position)."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable").astype(np.float64)


def _is_acronym(token: str) -> bool:
    """ "MPC", "LLMs", "GPT-4": two or more capitals, mostly upper case."""
    upper = sum(1 for c in token if c.isupper())
    return upper >= 2 and upper >= len(token.rstrip("s")) - 1 - token.count("-")


# -- surface forms ----------------------------------------------------------------------------


def _display(tokens: Sequence[str]) -> str:
    """Readable surface form: lower case except acronyms and proper names."""
    return " ".join("-".join(_display_word(part) for part in token.split("-"))
                    for token in tokens)


def _display_word(word: str) -> str:
    if len(word) < 2 or not word[:1].isupper() or word[1:] != word[1:].lower():
        return word  # already lower case, or an acronym / "ResNet" / "GPT4"
    tag = lexicon().get(word.lower())
    # A capitalised common word (title case, sentence start) is lower-cased; a name the
    # lexicon does not know as a common word ("Lyapunov", "Gaussian") keeps its capital.
    return word.lower() if tag is not None and not tag.startswith("NNP") else word


# -- model ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ranker:
    """A feature standardiser and a small MLP (no hidden layer: a linear model)."""

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    activation: str = "tanh"

    def score(self, features: np.ndarray) -> np.ndarray:
        """One score per row of ``features`` (higher: more key)."""
        h = (features - self.mean) / self.scale
        last = len(self.layers) - 1
        for i, (weights, bias) in enumerate(self.layers):
            h = h @ weights + bias
            if i < last:
                h = np.tanh(h) if self.activation == "tanh" else np.maximum(h, 0.0)
        return h.reshape(-1)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ranker:
        """A ranker from the dict ``scripts/train/keyterms_ranker.py`` writes."""
        if list(data["features"]) != list(FEATURES):
            raise ValueError("the key-term ranker was trained on other features; retrain it")
        if data.get("activation", "tanh") not in ("tanh", "relu"):
            raise ValueError(f"unknown activation {data['activation']!r}")
        layers = tuple((np.asarray(layer["W"], dtype=np.float64).reshape(len(layer["W"]), -1),
                        np.asarray(layer["b"], dtype=np.float64)) for layer in data["layers"])
        return cls(np.asarray(data["mean"], dtype=np.float64),
                   np.asarray(data["scale"], dtype=np.float64), layers,
                   data.get("activation", "tanh"))


@lru_cache(maxsize=1)
def default_ranker() -> Ranker:
    path = resources.files("paperpath") / "data" / "models" / RANKER_FILE
    return Ranker.from_json(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def background_stats() -> CorpusStats:
    """Document frequencies over ~75k arXiv CS abstracts, shipped with paperpath."""
    from paperpath.text.corpus_stats import CorpusStats

    path = resources.files("paperpath") / "data" / "models" / BACKGROUND_FILE
    with resources.as_file(path) as real:
        return CorpusStats.load(real)


# -- API --------------------------------------------------------------------------------------


def candidate_table(text: str, stats: CorpusStats | None = None,
                    background: CorpusStats | None = None,
                    ) -> tuple[list[str], list[str], np.ndarray]:
    """Candidates of ``text``: stem keys, surface forms and the feature matrix.

    For training and inspecting the ranker; `key_terms` is the everyday entry point.
    """
    doc = _analyse(text)
    cands = _candidates(doc)
    if not cands:
        return [], [], np.zeros((0, len(FEATURES)))
    bg = background if background is not None else background_stats()
    features = _features(doc, cands, stats if stats is not None else bg, bg)
    surfaces = [_display(doc.tokens[c.x:c.y]) for c in cands.values()]
    return list(cands), surfaces, features


def key_terms(text: str, k: int = 10, stats: CorpusStats | None = None) -> list[str]:
    """The ``k`` most important key phrases of a paper's text, best first.

    ``text`` is a title and abstract (title first, ended by a full stop) or a full text (only
    its first `MAX_CHARS` characters are read). ``stats`` are document frequencies over the
    library the paper belongs to; without them a background table of arXiv CS abstracts is
    used. Phrases come as they appear in the text, lower-cased unless an acronym or a proper
    name, one per stem ("neural networks" and "neural network" never both).
    """
    if k <= 0 or not text or not text.strip():
        return []
    doc = _analyse(text)
    cands = _candidates(doc)
    if not cands:
        return []
    bg = background_stats()
    scores = default_ranker().score(_features(doc, cands, stats if stats is not None else bg,
                                              bg))
    order = np.argsort(-scores, kind="stable")[:k]
    values = list(cands.values())
    return [_display(doc.tokens[values[i].x:values[i].y]) for i in order]
