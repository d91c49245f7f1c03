from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperpath import Library
from paperpath.search import QueryError, parse_query


def test_words_are_quoted_and_all_required() -> None:
    q = parse_query('graph neural "message passing" -survey title:transformer author:hinton')
    assert q.fts_all() == ('("graph" AND "neural" AND "message passing" AND '
                           'title : "transformer" AND authors : "hinton") NOT ("survey")')
    assert q.fts_any().startswith('("graph" OR "neural" OR "message passing"')


def test_or_stop_words_prefix_and_syntax_characters() -> None:
    q = parse_query("the diffusion OR flow models for video* AND (NEAR) ^x")
    assert [[t.text for t in g] for g in q.groups] == [
        ["diffusion", "flow"], ["models"], ["video"], ["NEAR"], ["x"]]  # "AND" is a stop word
    assert q.groups[2][0].prefix
    assert '"video"*' in q.fts_all()


def test_pronouns_are_stop_words_unless_quoted() -> None:
    assert parse_query("teaching robots by showing them").words() == [
        "teaching", "robots", "showing"]
    assert parse_query('"love them"').words() == ["love them"]


def test_only_exclusions_is_an_error() -> None:
    with pytest.raises(QueryError, match="only excludes"):
        parse_query("-survey -review")


def test_control_characters_are_ignored() -> None:
    assert parse_query('"\x00 diffusion\x1f').fts_all() == '"diffusion"'


def test_empty_query_is_empty() -> None:
    assert parse_query("  the of  ").empty


@pytest.fixture(scope="module")
def small_lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("q") / "lib.db")
    lib.add(title="Graph neural networks: a review", arxiv_id="2401.00001",
            abstract='We survey "message passing" and (NEAR) operators * for graphs.')
    return lib


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_typed_query_searches_without_error(small_lib: Library, text: str) -> None:
    try:
        hits = small_lib.search(text, limit=5)
    except QueryError:
        return
    assert isinstance(hits, list)
