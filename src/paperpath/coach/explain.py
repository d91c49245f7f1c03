"""Explain-back: score a learner's own explanation of a paper against its abstract.

After reading a paper the learner writes a few sentences on what it is about. This module
says how well that covers the paper — the problem, the method, the result and the key terms —
and points to the abstract sentences to re-read for what is missing. Offline, CPU only: about
3 ms for the first explanation of a paper, 0.3 ms for the next ones (the abstract's analysis
is cached, so re-scoring a rewrite is cheap).

The score (0-1) comes from five interpretable components, each 0-1 (`WEIGHTS`):

* ``relevance``: the share of the explanation's *specific* content that the paper has — the
  explanation's content words (Porter stems; acronyms matched to their long forms through the
  abstract's own "long form (LF)" definitions and the glossary), each weighted by its
  specificity (IDF over the shipped arXiv background table of `paperpath.text.keyterms`), so
  "graph" or "results" count little and "foveation" a lot. Writing about another paper, or
  padding with generic words, lowers it. Words about a paper rather than its content ("the
  authors propose") count on neither side; a word unknown everywhere (a typo) weighs little.
* ``coverage``: how much of the paper's salient content the explanation names — IDF times
  (1 + ln count in the abstract), title words 1.5x — reaching 1 at `FULL_COVERAGE` of it.
* ``facets``: per facet of the abstract (problem / method / result, from
  `paperpath.text.facets`), the best match between the explanation and one of its sentences
  (half shared specific words, half static-embedding cosine, which also rewards paraphrase);
  averaged over the facets the abstract has.
* ``terms``: how fully the paper's key terms (`paperpath.text.keyterms`) and its title are
  named.
* ``completeness``: a small term, the share of those facets the explanation covers.

Their weighted sum is raised to the power `CALIBRATION` (order-preserving), so that an
explanation of a related paper — which shares the topic's words — scores low (median about
0.05 on SciTLDR), a human one-sentence TLDR about 0.2-0.4 ("partial": it cannot cover every
part) and a paragraph covering problem, method and result 0.6 or more. Below `SHORT_WORDS`
words the score shrinks in proportion.

An explanation pasted from the abstract is flagged and capped at `PASTE_CAP`: the share of
its words inside word trigrams (stems, with a content word) that the abstract has in the same
order; light edits (a word changed or dropped here and there) leave most trigrams intact.

Validation (`bench/explain.py`): a paper's own SciTLDR TLDRs against those of its 5 TF-IDF
nearest papers, scored on the same abstract.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from paperpath.glossary import lookup
from paperpath.text.definitions import find_acronyms
from paperpath.text.facets import facets
from paperpath.text.keyterms import background_stats, key_terms
from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences
from paperpath.text.tokens import STOP_WORDS, stem, words

FACETS: tuple[str, ...] = ("problem", "method", "result")
FACET_LABELS = {"problem": "the problem", "method": "the method", "result": "the result"}

# Component weights (sum 1). Set by hand in the proportions a pairwise logistic fit gave on a
# slice of SciTLDR *train* (own TLDRs against neighbours' TLDRs), rounded; see bench/explain.py.
WEIGHTS: dict[str, float] = {
    "relevance": 0.35, "coverage": 0.20, "facets": 0.25, "terms": 0.15, "completeness": 0.05,
}
# The weighted sum is raised to this power: the partial overlap that any paper on the same
# topic has (a related paper's summary sums to about 0.2) then scores low, so that the paste
# cap sits above it; the order of scores is unchanged.
CALIBRATION = 1.5
FULL_COVERAGE = 0.5  # share of the salient content that counts as complete coverage
PRIOR_MASS = 4.0  # IDF mass added to relevance's denominator: a two-word text proves little
UNSEEN_IDF = 3.0  # weight of an explanation word unknown to paper and background (a typo?)
TITLE_BOOST = 1.5  # title words are what the paper is about
COS_FLOOR, COS_FULL = 0.4, 0.9  # static-embedding cosine mapped linearly to 0-1 between these
N_TERMS = 5  # key terms checked
TERM_COVERED = 0.75  # share of a term's (IDF-weighted) words that names it
FACET_COVERED = 0.4  # facet similarity that counts as covered
PASTE_NGRAM = 3
PASTE_SHARE = 0.5  # copied share of the words that flags a paste...
PASTE_MIN_WORDS = 8  # ...when at least this many words are copied (a copied term is no paste)
PASTE_CAP = 0.3
STRONG, PARTIAL = 0.55, 0.25  # verdict thresholds on the score
SHORT_WORDS = 8  # fewer words than this: "too short"
OFF_TOPIC = 0.2  # relevance below this (with enough words): probably about another paper...
VAGUE_IDF = 3.5  # ...or only generic words, when their mean IDF is below this ("method": ~2)
MAX_CHARS = 20_000  # longer input is cut: bounded time on hostile input
PAPER_CACHE = 128  # analysed abstracts kept (a learner rewrites against the same paper)

# Words about a paper rather than its content ("the authors propose", "this work shows"):
# summaries are full of them and abstracts say "we", so they count on neither side.
_META_WORDS = frozenset(
    """paper papers work author authors study article propose proposes proposed proposing
    present presents presented presenting introduce introduces introduced introducing
    discuss discusses discussed describe describes described investigate investigates
    investigated explore explores explored address addresses addressed consider considers
    considered show shows showed shown demonstrate demonstrates demonstrated novel new
    approach approaches method methods technique techniques idea ideas contribution
    contributions tldr""".split())
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*")  # two capitals or more: GAN, LLMs
_CLAUSE = re.compile(r"(?<=[.;:!?])\s+")


@dataclass(frozen=True)
class Part:
    """One thing the explanation should cover: a facet of the abstract or a key term."""

    kind: str  # "problem" | "method" | "result" | "term"
    label: str  # "the problem", or the term as the paper writes it
    sentence: str  # the abstract sentence to re-read ("" when none holds a term)
    similarity: float  # 0-1: how well the explanation matches it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ExplanationScore:
    """How well an explanation covers a paper; `to_dict` gives JSON-ready data."""

    score: float  # 0-1
    covered: list[Part]
    missing: list[Part]
    verdict: str  # one line for the learner
    warnings: list[str] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)  # see `WEIGHTS`
    copied: float = 0.0  # share of the words that come in the same order from the abstract

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "verdict": self.verdict,
            "warnings": list(self.warnings),
            "covered": [p.to_dict() for p in self.covered],
            "missing": [p.to_dict() for p in self.missing],
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "copied": round(self.copied, 4),
        }


# -- text -------------------------------------------------------------------------------------


def _content_stems(text: str) -> list[str]:
    """Stems of the content words, in order. Hyphenated words give their parts and the joined
    form, so "pre-training" meets "pretraining" and "loss scaling-based" meets "loss scaling"."""
    out: list[str] = []
    for word in words(text):
        lower = word.lower()
        parts = lower.split("-") if "-" in lower else [lower]
        if len(parts) > 1 and all(p.isalpha() for p in parts):
            parts.append("".join(parts))
        for part in parts:
            if (len(part) > 1 and part not in STOP_WORDS and part not in _META_WORDS
                    and any(c.isalpha() for c in part)):
                out.append(stem(part))
    return out


def _sequence(text: str) -> list[str]:
    """Every word's stem, stop words included: the order that a paste keeps."""
    return [stem(w.lower()) for w in words(text)]


