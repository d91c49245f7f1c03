"""A one-sentence summary (TLDR) of a paper from its title and abstract.

Extractive with compression, no neural model. A linear scorer rates every abstract sentence
(position, cue phrases such as "we propose", overlap with the title and with the rest of the
abstract, length, first word). The best one is tidied by fixed rules (citations and a
content-free opening such as "In this paper, we" dropped, "This paper proposes" -> "We
propose"), then a second linear scorer chooses how to shorten it (keep it whole, drop acronyms
or parentheticals, cut a trailing clause), rating each form as a change from the whole
sentence. Both scorers were trained by ``scripts/train/tldr.py`` on the SciTLDR training split
to predict ROUGE-1 F against the authors' own TLDRs; the weights are plain JSON in
``paperpath/data/models/tldr-linear.json``. Pure Python, about a third of a millisecond a paper.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import chain

from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences
from paperpath.text.tokens import STOP_WORDS, stem

__all__ = ["tldr", "tldr_prepared"]

MODEL_FILE = "tldr-linear.json"
# Work caps: abstracts are ~1-2k characters; of a pasted full text only the opening matters.
MAX_CHARS = 6000
MAX_SENTENCES = 24
MAX_TITLE_CHARS = 400
# A shortened sentence keeps at least this many words, so a cut never leaves a stub.
MIN_CUT_WORDS = 5
# A summary longer than this is cut at a word boundary and ends with an ellipsis.
MAX_OUTPUT_CHARS = 320

_TOKEN = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")

# Cue phrases (matched on the lower-cased sentence) and cue words (matched on content stems).
# Each phrase pattern comes with strings one of which it must contain: a cheap test that
# skips most searches. Every pattern starts with r"\b" and a word character; it is compiled
# without that r"\b", which `_found` checks instead (a pattern that starts with a literal is
# searched several times faster).
_CUE_PHRASES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = tuple(
    ("cue:" + name, re.compile(pattern.removeprefix(r"\b")), needles)
    for name, pattern, needles in (
        ("propose", r"\b(?:we|paper|work|study) (?:\w+ )?(?:propose|present|introduce|develop|"
                    r"describe|design|devise|formulate|offer|contribute)",
         ("we ", "paper ", "work ", "study ")),
        ("this_paper", r"\b(?:in this|this|our) (?:paper|work|study|article|note)\b",
         ("this ", "our ")),
        ("we_show", r"\bwe (?:\w+ )?(?:show|demonstrate|prove|find|observe|establish|argue|"
                    r"report|study|investigate|analy[sz]e|explore|examine|consider)", ("we ",)),
        ("our", r"\bour (?:method|approach|model|framework|algorithm|technique|system|results?)\b",
         ("our ",)),
    )
)
_CUE_WORDS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    ("cue:" + name, frozenset(stem(w) for w in vocabulary.split()))
    for name, vocabulary in (
        ("results", "experiment experimental empirical empirically outperform outperforms "
                    "benchmark benchmarks achieve achieves improve improves accuracy"),
        ("prior", "recent recently existing previous previously prior traditional "
                  "traditionally typically conventional popular widely commonly"),
        ("code", "code github available http https release released"),
        ("novel", "novel new first"),
        ("named", "called named dubbed termed coined"),
        ("method", "method approach framework algorithm model technique architecture"),
        ("problem", "problem challenge challenging difficult difficulty issue limitation "
                    "limitations suffer suffers lack"),
    )
)
_WORD_CHAR = re.compile(r"\w")


def _found(pattern: re.Pattern[str], text: str) -> bool:
    r"""``re.search(r"\b" + pattern.pattern, text)`` for a pattern that starts with a word
    character: a match whose preceding character is not a word character."""
    match = pattern.search(text)
    while match is not None:
        start = match.start()
        if not start or not _WORD_CHAR.match(text, start - 1):
            return True
        match = pattern.search(text, start + 1)
    return False


_CONTRAST = frozenset("however but yet despite although while unfortunately".split())
_ADDITION = frozenset("moreover furthermore additionally also finally further".split())

# Openings that carry no content in a one-line summary ("In this paper, we ..." -> "We ...").
_OPENING = re.compile(
    r"^(?:(?:in|with(?:in)?|through) (?:this|the present|our) (?:paper|work|study|article|note|"
    r"manuscript|letter)|here(?:in)?|to (?:this end|address|tackle|overcome|solve|alleviate|"
    r"mitigate|remedy|fill|bridge|handle|resolve|deal with|circumvent|close)[^,]{0,60}|"
    r"in (?:particular|addition|contrast|response|practice|this regard)|specifically|concretely|"
    r"furthermore|moreover|additionally|finally|further|also|instead|therefore|thus|hence|"
    r"consequently|as a result|overall|empirically|experimentally|theoretically|importantly|"
    r"surprisingly|interestingly|notably|firstly|secondly|lastly|first|second|third|next|then|"
    r"(?:motivated|inspired|driven) by [^,]{0,60}|based on (?:this|these)[^,]{0,40}|"
    r"towards? (?:this|that) (?:goal|end)|for (?:this|that) (?:purpose|reason)|"
    r"on the other hand|in summary|in short|in (?:this|that|such) (?:case|setting|context)s?)"
    r"\s*,?\s+(?=\S)",
    re.I,
)
# Asides inside a sentence: "We, instead, use" -> "We use".
_ASIDE = re.compile(
    r",\s*(?:however|instead|therefore|thus|hence|in particular|in addition|moreover|furthermore|"
    r"additionally|also|for example|for instance|in this paper|in this work|here)\s*,", re.I)
# Toward the usual TLDR voice: "This paper proposes" -> "We propose", "We also" -> "We".
_THIS_PAPER = re.compile(
    r"^(?:this|the present|our) (?:paper|work|study|article|note) (propose|present|introduce|"
    r"develop|describe|investigate|show|demonstrate|explore|provide|address|consider|analyze|"
    r"analyse|studie|focuse)s\b", re.I)
_WE_ALSO = re.compile(r"\b(we) (?:also|further|then|additionally|first|finally|now) ", re.I)
# Author-year citations, "(Smith et al., 2018)" or "[Lee 2020; Kim 2021]"; numeric ones are
# already gone through strip_latex.
_CITATION = re.compile(
    r"\s*[(\[](?:[^()\[\]]*\bet al\b\.?[^()\[\]]*|[^()\[\]]*?\b(?:19|20)\d\d[a-z]?"
    r"(?:\s*[;,]\s*[^()\[\]]*)?)[)\]]")
_YEAR = re.compile(r"(?:19|20)\d\d")  # a citation has "et al" or this: most texts have neither
_PARENTHETICAL = re.compile(r"\s*\([^()]{1,200}\)")
_ACRONYM_PAREN = re.compile(r"\s*\([A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*s?\)")
# Where a trailing clause may be cut off: before these words, or at punctuation between
# words (the kind of cut is a model feature). "such"/"so"/"as" count only as "such that",
# "so that", "as well as"; "in order to" is cut at "in".
_BOUNDARY_WORDS = frozenset(
    """which where while whereby thereby whose by through via using such so and but that with
    without for to on in based leading resulting allowing enabling achieving making yielding
    including from under when since as""".split())
_BOUNDARY_PAIRS = {"such": "that", "so": "that"}
_PAIRED = {"and": "between", "to": "from"}


def _gap_kind(gap: str) -> str:
    """The punctuation boundary in the text between two words, or ""."""
    for mark in ",;:":
        if mark in gap:
            return mark
    if "—" in gap:
        return "—"
    if " -" in gap or "- " in gap:
        return "--" if "--" in gap else "-"
    return ""


# A cut must not leave the sentence hanging on a function word or a word wanting a complement.
_BAD_END = STOP_WORDS | frozenset(
    """e.g i.e etc called named termed dubbed depending according due compared relative prior
    able thanks respect regard regardless subject prone akin similar equivalent instead rather
    more less better worse fewer greater higher lower such leading resulting""".split())
_SPACE_PUNCT = re.compile(r"\s+([,.;:!?)])")


@dataclass(slots=True)
class Variant:
    """One way of shortening a sentence (the first variant is the whole sentence).

    The variant scorer is linear without intercept and rates a variant by how its features
    differ from the whole sentence's, so the whole sentence itself scores 0.
    """

    text: str
    features: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Sentence:
    """An abstract sentence with its features, content stems and shortened variants."""

    text: str
    index: int
    features: dict[str, float]
    stems: set[str]
    variants: list[Variant] = field(default_factory=list)


@lru_cache(maxsize=1)
def _weights() -> tuple[dict[str, float], dict[str, float], int]:
    """The sentence scorer, the variant scorer, and how many top sentences to shorten."""
    path = resources.files("paperpath.data.models").joinpath(MODEL_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["sentence"]), dict(data["variant"]), int(data.get("top_k", 2))
    except (OSError, ValueError, KeyError, TypeError):  # no model: first sentence, unshortened
        return {"pos=0": 1.0}, {}, 1


class _ContentStems(dict[str, str]):
    """Lower-case word -> its stem, or "" for a stop word or a single character (cached)."""

    def __missing__(self, word: str) -> str:
        if len(self) >= 100_000:  # bounded memory: start again
            self.clear()
        value = self[word] = stem(word) if len(word) > 1 and word not in STOP_WORDS else ""
        return value


_CONTENT_STEM = _ContentStems()


def _lower_tokens(text: str) -> list[str]:
    return _words(text.lower())


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    r"""``_TOKEN.findall(text)``; r"\w+" finds the same words faster where there is no "_"."""
    return _WORD.findall(text) if "_" not in text else _TOKEN.findall(text)


def _content(lower_tokens: list[str]) -> set[str]:
    """Stems of the content words (no stop words, no single characters)."""
    stems = set(map(_CONTENT_STEM.__getitem__, lower_tokens))
    stems.discard("")
    return stems


# Feature names by value, built once.
_POS_NAMES = tuple(f"pos={i}" for i in range(7))
_N_NAMES = tuple(f"n={i}" for i in range(11))
_LEN_NAMES = tuple(f"len_b={i}" for i in range(11))


def _sentence_features(sentences: list[str], title_stems: set[str]) -> list[Sentence]:
    n = len(sentences)
    lowers = [s.lower() for s in sentences]
    tokens = [_words(lower) for lower in lowers]
    stems = [_content(t) for t in tokens]
    df = Counter(chain.from_iterable(stems))
    n_name = _N_NAMES[min(n, 10)]
    n_title = max(len(title_stems), 1)
    others = max(n - 1, 1)
    out: list[Sentence] = []
    for i, (text, lower, toks, group) in enumerate(
            zip(sentences, lowers, tokens, stems, strict=True)):
        length = len(toks)
        f: dict[str, float] = {
            _POS_NAMES[min(i, 6)]: 1.0,
            "rel_pos": i / others,
            n_name: 1.0,
            "len": min(length, 60) / 30,
            "len2": (min(length, 60) / 30) ** 2,
            _LEN_NAMES[min(length // 5, 10)]: 1.0,
        }
        if i == n - 1:
            f["last"] = 1.0
        overlap = len(group & title_stems)
        f["title_cov"] = overlap / n_title
        f["title_prec"] = overlap / max(len(group), 1)
        # Centrality: the share of the other sentences that use this sentence's words.
        f["central"] = ((sum(map(df.__getitem__, group)) - len(group)) / max(len(group), 1)
                        / others)
        for name, pattern, needles in _CUE_PHRASES:
            for needle in needles:
                if needle in lower:
                    if _found(pattern, lower):
                        f[name] = 1.0
                    break
        for name, vocabulary in _CUE_WORDS:
            if not group.isdisjoint(vocabulary):
                f[name] = 1.0
        if ":" in text:
            f["cue:colon"] = 1.0
        if _DIGIT.search(text):
            f["cue:digit"] = 1.0
        if toks:
            first = toks[0]
            f["first:" + first] = 1.0
            if first == "we":
                f["cue:starts_we"] = 1.0
            elif first in _CONTRAST:
                f["cue:contrast"] = 1.0
            elif first in _ADDITION or lower.startswith("in addition"):
                f["cue:addition"] = 1.0
        out.append(Sentence(text, i, f, group))
    return out


def _we_verb(match: re.Match[str]) -> str:
    verb = match.group(1).lower()
    return "We " + {"studie": "study", "focuse": "focus"}.get(verb, verb)


def _tidy(text: str) -> str:
    """The sentence in TLDR voice: opening and asides dropped, "This paper proposes" -> "We
    propose"."""
    text = _ASIDE.sub("", text).rstrip(" .;:,")
    opened = _strip_opening(text)
    if len(_TOKEN.findall(opened)) >= MIN_CUT_WORDS:
        # Always: dropping the opening raised ROUGE-1 for 1,872 training sentences, lowered
        # it for 358 (+0.43 on average), and reads better.
        text = opened
    text = _THIS_PAPER.sub(_we_verb, text, count=1)
    return _WE_ALSO.sub(r"\1 ", text, count=1)


