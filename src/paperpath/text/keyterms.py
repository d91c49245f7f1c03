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

Speed (about 0.7 ms an abstract; `key_terms_many` shares the numpy work of many documents):
the context-free facts of each token (tag, stem, ...) are cached per whitespace-separated
piece of text; candidates are generated in one pass that also records where each occurs; the
features of all candidates come from a few dozen numpy calls over per-word values. Every
feature value comes from the same floating-point operations, in the same order, as computing
it candidate by candidate would, so rankings do not depend on these shortcuts.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate, chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from paperpath.text.latex import strip_latex
from paperpath.text.postag import ADJ_TAGS, NOUN_TAGS, apply_rules, lexicon, word_tag
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
# Naming verbs introduce a term; they are not part of it ("now called Thompson sampling",
# "dubbed FastNet"). "named" stays a phrase word: "named entity recognition".
_NAMING_WORDS = frozenset("called termed dubbed coined nicknamed denoted".split())
_AUXILIARIES = frozenset(
    "be is are was were been being has have had having do does did get gets got".split()
)


# Per-token facts that do not depend on context, cached per token (vocabularies are Zipfian):
# (token, look-up tag, may be a phrase word by itself, reference word, auxiliary, alphabetic,
# Porter stem (or "" when it may not be a phrase word; interned, so that look-ups in tables
# keyed by interned stems compare identities), acronym, the stem's document frequency in the
# shipped background table: -1 when that table was not loaded yet).
_Info = tuple[str, str, bool, bool, bool, bool, str, bool, int]
_CACHE_MAX = 100_000  # entries per cache; a full cache is emptied (bounded memory, no LRU cost)
_TOKEN_INFO: dict[str, _Info] = {}
# Whitespace-separated pieces of text -> the infos of their tokens: most pieces are one common
# word, so the tokenizer regex runs only on unseen pieces. Splitting on whitespace first gives
# the same tokens, since no token spans whitespace.
_PIECE_INFO: dict[str, tuple[_Info, ...]] = {}
_NO_INFO: _Info = ("", ".", False, False, False, False, "", False, 0)
_TAG_OF = itemgetter(1)  # an info's look-up tag


def _token_info(token: str) -> _Info:
    info = _TOKEN_INFO.get(token)
    if info is None:
        lower = token.lower()
        alpha = token.isalpha()
        ok = (lower not in STOP_WORDS and lower not in _NAMING_WORDS and 1 < len(token) <= 40
              and "." not in token and (alpha or _HAS_ALPHA.search(token) is not None))
        stemmed = sys.intern(stem(lower)) if ok else ""
        info = (token, word_tag(token), ok, lower in _REFERENCE_WORDS, lower in _AUXILIARIES,
                alpha, stemmed, _is_acronym(token),
                _shipped_df(stemmed) if ok else 0)
        if len(_TOKEN_INFO) >= _CACHE_MAX:
            _TOKEN_INFO.clear()
        _TOKEN_INFO[token] = info
    return info


def _infos(text: str) -> list[_Info]:
    """The infos of the tokens of ``text`` (words and single punctuation marks), in order."""
    pieces = text.split()
    found = list(map(_PIECE_INFO.get, pieces))
    if None in found:
        for i, infos in enumerate(found):
            if infos is None:
                piece = pieces[i]
                infos = tuple(_token_info(token) for token in _TOKEN_RE.findall(piece))
                if len(_PIECE_INFO) >= _CACHE_MAX:
                    _PIECE_INFO.clear()
                found[i] = _PIECE_INFO[piece] = infos
    return list(chain.from_iterable(found))  # type: ignore[arg-type]


class _Tokens(Sequence[str]):
    """A document's tokens, read from their infos: only a few are ever read, so no list of
    them is built."""

    __slots__ = ("_infos",)

    def __init__(self, infos: list[_Info]) -> None:
        self._infos = infos

    def __len__(self) -> int:
        return len(self._infos)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [info[0] for info in self._infos[i]]
        return self._infos[i][0]


