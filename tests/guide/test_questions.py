from paperpath.guide.questions import build_questions, method_name

FACETS = [
    ("Fine-tuning large language models updates billions of parameters, which is costly.",
     "problem"),
    ("We propose LoRA, a method that freezes the weights and trains low-rank matrices.",
     "method"),
    ("It reduces trainable parameters by 10,000 times while matching full fine-tuning "
     "quality on GLUE.", "result"),
]
TERMS = ["low-rank matrices", "fine-tuning", "large language models", "trainable parameters"]


def test_method_name_from_title_or_propose_sentence() -> None:
    assert method_name("LoRA: Low-Rank Adaptation of Large Language Models", [], []) == "LoRA"
    assert method_name("Efficient adaptation of big models", FACETS, TERMS) == "LoRA"
    assert method_name("x", [], []) == "their approach"


def test_questions_are_paper_specific_and_cover_three_passes() -> None:
    qs = build_questions("Efficient adaptation of big models", FACETS, TERMS,
                         new_terms=["low-rank matrices"])
    stages = {q.stage for q in qs}
    assert stages == {"first pass", "second pass", "third pass"}
    texts = " ".join(q.text for q in qs)
    assert "Why did the authors choose LoRA rather than" in texts
    assert "10,000 times" in texts  # the result question quotes the paper's own claim
    assert "low-rank matrices" in texts
    assert any(q.hint and "billions of parameters" in q.hint for q in qs)


def test_questions_without_facets_still_make_sense() -> None:
    qs = build_questions("A title", [], [])
    assert len(qs) >= 4
    assert all(q.text.endswith("?") for q in qs)
