"""Checks on the built-in glossary data and its loader."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

import paperpath
from paperpath.glossary import GlossaryEntry, area_files, glossary, lookup, term_key
from paperpath.ids import InvalidIdError, parse_arxiv_id

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TITLE_YEAR_RE = re.compile(r".+ \(\d{4}\)")
REQUIRED = ("id", "term", "aliases", "definition", "related", "prerequisites", "area")
ALLOWED = {*REQUIRED, "math", "introduced_in"}
EXPECTED_AREAS = {
    "optimization", "probability", "linear_algebra", "architectures", "training", "evaluation",
    "generative", "rl", "nlp", "cv", "graphs", "efficiency", "alignment", "learning_theory",
    "retrieval", "classical_ml", "classical_ai", "data", "interpretability", "audio",
}
PROBE = Path(__file__).resolve().parents[1] / "bench" / "data" / "glossary-probe.txt"
# A hover card must stay short: 1-3 sentences and at most this many characters.
MAX_DEFINITION_CHARS = 320
# Abbreviations whose full stop does not end a sentence.
_ABBREV_RE = re.compile(r"\b(?:e\.g|i\.e|etc|vs|et al|approx|cf)\.", re.IGNORECASE)


def _sentences(text: str) -> int:
    text = _ABBREV_RE.sub("", text).strip()
    return len([s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()])


@pytest.fixture(scope="module")
def entries() -> list[GlossaryEntry]:
    return glossary()


@pytest.fixture(scope="module")
def by_id(entries: list[GlossaryEntry]) -> dict[str, GlossaryEntry]:
    return {e.id: e for e in entries}


def test_glossary_is_exported_and_cached() -> None:
    assert paperpath.glossary is glossary
    assert "glossary" in paperpath.__all__
    first, second = glossary(), glossary()
    assert first == second
    assert first is not second  # callers get their own list; the cache stays intact
    assert all(a is b for a, b in zip(first, second, strict=True))


def test_every_expected_area_file_exists_and_is_not_empty() -> None:
    files = area_files()
    assert set(files) == EXPECTED_AREAS, "a new area file must be added to EXPECTED_AREAS"
    for area, rows in files.items():
        assert rows, f"{area}.toml has no [[term]] entries"


def test_raw_tables_have_required_fields_only() -> None:
    for area, rows in area_files().items():
        for row in rows:
            where = f"{area}.toml: {row.get('id')!r}"
            missing = [k for k in REQUIRED if k not in row]
            assert not missing, f"{where} lacks {missing}"
            unknown = set(row) - ALLOWED
            assert not unknown, f"{where} has unknown keys {sorted(unknown)}"
            assert row["area"] == area, f"{where}: area {row['area']!r} != file name"


def test_entries_are_well_formed(entries: list[GlossaryEntry]) -> None:
    assert len(entries) >= 650
    for e in entries:
        assert SLUG_RE.match(e.id), f"id {e.id!r} is not a lowercase slug"
        assert e.term.strip() == e.term and e.term, e.id
        assert all(a.strip() for a in e.aliases), f"{e.id}: empty alias"
        assert e.definition.strip(), f"{e.id}: empty definition"
        assert e.definition.rstrip().endswith((".", "?", "!", ")")), f"{e.id}: unfinished"
        n = _sentences(e.definition)
        assert 1 <= n <= 3, f"{e.id}: definition has {n} sentences"
        assert 40 <= len(e.definition) <= MAX_DEFINITION_CHARS, f"{e.id}: definition length"
        assert e.area in EXPECTED_AREAS, f"{e.id}: unknown area {e.area!r}"
        assert e.related, f"{e.id}: no related terms"
        if e.math is not None:
            assert "\n" not in e.math.strip(), f"{e.id}: math must be one line"


def test_ids_are_unique(entries: list[GlossaryEntry]) -> None:
    seen: dict[str, str] = {}
    for e in entries:
        assert e.id not in seen, f"duplicate id {e.id!r} in {e.area} and {seen[e.id]}"
        seen[e.id] = e.area


def test_names_do_not_collide_between_entries(entries: list[GlossaryEntry]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        for name in e.names():
            owners[name.casefold()].add(e.id)
    clashes = {name: sorted(ids) for name, ids in owners.items() if len(ids) > 1}
    assert not clashes, f"names shared by several entries: {clashes}"


def test_normalised_names_do_not_collide(entries: list[GlossaryEntry]) -> None:
    """Two entries must not share a name once case, hyphens, accents etc. are forgotten."""
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        for name in e.names():
            key = term_key(name)
            assert key, f"{e.id}: name {name!r} normalises to nothing"
            owners[key].add(e.id)
    clashes = {key: sorted(ids) for key, ids in owners.items() if len(ids) > 1}
    assert not clashes, f"normalised names shared by several entries: {clashes}"


def test_every_name_looks_up_its_own_entry(entries: list[GlossaryEntry]) -> None:
    wrong = [(name, e.id) for e in entries for name in e.names()
             if (hit := lookup(name)) is None or hit.id != e.id]
    assert not wrong, f"names that do not find their entry: {wrong[:20]}"


def test_references_exist_and_are_not_self(
    entries: list[GlossaryEntry], by_id: dict[str, GlossaryEntry]
) -> None:
    for e in entries:
        for field in ("related", "prerequisites"):
            refs = getattr(e, field)
            assert len(set(refs)) == len(refs), f"{e.id}: repeated id in {field}"
            assert e.id not in refs, f"{e.id} lists itself in {field}"
            dangling = [r for r in refs if r not in by_id]
            assert not dangling, f"{e.id}: {field} names unknown ids {dangling}"


def test_prerequisites_have_no_cycles(
    entries: list[GlossaryEntry], by_id: dict[str, GlossaryEntry]
) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        assert state.get(node) != 1, "prerequisite cycle: " + " -> ".join([*path, node])
        state[node] = 1
        for pre in by_id[node].prerequisites:
            visit(pre, [*path, node])
        state[node] = 2

    for e in entries:
        visit(e.id, [])


def test_introduced_in_is_an_arxiv_id_or_title_and_year(entries: list[GlossaryEntry]) -> None:
    for e in entries:
        if e.introduced_in is None:
            continue
        try:
            parse_arxiv_id(e.introduced_in)
        except InvalidIdError:
            assert TITLE_YEAR_RE.fullmatch(e.introduced_in), (
                f"{e.id}: introduced_in {e.introduced_in!r} is neither an arXiv id "
                "nor 'Title (Year)'"
            )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SGD", "stochastic-gradient-descent"),
        ("sgd", "stochastic-gradient-descent"),
        ("Stochastic Gradient Descent", "stochastic-gradient-descent"),
        ("stochastic-gradient-descent", "stochastic-gradient-descent"),
        ("  adam ", "adam"),
        ("KL divergence", "kl-divergence"),
        ("LoRA", "lora"),
        ("RLHF", "rlhf"),
        ("transformer", "transformer"),
        ("KV cache", "kv-cache"),
        ("PPO", "proximal-policy-optimization"),
        ("ViT", "vision-transformer"),
        ("BLEU", "bleu"),
        ("GNN", "graph-neural-network"),
    ],
)
def test_lookup(text: str, expected: str) -> None:
    hit = lookup(text)
    assert hit is not None, text
    assert hit.id == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # case, plurals and acronyms
        ("Decision Trees", "decision-tree"),
        ("LLMs", "large-language-model"),
        ("GANs", "generative-adversarial-network"),
        ("random forests", "random-forest"),
        ("matrices", "matrix"),
        ("scaling law", "scaling-laws"),
        ("hidden layers", "hidden-layer"),
        # hyphen, space or nothing
        ("fine-tuning", "fine-tuning"),
        ("fine tuning", "fine-tuning"),
        ("finetuning", "fine-tuning"),
        ("pre training", "pretraining"),
        ("k nearest neighbors", "k-nearest-neighbors"),
        ("kNN", "k-nearest-neighbors"),
        ("t-SNE", "t-sne"),
        ("tsne", "t-sne"),
        ("multi class classification", "multiclass-classification"),
        # articles, punctuation, accents, dashes, British spelling
        ("the transformer", "transformer"),
        ("an MLP", "multilayer-perceptron"),
        ("A/B testing", "ab-testing"),
        ("i.i.d.", "independence"),
        ("iid", "independence"),
        ("Bayes rule", "bayes-rule"),
        ("Frechet Inception Distance", "fid"),
        ("Kullback-Leibler divergence", "kl-divergence"),
        ("k-nearest neighbours", "k-nearest-neighbors"),
        ("regularisation", "regularization"),
        ("language modelling", "language-modeling"),
        # parentheticals and generic head words
        ("Mean Absolute Error (MAE)", "mean-absolute-error"),
        ("ROC (receiver operating characteristic) curve", "roc-auc"),
        ("bias (math)", "bias-term"),
        ("pooling layer", "pooling"),
        ("k-means algorithm", "k-means"),
        ("deep reinforcement learning", "reinforcement-learning"),
        ("few-shot prompting", "few-shot-learning"),
        ("sequence-to-sequence task", "encoder-decoder"),
    ],
)
def test_lookup_forgives_spelling_variants(text: str, expected: str | None) -> None:
    hit = lookup(text)
    assert (hit.id if hit else None) == expected, text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Fine-Tuning", "fine tuning"),
        ("  The   KL  divergence ", "kl divergence"),
        ("Bayes’ rule", "bayes rule"),
        ("Jensen–Shannon", "jensen shannon"),
        ("A/B testing", "a b testing"),
        ("optimisation", "optimization"),
        ("", ""),
    ],
)
def test_term_key(text: str, key: str) -> None:
    assert term_key(text) == key


@pytest.mark.parametrize(
    "text",
    ["", "   ", "definitely not a glossary term", "the", "(", "()", "$\\alpha$", "x" * 10_000,
     "神经网络", "search for a cure"],
)
def test_lookup_misses_return_none(text: str) -> None:
    assert lookup(text) is None


def test_probe_list_coverage() -> None:
    """Our own list of common glossary terms (bench/data/glossary-probe.txt) stays covered."""
    lines = PROBE.read_text(encoding="utf-8").splitlines()
    terms = [t.strip() for t in lines if t.strip() and not t.startswith("#")]
    assert len(terms) >= 150
    missing = [t for t in terms if lookup(t) is None]
    assert len(missing) <= 0.1 * len(terms), f"missing: {missing}"