@dataclass(slots=True)
class _Doc:
    tokens: _Tokens
    tags: list[str]
    stems: list[str]  # Porter stems of the words of noun phrases, "" elsewhere
    chunks: list[tuple[int, int]]  # maximal noun phrases, token spans [a, b)
    sentences: list[int]  # per chunk, how many sentence ends come before it
    infos: list[_Info]
    words: list[str]  # the stems of the chunks' words, chunk after chunk
    word_tags: list[str]  # ... and their tags
    background_df: dict[str, int]  # stem -> document frequency in the shipped background


# Links ("Code: https://github.com/org/repo") are not terms: their pieces ("https", the
# repository name) would otherwise rank as rare words.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _analyse(text: str) -> _Doc:
    """Tokens, tags, stems and maximal noun phrases of ``text``."""
    infos = _infos(strip_latex(_URL.sub(" ", text[:MAX_CHARS])))
    tokens = _Tokens(infos)
    tags = apply_rules(tokens, list(map(_TAG_OF, infos)))
    n = len(infos)
    stems = [""] * n
    chunks: list[tuple[int, int]] = []
    sentences: list[int] = []
    words: list[str] = []
    word_tags: list[str] = []
    background_df: dict[str, int] = {}
    start = last_noun = -1  # the current run of noun-phrase words, and its last noun
    n_stops = 0
    prev = _NO_INFO  # the previous token's (reference word? [3], auxiliary? [4])
    for i, (t, info) in enumerate(zip(tags, infos, strict=True)):
        # Gerunds the tagger left as verbs are verbs ("using", "by learning").
        if info[2] and t in _PHRASE_TAGS and not (
                (t == "VBN" and (not i or tags[i - 1] not in _PARTICIPLE_OPENERS or prev[4]))
                or (info[3] and i + 1 < n and not infos[i + 1][5])
                or (prev[3] and not info[5])):
            stems[i] = info[6]
            background_df[info[6]] = info[8]
            if start < 0:
                start = i
            if t in NOUN_TAGS:
                last_noun = i
        else:
            if start >= 0:
                if last_noun >= start:  # a noun phrase ends with its head noun
                    chunks.append((start, last_noun + 1))
                    sentences.append(n_stops)
                    words += stems[start:last_noun + 1]
                    word_tags += tags[start:last_noun + 1]
                start = -1
            if t == ".":
                n_stops += 1
        prev = info
    if start >= 0 and last_noun >= start:
        chunks.append((start, last_noun + 1))
        sentences.append(n_stops)
        words += stems[start:last_noun + 1]
        word_tags += tags[start:last_noun + 1]
    return _Doc(tokens, tags, stems, chunks, sentences, infos, words, word_tags, background_df)


_STRIDE = MAX_CHUNK + 1  # a span's place: x * _STRIDE + its length in words
_REC = 6  # fields per candidate in `_Candidates.rec`


@dataclass(slots=True)
class _Candidates:
    """Distinct candidate phrases of a document: every noun phrase of at most `MAX_CHUNK`
    words and every sub-phrase of at most `MAX_WORDS` words that ends in a noun, keyed by
    stems, in order of first occurrence (so their first positions never decrease)."""

    index: dict[str, int]  # stem key -> candidate
    # Per candidate, `_REC` integers: its first occurrence (token span [x, y), x among the
    # chunks' words, sentence ends before x), whether it is one acronym, and whether a
    # parenthesized acronym follows it ("long form (LF)").
    rec: list[int]
    count: list[int]
    max_count: list[int]  # occurrences as a whole noun phrase
    suffix_count: list[int]  # ... as its tail ("neural networks" in "deep neural networks")
    # Every occurrence (span) generated: x * _STRIDE + its length, and its candidate.
    span_at: list[int]
    span_cand: list[int]
    multi: list[int]  # the candidates of two or more words
    inner_words: list[int]  # tokens inside chunks that are not nouns (see `_extra_pairs`)
    long: bool  # some candidate has sub-phrases too long to be generated (`_extra_pairs`)


