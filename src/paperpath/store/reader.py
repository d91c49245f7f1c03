"""Reading papers back: by any id a person might type, in bulk, and library statistics."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from paperpath.ids import InvalidIdError, normalize_doi, parse_arxiv_id
from paperpath.records import Paper
from paperpath.store.schema import paper_texts, papers
from paperpath.store.writer import AUTHOR_SEP


def row_to_paper(row: Row[Any] | dict[str, Any]) -> Paper:
    m = row._mapping if isinstance(row, Row) else row
    return Paper(
        id=m["key"],
        title=m["title"],
        abstract=m["abstract"],
        authors=m["authors"].split(AUTHOR_SEP) if m["authors"] else [],
        arxiv_id=m["arxiv_id"],
        doi=m["doi"],
        categories=m["categories"].split() if m["categories"] else [],
        published=m["published"],
        updated=m["updated"],
        comments=m["comments"],
        journal_ref=m["journal_ref"],
        url=m["url"],
        pdf_url=m["pdf_url"],
        venue=m["venue"],
        year=m["year"],
        code_urls=list(m["code_urls"] or []),
        versions=list(m["versions"] or []),
        kind=m["kind"],
        sources=m["sources"].split() if m["sources"] else [],
        added_at=m["added_at"],
        pk=m["pk"],
    )


def lookup_condition(ident: str) -> Any:
    """WHERE clause finding a paper by key, arXiv id/URL (any version) or DOI."""
    text = ident.strip()
    try:
        arxiv, _version = parse_arxiv_id(text)
        return papers.c.arxiv_id == arxiv
    except InvalidIdError:
        pass
    if text.lower().startswith(("doi:", "10.", "https://doi.org/", "http://doi.org/",
                                "http://dx.doi.org/", "https://dx.doi.org/")):
        doi = normalize_doi(text)
        if doi:
            return papers.c.doi == doi
    return papers.c.key == text


def get_paper(conn: Connection, ident: str) -> Paper | None:
    row = conn.execute(select(papers).where(lookup_condition(ident))).first()
    return row_to_paper(row) if row else None


def papers_by_pk(conn: Connection, pks: Sequence[int]) -> dict[int, Paper]:
    out: dict[int, Paper] = {}
    for i in range(0, len(pks), 500):
        chunk = list(pks[i : i + 500])
        for row in conn.execute(select(papers).where(papers.c.pk.in_(chunk))):
            out[row.pk] = row_to_paper(row)
    return out


def iter_papers(conn: Connection, batch: int = 2000) -> Iterator[Paper]:
    """All papers in insertion order, read in keyset-paginated batches (flat memory)."""
    last = 0
    while True:
        rows = conn.execute(
            select(papers).where(papers.c.pk > last).order_by(papers.c.pk).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row_to_paper(row)
        last = rows[-1].pk


def library_stats(conn: Connection, top: int = 10) -> dict[str, Any]:
    total = conn.execute(select(func.count()).select_from(papers)).scalar_one()
    by_kind = dict(conn.execute(select(papers.c.kind, func.count()).group_by(papers.c.kind)).all())
    with_code = conn.execute(
        select(func.count()).select_from(papers).where(papers.c.has_code.is_(True))
    ).scalar_one()
    with_text = conn.execute(select(func.count()).select_from(paper_texts)).scalar_one()
    first, last = conn.execute(select(func.min(papers.c.published),
                                      func.max(papers.c.published))).one()
    cats = conn.execute(
        select(papers.c.primary_category, func.count().label("n"))
        .where(papers.c.primary_category.is_not(None))
        .group_by(papers.c.primary_category).order_by(func.count().desc()).limit(top)
    ).all()
    sources = dict(conn.execute(select(papers.c.sources, func.count())
                                .group_by(papers.c.sources)).all())
    return {
        "papers": total,
        "by_kind": by_kind,
        "with_code": with_code,
        "with_full_text": with_text,
        "published_first": first.isoformat() if first else None,
        "published_last": last.isoformat() if last else None,
        "top_categories": [{"category": c, "papers": n} for c, n in cats],
        "by_sources": sources,
    }
