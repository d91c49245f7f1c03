"""Merging source records into the library: one row per paper, whatever the source.

Dedup keys, in order: arXiv id (versionless), DOI, normalized title + first author's family
name. Two different arXiv ids are always two papers; DOI and title only merge a record into a
row that has no conflicting arXiv id. Unchanged papers are detected by a content hash and not
rewritten, so re-ingesting a file is cheap and leaves the library as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from paperpath.ids import is_arxiv_doi
from paperpath.records import PaperRecord, content_hash
from paperpath.store.bulk_sqlite import insert_papers
from paperpath.store.schema import papers
from paperpath.textnorm import title_key

AUTHOR_SEP = "; "
# Columns that make up a paper's content (everything but bookkeeping).
CONTENT = (
    "key", "kind", "arxiv_id", "doi", "title_key", "title", "abstract", "authors",
    "categories", "primary_category", "published", "updated", "year", "comments",
    "journal_ref", "venue", "url", "pdf_url", "code_urls", "has_code", "versions", "sources",
)
_SCALAR_PREFER_NEWER = (
    "title", "abstract", "authors", "comments", "journal_ref", "venue", "url", "pdf_url",
    "categories", "primary_category", "year", "kind",
)
_LOOKUP_CHUNK = 500  # keep IN lists far below every backend's bind-parameter limit


@dataclass(slots=True)
class WriteResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    pks: list[int] = field(default_factory=list)  # row of each input record, in input order

    def __iadd__(self, other: WriteResult) -> WriteResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.pks.extend(other.pks)
        return self


def prepare(record: PaperRecord) -> PaperRecord:
    """Normalize a record and fold an arXiv DataCite DOI into its arXiv id."""
    rec = record.normalized()
    if rec.doi and (aid := is_arxiv_doi(rec.doi)):
        rec.arxiv_id = rec.arxiv_id or aid
        rec.doi = None
    return rec


def row_from(rec: PaperRecord) -> dict[str, Any]:
    """The row a prepared record becomes (key, bookkeeping and rev are added on write)."""
    return {
        "key": None,
        "kind": rec.kind,
        "arxiv_id": rec.arxiv_id,
        "doi": rec.doi,
        "title_key": rec.title_key,
        "title": rec.title,
        "abstract": rec.abstract,
        "authors": AUTHOR_SEP.join(rec.authors),
        "categories": " ".join(rec.categories),
        "primary_category": rec.categories[0] if rec.categories else None,
        "published": rec.published,
        "updated": rec.updated,
        "year": rec.year,
        "comments": rec.comments,
        "journal_ref": rec.journal_ref,
        "venue": rec.venue,
        "url": rec.url,
        "pdf_url": rec.pdf_url,
        "code_urls": list(rec.code_urls),
        "has_code": bool(rec.code_urls),
        "versions": sorted(set(rec.versions), key=version_order),
        "sources": rec.source,
    }


def version_order(v: str) -> tuple[int, str]:
    return (len(v), v)  # v2 before v10


def _key_for(row: dict[str, Any]) -> str:
    if row["arxiv_id"]:
        return str(row["arxiv_id"])
    if row["doi"]:
        return f"doi:{row['doi']}"
    basis = row["url"] or row["title_key"] or row["title"]
    return "item:" + hashlib.sha1(str(basis).encode()).hexdigest()[:12]


# How much a source's metadata is trusted. arXiv's own records beat a reference manager's
# copy (whose date is often the journal's, years later), which beats a feed item's.
# The built-in canon seeds papers with our one-line summary as their text: it only fills gaps.
SOURCE_RANK = {"snapshot": 3, "arxiv-api": 3, "bibtex": 2, "pdf": 2, "manual": 2, "feed": 1,
               "canon": 1}


def _rank(sources: str) -> int:
    return max((SOURCE_RANK.get(s, 2) for s in sources.split()), default=0)


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Merge a new source row into an existing one. A more trusted source wins; between
    equally trusted ones the newer version wins; a less trusted one only fills gaps.
    Nothing is erased."""
    merged = dict(old)
    old_rank, new_rank = _rank(old["sources"]), _rank(new["sources"])
    old_date, new_date = old["updated"] or date.min, new["updated"] or date.min
    newer = new_rank > old_rank or (new_rank == old_rank and new_date >= old_date)
    for f in _SCALAR_PREFER_NEWER:
        value = new[f]
        if value in (None, "", []):
            continue
        if merged[f] in (None, "", []) or newer:
            merged[f] = value
    for f in ("arxiv_id", "doi"):
        merged[f] = merged[f] or new[f]
    dates = [d for d in (old["published"], new["published"]) if d]
    merged["published"] = min(dates) if dates else None
    dates = [d for d in (old["updated"], new["updated"]) if d]
    merged["updated"] = max(dates) if dates else None
    if not newer and old["published"]:
        merged["published"] = old["published"]
    merged["code_urls"] = list(dict.fromkeys([*old["code_urls"], *new["code_urls"]]))
    merged["has_code"] = bool(merged["code_urls"])
    merged["versions"] = sorted(set(old["versions"]) | set(new["versions"]), key=version_order)
    merged["sources"] = " ".join(sorted(set(old["sources"].split()) | set(new["sources"].split())))
    merged["title_key"] = title_key(merged["title"], merged["authors"].split(AUTHOR_SEP)
                              if merged["authors"] else [])
    # A paper that gains an arXiv id is known by it from then on.
    if merged["arxiv_id"] and not str(merged["key"]).startswith(str(merged["arxiv_id"])):
        merged["key"] = merged["arxiv_id"]
    return merged