def _candidates(doc: _Doc) -> _Candidates | None:
    """The document's candidates, or None when it has none."""
    stems, tags, infos = doc.stems, doc.tags, doc.infos
    n = len(infos)
    index: dict[str, int] = {}
    get = index.get
    rec: list[int] = []
    counts: list[int] = []
    maxs: list[int] = []
    sufs: list[int] = []
    multi: list[int] = []
    span_at: list[int] = []
    span_cand: list[int] = []
    inner_words: list[int] = []
    long = False
    cx = 0  # position of the current word among the words of all chunks
    for (a, b), sent in zip(doc.chunks, doc.sentences, strict=True):
        # (The tag test first: cheap, and every "(" token is tagged "(".)
        defined = (b < n - 2 and tags[b] == "(" and infos[b][0] == "("
                   and infos[b + 2][0] == ")" and infos[b + 1][7])
        if b - a == 1:  # one noun: one candidate (the most common chunk)
            key = stems[a]
            j = get(key)
            if j is None:
                j = index[key] = len(counts)
                rec += (a, b, cx, sent, infos[a][7], defined)
                counts.append(1)
                maxs.append(1)
                sufs.append(0)
            else:
                counts[j] += 1
                maxs[j] += 1
            span_at.append(a * _STRIDE + 1)
            span_cand.append(j)
            cx += 1
            continue
        if b - a == 2:  # two words (the next most common): the general loop below, unrolled
            first, second = stems[a], stems[a + 1]
            key = first + " " + second
            j = get(key)
            if j is None:
                j = index[key] = len(counts)
                rec += (a, b, cx, sent, False, defined)
                counts.append(1)
                maxs.append(1)
                sufs.append(0)
                multi.append(j)
            else:
                counts[j] += 1
                maxs[j] += 1
            span_at.append(a * _STRIDE + 2)
            span_cand.append(j)
            if tags[a] in NOUN_TAGS:
                j = get(first)
                if j is None:
                    j = index[first] = len(counts)
                    rec += (a, a + 1, cx, sent, infos[a][7], False)
                    counts.append(1)
                    maxs.append(0)
                    sufs.append(0)
                else:
                    counts[j] += 1
                span_at.append(a * _STRIDE + 1)
                span_cand.append(j)
            else:
                inner_words.append(a)
            j = get(second)
            if j is None:
                j = index[second] = len(counts)
                rec += (a + 1, b, cx + 1, sent, infos[a + 1][7], defined)
                counts.append(1)
                maxs.append(0)
                sufs.append(1)
            else:
                counts[j] += 1
                sufs[j] += 1
            span_at.append(a * _STRIDE + _STRIDE + 1)
            span_cand.append(j)
            cx += 2
            continue
        if b - a <= MAX_CHUNK:
            long = long or b - a > MAX_WORDS + 1
            key = " ".join(stems[a:b])
            j = get(key)
            if j is None:
                j = index[key] = len(counts)
                rec += (a, b, cx, sent, False, defined)
                counts.append(1)
                maxs.append(1)
                sufs.append(0)
                multi.append(j)
            else:
                counts[j] += 1
                maxs[j] += 1
            span_at.append(a * _STRIDE + b - a)
            span_cand.append(j)
        for x in range(a, b):
            key = stems[x]
            if tags[x] not in NOUN_TAGS:
                inner_words.append(x)
            for y in range(x + 1, min(b, x + MAX_WORDS) + 1):
                if y > x + 1:
                    key = key + " " + stems[y - 1]
                if tags[y - 1] not in NOUN_TAGS or (x == a and y == b):
                    continue
                j = get(key)
                if j is None:
                    j = index[key] = len(counts)
                    if y == x + 1:
                        rec += (x, y, cx, sent, infos[x][7], y == b and defined)
                    else:
                        rec += (x, y, cx, sent, False, y == b and defined)
                        multi.append(j)
                    counts.append(0)
                    maxs.append(0)
                    sufs.append(0)
                counts[j] += 1
                if y == b:
                    sufs[j] += 1
                span_at.append(x * _STRIDE + y - x)
                span_cand.append(j)
            cx += 1
    if not counts:
        return None
    return _Candidates(index, rec, counts, maxs, sufs, span_at, span_cand, multi, inner_words,
                       long)


def document_terms(text: str) -> tuple[set[str], set[str], set[str]]:
    """Distinct stemmed words, multi-word candidate phrases and maximal noun phrases of a text.

    What `CorpusStats` counts per document.
    """
    doc = _analyse(text)
    words = set(doc.stems)
    words.discard("")
    cands = _candidates(doc)
    if cands is None:
        return words, set(), set()
    index, maxs = cands.index, cands.max_count
    phrases = {key for key in index if " " in key}
    return words, phrases, {key for key in phrases if maxs[index[key]]}


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


