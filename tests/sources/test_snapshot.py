"""Parsing snapshot records: the full Kaggle schema, the reduced one, and garbage."""

from __future__ import annotations

import contextlib
import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperpath.records import RecordError
from paperpath.sources.snapshot import parse_line

FULL = {
    "id": "0704.0001",
    "submitter": "Pavel Nadolsky",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
    "title": ("Calculation of prompt diphoton production cross sections at Tevatron and\n"
              "  LHC energies"),
    "comments": "37 pages, 15 figures; published version",
    "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009",
    "report-no": "ANL-HEP-PR-07-12",
    "categories": "hep-ph",
    "license": None,
    "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\n"
                "presented for the production of massive photon pairs.\n",
    "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                 {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
    "update_date": "2008-11-13",
    "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""],
                       ["Nadolsky", "P. M.", ""], ["Yuan", "C. -P.", ""]],
}


def test_full_schema_record() -> None:
    rec = parse_line(json.dumps(FULL).encode()).normalized()
    assert rec.arxiv_id == "0704.0001"
    assert rec.title.startswith("Calculation of prompt diphoton production cross sections at "
                                "Tevatron and LHC")
    assert rec.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert rec.doi == "10.1103/physrevd.76.013009"
    assert rec.journal_ref == "Phys.Rev.D76:013009,2007"
    assert rec.versions == ["v1", "v2"]
    assert rec.published == date(2007, 4, 2) and rec.updated == date(2008, 11, 13)
    assert rec.abstract.startswith("A fully differential") and "\n" not in rec.abstract


def test_reduced_schema_record() -> None:
    line = json.dumps({"id": "2503.11685", "authors": "Omkar Kokane, Adam Teman",
                       "title": "CORDIC Is All You Need", "comments": None,
                       "categories": "cs.AR cs.CV", "abstract": "We present ...",
                       "update_date": "2025-03-18"})
    rec = parse_line(line.encode()).normalized()
    assert rec.categories == ["cs.AR", "cs.CV"]
    assert rec.authors == ["Omkar Kokane", "Adam Teman"]
    assert rec.published == rec.updated == date(2025, 3, 18)
    assert rec.versions == [] and rec.doi is None


@pytest.mark.parametrize(("line", "message"), [
    (b"{not json", "malformed JSON"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"title": "x"}', "missing 'id'"),
    (b'{"id": "2401.00001"}', "missing 'title'"),
    (b'{"id": "nonsense", "title": "t"}', "bad arXiv id"),
])
def test_bad_lines_raise_record_errors(line: bytes, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        parse_line(line).normalized()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from(list(FULL)), json_values))
def test_any_json_object_parses_or_raises_record_error(obj: dict[str, object]) -> None:
    try:
        rec = parse_line(json.dumps(obj).encode()).normalized()
    except RecordError as exc:
        assert "\n" not in str(exc)
    else:
        assert rec.title and rec.arxiv_id


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(RecordError):
        parse_line(data)


def _slow_row(obj: dict[str, object]) -> dict[str, object]:
    from paperpath.sources.snapshot import parse_record
    from paperpath.store.writer import prepare, row_from

    return row_from(prepare(parse_record(obj)))


def test_fast_row_path_equals_the_generic_path_on_the_real_corpus() -> None:
    import gzip
    import itertools

    from snapshot_data import shared_dir

    from paperpath.sources.snapshot import snapshot_row

    objs: list[dict[str, object]] = [FULL, {**FULL, "doi": "10.48550/arXiv.0704.0001"},
                                     {**FULL, "authors_parsed": None, "versions": "junk"}]
    corpus = shared_dir() / "data" / "arxiv" / "arxiv-cs-2025-2026.jsonl.gz"
    if corpus.exists():
        with gzip.open(corpus, "rb") as fh:
            objs += [json.loads(line) for line in itertools.islice(fh, 5000)]
    for obj in objs:
        assert snapshot_row(obj) == _slow_row(obj), obj.get("id")


@given(st.dictionaries(st.sampled_from(list(FULL)), json_values))
def test_fast_row_path_equals_generic_path_on_any_object(obj: dict[str, object]) -> None:
    from paperpath.sources.snapshot import snapshot_row

    try:
        slow = _slow_row(obj)
    except RecordError as exc:
        with pytest.raises(RecordError):
            snapshot_row(obj)
        assert str(exc)
        return
    assert snapshot_row(obj) == slow
