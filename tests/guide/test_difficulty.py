import re

from paperpath.guide.difficulty import _GROUPS, _cue_groups, estimate_difficulty, math_density

THEORY = ("We prove non-asymptotic convergence bounds for stochastic gradient Langevin dynamics "
          "on Riemannian manifolds. Our main theorem uses martingale concentration inequalities "
          "and a measure-theoretic treatment of $\\mu$-strongly convex potentials.")
SURVEY = ("This survey gives an overview of recent large language model agents, organizes "
          "benchmarks and datasets, and discusses open problems for practitioners.")
METHOD = ("We propose a simple data augmentation for image classification that mixes patches "
          "of two images. It improves accuracy on ImageNet by 1.2 points.")


def test_theory_is_hard_with_reasons() -> None:
    d = estimate_difficulty(THEORY, categories=["math.OC", "cs.LG"])
    assert d.level == 5
    assert "measure-theoretic notation" in d.reasons
    assert len(d.reasons) <= 3


def test_survey_is_gentle_and_method_is_middle() -> None:
    survey = estimate_difficulty(SURVEY, categories=["cs.CL"])
    method = estimate_difficulty(METHOD, categories=["cs.CV"])
    assert survey.level <= 2
    assert any("survey" in r for r in survey.reasons)
    assert method.level in (2, 3)
    assert survey.level < method.level < estimate_difficulty(THEORY).level


def test_prerequisite_depth_raises_level() -> None:
    text = METHOD + " We use a convex surrogate."
    base = estimate_difficulty(text)
    deep = estimate_difficulty(text, prerequisite_depth=7,
                               prerequisites=["variational autoencoder"])
    assert deep.level > base.level
    assert any("variational autoencoder" in r for r in deep.reasons)


def test_math_density_counts_formulas_and_symbols() -> None:
    assert math_density("plain words only here") == 0.0
    assert math_density("a $x$ b $y$ c ≤ d") > 20


def test_empty_text() -> None:
    d = estimate_difficulty("")
    assert 1 <= d.level <= 5 and d.reasons


def _naive_groups(text: str) -> set[int]:
    """What `_cue_groups` must return: the definition, every cue tested as a substring."""
    flat = f" {re.sub(r'[^a-z0-9]+', ' ', text.lower())} "
    return {g for g, (cues, _, _) in enumerate(_GROUPS) if any(c in flat for c in cues)}


def test_cue_groups_match_substring_definition() -> None:
    texts = [
        "", " ", "Theorem", "THEOREMS and lemmas.", "sheaves, sheafs & a sheaf", THEORY, SURVEY,
        METHOD, "a pde; PDEs: the proof. proofs!", "non-asymptotic -- convergence  bound",
        "Évidence lower-bound (ELBO) via MCMC", "eigenvalues of a Lie group", "İstanbul eigen",
        "the lower bounds and upper bound", "A survey of surveys", "measure theoretic",
        "sub-Gaussian, subgaussian; Radon–Nikodym", "pac-bayes", "topological homology",
        "x" * 1000, "we prove theorems", "convergence rates", "convex" * 3,
    ]
    for text in texts:
        assert _cue_groups(text) == _naive_groups(text), text