def _rows(*names: str) -> np.ndarray:
    return np.array([_COL[name] for name in names], dtype=np.intp)


# Feature rows filled together, one numpy call each (see `_features`).
_LOG1P_ROWS = _rows("log_first", "sent_index", "log_max_count", "log_suffix_count",
                    "log_supers", "log_subs", "log_super_count", "bg_phrase_df", "bg_maximal_df")
_FLAG_ROWS = _rows("acronym", "defined_acronym")
_MEAN_ROWS = _rows("idf_mean", "bg_idf_mean", "wtf_mean", "tfidf_mean", "adj_frac")
_FIRST_ROWS = _rows("idf_first", "bg_idf_first", "starts_adj")
_LAST_ROWS = _rows("idf_last", "bg_idf_last", "head_tf")
_MIN_ROWS = _rows("idf_min", "bg_idf_min")
_SHAPE_ROWS = _rows("len", "len2", "len3", "len4p")
_SHAPES = np.array([[n, n == 2, n == 3, n >= 4] for n in range(MAX_CHUNK + 1)],
                   dtype=np.float64).T  # the shape rows for each phrase length
# Per-word values in `_features` (IDFs local and background, ln tf, ln(1 + tf) * IDFs, an
# adjective?, ln(1 + background df), background df); those of a phrase's last word.
_WORD_VALUES = ("idf", "bg_idf", "log_tf", "tfidf", "bg_tfidf", "adj", "log_bg_df", "bg_df")
_LAST_VALUES = np.array([[0], [1], [2]])
_OFFSETS = np.arange(MAX_CHUNK)


def _extra_pairs(doc: _Doc, cands: _Candidates) -> tuple[list[int], list[int]]:
    """The containment pairs (inner, outer) of a document that the table of generated spans
    lacks (see `_features`): sub-phrases ending in a word that is not a noun there but ends a
    candidate elsewhere ("the proposed method" and "a proposal": both "propos"), and the
    7-word sub-phrases of 8-word phrases. Rare; looked up by key."""
    stems, index, rec = doc.stems, cands.index, cands.rec
    risky = [p for p in cands.inner_words if stems[p] in index]
    inner_of: list[int] = []
    outer_of: list[int] = []
    if not risky and not cands.long:
        return inner_of, outer_of
    tags = doc.tags
    spans: list[tuple[int, int, int]] = []  # (outer, start, end)
    for outer in cands.multi:
        x, y = rec[outer * _REC], rec[outer * _REC + 1]
        for p in risky:
            if x <= p < y:
                spans += [(outer, start, p + 1) for start in range(x, p + 1)]
        if y - x > MAX_WORDS + 1:  # sub-phrases ending in a noun, too long to be generated
            spans += [(outer, start, end) for end in range(x + MAX_WORDS + 1, y + 1)
                      if tags[end - 1] in NOUN_TAGS for start in range(x, end - MAX_WORDS)
                      if end - start < y - x]
    for outer, start, end in spans:
        inner = index.get(" ".join(stems[start:end]), -1)
        if inner >= 0:
            inner_of.append(inner)
            outer_of.append(outer)
    return inner_of, outer_of


# Sub-phrases (start, length) of a phrase of at most MAX_CHUNK words, as offsets into the
# span table of `_features`, and which of them are proper sub-phrases of a phrase of each
# length.
_SUBS = [(s, n) for s in range(MAX_CHUNK) for n in range(1, MAX_CHUNK + 1 - s)]
_SUB_OFFSET = np.array([s * _STRIDE + n for s, n in _SUBS], dtype=np.intp)
_SUB_VALID = np.array([[s + n <= length and n < length for s, n in _SUBS]
                       for length in range(MAX_CHUNK + 1)])


@lru_cache(maxsize=1)
def _background_maximal_in_phrases() -> bool:
    """Whether every maximal phrase of the shipped background table is among its phrases
    (then a phrase it lacks needs no second look-up)."""
    bg = background_stats()
    return bg.maximal_df.keys() <= bg.phrase_df.keys()


