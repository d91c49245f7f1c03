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

# (pattern, weight, reason). Weighted cues of mathematical demand; a cue counts once.
_MATH_CUES: tuple[tuple[str, float, str], ...] = (
    (r"measure[- ]theor\w*|sigma[- ]algebra|lebesgue|radon[- ]nikodym", 2.0,
     "measure-theoretic notation"),
    (r"martingale|concentration inequalit\w*|sub-?gaussian|hoeffding|bernstein inequalit\w*",
     2.0, "probability inequalities"),
    (r"(?:convergence|regret|generali[sz]ation|error|lower|upper|risk) bounds?|"
     r"convergence rates?|rate of convergence|non-?asymptotic", 1.5, "convergence bounds"),
    (r"\bwe prove\b|\btheorems?\b|\blemmas?\b|\bproofs?\b|\bcorollar\w+|provabl[ey]", 1.5,
     "proofs and theorems"),
    (r"minimax|sample complexity|\bpac\b|vc[- ]dimension|rademacher", 1.5, "learning theory"),
    (r"riemannian|manifold|differential geometr\w*|lie group|geodesic", 1.5,
     "differential geometry"),
    (r"hilbert space|rkhs|banach|functional analysis|operator theory|sobolev", 1.5,
     "functional analysis"),
    (r"stochastic differential|\bsdes?\b|fokker|brownian|langevin|partial differential|"
     r"\bpdes?\b|ordinary differential|\bodes?\b", 1.0, "differential equations"),
    (r"wasserstein|optimal transport|kantorovich", 1.0, "optimal transport"),
    (r"variational inference|evidence lower bound|\belbo\b|posterior|bayesian|"
     r"markov chain monte carlo|\bmcmc\b", 0.75, "Bayesian inference"),
    (r"\bconvex\w*|lipschitz|smoothness|strongly convex|duality|lagrang\w*|saddle[- ]point",
     1.0, "optimization theory"),
    (r"spectral|eigen\w*|singular value|low[- ]rank|tensor decomposition", 0.5,
     "linear algebra"),
    (r"information[- ]theor\w*|mutual information|entropy|kl[- ]divergence|"
     r"kullback", 0.5, "information theory"),
    (r"np[- ]hard|polynomial[- ]time|computational complexity|approximation ratio", 1.0,
     "complexity theory"),
    (r"game[- ]theor\w*|nash equilibri\w*|mechanism design", 0.75, "game theory"),
    (r"topolog\w*|homolog\w*|category theory|sheaf", 1.5, "topology"),
)
_EASIER_CUES: tuple[tuple[str, float, str], ...] = (
    (r"\bsurvey\b|\boverview\b|\breview of\b|systematic review|\btutorial\b", -1.5,
     "a survey: broad, little new math"),
    (r"\bbenchmark\b|\bdataset\b|we release|we collect|user study|case study|"
     r"\bwe evaluate\b|empirical study|position paper|we analy[sz]e", -0.5,
     "mostly empirical"),
)
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


_COMPILED = [(re.compile(p, re.IGNORECASE), w, r) for p, w, r in _MATH_CUES]
_COMPILED_EASY = [(re.compile(p, re.IGNORECASE), w, r) for p, w, r in _EASIER_CUES]


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
    score = 2.5
    reasons: list[tuple[float, str]] = []
    math_weight = 0.0
    for pattern, weight, reason in _COMPILED:
        if pattern.search(text):
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
    if prerequisite_depth >= 3:
        score += 0.5 if prerequisite_depth < 5 else 1.0
        names = ", ".join(list(prerequisites)[:2])
        reasons.append((0.7, f"assumes background: {names}" if names else
                        "assumes a chain of background concepts"))
    for pattern, weight, reason in _COMPILED_EASY:
        if pattern.search(text) and math_weight < 2.0:
            score += weight
            reasons.append((weight, reason))
            break
    level = max(1, min(5, round(score)))
    ordered = [r for _, r in sorted(reasons, key=lambda wr: -abs(wr[0]))]
    if not ordered:
        ordered = ["typical method paper: standard ML background, little formal math"]
    return Difficulty(level=level, reasons=tuple(ordered[:3]), math_density=density)
