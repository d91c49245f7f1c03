"""Checks on the built-in canon data, its validation and its look-ups."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from paperpath.coach import canon as canon_mod
from paperpath.coach.canon import (
    AREAS,
    SLUG_RE,
    CanonIndex,
    CanonPaper,
    area_files,
    canon,
    canon_by_id,
    canon_paper,
    paper_from_table,
    topological,
    validate,
)
from paperpath.glossary import glossary
from paperpath.ids import normalize_doi, parse_arxiv_id
from paperpath.records import PaperRecord

# Landmarks the curriculum must keep, one or more per topic it promises to cover.
REQUIRED = {
    # optimization and backprop
    "backprop", "robbins-monro", "polyak-momentum", "adam", "adamw", "sgdr",
    # learning theory, classic ML and probabilistic models
    "pac-learning", "vc-dimension", "svm", "adaboost", "random-forests", "em", "hmm-tutorial",
    "factor-graphs", "gp-big-data", "vi-review",
    # CNNs
    "lenet", "alexnet", "vgg", "googlenet", "resnet", "u-net",
    # RNNs, seq2seq, attention and transformers
    "lstm", "rnn-encoder-decoder", "seq2seq", "bahdanau-attention",
    "attention-is-all-you-need", "bert", "gpt-3", "vit", "t5",
    # embeddings
    "word2vec", "glove", "barnes-hut-sne", "umap",
    # regularization and normalization
    "dropout", "batch-norm", "layer-norm", "weight-decay-mechanisms", "augmentation-survey",
    "label-smoothing-when",
    # generative models
    "vae", "gan", "normalizing-flows-vi", "ddpm", "ncsn", "latent-diffusion",
    # reinforcement learning
    "dqn-nature", "reinforce", "a3c", "ppo", "trpo", "alphago", "sac",
    # self-supervised and contrastive
    "simclr", "moco", "byol", "clip", "mae",
    # scaling and efficiency
    "scaling-laws", "chinchilla", "distillation", "lottery-ticket", "quantization-integer",
    "lora", "sparsely-gated-moe", "flash-attention",
    # retrieval
    "dpr", "rag", "colbert", "realm",
    # alignment
    "rlhf-christiano", "instructgpt", "constitutional-ai", "dpo",
    # graphs
    "gcn", "gat", "graphsage",
}
MIN_PER_AREA = 10


@pytest.fixture(scope="module")
def papers() -> tuple[CanonPaper, ...]:
    return canon()


def _paper(pid: str, **changes: object) -> CanonPaper:
    base = CanonPaper(id=pid, title=f"Paper {pid}", year=2020, area="optimization",
                      summary="A short summary.", difficulty=2, arxiv=None,
                      doi=f"10.1234/{pid}", authors=("A. Author",),
                      terms=("gradient-descent",))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# --- The real data -------------------------------------------------------------------------


def test_real_canon_has_no_problems(papers: tuple[CanonPaper, ...]) -> None:
    assert validate(papers) == []
    assert len(papers) >= 150


def test_every_area_is_covered_and_landmarks_present(papers: tuple[CanonPaper, ...]) -> None:
    per_area = Counter(p.area for p in papers)
    assert set(per_area) == set(AREAS)
    thin = {a: n for a, n in per_area.items() if n < MIN_PER_AREA}
    assert not thin, f"areas with too few papers: {thin}"
    ids = {p.id for p in papers}
    assert not REQUIRED - ids, f"missing landmarks: {sorted(REQUIRED - ids)}"


def test_data_files_are_named_after_their_area() -> None:
    files = area_files()
    assert set(files) == set(AREAS)
    for name, rows in files.items():
        assert rows, f"{name}.toml has no [[paper]] entries"
        for row in rows:
            assert row["area"] == name, f"{row['id']} sits in {name}.toml"


def test_ids_unique_and_slug_shaped(papers: tuple[CanonPaper, ...]) -> None:
    ids = [p.id for p in papers]
    assert len(ids) == len(set(ids))
    assert all(SLUG_RE.match(i) for i in ids)
    titles = Counter(p.title.casefold() for p in papers)
    assert [t for t, n in titles.items() if n > 1] == []


def test_identifiers_are_well_formed(papers: tuple[CanonPaper, ...]) -> None:
    for p in papers:
        assert p.arxiv or p.doi, p.id
        if p.arxiv:
            assert parse_arxiv_id(p.arxiv) == (p.arxiv, None), p.id
            assert p.year >= 1991, p.id  # arXiv opened in 1991
        if p.doi:
            assert normalize_doi(p.doi) == p.doi.lower(), p.id
            assert not p.doi.lower().startswith("10.48550/"), p.id
    arxiv = [p.arxiv for p in papers if p.arxiv]
    dois = [p.doi.lower() for p in papers if p.doi]
    assert len(arxiv) == len(set(arxiv))
    assert len(dois) == len(set(dois))


def test_new_style_arxiv_ids_match_the_year(papers: tuple[CanonPaper, ...]) -> None:
    # A paper's arXiv id starts with the year it was posted; the year given may be the
    # venue's (one later at most) but never earlier than the posting.
    for p in papers:
        if p.arxiv and "." in p.arxiv and "/" not in p.arxiv:
            posted = 2000 + int(p.arxiv[:2])
            assert posted <= p.year + 1 and p.year - posted <= 1, (p.id, p.arxiv, p.year)


def test_terms_exist_in_glossary(papers: tuple[CanonPaper, ...]) -> None:
    known = {e.id for e in glossary()}
    for p in papers:
        assert p.terms, f"{p.id} lists no glossary terms"
        assert set(p.terms) <= known, (p.id, sorted(set(p.terms) - known))


def test_fields_are_sensible(papers: tuple[CanonPaper, ...]) -> None:
    for p in papers:
        assert 1 <= p.difficulty <= 5
        assert 0 < len(p.summary) <= 200, p.id
        assert p.summary != p.title
        assert p.authors and all(a.strip() for a in p.authors)
        assert p.minutes is None or 5 <= p.minutes <= 240
        assert 1900 <= p.year <= 2030
    assert len({p.summary for p in papers}) == len(papers)


def test_canon_is_in_prerequisite_order_and_a_dag(papers: tuple[CanonPaper, ...]) -> None:
    seen: set[str] = set()
    for p in papers:
        assert set(p.prerequisites) <= seen, (p.id, sorted(set(p.prerequisites) - seen))
        seen.add(p.id)


def test_canon_is_cached_and_by_id_is_a_fresh_dict(papers: tuple[CanonPaper, ...]) -> None:
    assert canon() is canon()
    first, second = canon_by_id(), canon_by_id()
    assert first == second and first is not second
    assert first["resnet"].arxiv == "1512.03385"
    first.clear()
    assert canon_by_id()


def test_some_identifiers_by_heart(papers: tuple[CanonPaper, ...]) -> None:
    by_id = {p.id: p for p in papers}
    assert by_id["attention-is-all-you-need"].arxiv == "1706.03762"
    assert by_id["adam"].arxiv == "1412.6980"
    assert by_id["bert"].arxiv == "1810.04805"
    assert by_id["ddpm"].arxiv == "2006.11239"
    assert by_id["gan"].arxiv == "1406.2661"
    assert by_id["vae"].arxiv == "1312.6114"
    assert by_id["word2vec"].arxiv == "1301.3781"
    assert by_id["dropout"].arxiv == "1207.0580"
    assert by_id["backprop"].doi == "10.1038/323533a0"
    assert by_id["backprop"].arxiv is None


# --- Validation ----------------------------------------------------------------------------


def test_validate_accepts_a_small_good_list() -> None:
    items = [_paper("a"), _paper("b", prerequisites=("a",), arxiv="2001.00001", doi=None)]
    assert validate(items) == []


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"prerequisites": ("nope",)}, "unknown prerequisite 'nope'"),
    ({"prerequisites": ("a",)}, "lists itself"),
    ({"terms": ("not-a-real-term",)}, "unknown glossary term 'not-a-real-term'"),
    ({"terms": ("gradient-descent", "gradient-descent")}, "listed twice"),
    ({"area": "astrology"}, "unknown area 'astrology'"),
    ({"difficulty": 0}, "difficulty 0"),
    ({"difficulty": 6}, "difficulty 6"),
    ({"arxiv": None, "doi": None}, "needs an arXiv id or a DOI"),
    ({"arxiv": "1512.03385v2"}, "not a bare, versionless arXiv id"),
    ({"arxiv": "arXiv:1512.03385"}, "not a bare, versionless arXiv id"),
    ({"arxiv": "1513.00001"}, "not a bare, versionless arXiv id"),
    ({"doi": "not-a-doi"}, "not a bare DOI"),
    ({"doi": "10.48550/arXiv.1512.03385"}, "arXiv DOI"),
    ({"summary": "x" * 201}, "201 characters"),
    ({"summary": " "}, "empty summary"),
    ({"authors": ()}, "author"),
    ({"year": 1200}, "implausible year"),
    ({"minutes": 0}, "minutes"),
    ({"id": "Not A Slug"}, "lower-case slug"),
])
def test_validate_reports_each_kind_of_problem(changes: dict[str, object],
                                               fragment: str) -> None:
    problems = validate([_paper("a", **changes)])
    assert any(fragment in p for p in problems), problems


def test_validate_reports_duplicates() -> None:
    problems = validate([_paper("a"), _paper("a", doi="10.1234/other")])
    assert any("duplicate id 'a'" in p for p in problems)
    problems = validate([_paper("a", arxiv="2001.00001"), _paper("b", arxiv="2001.00001")])
    assert any("duplicate arXiv id '2001.00001' (also a)" in p for p in problems)
    problems = validate([_paper("a", doi="10.1234/X"), _paper("b", doi="10.1234/x")])
    assert any("duplicate DOI '10.1234/x' (also a)" in p for p in problems)


def test_validate_reports_cycles_once() -> None:
    items = [_paper("a", prerequisites=("c",)), _paper("b", prerequisites=("a",)),
             _paper("c", prerequisites=("b",)), _paper("d", prerequisites=("a",))]
    cycles = [p for p in validate(items) if "cycle" in p]
    assert len(cycles) == 1
    assert all(x in cycles[0] for x in ("a", "b", "c"))
    assert "d" not in cycles[0].split(": ", 1)[1].split(" -> ")


def test_canon_raises_listing_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = {"optimization": [
        {"id": "x", "title": "X", "year": 2000, "area": "optimization", "summary": "S.",
         "difficulty": 9, "authors": ["A"], "doi": "10.1/x", "prerequisites": ["ghost"]},
    ]}
    monkeypatch.setattr(canon_mod, "area_files", lambda: bad)
    canon_mod._canon.cache_clear()
    try:
        with pytest.raises(ValueError) as info:
            canon()
        assert "difficulty 9" in str(info.value)
        assert "unknown prerequisite 'ghost'" in str(info.value)
    finally:
        monkeypatch.undo()
        canon_mod._canon.cache_clear()
    assert len(canon()) >= 150


@pytest.mark.parametrize(("row", "fragment"), [
    ({"year": "2000"}, "'year' must be an integer"),
    ({"difficulty": True}, "'difficulty' must be an integer"),
    ({"terms": "gradient-descent"}, "'terms' must be a list of strings"),
    ({"title": ""}, "missing or empty 'title'"),
    ({"colour": "blue"}, "unknown keys ['colour']"),
    ({"why": 3}, "'why' must be a string"),
])
def test_paper_from_table_rejects_malformed_tables(row: dict[str, object],
                                                   fragment: str) -> None:
    raw = {"id": "x", "title": "X", "year": 2000, "area": "optimization", "summary": "S.",
           "difficulty": 2, "doi": "10.1/x", "authors": ["A"], **row}
    with pytest.raises(ValueError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        paper_from_table(raw, "optimization.toml")


def test_paper_from_table_collapses_whitespace() -> None:
    raw = {"id": "x", "title": "A  title\n here", "year": 2000, "area": "optimization",
           "summary": "Line one\n  line two.", "difficulty": 2, "doi": "10.1/x",
           "authors": ["A"], "why": "  "}
    p = paper_from_table(raw)
    assert p.title == "A title here"
    assert p.summary == "Line one line two."
    assert p.why is None
    assert p.prerequisites == () and p.terms == () and p.minutes is None


def test_topological_orders_prerequisites_first_then_by_year() -> None:
    items = [_paper("late", year=2020, prerequisites=("base",)),
             _paper("base", year=2010), _paper("early", year=1990),
             _paper("mid", year=2015, prerequisites=("base",))]
    assert [p.id for p in topological(items)] == ["early", "base", "mid", "late"]


# --- Look-ups ------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [
    "resnet", "RESNET", " resnet ", "1512.03385", "1512.03385v2", "arXiv:1512.03385",
    "arxiv:1512.03385v1", "https://arxiv.org/abs/1512.03385", "https://arxiv.org/abs/1512.03385v3",
    "http://arxiv.org/pdf/1512.03385v1", "10.48550/arXiv.1512.03385",
])
def test_canon_paper_finds_by_slug_and_arxiv_forms(ref: str) -> None:
    found = canon_paper(ref)
    assert found is not None and found.id == "resnet"


@pytest.mark.parametrize("ref", [
    "10.1038/323533a0", "10.1038/323533A0", "doi:10.1038/323533a0", "DOI:10.1038/323533a0",
    "https://doi.org/10.1038/323533a0",
])
def test_canon_paper_finds_by_doi_forms(ref: str) -> None:
    found = canon_paper(ref)
    assert found is not None and found.id == "backprop"


@pytest.mark.parametrize("ref", ["", "   ", "no-such-paper", "2401.99999", "10.9999/none",
                                 "doi:10.9999/none", "item:abc123"])
def test_canon_paper_misses(ref: str) -> None:
    assert canon_paper(ref) is None


def test_every_canon_paper_is_found_by_its_key(papers: tuple[CanonPaper, ...]) -> None:
    for p in papers:
        assert canon_paper(p.key()) == p
        assert canon_paper(p.id) == p


def test_index_over_a_hand_made_list() -> None:
    index = CanonIndex([_paper("a", arxiv="hep-th/9901001", doi=None), _paper("b")])
    found = index.find("hep-th/9901001v2")
    assert found is not None and found.id == "a"
    assert index.find("10.1234/B") is not None
    assert index.find("resnet") is None


# --- Keys and records ----------------------------------------------------------------------


def test_key_prefers_arxiv_then_lowercased_doi() -> None:
    assert _paper("a", arxiv="1512.03385").key() == "1512.03385"
    assert _paper("a", doi="10.1038/ABC").key() == "doi:10.1038/abc"


def test_record_of_an_arxiv_paper() -> None:
    paper = canon_by_id()["resnet"]
    rec = paper.record()
    assert isinstance(rec, PaperRecord)
    assert rec.title == paper.title
    assert rec.abstract == paper.summary
    assert rec.authors == list(paper.authors) and rec.authors[0] == "Kaiming He"
    assert rec.arxiv_id == "1512.03385"
    assert rec.year == 2015
    assert rec.published is None  # a bare year is not a date
    assert rec.source == "canon"
    assert rec.kind == "paper"
    norm = rec.normalized()
    assert norm.arxiv_id == "1512.03385" and norm.year == 2015


def test_record_of_a_doi_paper() -> None:
    rec = canon_by_id()["backprop"].record()
    assert rec.arxiv_id is None
    assert rec.doi == "10.1038/323533a0"
    assert rec.normalized().doi == "10.1038/323533a0"


def test_every_record_normalizes(papers: tuple[CanonPaper, ...]) -> None:
    for p in papers:
        norm = p.record().normalized()
        key = norm.arxiv_id if norm.arxiv_id else f"doi:{norm.doi}"
        assert key == p.key()