def _offsets(sizes: list[int], repeats: list[int]) -> np.ndarray:
    """Per item, the sum of ``sizes`` of the documents before its own (``repeats[d]`` items in
    document d)."""
    starts = np.zeros(len(sizes), dtype=np.intp)
    np.cumsum(sizes[:-1], out=starts[1:])
    return np.repeat(starts, repeats)


def _features(docs: Sequence[_Doc], all_cands: Sequence[_Candidates], local: CorpusStats,
              background: CorpusStats) -> np.ndarray:
    """The feature matrices of ``docs``, stacked: one row per candidate (in ``cands`` order,
    document after document), columns `FEATURES`.

    Per-word values are computed once per word of the documents' noun phrases, then gathered
    for every candidate at once with numpy (a candidate is a span of at most `MAX_CHUNK` such
    words); several documents share the numpy calls. Every value comes from the same
    floating-point operations in the same order as in the straightforward definition (one
    candidate of one document at a time), so rankings are reproducible.
    """
    local_word, local_phrase = local.word_df.get, local.phrase_df.get
    shipped = background is background_stats()
    bg_phrase, bg_maximal = background.phrase_df.get, background.maximal_df.get
    skip_maximal = shipped and _background_maximal_in_phrases()
    # Per distinct word of a document (then a padding entry): its document frequencies (big
    # tables: one look-up each) and its count in the document.
    d_local: list[int] = []
    d_bg: list[int] = []
    d_tf: list[int] = []
    # Per word of a document's chunks, in order (`cx` indexes these), then a padding entry for
    # the positions past a phrase's end.
    word_ids: list[int] = []
    word_adj: list[bool] = []
    # Per candidate, and per multi-word candidate (its phrase frequencies).
    rec: list[int] = []
    count: list[int] = []
    max_count: list[int] = []
    suffix_count: list[int] = []
    multi: list[int] = []
    p_bg: list[int] = []
    p_max: list[int] = []
    p_local: list[int] = []
    span_at: list[int] = []
    span_cand: list[int] = []
    extra_in: list[int] = []
    extra_out: list[int] = []
    n_cands: list[int] = []
    n_words: list[int] = []
    n_tokens: list[int] = []
    n_spans: list[int] = []
    n_multi: list[int] = []
    for doc, cands in zip(docs, all_cands, strict=True):
        first = len(count)
        base = len(d_local)
        words = doc.words
        distinct = dict.fromkeys(words)
        tf = Counter(filter(None, doc.stems))  # occurrences inside noun phrases (and runs)
        d_local += map(local_word, distinct, repeat(0))
        # The shipped background's frequencies came with the tokens (-1: they did not).
        bg_df = list(map(doc.background_df.__getitem__, distinct)) if shipped else [-1]
        if -1 in bg_df:
            bg_df = [background.word_df.get(w, 0) for w in distinct]
        d_bg += bg_df
        d_tf += map(tf.__getitem__, distinct)
        pad = base + len(distinct)
        d_local.append(0)
        d_bg.append(0)
        d_tf.append(1)
        ids = dict(zip(distinct, range(base, pad), strict=True))
        word_ids += map(ids.__getitem__, words)
        word_ids.append(pad)
        word_adj += map(ADJ_TAGS.__contains__, doc.word_tags)
        word_adj.append(False)
        rec += cands.rec
        count += cands.count
        max_count += cands.max_count
        suffix_count += cands.suffix_count
        keys = [key for key in cands.index if " " in key]
        df = list(map(bg_phrase, keys, repeat(0)))
        p_bg += df
        p_max += ([bg_maximal(k, 0) if d else 0 for k, d in zip(keys, df, strict=True)]
                  if skip_maximal else [bg_maximal(k, 0) for k in keys])
        p_local += map(local_phrase, keys, repeat(0))
        multi += cands.multi
        span_at += cands.span_at
        span_cand += cands.span_cand
        inner, outer = _extra_pairs(doc, cands)
        if inner:
            extra_in += [first + i for i in inner]
            extra_out += [first + i for i in outer]
        n_cands.append(len(cands.count))
        n_words.append(len(words) + 1)
        n_tokens.append(len(doc.infos) + MAX_CHUNK)
        n_spans.append(len(cands.span_at))
        n_multi.append(len(keys))
    m = len(count)
    several = len(n_cands) > 1

    # Per distinct word: IDFs exactly as `CorpusStats.idf`, ln((N + 1) / (df + 1)), and the
    # other per-word values; then per word (rows as `_WORD_VALUES`), the padding all zeros.
    dfs_tf = np.array((d_local, d_bg, d_tf), dtype=np.float64)
    logs = np.log1p(dfs_tf)
    values = np.empty((len(_WORD_VALUES), len(d_local)))
    values[0] = math.log(local.n_docs + 1) - logs[0]
    values[1] = math.log(background.n_docs + 1) - logs[1]
    values[2] = np.log(dfs_tf[2])
    values[3:5] = logs[2] * values[:2]
    values[6] = logs[1]
    values[7] = dfs_tf[1]
    values[5] = 0.0
    pads = [end - 1 for end in accumulate(n_words)]
    word_values = np.array(word_ids, dtype=np.intp)
    values[:, word_values[pads]] = 0.0  # the padding adds nothing to a sum
    per_word = values.take(word_values, axis=1)
    per_word[5] = word_adj
    # Per candidate.
    recs = np.array(rec, dtype=np.intp).reshape(m, _REC)
    x, y, cx = recs[:, 0], recs[:, 1], recs[:, 2]
    n_words_of = y - x
    length = n_words_of.astype(np.float64)
    multis = np.array(multi, dtype=np.intp)
    at_x = x
    if several:  # document-local positions to positions in the stacked arrays
        cx = cx + _offsets(n_words, n_cands)
        at_x = x + _offsets(n_tokens, n_cands)
        multis += _offsets(n_cands, n_multi)
    dfs = np.zeros((3, m))
    dfs[:, multis] = (p_bg, p_max, p_local)
    counts = np.array((count, max_count, suffix_count), dtype=np.float64)

    # Containment: pairs (inner, outer) where inner's stems are a sub-phrase of outer's first
    # occurrence, once per place ("graph" twice in "graph of graphs"). Nearly every such
    # sub-phrase was itself generated as a candidate at that place: a table of the generated
    # spans gives those, for all candidates at once; `_extra_pairs` the few others.
    at = np.full(sum(n_tokens) * _STRIDE, -1, dtype=np.intp)
    spans = np.array(span_at, dtype=np.intp)
    cand_of_span = np.array(span_cand, dtype=np.intp)
    if several:
        spans += _offsets(n_tokens, n_spans) * _STRIDE
        cand_of_span += _offsets(n_cands, n_spans)
    at[spans] = cand_of_span
    found = at[at_x[multis, None] * _STRIDE + _SUB_OFFSET]
    rows, subs = np.nonzero(_SUB_VALID[n_words_of[multis]] & (found >= 0))
    inner_of, outer_of = found[rows, subs], multis[rows]
    if extra_in:
        inner_of = np.concatenate((inner_of, np.array(extra_in, dtype=np.intp)))
        outer_of = np.concatenate((outer_of, np.array(extra_out, dtype=np.intp)))
    n_sup = np.bincount(inner_of, minlength=m)

    # Word values gathered per candidate: (rows, width, m), padded past the phrase's end, so
    # that each reduction is one numpy call over long rows.
    width = int(length.max())
    inside = _OFFSETS[:width, None] < length
    gathered = per_word.take(np.where(inside, cx + _OFFSETS[:width, None], pads[-1]), axis=1)
    if width < 8 or not several:
        sums = _row_sums(gathered)
    else:  # each document as if alone: numpy adds 8 values pairwise, fewer left to right
        longest = np.repeat(np.maximum.reduceat(length, np.cumsum([0, *n_cands[:-1]])),
                            n_cands)
        sums = np.where(longest >= 8, _row_sums(gathered), _sequential_sums(gathered))
    outside = np.where(inside, 0.0, np.inf)
    at_first = gathered[:, 0]
    multi_mask = length > 1
    # A single word's "phrase" frequency is its word frequency.
    bg_pdf = np.where(multi_mask, dfs[0], at_first[7])
    bg_mdf = dfs[1]
    # log1p of: first position, sentence, max / suffix count, super-phrases, sub-phrases,
    # occurrences as sub-phrases, background phrase and maximal df (as `_LOG1P_ROWS`), and the
    # local phrase df.
    ints = np.empty((10, m))
    ints[0] = x
    ints[1] = recs[:, 3]
    ints[2:4] = counts[1:]
    ints[4] = n_sup
    ints[5] = np.bincount(outer_of, minlength=m)
    ints[6] = np.bincount(inner_of, weights=counts[0][outer_of], minlength=m)
    ints[7] = bg_pdf
    ints[8:] = dfs[1:]
    logs = np.log1p(ints)
    # Pointwise mutual information per extra word: a fixed phrase scores high.
    extra = length - 1
    pmi = np.where(multi_mask, (logs[7] + extra * math.log(background.n_docs + 1) - sums[6])
                   / np.maximum(extra, 1), 0.0)
    sup_pmi = np.full(m, -np.inf)
    np.maximum.at(sup_pmi, inner_of, pmi[outer_of])
    sup_pmi[n_sup == 0] = 0.0
    # Ranks within each document (candidates come in order of first position already, ties
    # included), divided by the document's number of candidates.
    if several:
        starts = _offsets(n_cands, n_cands)
        size = np.repeat(n_cands, n_cands)
        order = np.lexsort((-sums[3], starts))
        tfidf_rank = np.empty(m)
        tfidf_rank[order] = np.arange(m)
        tfidf_rank = (tfidf_rank - starts) / size
        first_rank = (np.arange(m) - starts) / size
    else:
        tfidf_rank = np.argsort(np.argsort(-sums[3], kind="stable"), kind="stable") / m
        first_rank = np.arange(m) / m

    out = np.empty((len(FEATURES), m))
    col = _COL
    out[_SHAPE_ROWS] = _SHAPES[:, n_words_of]
    out[_FLAG_ROWS] = recs[:, 4:].T
    out[col["log_count"]] = np.log(counts[0])
    out[_LOG1P_ROWS] = logs[:9]
    out[col["maximal"]] = counts[1] > 0
    out[col["first_rank"]] = first_rank
    out[col["super_max_pmi"]] = sup_pmi
    out[_MEAN_ROWS] = sums[[0, 1, 2, 3, 5]] / length
    out[col["tfidf_rank"]] = tfidf_rank
    out[col["idf_max"]] = (gathered[0] - outside).max(axis=0)
    out[_MIN_ROWS] = (gathered[:2] + outside).min(axis=1)
    out[_FIRST_ROWS] = at_first[[0, 1, 5]]
    out[_LAST_ROWS] = per_word[_LAST_VALUES, cx + (n_words_of - 1)]
    # Phrase IDF as `CorpusStats.phrase_idf`; a single word's is its word IDF.
    out[col["phrase_idf"]] = np.where(multi_mask, math.log(local.n_docs + 1) - logs[9],
                                      at_first[0])
    out[col["bg_tfidf_sum"]] = sums[4]
    out[col["bg_maximal_ratio"]] = (bg_mdf + 1) / (bg_pdf + 2)
    out[col["bg_pmi"]] = pmi
    return np.ascontiguousarray(out.T)