def _strip_opening(text: str) -> str:
    """``text`` without a content-free opening, re-capitalized."""
    for _ in range(2):  # "Finally, in this paper, we ..."
        match = _OPENING.match(text)
        if not match:
            break
        text = text[match.end():]
    return _capitalize(text)


def _bases(text: str) -> list[tuple[str, str]]:
    """The tidied sentence and its forms without acronyms / parentheticals."""
    bases = [("", text)]
    if "(" in text:
        for tag, base in list(bases):
            no_acronym = _ACRONYM_PAREN.sub("", base)
            no_paren = _PARENTHETICAL.sub("", no_acronym)
            if no_acronym != base:
                bases.append((tag + "+acro", no_acronym))
            if no_paren != no_acronym:
                bases.append((tag + "+paren", no_paren))
    return bases


# Variant feature names by value, built once.
_KEPT_NAMES = tuple(f"len_b={i}" for i in range(16))
_DROP_NAMES = tuple(tuple(f"full_b={i}*d{j}" for j in range(7)) for i in range(11))
_PART_NAMES: dict[tuple[str, int], str] = {}


def _variants(sentence: Sentence, title_stems: set[str], other_stems: set[str]) -> None:
    """Fill ``sentence.variants``: the whole sentence (first) and its shortened forms."""
    full_len = len(_TOKEN.findall(sentence.text))
    full_stems = sentence.stems
    n_title = max(len(title_stems), 1)
    seen: set[str] = set()
    for tag, base in _bases(_tidy(sentence.text)):
        spans = [m.span() for m in _TOKEN.finditer(base)]
        lows = [base[start:end].lower() for start, end in spans]
        stems = list(map(_CONTENT_STEM.__getitem__, lows))
        n_lows = len(lows)
        cuts = [(tag, base, n_lows)]
        # Cut before word j when a clause boundary (punctuation, "which", "by", ...) is there.
        for j in range(MIN_CUT_WORDS, n_lows):
            if lows[j - 1] in _BAD_END:
                continue
            start = spans[j][0]
            gap = base[spans[j - 1][1]:start]
            word = lows[j]
            if gap == " ":
                if word not in _BOUNDARY_WORDS:
                    continue  # no punctuation, no boundary word: the common case
                mark = ""
            else:
                mark = _gap_kind(gap)
            if word not in _BOUNDARY_WORDS or (
                    word in _BOUNDARY_PAIRS
                    and (lows[j + 1] if j + 1 < n_lows else "") != _BOUNDARY_PAIRS[word]):
                word = ""  # "such" or "so" alone is no boundary
            elif word in _PAIRED and _PAIRED[word] in lows[max(j - 6, 0):j]:
                word = ""  # "between A and B", "from A to B": the cut would leave "between A"
            if not (mark or word):
                continue
            kind = mark + word  # e.g. ",", "which", ",which"
            cut = base[:start].rstrip(" ,;:-—(")
            if cut.count("(") == cut.count(")"):
                cuts.append((f"{tag}+cut:{kind}", cut, j))
        for vtag, vtext, kept_n in cuts:
            if vtext in seen:
                continue
            seen.add(vtext)
            kept = set(stems[:kept_n])
            kept.discard("")
            dropped = full_stems - kept
            n_drop = max(full_len - kept_n, 0)
            f: dict[str, float] = {_KEPT_NAMES[min(kept_n // 3, 15)]: 1.0}
            if n_drop:
                f["n_drop"] = n_drop / 10
                f["frac_drop"] = n_drop / max(full_len, 1)
                f[_DROP_NAMES[min(full_len // 5, 10)][min(n_drop // 3, 6)]] = 1.0
            if dropped:
                lost = len(dropped & title_stems)
                f["drop_title"] = lost / n_title
                f["drop_title_n"] = float(lost)
                f["drop_shared"] = len(dropped & other_stems) / len(dropped)
                f["drop_content"] = len(dropped) / max(n_drop, 1)
            for part in vtag.split("+"):
                if part:
                    f["v:" + part] = 1.0
                    if part.startswith("cut:"):
                        f[_part_name(part, min(n_drop // 5, 4))] = 1.0
            sentence.variants.append(Variant(vtext, f))


def _part_name(part: str, bucket: int) -> str:
    name = _PART_NAMES.get((part, bucket))
    if name is None:
        if len(_PART_NAMES) >= 10_000:  # bounded: parts are a few dozen punctuation/word kinds
            _PART_NAMES.clear()
        name = _PART_NAMES[part, bucket] = f"{part}*d{bucket}"
    return name


def _score(features: dict[str, float], weights: dict[str, float]) -> float:
    total = weights.get("_bias", 0.0)
    for name, value in features.items():
        w = weights.get(name)
        if w is not None:
            total += w * value
    return total


def candidates(title: str, abstract: str) -> tuple[list[Sentence], set[str]]:
    """The abstract's sentences with their features (no variants yet) and the title's stems.

    Public for the training script, which must see exactly what :func:`tldr` sees.
    """
    return _candidates(title, strip_latex((abstract or "")[:MAX_CHARS]), None)


def _candidates(title: str, stripped: str, split: list[str] | None
                ) -> tuple[list[Sentence], set[str]]:
    """`candidates` from the abstract's opening with LaTeX stripped and, when the caller has
    it, ``split_sentences(stripped)`` (reused unless citations or CJK full stops change the
    text first)."""
    text = stripped
    if "et al" in text or (("19" in text or "20" in text) and _YEAR.search(text)):
        text = _CITATION.sub("", text)
    if "。" in text:  # CJK full stops: split_sentences only knows ". "; a blank line breaks
        text = text.replace("。", "。\n\n")
    if split is None or text != stripped:
        split = split_sentences(text)
    sentences = [s for s in split[:MAX_SENTENCES] if _TOKEN.search(s)]
    title_stems = _content(_lower_tokens(strip_latex((title or "")[:MAX_TITLE_CHARS])))
    return _sentence_features(sentences, title_stems), title_stems


def build_variants(sentences: list[Sentence], chosen: list[Sentence],
                   title_stems: set[str]) -> None:
    """Build the shortened variants of ``chosen`` (some of ``sentences``)."""
    for sentence in chosen:
        others = set().union(*[other.stems for other in sentences if other is not sentence])
        _variants(sentence, title_stems, others)


def _capitalize(text: str) -> str:
    """Upper-case the first letter unless the first word is a name like "t-SNE" or "iPhone"."""
    first = text.split(None, 1)[0] if text.strip() else ""
    if not first[:1].islower() or any(c.isupper() for c in first[1:]) or (
            len(first) > 1 and not first[1].isalpha()):
        return text
    return text[:1].upper() + text[1:]


def _finish(text: str) -> str:
    """Tidy spacing, cap the length, capitalize, and end with a full stop."""
    text = _SPACE_PUNCT.sub(r"\1", " ".join(text.split()))
    if len(text) > MAX_OUTPUT_CHARS:  # a run-on "sentence" (no full stops, e.g. CJK text)
        head = text[:MAX_OUTPUT_CHARS]
        cut = max(head.rfind(mark) for mark in (", ", "; ", ": ", " "))
        text = (head[:cut] if cut > MAX_OUTPUT_CHARS // 2 else head).rstrip(" ,;:-—") + "…"
    text = _capitalize(text.rstrip(" ,;:-—"))
    if not text:
        return ""
    return text if text[-1] in ".!?…。！？" else text + "."


def tldr(title: str, abstract: str) -> str:
    """One sentence saying what the paper does, taken from its abstract and shortened.

    Falls back to the title when the abstract has no usable sentence and returns "" when both
    are empty; never raises on odd input (LaTeX, non-English text, very long text).

    >>> tldr("Tiny Nets", "Deep nets are big. In this paper, we propose tiny nets "
    ...      "(TN) that run on phones. They work.")
    'We propose tiny nets (TN) that run on phones.'
    """
    return _tldr(title, candidates(title, abstract))


def tldr_prepared(title: str, abstract: str, stripped: str, split: list[str]) -> str:
    """``tldr(title, abstract)`` for a caller that already has ``stripped =
    strip_latex(abstract)`` and ``split_sentences(stripped)`` (the precompute shares them
    between models); ``split`` is not modified."""
    if len(abstract) > MAX_CHARS:  # tldr reads only the opening: other sentences
        return tldr(title, abstract)
    return _tldr(title, _candidates(title, stripped, split))


def _tldr(title: str, found: tuple[list[Sentence], set[str]]) -> str:
    sentence_w, variant_w, top_k = _weights()
    sentences, title_stems = found
    if not sentences:
        return _finish(strip_latex((title or "")[:MAX_TITLE_CHARS]))
    scores = {id(s): _score(s.features, sentence_w) for s in sentences}
    chosen = sorted(sentences, key=lambda s: scores[id(s)], reverse=True)[:top_k]
    build_variants(sentences, chosen, title_stems)
    best, best_score = chosen[0].text, float("-inf")
    for sentence in chosen:
        base = scores[id(sentence)] - _score(sentence.variants[0].features, variant_w)
        for variant in sentence.variants:
            total = base + _score(variant.features, variant_w)
            if total > best_score:
                best, best_score = variant.text, total
    return _finish(best)
