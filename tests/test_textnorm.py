from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paperpath.textnorm import (
    author_surname,
    clean_ws,
    find_code_urls,
    normalize_title,
    split_authors,
    title_key,
)


def test_code_urls_from_abstract_and_comments() -> None:
    abstract = ("Code is available at https://github.com/foo/bar-baz. Models at\n"
                "huggingface.co/org/model and https://www.gitlab.com/a/b.git) too; "
                "see GitHub.com/x/y; our site github.com only.")
    comments = "15 pages. Code: https://github.com/foo/\nwrapped"
    assert find_code_urls(abstract, comments) == [
        "https://github.com/foo/bar-baz",
        "https://huggingface.co/org/model",
        "https://gitlab.com/a/b",
        "https://github.com/x/y",
        "https://github.com/foo/wrapped",
    ]
    assert find_code_urls("no links here", None) == []


def test_titles_from_different_sources_agree() -> None:
    assert normalize_title(r"\emph{Attention} Is All You   Need!") == "attention is all you need"
    assert normalize_title("Ünïcode Títles") == "unicode titles"
    assert title_key("Attention is all you need", ["Ashish Vaswani"]) == (
        title_key("ATTENTION IS ALL YOU NEED.", ["Vaswani, Ashish"]))
    assert title_key("abc", ["X"]) is None


def test_authors() -> None:
    assert split_authors("A. One, B. Two (MIT, CSAIL) and C. Three") == [
        "A. One", "B. Two", "C. Three"]
    assert split_authors("A. One; B. Two") == ["A. One", "B. Two"]
    assert author_surname("Martin Luther King Jr.") == "king"
    assert author_surname("Lovelace, Ada") == "lovelace"


@given(st.text())
def test_clean_ws_is_idempotent(text: str) -> None:
    once = clean_ws(text)
    assert once == " ".join(text.split())
    assert clean_ws(once) == once
    assert "  " not in once and once == once.strip()


@given(st.text(), st.text())
def test_code_urls_never_fail_and_are_https(a: str, b: str) -> None:
    for url in find_code_urls(a, b):
        assert url.startswith("https://")
