"""The built-in glossary: short, beginner-level definitions of terms met in ML papers.

The data lives in ``paperpath/data/glossary/*.toml``, one file per area, each holding an
array of ``[[term]]`` tables. This module loads it once and answers look-ups by term, id or
alias, forgiving the usual spelling variants (case, plurals, hyphens, British spellings).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_DATA_PACKAGE = "paperpath"


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary term."""

    id: str
    term: str
    definition: str
    area: str
    aliases: tuple[str, ...] = ()
    math: str | None = None
    related: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    introduced_in: str | None = None

    def names(self) -> tuple[str, ...]:
        """Every string this entry answers to: term, id and aliases."""
        return (self.term, self.id, *self.aliases)


def str_list(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def opt_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: {key!r} must be a string")
    return value or None


def _entry(raw: dict[str, Any], source: str) -> GlossaryEntry:
    where = f"{source}: term {raw.get('id', '?')!r}"
    for key in ("id", "term", "definition", "area"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: missing or empty {key!r}")
    return GlossaryEntry(
        id=raw["id"],
        term=raw["term"],
        definition=" ".join(raw["definition"].split()),
        area=raw["area"],
        aliases=str_list(raw, "aliases", where),
        math=opt_str(raw, "math", where),
        related=str_list(raw, "related", where),
        prerequisites=str_list(raw, "prerequisites", where),
        introduced_in=opt_str(raw, "introduced_in", where),
    )


def toml_tables(folder: str, table: str) -> dict[str, list[dict[str, Any]]]:
    """The ``[[table]]`` arrays of every ``paperpath/data/<folder>/*.toml`` file, by file stem
    in file-name order (the glossary and the canon are stored this way)."""
    root = resources.files(_DATA_PACKAGE).joinpath("data", folder)
    out: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        if item.is_file() and item.name.endswith(".toml"):
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            out[item.name.removesuffix(".toml")] = list(data.get(table, []))
    return out


def area_files() -> dict[str, list[dict[str, Any]]]:
    """Raw ``[[term]]`` tables per area file (file stem), in file-name order."""
    return toml_tables("glossary", "term")


@cache
def _entries() -> tuple[GlossaryEntry, ...]:
    return tuple(
        _entry(raw, f"{area}.toml") for area, rows in area_files().items() for raw in rows
    )


def glossary() -> list[GlossaryEntry]:
    """All glossary entries, grouped by area file (loaded once, then cached)."""
    return list(_entries())


# --- Look-up ------------------------------------------------------------------------------
# Readers and other modules look terms up in the spellings papers use, so a name is reduced to
# a key that forgets case, accents, dashes versus spaces, dots and apostrophes ("i.i.d.",
# "Bayes' rule"), a leading article and British spellings. A query that misses is retried as
# a singular, with its separators removed ("finetuning"), without a "(parenthetical)", and
# without a generic word around it ("pooling layer", "k-means algorithm").

_MAX_QUERY_CHARS = 200  # glossary names are short; longer input cannot be a name
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_DROP_RE = re.compile(r"[.'\u2018\u2019`\"]")
_SEP_RE = re.compile(r"[\s\-_/,;:]+")
_ARTICLE_RE = re.compile(r"^(?:the|a|an)\s+(?=\S)")
_PAREN_RE = re.compile(r"\(([^()]*)\)")
# British -> American forms, whole words (the suffix rules below catch -isation and friends).
_SPELLING = {
    "neighbour": "neighbor", "neighbours": "neighbors", "behaviour": "behavior",
    "behaviours": "behaviors", "behavioural": "behavioral", "modelling": "modeling",
    "modelled": "modeled", "labelling": "labeling", "labelled": "labeled", "colour": "color",
    "analyse": "analyze", "centre": "center", "catalogue": "catalog", "programme": "program",
}
_SPELLING_RE = re.compile(r"\b(" + "|".join(_SPELLING) + r")\b")
# -isation, -iser(s), -ising, -ised -> -iz-, after at least three letters ("optimiser").
_UK_SUFFIX_RE = re.compile(r"(?<=\w\w\w)is(ations?|ers?|ing|ed)\b")
_IRREGULAR = {
    "indices": "index", "matrices": "matrix", "vertices": "vertex", "criteria": "criterion",
    "minima": "minimum", "maxima": "maximum", "optima": "optimum", "hypotheses": "hypothesis",
    "analyses": "analysis", "phenomena": "phenomenon", "appendices": "appendix",
}
# Generic words a query may wrap around a name ("pooling layer", "deep Q-learning"); they
# are dropped only after a miss.
_GENERIC_TAILS = frozenset({
    "algorithm", "algorithms", "method", "methods", "technique", "techniques", "approach",
    "model", "models", "layer", "layers", "loss", "problem", "score", "metric", "prompting",
    "task", "tasks",
})
_GENERIC_HEADS = frozenset({"deep"})


def term_key(text: str) -> str:
    """The normalised form under which names are indexed: ``"Fine-Tuning"`` -> ``"fine tuning"``.

    Case, accents, dash and separator variants, dots, apostrophes, a leading article and
    British spellings are all forgotten, so equal keys mean "the same name" to a reader.
    """
    if not text.isascii():  # accents and dashes; the common ASCII case skips this work
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_DASHES)
    text = _DROP_RE.sub("", text.casefold()).strip()
    text = _ARTICLE_RE.sub("", text)  # before separators become spaces: "A/B" is no article
    text = _SEP_RE.sub(" ", text).strip()
    text = _UK_SUFFIX_RE.sub(r"iz\1", text)
    return _SPELLING_RE.sub(lambda m: _SPELLING[m.group(1)], text)


def _singulars(key: str) -> list[str]:
    """Singular candidates for a key's last word (several: English plurals are ambiguous)."""
    head, _, last = key.rpartition(" ")
    prefix = f"{head} " if head else ""
    out: list[str] = []
    if last in _IRREGULAR:
        out.append(_IRREGULAR[last])
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        if last.endswith("ies") and len(last) > 4:
            out.append(last[:-3] + "y")
        if last.endswith("es"):
            out.append(last[:-2])
        out.append(last[:-1])
    return [prefix + w for w in out]


def _joined(key: str) -> str:
    return key.replace(" ", "")


def _name_keys(name: str) -> list[tuple[int, str]]:
    """(tier, key) pairs a name is indexed under; lower tiers win clashes."""
    key = term_key(name)
    if not key:
        return []
    pairs = [(0, key), (1, _joined(key))]
    for singular in _singulars(key):
        pairs += [(2, singular), (2, _joined(singular))]
    return pairs


@cache
def _index() -> dict[str, GlossaryEntry]:
    best: dict[str, tuple[int, GlossaryEntry]] = {}
    for entry in _entries():
        for name in entry.names():
            for tier, key in _name_keys(name):
                if key not in best or tier < best[key][0]:
                    best[key] = (tier, entry)
    return {key: entry for key, (_, entry) in best.items()}


def _query_keys(key: str) -> list[str]:
    """Keys to try for a normalised query, most literal first."""
    forms = [key, *_singulars(key)]
    return [*forms, *(_joined(f) for f in forms)]


def _lookup_key(key: str, index: dict[str, GlossaryEntry]) -> GlossaryEntry | None:
    for candidate in _query_keys(key):
        hit = index.get(candidate)
        if hit is not None:
            return hit
    words = key.split()
    if len(words) > 1 and words[-1] in _GENERIC_TAILS:
        hit = _lookup_key(" ".join(words[:-1]), index)
        if hit is not None:
            return hit
    if len(words) > 1 and words[0] in _GENERIC_HEADS:
        return _lookup_key(" ".join(words[1:]), index)
    return None


@lru_cache(maxsize=65536)
def lookup(text: str) -> GlossaryEntry | None:
    """The entry that ``text`` names, or None.

    Matches the term, id or an alias, ignoring case, accents, hyphens versus spaces versus
    nothing ("fine-tuning", "fine tuning", "finetuning"), dots ("i.i.d."), a leading "the",
    British spellings and plurals ("decision trees", "LLMs"). Failing that it tries the text
    without its parentheticals and then each parenthetical alone ("Mean Absolute Error
    (MAE)"), and the text without a generic word around the name ("pooling layer",
    "k-means algorithm", "deep Q-learning").
    """
    if not text or len(text) > _MAX_QUERY_CHARS:
        return None
    index = _index()
    key = term_key(text)
    if key:
        hit = _lookup_key(key, index)
        if hit is not None:
            return hit
    if "(" in text:
        # "Mean Absolute Error (MAE)", "ROC (receiver operating characteristic) curve":
        # first the text without its parentheticals, then each parenthetical alone.
        for part in (_PAREN_RE.sub(" ", text), *_PAREN_RE.findall(text)):
            part_key = term_key(part)
            hit = _lookup_key(part_key, index) if part_key else None
            if hit is not None:
                return hit
    return None
