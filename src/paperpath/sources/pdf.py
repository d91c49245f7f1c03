"""PDF import: extract the text of a paper's PDF, work out which paper it is, store the text.

Identification, most to least reliable: the same file imported before (sha256), the arXiv
stamp or an arXiv id in the page-1 header, a labelled DOI on page 1, the PDF metadata, the
file name, and finally the title (metadata title or first sensible line of page 1).

PDFs come from anywhere, so reading is defensive: every pypdf failure becomes a one-line
`PdfError` naming the file, and pages and characters processed are capped.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from paperpath.ids import DOI_RE, find_arxiv_ids, normalize_arxiv_id, normalize_doi
from paperpath.records import Paper, PaperRecord
from paperpath.sources.files import unreadable
from paperpath.store.schema import paper_texts, papers
from paperpath.textnorm import clean_ws, normalize_title, title_hash

if TYPE_CHECKING:
    from paperpath.library import Library

MAX_PAGES = 300  # a paper with appendix fits; a 10,000-page bomb does not
MAX_CHARS = 2_000_000  # ~2 MB of text: far more than any paper, bounded memory and row size
MAX_BYTES = 512 * 1024 * 1024  # pypdf holds the whole file in memory
_HEADER_CHARS = 1500  # "arXiv:<id>" counts as the paper's own id only near the top of page 1


# pypdf logs every repaired defect ("EOF marker not found", ...) as a WARNING; failures that
# matter become PdfError, so keep them off stderr unless the application configured logging.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


class PdfError(ValueError):
    """A PDF that cannot be imported; the message is one line naming the file."""


@dataclass(slots=True)
class PdfContent:
    path: Path
    text: str
    pages: int  # pages in the document
    pages_read: int
    sha256: str
    first_page: str
    meta: dict[str, str] = field(default_factory=dict)  # /Title, /Subject, ... as plain text
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PdfImport:
    """What import_pdf did: the paper the text is attached to and how it was found."""

    paper: Paper
    path: Path
    pages: int
    chars: int
    # How the paper was found: "file" (same PDF before), "arxiv", "doi", "title", "merged"
    # (the writer's dedup matched the new record to an existing paper) or "new".
    matched: str
    arxiv_id: str | None = None
    doi: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "paper": self.paper.to_dict(), "pages": self.pages,
                "chars": self.chars, "matched": self.matched, "arxiv_id": self.arxiv_id,
                "doi": self.doi, "notes": list(self.notes)}


# ---- reading ------------------------------------------------------------------------------

def read_pdf(path: str | Path, *, max_pages: int = MAX_PAGES,
             max_chars: int = MAX_CHARS) -> PdfContent:
    """Text, page count, metadata and digest of a PDF. Raises PdfError for unusable files."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    p = Path(path)
    digest = _check_file(p)
    try:
        reader = PdfReader(p, strict=False)
    except Exception as exc:
        raise PdfError(f"{p}: corrupt or truncated PDF ({_reason(exc)})") from None
    if reader.is_encrypted:
        # Many PDFs carry only an owner password (print/copy restrictions) and open with "".
        try:
            opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except DependencyError:
            raise PdfError(f"{p}: encrypted PDF (AES; opening it needs the 'cryptography' "
                           "package)") from None
        except Exception as exc:
            raise PdfError(f"{p}: encrypted PDF that cannot be opened ({_reason(exc)})") from None
        if not opened:
            raise PdfError(f"{p}: encrypted PDF (needs a password)")
    try:
        total = len(reader.pages)
    except Exception as exc:
        raise PdfError(f"{p}: corrupt or truncated PDF ({_reason(exc)})") from None
    if total == 0:
        raise PdfError(f"{p}: PDF has no pages")

    notes: list[str] = []
    texts: list[str] = []
    chars, failed = 0, 0
    to_read = min(total, max_pages)
    if total > max_pages:
        notes.append(f"only the first {max_pages} of {total} pages were read")
    for i in range(to_read):
        try:
            raw = reader.pages[i].extract_text() or ""
        except Exception:  # one broken page must not lose the rest
            failed += 1
            raw = ""
        page = clean_pdf_text(raw)
        if chars + len(page) > max_chars:
            page = page[: max(0, max_chars - chars)]
            texts.append(page)
            notes.append(f"text truncated at {max_chars:,} characters (page {i + 1} of {total})")
            break
        texts.append(page)
        chars += len(page) + 2
    if failed == to_read:
        raise PdfError(f"{p}: corrupt PDF (no page could be read)")
    if failed:
        notes.append(f"{failed} page(s) could not be read")
    text = "\n\n".join(t for t in texts if t)
    if not any(ch.isalnum() for ch in text):
        raise PdfError(f"{p}: no extractable text (a scanned PDF? run OCR on it first)")
    return PdfContent(path=p, text=text, pages=total, pages_read=len(texts), sha256=digest,
                      first_page=texts[0] if texts else "", meta=_metadata(reader), notes=notes)


