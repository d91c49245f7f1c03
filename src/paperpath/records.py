"""The record every source produces and the paper the library returns.

Sources (snapshot, arXiv API, feeds, BibTeX, PDF) build `PaperRecord`s; the store merges them
into one row per paper and hands back `Paper`s.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

from paperpath.ids import normalize_arxiv_id, normalize_doi
from paperpath.textnorm import clean_ws, find_code_urls, title_key

KINDS = ("paper", "article", "video")


class RecordError(ValueError):
    """A source record that cannot become a paper (missing title, bad id, ...)."""


@dataclass(slots=True)
class PaperRecord:
    """One paper (or reading item) as a source saw it. Only `title` is required."""

    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    arxiv_id: str | None = None
    doi: str | None = None
    categories: list[str] = field(default_factory=list)  # primary first
    published: date | None = None  # first version / publication date
    updated: date | None = None  # latest version / listing date
    comments: str | None = None
    journal_ref: str | None = None
    url: str | None = None
    pdf_url: str | None = None
    venue: str | None = None
    year: int | None = None
    code_urls: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    kind: str = "paper"
    source: str = "manual"

    def normalized(self) -> PaperRecord:
        """A copy with canonical ids, collapsed whitespace and code links filled in.

        Raises RecordError when the record cannot be stored.
        """
        title = clean_ws(self.title)
        if not title:
            raise RecordError("record has no title")
        arxiv = None
        if self.arxiv_id:
            arxiv = normalize_arxiv_id(self.arxiv_id)
            if arxiv is None:
                raise RecordError(f"bad arXiv id {self.arxiv_id!r}")
        doi = normalize_doi(self.doi) if self.doi else None
        if self.kind not in KINDS:
            raise RecordError(f"unknown kind {self.kind!r}")
        abstract = clean_ws(self.abstract)
        comments = clean_ws(self.comments) or None
        code = list(dict.fromkeys([*self.code_urls, *find_code_urls(self.abstract, self.comments)]))
        cats = list(dict.fromkeys(c.strip() for c in self.categories if c and c.strip()))
        year = self.year or (self.published.year if self.published else None)
        return PaperRecord(
            title=title,
            abstract=abstract,
            # "; " separates names in storage, so a name cannot contain ";".
            authors=[name.replace(";", ",") for a in self.authors if a and (name := clean_ws(a))],
            arxiv_id=arxiv,
            doi=doi,
            categories=cats,
            published=self.published or self.updated,
            updated=self.updated or self.published,
            comments=comments,
            journal_ref=clean_ws(self.journal_ref) or None,
            url=self.url,
            pdf_url=self.pdf_url,
            venue=clean_ws(self.venue) or None,
            year=year,
            code_urls=code,
            versions=list(self.versions),
            kind=self.kind,
            source=self.source,
        )

    @property
    def title_key(self) -> str | None:
        return title_key(self.title, self.authors)


@dataclass(slots=True)
class Paper:
    """A paper in the library. `id` is its public key: the arXiv id when it has one."""

    id: str
    title: str
    abstract: str
    authors: list[str]
    arxiv_id: str | None
    doi: str | None
    categories: list[str]
    published: date | None
    updated: date | None
    comments: str | None
    journal_ref: str | None
    url: str | None
    pdf_url: str | None
    venue: str | None
    year: int | None
    code_urls: list[str]
    versions: list[str]
    kind: str
    sources: list[str]
    added_at: datetime | None = None
    pk: int = 0

    @property
    def abs_url(self) -> str | None:
        return abs_url(self.arxiv_id, self.doi, self.url)

    @property
    def has_code(self) -> bool:
        return bool(self.code_urls)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("pk")
        data["abs_url"] = self.abs_url
        for k in ("published", "updated", "added_at"):
            if data[k] is not None:
                data[k] = data[k].isoformat()
        return data


def content_hash(values: list[Any]) -> str:
    """Stable digest of a stored row's content values (in a fixed column order), to skip
    rewriting unchanged papers."""
    payload = orjson.dumps(values, default=str)
    return hashlib.blake2b(payload, digest_size=12).hexdigest()


def abs_url(arxiv_id: str | None, doi: str | None, url: str | None) -> str | None:
    """Where a person reads a paper: its arXiv page, else its DOI, else its own URL."""
    if arxiv_id:
        return f"https://arxiv.org/abs/{arxiv_id}"
    if doi:
        return f"https://doi.org/{doi}"
    return url