def _acronyms(text: str) -> list[str]:
    return [w for w in words(text) if _ACRONYM.fullmatch(w)]


def _acronym_key(acronym: str) -> str:
    return stem(acronym.lower())


@lru_cache(maxsize=4096)
def _glossary_long_form(acronym: str) -> tuple[str, ...]:
    """Content stems of the glossary's long form of an acronym ("GANs"), or ()."""
    entry = lookup(acronym)
    if entry is None or _ACRONYM.fullmatch(entry.term):
        return ()
    return tuple(dict.fromkeys(_content_stems(entry.term)))


# -- the paper ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    label: str
    forms: tuple[tuple[str, ...], ...]  # stems of each way to name it (long form, acronym)
    sentence: str
    known: bool


@dataclass(frozen=True)
class _Paper:
    tf: dict[str, int]  # content stem -> count in title + abstract
    salience: dict[str, float]
    salience_total: float
    title: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]]  # acronym stem -> its long form's stems
    sentences: tuple[str, ...]
    labels: tuple[str, ...]
    sentence_stems: tuple[frozenset[str], ...]
    vectors: np.ndarray  # one static embedding per sentence
    key_sentence: dict[str, int]  # facet -> the sentence to re-read when it is missing
    terms: tuple[_Term, ...]
    trigrams: frozenset[tuple[str, ...]]


def _idf(stem_: str) -> float:
    return background_stats().idf(stem_)


def _embedder() -> Any:
    from paperpath.embed import get_embedder

    return get_embedder("static")