def _row_sums(values: np.ndarray) -> np.ndarray:
    """``values.sum(axis=1)`` for a (k, width, m) array, added in the order numpy uses along a
    contiguous axis (the straightforward (k, m, width) layout): left to right below 8 values,
    pairwise for 8 to 15. Summing whole (k, m) slabs is much faster for small widths."""
    width = values.shape[1]
    if width < 8:
        return values.sum(axis=1)
    if width >= 16:
        raise ValueError("phrases of 16 words or more are not candidates")
    v = values
    total = (((v[:, 0] + v[:, 1]) + (v[:, 2] + v[:, 3]))
             + ((v[:, 4] + v[:, 5]) + (v[:, 6] + v[:, 7])))
    for i in range(8, width):
        total += v[:, i]
    return total


def _sequential_sums(values: np.ndarray) -> np.ndarray:
    """``values.sum(axis=1)`` for a (k, width, m) array, added left to right."""
    total = values[:, 0].copy()
    for i in range(1, values.shape[1]):
        total += values[:, i]
    return total


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the smallest value, 1 for the next, ... (ties by position)."""
    ranks = np.empty(len(values))
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    return ranks


def _is_acronym(token: str) -> bool:
    """ "MPC", "LLMs", "GPT-4": two or more capitals, mostly upper case."""
    upper = sum(1 for c in token if c.isupper())
    return upper >= 2 and upper >= len(token.rstrip("s")) - 1 - token.count("-")


# -- surface forms ----------------------------------------------------------------------------


def _display(tokens: Sequence[str]) -> str:
    """Readable surface form: lower case except acronyms and proper names."""
    return " ".join(map(_display_token, tokens))


_DISPLAY: dict[str, str] = {}


def _display_token(token: str) -> str:
    shown = _DISPLAY.get(token)
    if shown is None:
        shown = "-".join(_display_word(part) for part in token.split("-"))
        if len(_DISPLAY) >= _CACHE_MAX:
            _DISPLAY.clear()
        _DISPLAY[token] = shown
    return shown


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

    global _SHIPPED_WORDS
    path = resources.files("paperpath") / "data" / "models" / BACKGROUND_FILE
    with resources.as_file(path) as real:
        stats = CorpusStats.load(real)
    # Token infos made before lack the table's frequencies: make them again.
    _SHIPPED_WORDS = stats.word_df
    _TOKEN_INFO.clear()
    _PIECE_INFO.clear()
    return stats


# The shipped background's word frequencies once `background_stats` loaded them (`_token_info`
# does not load them itself: building a background table must work without one).
_SHIPPED_WORDS: dict[str, int] | None = None


def _shipped_df(stem: str) -> int:
    return _SHIPPED_WORDS.get(stem, 0) if _SHIPPED_WORDS is not None else -1


# -- API --------------------------------------------------------------------------------------


def candidate_table(text: str, stats: CorpusStats | None = None,
                    background: CorpusStats | None = None,
                    ) -> tuple[list[str], list[str], np.ndarray]:
    """Candidates of ``text``: stem keys, surface forms and the feature matrix.

    For training and inspecting the ranker; `key_terms` is the everyday entry point.
    """
    shipped = background_stats()  # first: the tokens carry its frequencies
    doc = _analyse(text)
    cands = _candidates(doc)
    if cands is None:
        return [], [], np.zeros((0, len(FEATURES)))
    bg = background if background is not None else shipped
    features = _features([doc], [cands], stats if stats is not None else bg, bg)
    tokens = doc.tokens
    rec = cands.rec
    surfaces = [_display(tokens[rec[i]:rec[i + 1]]) for i in range(0, len(rec), _REC)]
    return list(cands.index), surfaces, features


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
    bg = background_stats()  # first: the tokens carry its frequencies
    doc = _analyse(text)
    cands = _candidates(doc)
    if cands is None:
        return []
    scores = default_ranker().score(_features([doc], [cands],
                                              stats if stats is not None else bg, bg))
    order = np.argsort(-scores, kind="stable")[:k].tolist()
    tokens, rec = doc.tokens, cands.rec
    return [_display(tokens[rec[i * _REC]:rec[i * _REC + 1]]) for i in order]


BATCH = 32  # documents per shared numpy pass in `key_terms_many`


def key_terms_many(texts: Sequence[str], k: int = 10, stats: CorpusStats | None = None,
                   ) -> list[list[str]]:
    """`key_terms` of each of ``texts`` (the same lists), faster for many texts.

    The documents' features are computed together, `BATCH` documents per numpy pass; each
    document is still ranked on its own (a matrix product over more rows may round
    differently).
    """
    results: list[list[str]] = [[] for _ in texts]
    if k <= 0:
        return results
    bg = background_stats()
    local = stats if stats is not None else bg
    ranker = default_ranker()
    batch: list[tuple[int, _Doc, _Candidates]] = []
    for i, text in enumerate(texts):
        if text and text.strip():
            doc = _analyse(text)
            cands = _candidates(doc)
            if cands is not None:
                batch.append((i, doc, cands))
        if batch and (len(batch) == BATCH or i == len(texts) - 1):
            features = _features([doc for _, doc, _ in batch], [c for _, _, c in batch], local,
                                 bg)
            start = 0
            for j, doc, cands in batch:
                end = start + len(cands.count)
                scores = ranker.score(features[start:end])
                order = np.argsort(-scores, kind="stable")[:k].tolist()
                tokens, rec = doc.tokens, cands.rec
                results[j] = [_display(tokens[rec[r * _REC]:rec[r * _REC + 1]]) for r in order]
                start = end
            batch = []
    return results
