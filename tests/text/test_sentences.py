from hypothesis import given
from hypothesis import strategies as st

from paperpath.text.sentences import split_sentences


def test_abbreviations_numbers_and_initials_do_not_split() -> None:
    text = ("Smith et al. show that e.g. SGD works. In Sec. 3 we use ResNet-50 v1.5. "
            "J. Doe reports 93.5% accuracy (Fig. 2). Code: https://github.com/a/b.")
    assert split_sentences(text) == [
        "Smith et al. show that e.g. SGD works.",
        "In Sec. 3 we use ResNet-50 v1.5.",
        "J. Doe reports 93.5% accuracy (Fig. 2).",
        "Code: https://github.com/a/b.",
    ]


def test_hard_wrapped_lines_join_and_blank_lines_break() -> None:
    text = "We propose a\nnew method\n\nwithout a final stop"
    assert split_sentences(text) == ["We propose a new method", "without a final stop"]


def test_questions_exclamations_and_lowercase_continuations() -> None:
    assert split_sentences("Does it work? Yes! it does. 2 runs agree.") == [
        "Does it work?", "Yes! it does.", "2 runs agree."]


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t") == []


@given(st.text(max_size=400))
def test_never_loses_words(text: str) -> None:
    assert " ".join(split_sentences(text)).split() == text.split()