@lru_cache(maxsize=PAPER_CACHE)
def _paper(title: str, abstract: str, known: frozenset[str]) -> _Paper:
    title, abstract = strip_latex(title), strip_latex(abstract)
    full = f"{title}. {abstract}" if title else abstract
    stems = _content_stems(full)
    tf = Counter(stems)
    title_stems = tuple(dict.fromkeys(_content_stems(title)))
    in_title = set(title_stems)
    salience = {s: _idf(s) * (1.0 + math.log(c)) * (TITLE_BOOST if s in in_title else 1.0)
                for s, c in tf.items()}

    # Acronyms: the paper's own definitions win over the glossary ("ASR" is the paper's).
    aliases: dict[str, tuple[str, ...]] = {}
    for acronym in set(_acronyms(full)):
        long = _glossary_long_form(acronym)
        if long:
            aliases[_acronym_key(acronym)] = long
    for short, long_form in find_acronyms(full).items():
        long = tuple(dict.fromkeys(_content_stems(long_form)))
        if long:
            aliases[_acronym_key(short)] = long

    labelled = facets(abstract) or [(s, "method") for s in split_sentences(abstract)]
    sentences = tuple(s for s, _ in labelled)
    labels = tuple(label for _, label in labelled)
    sentence_stems = tuple(frozenset(_content_stems(s)) for s in sentences)
    vectors = _embedder().embed(list(sentences)) if sentences else np.zeros((0, 1))

    # The sentence to re-read for a missing facet: its densest in salient content.
    key_sentence: dict[str, int] = {}
    for facet in FACETS:
        best, best_value = -1, -1.0
        for i, label in enumerate(labels):
            if label == facet:
                value = (sum(salience.get(s, 0.0) for s in sentence_stems[i])
                         / math.sqrt(len(sentence_stems[i]) + 1))
                if value > best_value:
                    best, best_value = i, value
        if best >= 0:
            key_sentence[facet] = best

    terms = tuple(_terms(full, aliases, sentences, sentence_stems, known))
    sequence = _sequence(abstract)
    trigrams = frozenset(tuple(sequence[i:i + PASTE_NGRAM])
                         for i in range(len(sequence) - PASTE_NGRAM + 1))
    return _Paper(dict(tf), salience, sum(salience.values()) or 1.0, title_stems, aliases,
                  sentences, labels, sentence_stems, vectors, key_sentence, terms, trigrams)


def _terms(full: str, aliases: dict[str, tuple[str, ...]], sentences: tuple[str, ...],
           sentence_stems: tuple[frozenset[str], ...], known: frozenset[str]) -> list[_Term]:
    out: list[_Term] = []
    seen: set[tuple[str, ...]] = set()
    for term in key_terms(full, k=N_TERMS + 3):
        stems = tuple(dict.fromkeys(_content_stems(term)))
        if not stems or stems in seen:
            continue
        seen.add(stems)
        forms = [stems]
        if len(stems) == 1 and stems[0] in aliases:  # an acronym: its long form names it too
            forms.append(aliases[stems[0]])
        forms += [(short,) for short, long in aliases.items() if long == stems]
        # The first sentence naming it, else the one with most of its words (a title term).
        sentence = next((sentences[i] for i, have in enumerate(sentence_stems)
                         if any(have.issuperset(f) for f in forms)), "")
        if not sentence and sentences:
            best = max(range(len(sentences)),
                       key=lambda i: sum(_idf(w) for w in stems if w in sentence_stems[i]))
            sentence = sentences[best] if sentence_stems[best] & set(stems) else ""
        out.append(_Term(term, tuple(forms), sentence, _is_known(term, known)))
        if len(out) == N_TERMS:
            break
    return out


def _is_known(term: str, known: frozenset[str]) -> bool:
    if not known:
        return False
    from paperpath.guide.terms import term_key

    return term_key(term) in known


def _known_keys(known_terms: Iterable[str] | None) -> frozenset[str]:
    """Known terms as `guide.terms.term_key` keys (given as keys or as plain terms)."""
    if not known_terms:
        return frozenset()
    from paperpath.guide.terms import term_key

    return frozenset(t if t[:2] in ("g:", "s:") else term_key(t)
                     for t in known_terms if t and t.strip())


# -- scoring -----------------------------------------------------------------------------------


def _ramp(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - COS_FLOOR) / (COS_FULL - COS_FLOOR)))


def _copied_share(sequence: list[str], trigrams: frozenset[tuple[str, ...]]) -> tuple[float, int]:
    """Share (and count) of the words inside a trigram that the abstract has in this order;
    trigrams of stop words only ("in order to") do not count."""
    marked = [False] * len(sequence)
    for i in range(len(sequence) - PASTE_NGRAM + 1):
        gram = tuple(sequence[i:i + PASTE_NGRAM])
        if gram in trigrams and any(w not in STOP_WORDS for w in gram):
            marked[i:i + PASTE_NGRAM] = [True] * PASTE_NGRAM
    count = sum(marked)
    return count / max(1, len(sequence)), count


