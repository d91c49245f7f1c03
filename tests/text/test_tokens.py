from paperpath.text.tokens import stem, stem_phrase, words


def test_words_keep_inner_hyphens_and_numbers() -> None:
    assert words("state-of-the-art GPT-4 hits 93.5% (F1).") == [
        "state-of-the-art", "GPT-4", "hits", "93.5", "F1"]


def test_porter_stems() -> None:
    assert stem("Networks") == "network"
    assert stem_phrase("Graph Neural Networks") == stem_phrase("graph neural network")
