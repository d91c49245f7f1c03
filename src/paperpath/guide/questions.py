"""Questions to read with, following the three-pass method.

First pass: what to be able to answer after title, abstract, introduction, headings and
conclusion. Second and third pass: questions specific to this paper, built from its own
problem / method / result sentences and key terms — why this method rather than an
alternative, what a result really shows, what would change without a component.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperpath.guide.terms import glossary_entry

_PROPOSE = re.compile(
    r"\b(?:we|this (?:paper|work|study)|our (?:paper|work))\s+(?:also\s+)?"
    r"(?:propose|introduce|present|develop|design|describe|put forward|call|build)s?\s+"
    r"(?P<what>[^;:.()]{3,160})", re.IGNORECASE)
_LEADING = re.compile(r"^(?:a|an|the|our|this|two|three|several|novel|new|simple|general|"
                      r"unified|first|effective|efficient|lightweight|scalable)\s+", re.IGNORECASE)
_CUT = re.compile(r"\s+(?:that|which|to|for|by|where|in order|based on|built on|built upon|"
                  r"designed|trained|called|named|dubbed|"
                  r"with|using|via|and (?:show|demonstrate|evaluate))\b.*$", re.IGNORECASE)
_NUMBER = re.compile(r"\d")
_ADJECTIVES = frozenset("""lightweight novel simple unified open-source efficient robust scalable
    general new effective principled practical generic modular flexible fast accurate
    comprehensive systematic large-scale training-free plug-and-play end-to-end""".split())
_NAME_LIKE = re.compile(r"^[A-Za-z0-9.+-]*[A-Z0-9][A-Za-z0-9.+-]*$")  # BorderNet, GPT-4, LoRA
# Prior approaches are named where the problem is set up: "existing codecs", "template-free
# methods", "prior work on X".
_APPROACH_HEAD = (r"(?:methods?|approach(?:es)?|models?|systems?|techniques?|frameworks?|"
                  r"algorithms?|codecs?|benchmarks?|baselines?|pipelines?|solutions?|"
                  r"architectures?|detectors?|classifiers?|estimators?|schemes?|strategies)")
_PRIOR = re.compile(
    r"\b(?:existing|prior|previous|conventional|traditional|current|standard|classical|"
    r"popular|typical|state-of-the-art|mainstream)\s+((?:[\w-]+\s+){0,3}?" + _APPROACH_HEAD
    + r")\b", re.IGNORECASE)
_NAMED_APPROACH = re.compile(r"^(?:[\w-]+\s+){0,3}" + _APPROACH_HEAD + r"$", re.IGNORECASE)
_COMPARATIVE = re.compile(r"outperform|improv|state[- ]of[- ]the[- ]art|surpass|better|"
                          r"reduc|achiev|gain|faster|fewer", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """One question; ``stage`` is the pass it belongs to, ``hint`` where to look."""

    text: str
    stage: str  # "first pass" | "second pass" | "third pass"
    hint: str | None = None


def _shorten(sentence: str, words: int = 28) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def method_name(title: str, facets: Sequence[tuple[str, str]], key_terms: Sequence[str]) -> str:
    """A short name for what the paper proposes: its own name for it when it gives one."""
    head = title.split(":", 1)[0].strip()
    if ":" in title and head:
        # "LoRA: Low-Rank Adaptation of ..." → "LoRA"; a multi-word head is a name only if
        # the abstract uses it ("Optimal Brain Connection"), not a slogan ("Mirage of Mastery").
        if " " not in head and _NAME_LIKE.match(head) and head[1:] != head[1:].lower():
            return head
        abstract = " ".join(s for s, _ in facets).lower()
        if len(head.split()) <= 4 and (head.lower() in abstract
                                       or glossary_entry(head) is not None):
            return head  # named in the abstract, or a known concept ("Batch Normalization")
    for sentence, label in facets:
        if label != "method":
            continue
        match = _PROPOSE.search(sentence)
        if not match:
            continue
        # "a lightweight, open-source solution built on k3s" → "solution"
        for part in match.group("what").split(","):
            what = _CUT.sub("", part).strip()
            for _ in range(4):
                what = _LEADING.sub("", what)
                while what.split() and what.split()[0].lower() in _ADJECTIVES \
                        and len(what.split()) > 1:
                    what = what.split(None, 1)[1]
            words = what.split()
            if 1 <= len(words) <= 8 and words[-1].lower() not in _ADJECTIVES:
                return what
    method_terms = _terms_in(key_terms, [s for s, lab in facets if lab == "method"])
    # The paper's own name for its method (BorderNet, SpecXNet) beats a generic concept.
    for term in method_terms:
        if " " not in term and _NAME_LIKE.match(term) and term[1:] != term[1:].lower() \
                and glossary_entry(term) is None:
            return term
    for term in method_terms:
        if glossary_entry(term) is None:
            return term
    return "their approach"


def _terms_in(terms: Sequence[str], sentences: Sequence[str]) -> list[str]:
    text = " ".join(sentences).lower()
    return [t for t in terms if t.lower() in text]


def _lower(term: str) -> str:
    """Sentence-case a glossary term ("Dropout" → "dropout", keeping "LoRA", "BERT")."""
    first = term.split()[0] if term.split() else term
    return term[0].lower() + term[1:] if len(first) > 1 and first[1:].islower() else term


def _alternative(method: str, method_terms: list[str], problem_terms: list[str],
                 problem: Sequence[str]) -> str | None:
    # The status quo the paper improves on is usually named where the problem is set up.
    for sentence in problem:
        match = _PRIOR.search(sentence)
        if match:
            return f"the {match.group(0).lower()}" if not match.group(0)[0].isupper() \
                else f"the {match.group(0)[0].lower()}{match.group(0)[1:]}"
    for term in problem_terms:
        if _NAMED_APPROACH.match(term) and method.lower() not in term.lower():
            return f"the {_lower(term)}"
    for term in [method]:
        entry = glossary_entry(term)
        if entry is not None:
            siblings = [r for r in entry.related if r not in entry.prerequisites]
            for rid in siblings:
                alt = glossary_entry(rid.replace("-", " "))
                # A variant named after the method (LoRA → QLoRA) is a successor, not an
                # alternative the authors could have chosen.
                if alt is not None and term.lower() not in alt.term.lower() and not any(
                        term.lower() in a.lower() for a in alt.aliases):
                    return _lower(alt.term)
    return None


def build_questions(
    title: str,
    facets: Sequence[tuple[str, str]],
    key_terms: Sequence[str],
    new_terms: Sequence[str] = (),
) -> list[Question]:
    """Questions for a first, second and third pass over this paper."""
    problem = [s for s, lab in facets if lab == "problem"]
    method_sents = [s for s, lab in facets if lab == "method"]
    results = [s for s, lab in facets if lab == "result"]
    method = method_name(title, facets, key_terms)
    if method.islower():  # a common noun phrase ("coding scheme"), not a name ("LoRA")
        method = f"their {method}" if method != "their approach" else method
    method_terms = [t for t in _terms_in(key_terms, method_sents) if t.lower() != method.lower()]
    # A component of the method is named where the method is, not where the problem is.
    context = f" {' '.join(problem)} {title} ".lower()

    def named_in_context(term: str) -> bool:
        entry = glossary_entry(term)
        names = entry.names() if entry is not None else (term,)
        return any(re.search(rf"\b{re.escape(n.lower())}\b", context) for n in names)

    later = _terms_in(key_terms, method_sents[1:])  # where the parts are described
    components = [t for t in [*later, *method_terms]
                  if t.lower() != method.lower() and t.lower() not in method.lower()
                  and not named_in_context(t)]
    problem_terms = _terms_in(key_terms, problem)

    out = [Question(
        "What problem does the paper attack, and why does it matter?", "first pass",
        f"Start from: “{_shorten(problem[0])}”" if problem else
        "The abstract does not state it plainly: look at the introduction's first paragraphs.")]
    out.append(Question(
        f"In one sentence, what does {method} do, and what is new about it?", "first pass",
        f"Method sentence: “{_shorten(method_sents[0])}”" if method_sents else None))
    claim = next((s for s in results if _NUMBER.search(s) or _COMPARATIVE.search(s)),
                 results[0] if results else None)
    out.append(Question(
        "What is the main result, and what evidence backs it (datasets, baselines)?",
        "first pass", f"Claim: “{_shorten(claim)}”" if claim else None))
    if new_terms:
        listed = ", ".join(new_terms[:3])
        each = " each" if len(new_terms[:3]) > 1 else ""
        out.append(Question(f"Can you explain {listed} in a sentence{each}?", "first pass",
                            "Look them up in the key terms below before the second pass."))

    alternative = _alternative(method, method_terms, problem_terms, problem)
    if alternative:
        out.append(Question(f"Why did the authors choose {method} rather than {alternative}?",
                            "second pass", "Look for the design discussion or related work."))
    else:
        out.append(Question(
            f"Why did the authors choose {method} — what simpler alternative could they have "
            "used, and why would it not be enough?",
            "second pass", "Look for the design discussion or related work."))
    if claim:
        out.append(Question(
            f"What does “{_shorten(claim, 18)}” actually show — against which baselines, on "
            "which data, and is the gain bigger than run-to-run noise?", "second pass",
            "Find the main results table and its ablations."))
    if components:
        component = components[0]
        out.append(Question(
            f"What would change if {component} were removed or replaced by something simpler?",
            "second pass", "An ablation study, if there is one, answers this."))
    out.append(Question(
        f"Where else could {method} be useful — which other problems or fields share the "
        "structure it exploits?", "third pass",
        "Cross-field borrowing is how many new ideas start."))
    out.append(Question(
        f"Which assumptions does {method} rely on, and when would they break?", "third pass",
        "Re-derive the key step yourself, or imagine re-implementing it."))
    return out
