"""Library.guide and friends on a real SQLite library with hand-written papers."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperpath import Library, PaperRecord

LORA = PaperRecord(
    arxiv_id="2106.09685", title="LoRA: Low-Rank Adaptation of Large Language Models",
    authors=["Edward Hu", "Yelong Shen"], categories=["cs.CL", "cs.LG"],
    comments="14 pages, 3 figures",
    abstract=(
        "Fine-tuning large language models updates all of their parameters, which becomes "
        "prohibitively expensive as models grow to billions of parameters. We propose "
        "Low-Rank Adaptation (LoRA), a method that freezes the pretrained model weights and "
        "injects trainable low-rank decomposition matrices into each layer of the Transformer "
        "architecture. LoRA reduces the number of trainable parameters by 10,000 times and the "
        "GPU memory requirement by 3 times. It performs on-par or better than full fine-tuning "
        "on RoBERTa, DeBERTa, GPT-2 and GPT-3, despite having fewer trainable parameters."),
)
OTHER = PaperRecord(
    arxiv_id="2401.00001", title="Adapters for speech recognition",
    authors=["A. Person"], categories=["eess.AS"],
    abstract=("Parameter-efficient fine-tuning, a family of methods that update only a small "
              "set of extra weights, is rarely studied for speech. We adapt Low-Rank "
              "Adaptation (LoRA) to speech recognition and show that it matches full "
              "fine-tuning with 2% of the parameters."),
)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib.db")
    lib.add_records([LORA, OTHER])
    return lib


def test_guide_on_demand_has_every_part(lib: Library) -> None:
    g = lib.guide("2106.09685")
    assert g.paper.id == "2106.09685"
    assert g.tldr and len(g.tldr.split()) <= 60
    assert {label for _, label in g.facets} <= {"problem", "method", "result", "other"}
    assert g.method and g.result
    assert 3 <= len(g.key_terms) <= 12
    assert all(t.new for t in g.key_terms)  # nothing marked known yet
    assert 1 <= g.difficulty.level <= 5 and g.difficulty.reasons
    assert g.reading_time.pages == 14 and g.reading_time.basis == "comments"
    assert any("LoRA" in q.text for q in g.questions)
    data = g.to_dict()
    assert data["id"] == "2106.09685" and data["reading_time"]["pages"] == 14
    assert data["questions"] and data["key_terms"][0]["term"]


def test_missing_paper_raises_lookup_error(lib: Library) -> None:
    with pytest.raises(LookupError, match=r"2501\.99999"):
        lib.guide("2501.99999")


def test_known_terms_stop_being_new(lib: Library) -> None:
    g = lib.guide("2106.09685")
    first = g.key_terms[0].term
    assert lib.mark_known([first]) == 1
    assert lib.mark_known([first]) == 0  # idempotent
    again = lib.guide("2106.09685")
    assert not next(t for t in again.key_terms if t.term == first).new
    assert [t for t, _, s in lib.known_terms() if s == "marked"]
    assert lib.forget_known([first]) == 1
    assert next(t for t in lib.guide("2106.09685").key_terms if t.term == first).new


def test_glossary_terms_are_known_by_alias(lib: Library) -> None:
    lib.mark_known(["LLM"])
    keys = {k for _, k, _ in lib.known_terms()}
    entry, _ = lib.define("large language models")
    assert entry is not None and f"g:{entry.id}" in keys


def test_analyze_stores_and_guides_read_it(lib: Library) -> None:
    report = lib.analyze(workers=1)
    assert report.analyzed == 2 and report.errors == 0
    assert lib.analyze(workers=1).analyzed == 0  # nothing stale: resumable, idempotent
    assert lib.guides.stats_path.exists()
    g = lib.guide("2106.09685")
    assert g.tldr
    _entry, mined = lib.define("LoRA")
    assert any(m.kind == "acronym" and "Low-Rank Adaptation" in m.definition for m in mined)


def test_edited_paper_is_reanalysed(lib: Library) -> None:
    lib.analyze(workers=1)
    lib.add_records([PaperRecord(arxiv_id="2401.00001", title=OTHER.title,
                                 authors=OTHER.authors, categories=OTHER.categories,
                                 abstract=OTHER.abstract + " Code is released.")])
    assert lib.analyze(workers=1).analyzed == 1


def test_hostile_abstracts_do_not_crash(lib: Library) -> None:
    lib.add_records([
        PaperRecord(arxiv_id="2401.00002", title="Empty", authors=["X"], abstract=""),
        PaperRecord(arxiv_id="2401.00003", title="One sentence", authors=["X"],
                    abstract="We study $\\alpha$-divergences \\cite{a} for \\emph{GANs}."),
        PaperRecord(arxiv_id="2401.00004", title="Ein deutscher Titel", authors=["X"],
                    abstract="Wir schlagen ein neues Verfahren vor. Es ist schnell."),
        PaperRecord(arxiv_id="2401.00005", title="Huge", authors=["X"],
                    abstract="word " * 200_000),
    ])
    assert lib.analyze(workers=1).errors == 0
    for pid in ("2401.00002", "2401.00003", "2401.00004", "2401.00005"):
        g = lib.guide(pid)
        assert isinstance(g.tldr, str) and g.questions
