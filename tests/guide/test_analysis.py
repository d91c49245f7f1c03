"""analyze_many: the batch path of the precompute gives exactly what analyze gives."""

from __future__ import annotations

import pytest

from paperpath.guide.analysis import analyze, analyze_many
from paperpath.text.corpus_stats import CorpusStats
from paperpath.text.definitions import mine_definitions

LONG_SENTENCE = ("We train deep networks with stochastic gradient descent on large "
                 "image datasets and report accuracy on held-out data. ")
PAPERS: list[tuple[str | None, str | None, list[str] | None]] = [
    ("LoRA: Low-Rank Adaptation",
     "Fine-tuning large language models (LLMs) is expensive. We propose Low-Rank Adaptation "
     "(LoRA), a method that freezes the pretrained weights and injects trainable low-rank "
     "matrices. LoRA reduces trainable parameters by 10,000 times. Code is available at "
     "https://github.com/x/y.", ["cs.CL", "cs.LG"]),
    ("", "", []),
    (None, None, None),
    ("One sentence", "We study $\\alpha$-divergences \\cite{a} for \\emph{GANs}.", ["stat.ML"]),
    ("Ein deutscher Titel", "Wir schlagen ein neues Verfahren vor. Es ist schnell.", None),
    ("中文标题", "我们提出了一种新方法。它在基准上表现良好。", ["cs.CV"]),
    ("Citations", "Prior work (Smith et al., 2019) used RNNs [3]. In this paper, we prove a "
     "lower bound for convex losses (Lee 2020; Kim 2021). Theorem 1 holds.", ["math.OC"]),
    # Longer than the TLDR's window (6,000 characters) and the facets' (20,000): the shared
    # sentence split must not be used where a model reads only the opening.
    ("Long", LONG_SENTENCE * 60, ["cs.LG"]),
    ("Longer", LONG_SENTENCE * 200 + "We define a widget as a gadget that spins.", ["cs.LG"]),
    ("Survey", "A survey of graph neural networks (GNNs), a family of models that learn on "
     "graphs. We review spectral and spatial methods.", ["cs.HC"]),
]


def _stats() -> CorpusStats:
    return CorpusStats.build(f"{t or ''}. {a or ''}" for t, a, _ in PAPERS)


@pytest.mark.parametrize("with_stats", [False, True])
def test_analyze_many_equals_analyze(with_stats: bool) -> None:
    stats = _stats() if with_stats else None
    many = analyze_many(PAPERS, stats=stats)
    assert len(many) == len(PAPERS)
    for (title, abstract, cats), got in zip(PAPERS, many, strict=True):
        want = analyze(title or "", abstract or "", categories=cats, stats=stats)
        assert got == want, title


def test_analyze_many_mines_the_abstracts_definitions() -> None:
    many = analyze_many(PAPERS, definitions=True)
    for (_, abstract, _), got in zip(PAPERS, many, strict=True):
        assert got.extra["definitions"] == mine_definitions(abstract or "")
    lora = many[0]
    assert [d.term for d in lora.extra["definitions"]] == ["Low-Rank Adaptation"]
    assert lora.extra["acronyms"]["LoRA"] == "Low-Rank Adaptation"
    # Past the TLDR's and facets' windows the text is still mined to its end.
    assert [d.term for d in many[8].extra["definitions"]] == ["widget"]
    assert "definitions" not in analyze_many(PAPERS[:1])[0].extra


def test_analyze_many_of_nothing() -> None:
    assert analyze_many([]) == []


def test_analyze_many_of_a_pasted_book() -> None:
    # Past every model's window: no shared sentence split, each model reads its own opening.
    book = [("Book", LONG_SENTENCE * 1800 + "We define a widget as a gadget that spins.",
             ["cs.LG"])]
    [got] = analyze_many(book, definitions=True)
    assert got.extra.pop("definitions") == mine_definitions(book[0][1])
    assert got == analyze(*book[0][:2], categories=book[0][2])
