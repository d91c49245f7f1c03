"""The built-in glossary: short, beginner-level definitions of terms met in ML papers.

The data lives in ``paperpath/data/glossary/*.toml``, one file per area, each holding an
array of ``[[term]]`` tables. This module loads it once and answers look-ups by term, id or
alias, ignoring case.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_DATA_PACKAGE = "paperpath"
_DATA_DIR = ("data", "glossary")


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


def _str_list(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _opt_str(raw: dict[str, Any], key: str, where: str) -> str | None:
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
        aliases=_str_list(raw, "aliases", where),
        math=_opt_str(raw, "math", where),
        related=_str_list(raw, "related", where),
        prerequisites=_str_list(raw, "prerequisites", where),
        introduced_in=_opt_str(raw, "introduced_in", where),
    )


def area_files() -> dict[str, list[dict[str, Any]]]:
    """Raw ``[[term]]`` tables per area file (file stem), in file-name order."""
    folder = resources.files(_DATA_PACKAGE).joinpath(*_DATA_DIR)
    out: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_file() and item.name.endswith(".toml"):
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            out[item.name.removesuffix(".toml")] = list(data.get("term", []))
    return out


@cache
def _entries() -> tuple[GlossaryEntry, ...]:
    return tuple(
        _entry(raw, f"{area}.toml") for area, rows in area_files().items() for raw in rows
    )


def glossary() -> list[GlossaryEntry]:
    """All glossary entries, grouped by area file (loaded once, then cached)."""
    return list(_entries())


@cache
def _index() -> dict[str, GlossaryEntry]:
    index: dict[str, GlossaryEntry] = {}
    for entry in _entries():
        for name in entry.names():
            index.setdefault(_key(name), entry)
    return index


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def lookup(text: str) -> GlossaryEntry | None:
    """The entry whose term, id or alias equals ``text`` (ignoring case), or None."""
    return _index().get(_key(text))