def score_explanation(title: str, abstract: str, explanation: str, *,
                      known_terms: Iterable[str] | None = None) -> ExplanationScore:
    """Score ``explanation`` (the learner's own words) against the paper's title and abstract.

    ``known_terms`` are terms the learner already knows (plain terms or `guide.terms.term_key`
    keys): a known key term is credited when named but never listed as missing. An empty
    explanation scores 0 with a warning; an empty abstract raises ValueError.
    """
    if not isinstance(abstract, str) or not abstract.strip():
        raise ValueError("abstract is empty: an explanation is scored against the paper's "
                         "abstract")
    title = " ".join((title or "").split())[:MAX_CHARS]
    abstract = abstract[:MAX_CHARS]
    paper = _paper(title, abstract, _known_keys(known_terms))
    text = " ".join((explanation or "").split())
    if not text:
        return ExplanationScore(
            0.0, [], _all_missing(paper),
            "Nothing to score yet: say what problem the paper tackles, how, and what it found.",
            ["empty explanation"], dict.fromkeys(WEIGHTS, 0.0), 0.0)
    warnings: list[str] = []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        warnings.append(f"long explanation: only its first {MAX_CHARS} characters were read")

    stems = _content_stems(text)
    have = set(stems)
    found = _found(have, _acronyms(text), paper)
    # Relevance: the explanation's specific content that the paper has.
    # A word neither the paper nor the background corpus has is most often a typo: weighed
    # as a common word, not as the rarest one.
    weight = {s: _idf(s) if s in found or background_stats().word_df.get(s) else UNSEEN_IDF
              for s in have}
    mass = sum(weight.values())
    on_topic = sum(w for s, w in weight.items() if s in found)
    relevance = on_topic / (mass + PRIOR_MASS)
    matched = found & paper.tf.keys()
    coverage = min(1.0, sum(paper.salience[s] for s in matched)
                   / paper.salience_total / FULL_COVERAGE)

    facet_parts, facet_score = _facet_parts(text, matched, paper)
    term_parts, term_score = _term_parts(found, paper)
    title_mass = sum(_idf(s) for s in paper.title)
    title_score = (sum(_idf(s) for s in paper.title if s in found) / title_mass
                   if title_mass else term_score)
    terms = 0.5 * term_score + 0.5 * title_score if term_parts else title_score
    completeness = (sum(p.similarity >= FACET_COVERED for p in facet_parts) / len(facet_parts)
                    if facet_parts else 0.0)
    components = {"relevance": relevance, "coverage": coverage, "facets": facet_score,
                  "terms": terms, "completeness": completeness}
    score = calibrated(components)

    n_words = len(words(text))
    if n_words < SHORT_WORDS:  # a few words cannot explain a paper, however well chosen
        score *= n_words / SHORT_WORDS
    copied, n_copied = _copied_share(_sequence(text), paper.trigrams)
    pasted = copied >= PASTE_SHARE and n_copied >= PASTE_MIN_WORDS
    if pasted:
        warnings.append(f"this looks pasted from the abstract ({copied:.0%} of its words come "
                        "in the same order from it) — write it in your own words")
        score = min(score, PASTE_CAP)
    vague = bool(have) and mass / len(have) < VAGUE_IDF
    if n_words < SHORT_WORDS:
        warnings.append("too short: say what problem, how, and what they found")
    elif relevance < OFF_TOPIC and not pasted:
        warnings.append("too vague: name what is specific to this paper (its task, its idea, "
                        "its data, its numbers)" if vague else
                        "little of this is in the abstract: is it about this paper?")

    parts = facet_parts + term_parts
    covered = [p for p in parts if p.similarity >= _threshold(p)]
    missing = [p for p in parts if p.similarity < _threshold(p)
               and not (p.kind == "term" and _term_known(p.label, paper))]
    score = round(min(1.0, max(0.0, score)), 4)
    verdict = _verdict(score, covered, missing, pasted, relevance, n_words, vague)
    return ExplanationScore(score, covered, missing, verdict, warnings, components, copied)


def calibrated(components: dict[str, float]) -> float:
    """The score before the paste cap: the weighted sum of the components, calibrated."""
    total = sum(WEIGHTS[k] * components[k] for k in WEIGHTS)
    return min(1.0, max(0.0, total)) ** CALIBRATION


