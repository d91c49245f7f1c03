"""Turn what a person passes to `Library.add` into a record: arXiv id/URL, DOI, BibTeX entry,
.bib or .pdf path.

    record_for(lib, "2401.01234v2")        # existing Paper, or a record fetched from arXiv
    record_for(lib, "doi:10.1038/nature14539")   # existing Paper (no offline DOI resolver)
    record_for(lib, "@article{k, title={...}, doi={...}}")   # PaperRecord from the entry
    record_for(lib, "refs.bib")            # the one entry in the file
    record_for(lib, "paper.pdf")           # Paper (the PDF is imported: text + metadata)

Every failure is an `AddError` (a ValueError) whose message is one line naming the input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paperpath.ids import InvalidIdError, is_arxiv_doi, normalize_doi, parse_arxiv_id
from paperpath.records import Paper, PaperRecord

if TYPE_CHECKING:
    from paperpath.library import Library

_DOI_PREFIXES = ("doi:", "10.", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                 "http://dx.doi.org/", "doi.org/", "dx.doi.org/")
_BIB_SUFFIXES = {".bib", ".bibtex"}


class AddError(ValueError):
    """Input that `Library.add` cannot turn into a paper; one line naming the input."""


class ArxivFetchError(AddError):
    """A paper that is not in the library and could not be fetched from the arXiv API."""


def record_for(lib: Library, item: str | Path) -> PaperRecord | Paper:
    """A record to store for item, or the Paper already in (or just imported into) the
    library."""
    if isinstance(item, Path):
        return _from_path(lib, item)
    text = str(item).strip()
    if not text:
        raise AddError("nothing to add: expected an arXiv id or URL, a DOI, a BibTeX entry, "
                       "or a .bib / .pdf file")
    if text.startswith("@"):
        return _from_bibtex(text, text)
    arxiv_id = _arxiv_id(text)
    if arxiv_id:
        return _from_arxiv(lib, arxiv_id)
    if text.lower().startswith(_DOI_PREFIXES) and (doi := normalize_doi(text)):
        if aid := is_arxiv_doi(doi):
            return _from_arxiv(lib, aid)
        existing = lib.get(f"doi:{doi}")
        if existing is not None:
            return existing
        raise AddError(f"{text}: no paper with DOI {doi} in the library, and paperpath cannot "
                       "look DOIs up; add it with its metadata instead (a BibTeX entry, e.g. "
                       "from doi.org or Zotero: paperpath add '@article{...}' or paperpath "
                       "import refs.bib)")
    path = Path(text).expanduser()
    if path.suffix.lower() in (*_BIB_SUFFIXES, ".pdf") or _is_file(path):
        return _from_path(lib, path)
    raise AddError(f"{_short(text)!r}: not an arXiv id or URL, a DOI, a BibTeX entry, or a "
                   ".bib / .pdf file")


def _arxiv_id(text: str) -> str | None:
    try:
        return parse_arxiv_id(text)[0]
    except InvalidIdError:
        return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # over-long names, NUL bytes
        return False


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def _from_arxiv(lib: Library, arxiv_id: str) -> PaperRecord | Paper:
    existing = lib.get(arxiv_id)
    if existing is None:
        return fetch_arxiv_record(arxiv_id)
    if existing.sources == ["canon"]:
        # Seeded from the built-in canon with our summary only: adding it again fetches the
        # real abstract when online, and keeps the canon entry when not.
        try:
            return fetch_arxiv_record(arxiv_id)
        except ArxivFetchError:
            return existing
    return existing


def fetch_arxiv_record(arxiv_id: str) -> PaperRecord:
    """The arXiv API's record for one id. Raises ArxivFetchError (one line) when the API
    module is missing, the network fails, or arXiv does not know the id."""
    try:
        # Imported here: the arXiv client (httpx, feedparser) is only needed for this branch.
        from paperpath.sources.arxiv_api import fetch_records
    except ImportError as exc:
        raise ArxivFetchError(f"{arxiv_id}: not in the library, and fetching from arXiv is "
                              f"not available ({exc})") from None
    try:
        records = fetch_records([arxiv_id])
    except LookupError:
        raise ArxivFetchError(f"{arxiv_id}: arXiv has no paper with this id") from None
    except Exception as exc:  # HTTP, network, bad Atom: all mean "could not fetch" here
        raise ArxivFetchError(f"{arxiv_id}: not in the library, and fetching it from arXiv "
                              f"failed: {_short(str(exc) or type(exc).__name__)}") from None
    for rec in records:
        if rec.arxiv_id and _arxiv_id(rec.arxiv_id) == arxiv_id:
            return rec
    raise ArxivFetchError(f"{arxiv_id}: arXiv has no paper with this id")


def _from_bibtex(source: str | Path, label: str) -> PaperRecord:
    from paperpath.sources.bibtex import BibtexError, single_entry_record

    try:
        return single_entry_record(source)
    except BibtexError as exc:
        if isinstance(source, Path) and source.suffix.lower() not in _BIB_SUFFIXES:
            raise AddError(f"{label}: not a PDF or BibTeX file") from None
        raise AddError(str(exc)) from None


def _from_path(lib: Library, path: Path) -> PaperRecord | Paper:
    if not _is_file(path):
        raise AddError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix == ".pdf" or (suffix not in _BIB_SUFFIXES and _sniff_pdf(path)):
        from paperpath.sources.pdf import PdfError, import_pdf

        try:
            return import_pdf(lib, path)
        except PdfError as exc:
            raise AddError(str(exc)) from None
    return _from_bibtex(path, str(path))


def _sniff_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return b"%PDF-" in fh.read(1024)
    except OSError:
        return False
