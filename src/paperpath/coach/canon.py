"""The built-in canon: a curriculum of landmark machine-learning papers.

The data lives in ``paperpath/data/canon/*.toml``, one file per area, each holding an array of
``[[paper]]`` tables. Every paper names its area, a difficulty, the canon papers it builds on
and the glossary terms it teaches or needs, so the coach can lay out a reading path and seed
an offline library. This module loads the data once, checks it and answers look-ups by slug,
arXiv id (any version or URL) or DOI.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from paperpath.glossary import opt_str, str_list, toml_tables
from paperpath.ids import is_arxiv_doi, normalize_arxiv_id, normalize_doi

if TYPE_CHECKING:
    from paperpath.records import PaperRecord


SOURCE = "canon"  # the source tag of seeded records; other modules filter on it

# Area slug -> the name a reader sees. Slugs are the data file names.
AREAS: dict[str, str] = {
    "optimization": "Optimization and backpropagation",
    "learning_theory": "Learning theory and classic machine learning",
    "probabilistic": "Probabilistic and energy-based models",
    "cnn": "Convolutional networks and computer vision",
    "rnn": "Recurrent networks, sequence models and speech",
    "transformers": "Attention, transformers and language models",
    "embeddings": "Embeddings and dimensionality reduction",
    "regularization": "Regularization and normalization",
    "generative": "Generative models",
    "rl": "Reinforcement learning",
    "self_supervised": "Self-supervised, contrastive and multimodal learning",
    "scaling": "Scaling and efficiency",
    "retrieval": "Retrieval, search and recommendation",
    "alignment": "Alignment, safety, privacy and fairness",
    "graphs": "Graph learning",
    "interpretability": "Interpretability and evaluation",
}

MIN_DIFFICULTY, MAX_DIFFICULTY = 1, 5
MAX_SUMMARY_CHARS = 200
MIN_YEAR, MAX_YEAR = 1900, 2100
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_REQUIRED = ("id", "title", "year", "area", "summary", "difficulty")
_ALLOWED = frozenset({*_REQUIRED, "arxiv", "doi", "authors", "prerequisites", "terms",
                      "minutes", "why"})


@dataclass(frozen=True)
class CanonPaper:
    """One landmark paper of the canon."""

    id: str
    title: str
    year: int
    area: str
    summary: str
    difficulty: int
    arxiv: str | None = None
    doi: str | None = None
    authors: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    minutes: int | None = None
    why: str | None = None

    def key(self) -> str:
        """The paper's library key: its arXiv id, else ``doi:<doi>`` (lower case)."""
        if self.arxiv:
            return self.arxiv
        return f"doi:{(self.doi or '').lower()}"

    def record(self) -> PaperRecord:
        """A record that seeds the library with this paper.

        Offline there is no real abstract, so the canon summary stands in for one; a later
        sync from arXiv (a more trusted source) replaces it. A bare year gives no date, the
        same convention as BibTeX imports.
        """
        from paperpath.records import PaperRecord

        return PaperRecord(
            title=self.title,
            abstract=self.summary,
            authors=list(self.authors),
            arxiv_id=self.arxiv,
            doi=self.doi,
            year=self.year,
            source=SOURCE,
        )


# --- Loading ------------------------------------------------------------------------------


def _opt_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    """The glossary's optional-string check, with whitespace collapsed (TOML multi-line)."""
    value = opt_str(raw, key, where)
    return " ".join(value.split()) or None if value else None


def _int(raw: dict[str, Any], key: str, where: str) -> int:
    value = raw.get(key)
    # bool is an int subclass; "true" is never a year or difficulty
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{where}: {key!r} must be an integer")
    return value


