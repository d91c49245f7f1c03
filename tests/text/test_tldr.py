"""The one-line summary: picks the contribution sentence, shortens it, survives odd input."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperpath.text import tldr as tldr_module
from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences
from paperpath.text.tldr import MAX_OUTPUT_CHARS, tldr, tldr_prepared

ABSTRACT = (
    "Graph neural networks are widely used for molecular property prediction. "
    "However, they struggle when labelled molecules are scarce. "
    "In this paper, we propose MolMix, a data augmentation method that interpolates "
    "molecular graphs in a learned latent space (Smith et al., 2021). "
    "Experiments on eight benchmarks show that MolMix improves accuracy by 4% on average. "
    "Code is available online."
)
TITLE = "MolMix: Latent Interpolation for Molecular Data Augmentation"


def _shared() -> Path:
    default = Path(__file__).resolve().parents[2].parent / "shared"
    return Path(os.environ.get("PAPERPATH_SHARED", default))


def test_picks_the_contribution_and_drops_the_boilerplate() -> None:
    out = tldr(TITLE, ABSTRACT)
    assert out.startswith("We propose MolMix")
    assert "In this paper" not in out
    assert "et al" not in out and "2021" not in out  # the citation is gone
    assert out.endswith(".")
    assert 5 <= len(out.split()) <= 40


def test_output_words_come_from_the_abstract() -> None:
    source = {w.lower().strip(".,()") for w in ABSTRACT.split()}
    out = tldr(TITLE, ABSTRACT)
    assert {w.lower().strip(".,()") for w in out.split()} <= source


def test_this_paper_proposes_becomes_we_propose() -> None:
    abstract = ("Sparse attention is hard to train. This paper proposes a routing scheme that "
                "learns which tokens attend to each other in linear time.")
    assert tldr("Routing attention", abstract).startswith("We propose a routing scheme")


def test_one_sentence_abstract_is_kept() -> None:
    out = tldr("Short", "We present a benchmark of long-context retrieval tasks")
    assert out == "We present a benchmark of long-context retrieval tasks."


@pytest.mark.parametrize("abstract", ["", "   ", "\n\n", ". . .", "$$"])
def test_empty_abstract_falls_back_to_the_title(abstract: str) -> None:
    assert tldr("A Study of $\\alpha$-Nets", abstract) == "A Study of α-Nets."


def test_everything_empty_gives_empty_string() -> None:
    assert tldr("", "") == ""


def test_latex_is_stripped() -> None:
    abstract = (r"We introduce $\beta$-VAE variants \cite{higgins} that disentangle factors "
                r"with a \emph{single} hyperparameter $\lambda$. Results are \textbf{strong}.")
    out = tldr("Disentangling", abstract)
    assert "\\" not in out and "$" not in out and "{" not in out
    assert "β-VAE" in out


def test_very_long_input_is_capped() -> None:
    sentence = "We propose a method that learns representations of very long documents. "
    out = tldr("Long", sentence * 5000 + "x" * 100_000)
    assert 0 < len(out) <= MAX_OUTPUT_CHARS + 1


def test_run_on_text_without_full_stops_is_cut_with_an_ellipsis() -> None:
    out = tldr("Run-on", "word " * 2000)
    assert out.endswith("…") and len(out) <= MAX_OUTPUT_CHARS + 1


def test_non_english_text() -> None:
    assert tldr("标题", "我们提出了一种新的方法。它很有效。") == "我们提出了一种新的方法。"
    out = tldr("Réseaux", "Nous proposons une méthode nouvelle pour les graphes. Elle marche.")
    assert out.startswith("Nous proposons")


def test_names_keep_their_case() -> None:
    out = tldr("Viz", "t-SNE plots are used to inspect embeddings of protein sequences here.")
    assert out.startswith("t-SNE")


def test_deterministic() -> None:
    assert tldr(TITLE, ABSTRACT) == tldr(TITLE, ABSTRACT)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=2000))
def test_never_raises(title: str, abstract: str) -> None:
    out = tldr(title, abstract)
    assert isinstance(out, str) and len(out) <= MAX_OUTPUT_CHARS + 1


def test_model_file_is_small_json_with_both_scorers() -> None:
    sentence_w, variant_w, top_k = tldr_module._weights()
    assert len(sentence_w) > 20 and len(variant_w) > 10 and top_k >= 1
    assert "cue:propose" in sentence_w and "_bias" not in variant_w


def test_rouge_on_a_training_sample() -> None:
    """A regression guard on SciTLDR train papers (the model saw them, so this is lenient)."""
    path = _shared() / "data" / "scitldr" / "train.jsonl"
    if not path.exists():
        pytest.skip(f"SciTLDR not found at {path}")
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    with path.open(encoding="utf-8") as f:
        papers = [json.loads(line) for _, line in zip(range(200), f, strict=False)]
    ours, lead = [], []
    for p in papers:
        out = tldr(p["title"], " ".join(p["source"]))
        ours.append(max(scorer.score(t, out)["rouge1"].fmeasure for t in p["target"]))
        lead.append(max(scorer.score(t, p["source"][0])["rouge1"].fmeasure for t in p["target"]))
    assert statistics.fmean(ours) > statistics.fmean(lead) + 0.05
    assert statistics.fmean(ours) > 0.35


_CUE_WORDS = ["we", "our", "this", "in this", "paper", "work", "study", "present", "show",
              "shows", "propose", "method", "results", "x", "é", "ourselves", "new", "_"]
_CUE_TEXT = st.lists(st.tuples(st.sampled_from(_CUE_WORDS),
                               st.sampled_from([" ", " ", " ", "", "-", "_", ", ", "é"])),
                     max_size=12).map(lambda parts: "".join(w + sep for w, sep in parts))


@settings(max_examples=300, deadline=None)
@given(_CUE_TEXT)
def test_cue_search_equals_the_word_boundary_pattern(text: str) -> None:
    import re

    for _, pattern, _ in tldr_module._CUE_PHRASES:
        plain = re.compile(r"\b" + pattern.pattern)
        assert tldr_module._found(pattern, text) == (plain.search(text) is not None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_word_split_equals_the_token_pattern(text: str) -> None:
    assert tldr_module._words(text) == tldr_module._TOKEN.findall(text)


def test_content_stems_are_cached_and_bounded() -> None:
    words = ["networks", "the", "a", "graphs", "x"]
    assert tldr_module._content(words) == {"network", "graph"}
    assert tldr_module._CONTENT_STEM["the"] == ""
    assert len(tldr_module._CONTENT_STEM) <= 100_000


@pytest.mark.parametrize("title, abstract", [
    (TITLE, ABSTRACT),  # an author-year citation: TLDR splits its own cleaned text
    ("", ""),
    ("Title only", "   "),
    ("CJK", "我们提出了一种新方法。它在基准上表现良好。"),
    ("LaTeX", "We bound the $\\ell_2$ error \\cite{a}. It is \\emph{tight} [3]."),
    ("Long", "We propose a model that reads long documents quickly. " * 150),
])
def test_tldr_prepared_equals_tldr(title: str, abstract: str) -> None:

    stripped = strip_latex(abstract)
    split = split_sentences(stripped)
    before = list(split)
    assert tldr_prepared(title, abstract, stripped, split) == tldr(title, abstract)
    assert split == before  # shared with the other models: never modified