def _found(have: set[str], acronyms: list[str], paper: _Paper) -> set[str]:
    """The explanation's stems the paper has, acronyms and long forms counted as each other:
    an acronym whose long form the paper has, and the long form of an acronym the paper uses,
    bring the other form's stems along."""
    found = have & paper.tf.keys()
    for s in have:
        long = paper.aliases.get(s)
        if long and all(w in paper.tf for w in long):
            found |= {s, *long}
    for short, long in paper.aliases.items():
        if short in paper.tf and all(w in have for w in long):
            found |= {short, *long}
    for acronym in acronyms:  # one the paper writes out without defining it
        key = _acronym_key(acronym)
        if key not in found:
            long = _glossary_long_form(acronym)
            if long and all(w in paper.tf for w in long):
                found |= {key, *long}
    return found


def _facet_parts(text: str, matched: set[str], paper: _Paper) -> tuple[list[Part], float]:
    if not paper.sentences:
        return [], 0.0
    # Whole text and each of its sentences: a long explanation's sentence can match one
    # abstract sentence better than the whole does.
    pieces = [text, *split_sentences(text)] if len(text) > 200 else [text]
    vectors = _embedder().embed(pieces)
    cosines = (paper.vectors @ vectors.T).max(axis=1)
    parts: list[Part] = []
    values: list[float] = []
    for facet in FACETS:
        best_i, best = -1, -1.0
        for i, label in enumerate(paper.labels):
            if label != facet:
                continue
            have = paper.sentence_stems[i]
            mass = sum(_idf(s) for s in have)
            lexical = sum(_idf(s) for s in have if s in matched) / mass if mass else 0.0
            value = 0.5 * lexical + 0.5 * _ramp(float(cosines[i]))
            if value > best:
                best_i, best = i, value
        if best_i < 0:
            continue
        shown = best_i if best >= FACET_COVERED else paper.key_sentence[facet]
        parts.append(Part(facet, FACET_LABELS[facet], paper.sentences[shown], round(best, 4)))
        values.append(best)
    return parts, (sum(values) / len(values) if values else 0.0)


def _term_parts(found: set[str], paper: _Paper) -> tuple[list[Part], float]:
    parts: list[Part] = []
    values: list[float] = []
    for term in paper.terms:
        value = 0.0
        for form in term.forms:
            mass = sum(_idf(s) for s in form)
            if mass:
                value = max(value, sum(_idf(s) for s in form if s in found) / mass)
        parts.append(Part("term", term.label, term.sentence, round(value, 4)))
        if not term.known or value >= TERM_COVERED:  # a known term is never held against one
            values.append(value)
    return parts, (sum(values) / len(values) if values else 0.0)


def _term_known(label: str, paper: _Paper) -> bool:
    return any(t.known for t in paper.terms if t.label == label)


def _threshold(part: Part) -> float:
    return TERM_COVERED if part.kind == "term" else FACET_COVERED


def _all_missing(paper: _Paper) -> list[Part]:
    parts = [Part(f, FACET_LABELS[f], paper.sentences[i], 0.0)
             for f, i in paper.key_sentence.items()]
    return parts + [Part("term", t.label, t.sentence, 0.0) for t in paper.terms if not t.known]


def _names(parts: list[Part]) -> str:
    names = [p.label for p in parts]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _verdict(score: float, covered: list[Part], missing: list[Part], pasted: bool,
             relevance: float, n_words: int, vague: bool) -> str:
    if pasted:
        return "Pasted from the abstract: close it and explain the paper in your own words."
    if relevance < OFF_TOPIC and n_words >= SHORT_WORDS and vague:
        return "Too vague to tell which paper this is: say what this paper does that others don't."
    if relevance < OFF_TOPIC and n_words >= SHORT_WORDS:
        return "This does not match the paper: re-read the abstract and try again."
    facets_missing = [p for p in missing if p.kind != "term"]
    facets_covered = [p for p in covered if p.kind != "term"]
    if score >= STRONG and not facets_missing:
        head = "Strong explanation"
    elif score >= PARTIAL:
        head = "Partial explanation"
    else:
        head = "Thin explanation"
    said = f"you covered {_names(facets_covered)}" if facets_covered else "no part is clear yet"
    todo = f"; re-read {_names(facets_missing)}" if facets_missing else ""
    terms = [p for p in missing if p.kind == "term"][:3]
    named = f"; name {_names(terms)}" if terms and not facets_missing else ""
    return f"{head} ({score:.0%}): {said}{todo}{named}."