def _check_file(p: Path) -> str:
    """sha256 of the file after checking it is a readable, non-empty PDF."""
    try:
        with p.open("rb") as fh:
            size = p.stat().st_size
            if size > MAX_BYTES:
                raise PdfError(f"{p}: too large ({size // 2**20} MiB; the limit is "
                               f"{MAX_BYTES // 2**20} MiB)")
            head = fh.read(1024)
            h = hashlib.sha256(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise PdfError(unreadable(p, exc)) from None
    if not head:
        raise PdfError(f"{p}: empty file")
    # The spec allows junk before the header; readers accept it within the first 1 KiB.
    if b"%PDF-" not in head:
        raise PdfError(f"{p}: not a PDF (no %PDF header)")
    return h.hexdigest()


def _reason(exc: BaseException) -> str:
    text = clean_ws(str(exc)) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _metadata(reader: Any) -> dict[str, str]:
    try:
        info = reader.metadata or {}
        return {str(k).lstrip("/").lower(): clean_ws(str(v)) for k, v in info.items()
                if isinstance(v, str) and clean_ws(str(v))}
    except Exception:  # broken /Info dictionaries are common and never fatal
        return {}


# Control characters, and lone surrogates that broken font maps produce (they cannot be
# encoded as UTF-8, so the database would reject the text).
_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_HSPACE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_HYPHEN_BREAK = re.compile(r"([a-z])-\n([a-z])")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_pdf_text(raw: str) -> str:
    """Extracted page text with control characters dropped, spaces collapsed, lines stripped,
    words hyphenated across line ends rejoined and runs of blank lines squeezed."""
    text = _CTRL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(_HSPACE.sub(" ", line).strip() for line in text.split("\n"))
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# ---- identifying --------------------------------------------------------------------------

# The arXiv stamp in the left margin: "arXiv:2401.01234v2 [cs.LG] 3 Jan 2024". Text extraction
# sometimes loses the "arXiv:" prefix, so an id followed by a [category] counts on its own.
_STAMP = re.compile(
    r"(?<![\w./])(?:arxiv:\s*)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
    r"\s*\[\s*[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?\s*\]",
    re.IGNORECASE,
)
# Only labelled DOIs: a bare DOI on page 1 may be a citation of another paper.
_DOI_LABELLED = re.compile(
    r"(?:\bdoi\s*[:.]?\s*|doi\.org/|digital object identifier:?\s*)(10\.\d{4,9}/[^\s\"<>{}]+)",
    re.IGNORECASE,
)
_FILE_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")


def find_pdf_arxiv_id(content: PdfContent) -> str | None:
    """The arXiv id of the paper itself: stamp on page 1, header, metadata, file name."""
    first = content.first_page
    for m in _STAMP.finditer(first):
        if found := normalize_arxiv_id(m.group("id")):
            return found
    ids = find_arxiv_ids(first[:_HEADER_CHARS])
    if ids:
        return ids[0]
    for key in ("subject", "title", "keywords", "arxivid", "doi"):
        value = content.meta.get(key, "")
        ids = find_arxiv_ids(value) or ([n] if (n := normalize_arxiv_id(value)) else [])
        if ids:
            return ids[0]
    m = _FILE_ID.search(content.path.stem)
    return normalize_arxiv_id(m.group(1)) if m else None


def find_pdf_doi(content: PdfContent) -> str | None:
    """A DOI labelled as the paper's own on page 1 or in the metadata."""
    for key in ("doi", "prism:doi"):
        if doi := normalize_doi(content.meta.get(key)):
            return doi
    m = _DOI_LABELLED.search(content.first_page)
    if m:
        return normalize_doi(m.group(1))
    subject = content.meta.get("subject", "")
    m = DOI_RE.search(subject)
    return normalize_doi(m.group(1)) if m and "doi" in subject.lower() else None


_JUNK_TITLES = re.compile(
    r"^(untitled|title|document\d*|paper|article|main|preprint|manuscript|slides?|"
    r"microsoft word\b.*|.*\.(pdf|dvi|docx?|tex|ps|indd|qxd))$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^(preprint|under review|draft|accepted|published|proceedings|journal of|vol(ume)?\b|"
    r"arxiv|workshop|technical report|copyright|©|\(c\)|page \d|doi|issn|received|"
    r"https?://|www\.)",
    re.IGNORECASE,
)


def _plausible_title(text: str | None) -> bool:
    t = clean_ws(text)
    letters = sum(ch.isalpha() for ch in t)
    return (8 <= len(t) <= 400 and letters >= 6 and len(t.split()) >= 2
            and not _JUNK_TITLES.match(t) and not normalize_arxiv_id(t))


def guess_title(content: PdfContent) -> str:
    """Metadata title when it looks like one, else the first sensible line of page 1, else
    the file name."""
    meta = content.meta.get("title")
    if _plausible_title(meta):
        return clean_ws(meta)
    for line in content.first_page.split("\n")[:40]:
        line = clean_ws(line)
        if (not _plausible_title(line) or _HEADER_LINE.match(line) or "@" in line
                or _STAMP.search(line) or sum(ch.isdigit() for ch in line) > len(line) // 3):
            continue
        return line[:300]
    return clean_ws(re.sub(r"[_\-]+", " ", content.path.stem)) or content.path.name


# ---- storing ------------------------------------------------------------------------------

def import_pdf(lib: Library, path: str | Path, *, fetch: bool = True) -> Paper:
    """Import a PDF: store its text and return the paper it belongs to (see import_pdf_result).
    """
    return import_pdf_result(lib, path, fetch=fetch).paper


def import_pdf_result(lib: Library, path: str | Path, *, fetch: bool = True) -> PdfImport:
    """Read a PDF, link it to its paper (existing, fetched from arXiv, or new) and store its
    text in paper_texts. With fetch=False the arXiv API is never called.

    Raises PdfError (one line naming the file) and writes nothing when the PDF is unusable.
    """
    content = read_pdf(path)
    arxiv_id = find_pdf_arxiv_id(content)
    doi = find_pdf_doi(content)
    notes = list(content.notes)
    with lib.engine.connect() as conn:
        pk, matched = _existing(conn, content, arxiv_id, doi)
    record: PaperRecord | None = None
    if pk is None:
        matched = "new"
        title = guess_title(content)
        if arxiv_id and fetch:
            record = _fetch_arxiv(arxiv_id, notes)
            if record is not None:
                record.doi = record.doi or doi
        if record is None:
            record = PaperRecord(title=title, arxiv_id=arxiv_id, doi=doi, source="pdf")

    from paperpath.store.db import write_tx
    from paperpath.store.writer import prepare, write_records

    with write_tx(lib.engine) as conn:
        if record is not None:
            before = conn.execute(select(func.max(papers.c.pk))).scalar() or 0
            pk = write_records(conn, [prepare(record)]).pks[0]
            if pk <= before:  # the writer's dedup (DOI, title + author) found it after all
                matched = "merged"
        assert pk is not None
        _store_text(conn, pk, content)
    paper = lib.get_pk(pk)
    assert paper is not None
    return PdfImport(paper=paper, path=content.path, pages=content.pages,
                     chars=len(content.text), matched=matched, arxiv_id=arxiv_id, doi=doi,
                     notes=notes)


def _existing(conn: Connection, content: PdfContent, arxiv_id: str | None,
              doi: str | None) -> tuple[int | None, str]:
    """pk of a paper this PDF belongs to that is already in the library, and how it matched."""
    pk = conn.execute(select(paper_texts.c.paper_pk)
                      .where(paper_texts.c.sha256 == content.sha256).limit(1)).scalar()
    if pk is not None:
        return pk, "file"
    if arxiv_id:
        pk = conn.execute(select(papers.c.pk).where(papers.c.arxiv_id == arxiv_id)).scalar()
        # A PDF with an arXiv id is that paper; title matching could only pick a wrong one.
        return (pk, "arxiv") if pk is not None else (None, "")
    if doi:
        pk = conn.execute(select(papers.c.pk).where(papers.c.doi == doi)).scalar()
        if pk is not None:
            return pk, "doi"
    # Attach to a paper with the same title only when exactly one has it: the PDF gives no
    # author to disambiguate ("Introduction" is a title of many things).
    norm = normalize_title(guess_title(content))
    if len(norm) >= 12:
        rows = conn.execute(select(papers.c.pk)
                            .where(papers.c.title_key.like(f"{title_hash(norm)}|%"))
                            .limit(2)).all()
        if len(rows) == 1:
            return rows[0][0], "title"
    return None, ""


def _fetch_arxiv(arxiv_id: str, notes: list[str]) -> PaperRecord | None:
    """Metadata from the arXiv API, or None (with a note) when it is not available."""
    from paperpath.sources.resolve import ArxivFetchError, fetch_arxiv_record

    try:
        return fetch_arxiv_record(arxiv_id)
    except ArxivFetchError as exc:
        notes.append(f"arXiv metadata not fetched, stored with the PDF's title: {exc}")
        return None


def _store_text(conn: Connection, pk: int, content: PdfContent) -> None:
    values = {"text": content.text, "pages": content.pages,
              "pdf_path": str(content.path.resolve()), "sha256": content.sha256,
              "extracted_at": datetime.now()}
    # Select-then-write instead of a dialect-specific upsert: portable, and the write
    # transaction already holds the lock.
    exists = conn.execute(select(paper_texts.c.paper_pk)
                          .where(paper_texts.c.paper_pk == pk)).first()
    if exists:
        conn.execute(update(paper_texts).where(paper_texts.c.paper_pk == pk).values(values))
    else:
        conn.execute(insert(paper_texts).values(paper_pk=pk, **values))
