from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperpath.ids import (
    InvalidIdError,
    find_arxiv_ids,
    is_arxiv_doi,
    normalize_arxiv_id,
    normalize_doi,
    parse_arxiv_id,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("2401.01234v3", ("2401.01234", 3)),
        ("arXiv:1706.03762v7", ("1706.03762", 7)),
        ("https://arxiv.org/abs/1706.03762", ("1706.03762", None)),
        ("http://arxiv.org/pdf/1706.03762v2", ("1706.03762", 2)),
        ("https://arxiv.org/html/2503.11677v1", ("2503.11677", 1)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("math.GT/0309136v2", ("math.GT/0309136", 2)),
        ("0704.0001", ("0704.0001", None)),
        ("  2312.00752 ", ("2312.00752", None)),
    ],
)
def test_parse_arxiv_id(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "2401.1", "2413.01234", "1401.12345",
                                  "https://example.com/abs/2401.01234", "10.1000/xyz"])
def test_bad_arxiv_ids_name_the_input(text: str) -> None:
    with pytest.raises(InvalidIdError) as err:
        parse_arxiv_id(text)
    assert repr(text) in str(err.value)
    assert "\n" not in str(err.value)


def test_find_ids_in_text() -> None:
    text = ("See https://arxiv.org/abs/2401.01234v2 and arXiv:1706.03762, again "
            "arxiv.org/pdf/2401.01234 and not 2401.99999 without a prefix.")
    assert find_arxiv_ids(text) == ["2401.01234", "1706.03762"]


def test_doi_normalization() -> None:
    assert normalize_doi("https://doi.org/10.1145/3292500.3330701") == "10.1145/3292500.3330701"
    assert normalize_doi("doi:10.48550/arXiv.1706.03762.") == "10.48550/arxiv.1706.03762"
    assert normalize_doi("no doi here") is None
    assert is_arxiv_doi("10.48550/arXiv.1706.03762") == "1706.03762"
    assert is_arxiv_doi("10.1145/1") is None


@given(st.text())
def test_parsing_arbitrary_text_only_raises_the_documented_error(text: str) -> None:
    try:
        ident, version = parse_arxiv_id(text)
    except InvalidIdError:
        assert normalize_arxiv_id(text) is None
    else:
        assert normalize_arxiv_id(text) == ident
        assert version is None or version >= 0