def paper_from_table(raw: dict[str, Any], source: str = "") -> CanonPaper:
    """A ``[[paper]]`` table as a CanonPaper. Raises ValueError on a malformed table (types,
    missing or unknown keys); content problems are left to :func:`validate`."""
    where = f"{source}: paper {raw.get('id', '?')!r}" if source else f"paper {raw.get('id')!r}"
    unknown = sorted(set(raw) - _ALLOWED)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}")
    for key in ("id", "title", "area", "summary"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: missing or empty {key!r}")
    minutes = raw.get("minutes")
    return CanonPaper(
        id=raw["id"],
        title=" ".join(raw["title"].split()),
        year=_int(raw, "year", where),
        area=raw["area"],
        summary=" ".join(raw["summary"].split()),
        difficulty=_int(raw, "difficulty", where),
        arxiv=_opt_str(raw, "arxiv", where),
        doi=_opt_str(raw, "doi", where),
        authors=str_list(raw, "authors", where),
        prerequisites=str_list(raw, "prerequisites", where),
        terms=str_list(raw, "terms", where),
        minutes=None if minutes is None else _int(raw, "minutes", where),
        why=_opt_str(raw, "why", where),
    )


def area_files() -> dict[str, list[dict[str, Any]]]:
    """Raw ``[[paper]]`` tables per data file (file stem), in file-name order."""
    return toml_tables("canon", "paper")


# --- Validation ---------------------------------------------------------------------------


def _known_terms() -> frozenset[str]:
    from paperpath.glossary import glossary

    return frozenset(e.id for e in glossary())


def _id_problems(p: CanonPaper) -> list[str]:
    out: list[str] = []
    if not p.arxiv and not p.doi:
        out.append(f"{p.id}: needs an arXiv id or a DOI")
    if p.arxiv and normalize_arxiv_id(p.arxiv) != p.arxiv:
        out.append(f"{p.id}: arXiv id {p.arxiv!r} is not a bare, versionless arXiv id")
    if p.doi:
        if normalize_doi(p.doi) != p.doi.lower():
            out.append(f"{p.id}: DOI {p.doi!r} is not a bare DOI (10.xxxx/...)")
        elif is_arxiv_doi(p.doi):
            out.append(f"{p.id}: DOI {p.doi!r} is an arXiv DOI; give the arXiv id instead")
    return out


def _field_problems(p: CanonPaper, terms: frozenset[str]) -> list[str]:
    out: list[str] = []
    if not SLUG_RE.match(p.id):
        out.append(f"{p.id!r}: id must be a lower-case slug (letters, digits, hyphens)")
    if p.area not in AREAS:
        out.append(f"{p.id}: unknown area {p.area!r}")
    if not MIN_DIFFICULTY <= p.difficulty <= MAX_DIFFICULTY:
        out.append(f"{p.id}: difficulty {p.difficulty} is outside "
                   f"{MIN_DIFFICULTY}-{MAX_DIFFICULTY}")
    if not MIN_YEAR <= p.year <= MAX_YEAR:
        out.append(f"{p.id}: implausible year {p.year}")
    if not p.title.strip():
        out.append(f"{p.id}: empty title")
    if not p.summary.strip():
        out.append(f"{p.id}: empty summary")
    elif len(p.summary) > MAX_SUMMARY_CHARS:
        out.append(f"{p.id}: summary is {len(p.summary)} characters "
                   f"(at most {MAX_SUMMARY_CHARS})")
    if p.minutes is not None and p.minutes <= 0:
        out.append(f"{p.id}: minutes must be positive")
    if not p.authors or not all(a.strip() for a in p.authors):
        out.append(f"{p.id}: needs at least one author name")
    for term in p.terms:
        if term not in terms:
            out.append(f"{p.id}: unknown glossary term {term!r}")
    for dup in sorted({t for t in p.terms if p.terms.count(t) > 1}):
        out.append(f"{p.id}: term {dup!r} listed twice")
    return out


def _duplicates(papers: Sequence[CanonPaper]) -> list[str]:
    out: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for p in papers:
        keys = [("id", p.id)]
        if p.arxiv:
            keys.append(("arXiv id", normalize_arxiv_id(p.arxiv) or p.arxiv))
        if p.doi:
            keys.append(("DOI", p.doi.lower()))
        for kind, value in keys:
            if (kind, value) in seen:
                out.append(f"{p.id}: duplicate {kind} {value!r} (also {seen[kind, value]})")
            else:
                seen[kind, value] = p.id
    return out


def _cycles(papers: Sequence[CanonPaper]) -> list[str]:
    """A problem per prerequisite cycle found (depth-first; each cycle reported once)."""
    graph = {p.id: [q for q in p.prerequisites if q != p.id] for p in papers}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    out: list[str] = []
    for start in graph:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if child not in graph:
                continue  # dangling; reported elsewhere
            if state.get(child) == 1:
                cycle = [*path[path.index(child):], child]
                out.append("prerequisite cycle: " + " -> ".join(cycle))
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph[child])))
    return out


def validate(papers: Iterable[CanonPaper]) -> list[str]:
    """Every problem in a list of canon papers, as sentences (empty when all is well).

    Checks ids and their shape, arXiv ids and DOIs (one of them required, well-formed, not
    shared), areas, difficulty, year, summary length, authors, glossary terms, and the
    prerequisite graph (no dangling references, no self-references, no cycles).
    """
    items = list(papers)
    terms = _known_terms()
    ids = {p.id for p in items}
    out: list[str] = []
    for p in items:
        out += _field_problems(p, terms)
        out += _id_problems(p)
        for pre in p.prerequisites:
            if pre == p.id:
                out.append(f"{p.id}: lists itself as a prerequisite")
            elif pre not in ids:
                out.append(f"{p.id}: unknown prerequisite {pre!r}")
    out += _duplicates(items)
    out += _cycles(items)
    return out


