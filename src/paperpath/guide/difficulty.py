"""How hard a paper is to read (1–5) and why, from its text alone.

The scale is about math and prerequisite demand, not about how important the paper is:
1 = a survey or an empirical report a newcomer can follow, 3 = a typical method paper,
5 = proofs, bounds and heavy notation. Each point added or removed comes with a short reason
a reader understands ("convergence bounds", "measure-theoretic notation").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# (cues, weight, reason): weighted cues of mathematical demand; a group counts once. A cue is
# matched on the lower-cased text with every non-alphanumeric run turned into one space, so
# " theorem" is a word start (theorem, theorems) and " proof " a whole word. Substring tests
# are ~20x faster than the equivalent case-insensitive regular expressions.
_MATH_CUES: tuple[tuple[tuple[str, ...], float, str], ...] = (
    ((" measure theor", " sigma algebra", " lebesgue", " radon nikodym"), 2.0,
     "measure-theoretic notation"),
    ((" martingale", " concentration inequalit", " sub gaussian", " subgaussian", " hoeffding",
      " bernstein inequalit"), 2.0, "probability inequalities"),
    ((" convergence bound", " regret bound", " generalization bound", " generalisation bound",
      " error bound", " lower bound", " upper bound", " risk bound", " convergence rate",
      " rate of convergence", " non asymptotic", " nonasymptotic"), 1.5, "convergence bounds"),
    ((" we prove ", " theorem", " lemma", " proof ", " proofs ", " corollar", " provabl"), 1.5,
     "proofs and theorems"),
    ((" minimax", " sample complexity", " pac ", " vc dimension", " rademacher"), 1.5,
     "learning theory"),
    ((" riemannian", " manifold", " differential geometr", " lie group", " geodesic"), 1.5,
     "differential geometry"),
    ((" hilbert space", " rkhs", " banach", " functional analysis", " operator theory",
      " sobolev"), 1.5, "functional analysis"),
    ((" stochastic differential", " sde ", " sdes ", " fokker", " brownian", " langevin",
      " partial differential", " pde ", " pdes ", " ordinary differential", " ode ", " odes "),
     1.0, "differential equations"),
    ((" wasserstein", " optimal transport", " kantorovich"), 1.0, "optimal transport"),
    ((" variational inference", " evidence lower bound", " elbo ", " posterior distribution",
      " posterior inference", " posterior sampling", " bayesian", " markov chain monte carlo",
      " mcmc "), 0.75, "Bayesian inference"),
    ((" convex", " lipschitz", " smoothness ", " duality", " lagrang", " saddle point"), 1.0,
     "optimization theory"),
    ((" spectral", " eigen", " singular value", " low rank", " tensor decomposition"), 0.5,
     "linear algebra"),
    ((" information theor", " mutual information", " entropy", " kl divergence",
      " kullback"), 0.5, "information theory"),
    ((" np hard", " polynomial time", " computational complexity", " approximation ratio"),
     1.0, "complexity theory"),
    ((" game theor", " nash equilibri", " mechanism design"), 0.75, "game theory"),
    ((" topolog", " homolog", " category theory", " sheaf", " sheaves"), 1.5, "topology"),
)
_EASIER_CUES: tuple[tuple[tuple[str, ...], float, str], ...] = (
    ((" a survey ", " this survey", " comprehensive survey", " survey of ", " an overview of ",
      " systematic review", " literature review", " this review", " tutorial "), -1.5,
     "a survey: broad, little new math"),
    ((" a benchmark ", " new benchmark ", " benchmark for ", " benchmark to ", " a dataset ",
      " new dataset ", " we release ", " we collect", " user study", " case study",
      " empirical study", " position paper", " interview", " we survey "), -0.5,
     "mostly empirical"),
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ALNUM_RUN = re.compile(r"[a-z0-9]+")
_HARD_CATEGORIES = ("math.", "stat.TH", "stat.ML", "cs.IT", "cs.CC", "cs.DS", "cs.GT",
                    "quant-ph", "math-ph")
_EASY_CATEGORIES = ("cs.HC", "cs.CY", "cs.SE", "cs.DL", "econ.GN")
_LATEX_MATH = re.compile(r"\$[^$]{1,300}\$")
_MATH_SYMBOLS = re.compile(r"[αβγδεζηθικλμνξπρσςτυφχψωΓΔΘΛΞΠΣΦΨΩ∑∏∫∂∇≤≥≈∈∀∃ℓ√∞]")


@dataclass(frozen=True)
class Difficulty:
    """A 1–5 level with the reasons behind it and the share of math in the text."""

    level: int
    reasons: tuple[str, ...] = field(default_factory=tuple)
    math_density: float = 0.0  # math markers per 100 words

    def label(self) -> str:
        return ("gentle", "approachable", "moderate", "demanding", "hard")[self.level - 1]


# Which cue groups a text holds, without testing all ~120 cues as substrings of it (that was
# most of the estimate's time). Every cue is " word word ..." in [a-z0-9], maybe with a
# trailing space, so a cue can only occur when its first word does: as a whole word when
# another word or a space follows it in the cue, as the start of a word otherwise. The first
# kind is looked up in the text's set of words, then confirmed by the substring test; the
# second kind (one word, a prefix: " theorem", " eigen") is found by one regular expression
# over the text, first letter first.
_GROUPS = (*_MATH_CUES, *_EASIER_CUES)


def _index_cues() -> tuple[dict[str, list[tuple[int, str]]], dict[str, int]]:
    """(first whole word -> [(group, cue)], prefix -> group) over `_GROUPS`."""
    by_word: dict[str, list[tuple[int, str]]] = {}
    by_prefix: dict[str, int] = {}
    for group, (cues, _, _) in enumerate(_GROUPS):
        for cue in cues:
            if not re.fullmatch(r" [a-z0-9]+(?: [a-z0-9]+)* ?", cue):
                raise ValueError(f"cue {cue!r}: not a space and [a-z0-9] words")
            if " " in cue[1:]:
                by_word.setdefault(cue.split()[0], []).append((group, cue))
            else:
                by_prefix[cue[1:]] = group
    return by_word, by_prefix


_BY_FIRST_WORD, _BY_PREFIX = _index_cues()


def _prefix_pattern(prefixes: list[str]) -> re.Pattern[str]:
    """`` (?:p1|p2|...)`` grouped by first letter; at one place, the longest prefix that
    matches is found first."""
    by_letter: dict[str, list[str]] = {}
    for prefix in sorted(prefixes, key=lambda p: (-len(p), p)):
        by_letter.setdefault(prefix[0], []).append(prefix[1:])
    parts = [letter + "(?:" + "|".join(rests) + ")" for letter, rests in by_letter.items()]
    return re.compile(" (" + "|".join(parts) + ")")


_PREFIX_RE = _prefix_pattern(list(_BY_PREFIX))
# A prefix cue that starts another one ("sheaf" would hide "sheafs"): both hold when the
# longer does.
_PREFIX_ALSO = {p: [_BY_PREFIX[q] for q in _BY_PREFIX if q != p and p.startswith(q)]
                for p in _BY_PREFIX}


def _cue_groups(text: str) -> set[int]:
    """Indexes into `_GROUPS` of the cue groups found in ``text`` (any case): exactly those
    whose some cue is a substring of " " + ``text`` lower-cased, every run of other
    characters than [a-z0-9] made one space, + " "."""
    words = _ALNUM_RUN.findall(text.lower())
    flat = f" {' '.join(words)} "
    found: set[int] = set()
    for word in _BY_FIRST_WORD.keys() & words:
        for group, cue in _BY_FIRST_WORD[word]:
            if group not in found and cue in flat:
                found.add(group)
    for prefix in _PREFIX_RE.findall(flat):
        found.add(_BY_PREFIX[prefix])
        found.update(_PREFIX_ALSO[prefix])
    return found


def math_density(text: str) -> float:
    """Math markers (inline LaTeX formulas, Greek letters and math symbols) per 100 words."""
    n_words = max(1, len(text.split()))
    markers = len(_LATEX_MATH.findall(text)) + len(_MATH_SYMBOLS.findall(text))
    return round(100.0 * markers / n_words, 2)


def estimate_difficulty(
    text: str,
    *,
    categories: Iterable[str] = (),
    prerequisite_depth: int = 0,
    prerequisites: Iterable[str] = (),
) -> Difficulty:
    """Difficulty of a paper from its text (title + abstract, or more).

    ``prerequisite_depth`` is the longest chain of glossary prerequisites under the paper's
    key terms (0 when none are known), ``prerequisites`` the names of the deepest ones; they
    say how much background the paper assumes.
    """
    text = text[:50_000]
    found = _cue_groups(text)
    score = 2.8
    reasons: list[tuple[float, str]] = []
    math_weight = 0.0
    for group, (_, weight, reason) in enumerate(_MATH_CUES):
        if group in found:
            math_weight += weight
            reasons.append((weight, reason))
    score += min(2.0, 0.6 * math_weight)
    density = math_density(text)
    if density >= 2.0:
        score += 1.0 if density >= 5.0 else 0.5
        reasons.append((1.0, f"dense notation ({density:g} math symbols per 100 words)"))
    cats = list(categories)
    if any(c.startswith(_HARD_CATEGORIES) for c in cats[:1]):
        score += 0.5
        reasons.append((0.5, f"a {cats[0]} paper"))
    elif any(c.startswith(_EASY_CATEGORIES) for c in cats[:1]):
        score -= 0.5
        reasons.append((-0.5, f"a {cats[0]} paper"))
    # Glossary chains under mainstream concepts (LLM → language model → transformer → ...)
    # are long, so depth only nudges the level; math cues decide it.
    if prerequisite_depth >= 4:
        score += 0.5
        names = ", ".join(dict.fromkeys(list(prerequisites)[:3]))
        reasons.append((0.7, f"assumes background: {names}" if names else
                        "assumes a chain of background concepts"))
    for group, (_, weight, reason) in enumerate(_EASIER_CUES, start=len(_MATH_CUES)):
        if math_weight < 2.0 and group in found:
            score += weight
            reasons.append((weight, reason))
            break
    level = max(1, min(5, round(score)))
    ordered = [r for _, r in sorted(reasons, key=lambda wr: -abs(wr[0]))]
    if not ordered:
        ordered = ["typical method paper: standard ML background, little formal math"]
    return Difficulty(level=level, reasons=tuple(ordered[:3]), math_density=density)