def _hash(row: dict[str, Any]) -> str:
    return content_hash([row[k] for k in CONTENT])


def _fetch(conn: Connection, column: str, values: Iterable[str | None],
           without_arxiv_only: bool = False) -> list[dict[str, Any]]:
    vals = sorted({v for v in values if v})
    out: list[dict[str, Any]] = []
    col = papers.c[column]
    for i in range(0, len(vals), _LOOKUP_CHUNK):
        stmt = select(papers).where(col.in_(vals[i : i + _LOOKUP_CHUNK]))
        if without_arxiv_only:
            stmt = stmt.where(papers.c.arxiv_id.is_(None))
        out.extend(dict(r._mapping) for r in conn.execute(stmt))
    return out


def _candidates(conn: Connection, news: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored rows a batch may merge into. A record with an arXiv id can only merge by DOI or
    title into a row without one (its own row is found by the id), which keeps those two
    lookups nearly free during a snapshot ingest."""
    with_id = [n for n in news if n["arxiv_id"]]
    without = [n for n in news if not n["arxiv_id"]]
    rows = _fetch(conn, "arxiv_id", (n["arxiv_id"] for n in with_id))
    # Rows without an arXiv id are usually few or none (a snapshot-only library): skip the
    # DOI and title probes for arXiv records when there is nothing they could find.
    orphans = with_id and conn.execute(
        select(papers.c.pk).where(papers.c.arxiv_id.is_(None)).limit(1)).first() is not None
    for f in ("doi", "title_key"):
        if orphans:
            rows += _fetch(conn, f, (n[f] for n in with_id), without_arxiv_only=True)
        rows += _fetch(conn, f, (n[f] for n in without))
    return rows


def _compatible(row: dict[str, Any], rec: dict[str, Any]) -> bool:
    return not (row["arxiv_id"] and rec["arxiv_id"] and row["arxiv_id"] != rec["arxiv_id"])


class _Targets:
    """Rows a batch will write: existing ones (by pk) and new ones, indexed by dedup keys."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.by: dict[tuple[str, str], int] = {}

    def register(self, idx: int) -> None:
        row = self.rows[idx]
        for f in ("arxiv_id", "doi", "title_key"):
            if row.get(f):
                self.by.setdefault((f, row[f]), idx)

    def find(self, rec: dict[str, Any]) -> int | None:
        for f in ("arxiv_id", "doi", "title_key"):
            idx = self.by.get((f, rec[f])) if rec[f] else None
            if idx is not None and _compatible(self.rows[idx], rec):
                return idx
        return None


def write_records(conn: Connection, records: Sequence[PaperRecord],
                  now: datetime | None = None) -> WriteResult:
    """Upsert already-prepared records in the caller's transaction."""
    return write_rows(conn, [row_from(r) for r in records], now)


def write_rows(conn: Connection, news: list[dict[str, Any]],
               now: datetime | None = None) -> WriteResult:
    """Upsert rows as built by row_from (or a source's equivalent fast path)."""
    now = now or datetime.now()
    targets = _Targets()
    existing: dict[int, int] = {}  # pk -> target index
    for row in _candidates(conn, news):
        if row["pk"] not in existing:
            row["content_hash_old"] = row["content_hash"]
            targets.rows.append(row)
            existing[row["pk"]] = len(targets.rows) - 1
            targets.register(existing[row["pk"]])
    order: list[int] = []
    for new in news:
        idx = targets.find(new)
        if idx is None:
            # A DOI already held by a different paper cannot be shared: keep it on the first.
            if new["doi"] and ("doi", new["doi"]) in targets.by:
                new["doi"] = None
            new["key"] = _key_for(new)
            targets.rows.append(new)
            idx = len(targets.rows) - 1
        else:
            targets.rows[idx] = _merge(targets.rows[idx], new)
        targets.register(idx)
        order.append(idx)

    _drop_taken_dois(conn, [targets.rows[i] for i in sorted(set(order))])
    result = WriteResult()
    to_update, to_insert = [], []
    # Bare max() so SQLite answers from the index instead of scanning.
    rev = (conn.execute(select(func.max(papers.c.rev))).scalar() or 0) + 1
    # Rows fetched as candidates that nothing merged into are left alone.
    for idx in sorted(set(order)):
        row = targets.rows[idx]
        h = _hash(row)
        if "pk" in row:
            if h == row["content_hash_old"]:
                result.unchanged += 1
                continue
            row["content_hash"], row["modified_at"], row["rev"] = h, now, rev
            to_update.append(idx)
        else:
            row["content_hash"], row["added_at"], row["modified_at"] = h, now, now
            row["rev"] = rev
            to_insert.append(idx)
    _do_update(conn, [targets.rows[i] for i in to_update])
    _do_insert(conn, [targets.rows[i] for i in to_insert])
    result.updated, result.inserted = len(to_update), len(to_insert)
    result.pks = [targets.rows[i]["pk"] for i in order]
    return result


def _drop_taken_dois(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """A DOI names one paper: a row whose DOI another stored paper holds (two arXiv records
    claiming one journal DOI) keeps its own value, or none."""
    wanted = {r["doi"]: r for r in rows if r["doi"]}
    dois = sorted(wanted)
    for i in range(0, len(dois), _LOOKUP_CHUNK):
        for pk, doi in conn.execute(select(papers.c.pk, papers.c.doi)
                                    .where(papers.c.doi.in_(dois[i : i + _LOOKUP_CHUNK]))):
            row = wanted[doi]
            if row.get("pk") != pk:
                row["doi"] = None
                if row.get("key") == f"doi:{doi}":  # cannot happen for a new row keyed by it
                    row["key"] = _key_for(row)


def _do_insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = [*CONTENT, "content_hash", "rev", "added_at", "modified_at"]
    if conn.dialect.name == "sqlite":
        insert_papers(conn, rows, cols)
        return
    # Portable path: plain executemany (no RETURNING, the DB-API fast path everywhere); the
    # new primary keys are read back by the unique key.
    conn.execute(insert(papers), [{c: r[c] for c in cols} for r in rows])
    by_key = {r["key"]: r for r in rows}
    keys = list(by_key)
    for i in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[i : i + _LOOKUP_CHUNK]
        for pk, key in conn.execute(select(papers.c.pk, papers.c.key)
                                    .where(papers.c.key.in_(chunk))):
            by_key[key]["pk"] = pk


def _do_update(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = [*CONTENT, "content_hash", "rev", "modified_at"]
    stmt = (update(papers).where(papers.c.pk == bindparam("b_pk"))
            .values({c: bindparam(f"b_{c}") for c in cols}))
    conn.execute(stmt, [{"b_pk": r["pk"], **{f"b_{c}": r[c] for c in cols}} for r in rows])