def topological(papers: Iterable[CanonPaper]) -> list[CanonPaper]:
    """Papers in prerequisite order, older (then by id) first among those ready.

    Assumes a valid graph; papers caught in a cycle or behind a dangling reference are
    appended at the end so nothing is lost.
    """
    items = {p.id: p for p in papers}
    waiting = {i: {q for q in p.prerequisites if q in items and q != i}
               for i, p in items.items()}
    needed_by: dict[str, list[str]] = {i: [] for i in items}
    for i, pres in waiting.items():
        for q in pres:
            needed_by[q].append(i)
    ready = [(p.year, i) for i, p in items.items() if not waiting[i]]
    heapq.heapify(ready)
    out: list[CanonPaper] = []
    while ready:
        _, ident = heapq.heappop(ready)
        out.append(items[ident])
        for nxt in needed_by[ident]:
            waiting[nxt].discard(ident)
            if not waiting[nxt]:
                heapq.heappush(ready, (items[nxt].year, nxt))
    placed = {p.id for p in out}
    out += sorted((p for i, p in items.items() if i not in placed), key=lambda p: (p.year, p.id))
    return out


@cache
def _canon() -> tuple[CanonPaper, ...]:
    papers = [paper_from_table(raw, f"{name}.toml")
              for name, rows in area_files().items() for raw in rows]
    problems = validate(papers)
    if problems:
        raise ValueError("the built-in canon has problems:\n  " + "\n  ".join(problems))
    return tuple(topological(papers))


def canon() -> tuple[CanonPaper, ...]:
    """The canon papers, validated, in prerequisite order (loaded once, then cached).

    Raises ValueError listing every problem when the data is inconsistent.
    """
    return _canon()


@cache
def _by_id() -> dict[str, CanonPaper]:
    return {p.id: p for p in canon()}


def canon_by_id() -> dict[str, CanonPaper]:
    """Canon papers by slug (a fresh dict; the cache stays intact)."""
    return dict(_by_id())


# --- Look-up ------------------------------------------------------------------------------


class CanonIndex:
    """Look-ups by slug, arXiv id (versioned, URL, ``arXiv:`` prefix) or DOI (bare, ``doi:``
    key or doi.org URL) over any list of canon papers, so hand-made lists work too."""

    def __init__(self, papers: Iterable[CanonPaper]) -> None:
        self.papers: tuple[CanonPaper, ...] = tuple(papers)
        self.by_id: dict[str, CanonPaper] = {}
        self.by_arxiv: dict[str, CanonPaper] = {}
        self.by_doi: dict[str, CanonPaper] = {}
        for p in self.papers:
            self.by_id.setdefault(p.id, p)
            if p.arxiv and (arxiv := normalize_arxiv_id(p.arxiv)):
                self.by_arxiv.setdefault(arxiv, p)
            if p.doi and (doi := normalize_doi(p.doi)):
                self.by_doi.setdefault(doi, p)

    def find(self, ref: str) -> CanonPaper | None:
        """The paper ``ref`` names, or None."""
        text = (ref or "").strip()
        if not text:
            return None
        hit = self.by_id.get(text) or self.by_id.get(text.lower())
        if hit is not None:
            return hit
        arxiv = normalize_arxiv_id(text)
        if arxiv is not None:
            return self.by_arxiv.get(arxiv)
        low = text.lower()
        if low.startswith("doi:"):
            low = low.removeprefix("doi:").strip()
        doi = normalize_doi(low)
        if doi is None:
            return None
        # arXiv's own DataCite DOI names the arXiv id
        via_arxiv = is_arxiv_doi(doi)
        if via_arxiv is not None:
            return self.by_arxiv.get(via_arxiv)
        return self.by_doi.get(doi)


@cache
def _index() -> CanonIndex:
    return CanonIndex(canon())


def canon_paper(ref: str) -> CanonPaper | None:
    """The canon paper named by ``ref``: a slug ("resnet"), an arXiv id in any form
    ("1512.03385", "1512.03385v2", "arXiv:1512.03385", an arxiv.org URL), a DOI (bare,
    "doi:..." library key or doi.org URL), or None when it is not in the canon."""
    return _index().find(ref)
