"""BibTeX / BibLaTeX import: hand-written .bib files and Zotero, Better BibTeX, Google Scholar,
DBLP and Semantic Scholar exports.

bibtexparser (v2) only splits the file into blocks and resolves @string macros; LaTeX decoding
and author splitting are done here per field, because bibtexparser's middlewares turn a whole
entry into an error block when one field fails, and decoding URLs or DOIs as LaTeX would
mangle them (`%` starts a LaTeX comment, `~` is a space).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bibtexparser
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    Entry,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)

from paperpath.ids import find_arxiv_ids, is_arxiv_doi, normalize_arxiv_id, normalize_doi
from paperpath.records import PaperRecord, RecordError
from paperpath.sources.files import unreadable
from paperpath.textnorm import clean_ws, find_code_urls

if TYPE_CHECKING:
    from paperpath.library import Library


# bibtexparser logs each malformed block as a WARNING; the import report lists them with line
# numbers already, so keep them off stderr unless the application configured logging.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())


class BibtexError(ValueError):
    """BibTeX input that cannot be used at all (unreadable file, no entries, several entries
    where one was expected)."""


@dataclass(slots=True)
class ImportProblem:
    """Something wrong with one entry or block. `skipped` is False for warnings (the entry was
    still imported, e.g. a duplicate key)."""

    line: int | None  # 1-based line where the block starts
    key: str | None
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "?"
        key = f" ({' '.join(self.key.split())})" if self.key else ""  # keys can hold newlines
        return f"{where}{key}: {' '.join(self.message.split())}"


@dataclass(slots=True)
class ImportReport:
    """Outcome of importing one BibTeX file or string. added + merged + skipped == entries."""

    source: str
    entries: int = 0  # entry blocks seen, including ones that failed to parse
    added: int = 0  # new papers
    merged: int = 0  # merged into a paper already in the library (or earlier in the file)
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    pks: list[int] = field(default_factory=list)  # paper of each imported entry, file order

    @property
    def failed(self) -> bool:
        """True when nothing at all could be imported from the input."""
        return self.added + self.merged == 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = self.failed
        data["problems"] = [{**asdict(p), "text": str(p)} for p in self.problems]
        return data


@dataclass(slots=True)
class ParsedEntry:
    line: int | None
    key: str
    record: PaperRecord


@dataclass(slots=True)
class ParsedBib:
    entries: list[ParsedEntry] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    seen: int = 0  # entry blocks, good or bad


# ---- reading ------------------------------------------------------------------------------

_MAX_BIB_BYTES = 200 * 1024 * 1024  # a .bib this large is not a bibliography


def looks_like_bibtex(text: str) -> bool:
    """True for a string that is BibTeX source rather than a file name."""
    stripped = text.lstrip()
    return stripped.startswith(("@", "%")) or ("\n" in stripped and "@" in stripped)


def read_bib_file(path: str | Path) -> str:
    """The text of a .bib file (UTF-8, with a Latin-1 fallback for old files)."""
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BIB_BYTES:
            raise BibtexError(f"{p}: too large for a BibTeX file "
                              f"({p.stat().st_size // 2**20} MiB)")
        data = p.read_bytes()
    except OSError as exc:
        raise BibtexError(unreadable(p, exc)) from None
    if b"\x00" in data[:4096]:
        raise BibtexError(f"{p}: not a BibTeX file (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Pre-Unicode .bib files are usually Latin-1; every byte decodes, accents survive.
        return data.decode("latin-1")


# ---- parsing ------------------------------------------------------------------------------

def parse_bibtex(text: str) -> ParsedBib:
    """Turn BibTeX source into records plus a list of problems; never raises for bad input."""
    out = ParsedBib()
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # the splitter is fault tolerant; this is a last line of defence
        out.problems.append(ImportProblem(None, None, f"cannot parse BibTeX: {_one_line(exc)}"))
        return out
    strings = {s.key.lower(): str(s.value) for s in library.strings}
    for block in library.blocks:
        entry = _entry_of(block, out)
        if entry is None:
            continue
        out.seen += 1
        line = _line(block)
        try:
            fields = _fields(entry)
            if isinstance(block, DuplicateBlockKeyBlock):
                # bibtexparser runs no middleware on duplicates: unwrap them here.
                fields = {k: _unwrap(v, strings) for k, v in fields.items()}
            record = entry_to_record(entry.entry_type, entry.key, fields)
        except RecordError as exc:
            out.problems.append(ImportProblem(line, entry.key, str(exc)))
            continue
        except Exception as exc:  # a bug or a pathological field must not stop the batch
            out.problems.append(ImportProblem(line, entry.key,
                                              f"cannot read entry: {_one_line(exc)}"))
            continue
        out.entries.append(ParsedEntry(line, entry.key, record))
    return out


def _entry_of(block: Block, out: ParsedBib) -> Entry | None:
    """The entry a block stands for (duplicates included), recording problems on the way."""
    if isinstance(block, Entry):
        return block
    if isinstance(block, DuplicateBlockKeyBlock):
        dup = block.ignore_error_block
        if isinstance(dup, Entry):
            # Keys mean nothing to the library and dedup is by content, so both are kept.
            first = _line(block.previous_block)
            out.problems.append(ImportProblem(
                _line(block), block.key,
                f"duplicate key (first used at line {first}); imported both", skipped=False))
            return dup
        out.problems.append(ImportProblem(_line(block), block.key,
                                          "duplicate @string key; later definition ignored",
                                          skipped=False))
        return None
    if isinstance(block, MiddlewareErrorBlock) and isinstance(block.ignore_error_block, Entry):
        return block.ignore_error_block
    if isinstance(block, ParsingFailedBlock):
        out.seen += 1
        reason = getattr(block.error, "abort_reason", None) or _one_line(block.error)
        out.problems.append(ImportProblem(_line(block), _guess_key(block.raw),
                                          f"unparsable block: {_one_line(reason)}"))
    return None


def _unwrap(value: str, strings: dict[str, str]) -> str:
    """A raw field value as the default parse stack would leave it: {..} / ".." removed,
    @string macros replaced."""
    v = value.strip()
    if len(v) >= 2 and ((v[0] == "{" and v[-1] == "}") or (v[0] == '"' and v[-1] == '"')):
        return v[1:-1]
    return strings.get(v.lower(), v)


def _line(block: Block | None) -> int | None:
    if block is None or block.start_line is None:
        return None
    return block.start_line + 1  # bibtexparser counts from 0


_KEY_RE = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,")


def _guess_key(raw: str | None) -> str | None:
    m = _KEY_RE.search(raw or "")
    return m.group(1) if m else None


def _one_line(obj: object) -> str:
    text = clean_ws(str(obj)) or type(obj).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _fields(entry: Entry) -> dict[str, str]:
    """Field values by lower-cased name (first occurrence wins, as in BibTeX)."""
    out: dict[str, str] = {}
    for f in entry.fields:
        key = f.key.strip().lower()
        if key not in out and f.value is not None:
            out[key] = str(f.value)
    return out


# ---- LaTeX -------------------------------------------------------------------------------

_LATEX_HINT = re.compile(r"[\\{}$~]|--|``|''")
_LATEX_MARKUP = re.compile(r"[\\$~]|--|``|''")  # anything beyond plain braces
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_decoder: Any = None


def _latex_decoder() -> Any:
    global _decoder
    if _decoder is None:
        from pylatexenc.latex2text import (
            LatexNodes2Text,
            MacroTextSpec,
            get_default_latex_context_db,
        )

        ctx = get_default_latex_context_db()
        # \url{x} -> x (pylatexenc's default wraps it in <...>).
        ctx.add_context_category("paperpath", prepend=True,
                                 macros=[MacroTextSpec("url", simplify_repl="%s")])
        _decoder = LatexNodes2Text(latex_context=ctx, math_mode="text",
                                   strict_latex_spaces=True)
    return _decoder


def decode_latex(value: str | None) -> str:
    """BibTeX field text as plain Unicode: accents, braces, \\emph, $math$ decoded."""
    if not value:
        return ""
    if not _LATEX_HINT.search(value):
        return clean_ws(value)  # most fields are plain: skip the (slow) LaTeX parser
    if not _LATEX_MARKUP.search(value):
        # Only case-protecting braces ("{BERT}", Better BibTeX's "{{...}}"): no parser needed.
        return clean_ws(value.replace("{", "").replace("}", ""))
    return _decode_markup(value)


@functools.lru_cache(maxsize=4096)  # author names and venues repeat across a bibliography
def _decode_markup(value: str) -> str:
    # A bare % in a field is meant literally, not as a LaTeX comment eating the line.
    text = _UNESCAPED_PERCENT.sub(r"\\%", value)
    try:
        return clean_ws(_latex_decoder().latex_to_text(text))
    except Exception:  # pylatexenc is tolerant, but never let one field sink an entry
        text = re.sub(r"\\[a-zA-Z]+\*?\s*", " ", value)
        text = re.sub(r"\\(.)", r"\1", text)
        return clean_ws(text.replace("{", "").replace("}", "").replace("~", " "))


def _unescape(value: str | None) -> str:
    """URLs, DOIs, eprints: only undo TeX escapes (\\_ \\% \\& \\#) and a \\url{} wrapper."""
    if not value:
        return ""
    text = value.strip()
    m = re.fullmatch(r"\\(?:url|href)\s*\{(.*)\}(?:\{.*\})?", text, flags=re.DOTALL)
    if m:
        text = m.group(1)
    text = re.sub(r"\\([_%&#$~])", r"\1", text)
    return text.replace("{", "").replace("}", "").strip()


def split_bibtex_authors(value: str | None) -> list[str]:
    """BibTeX names ("Last, First and First von Last and ...") as "First von Last, Jr" strings,
    LaTeX decoded; "and others" (et al.) dropped."""
    if not value or not value.strip():
        return []
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    try:
        raw_names = split_multiple_persons_names(value)
    except Exception:
        raw_names = re.split(r"\s+and\s+", value)
    names: list[str] = []
    for raw in raw_names:
        if raw.strip().lower() in {"others", "et al.", "et al"}:
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
            first = " ".join([*parts.first, *parts.von, *parts.last])
            name = f"{first}, {' '.join(parts.jr)}" if parts.jr else first
        except Exception:
            name = raw
        name = decode_latex(name)
        if name:
            names.append(name)
    return names


# ---- entry -> record ----------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_ARXIV_VENUE = re.compile(r"^\s*(arxiv|corr)\b", re.IGNORECASE)
_WEB_TYPES = {"online", "webpage", "electronic", "www", "blog"}


def entry_to_record(entry_type: str, key: str, fields: dict[str, str]) -> PaperRecord:
    """One BibTeX entry (lower-cased field names) as a PaperRecord; RecordError if unusable."""
    title = decode_latex(fields.get("title"))
    if not title:
        raise RecordError("entry has no title")
    doi = normalize_doi(_unescape(fields.get("doi"))) if fields.get("doi") else None
    arxiv_id = _arxiv_of(fields, doi)
    if doi and is_arxiv_doi(doi):
        doi = None  # the arXiv DataCite DOI is the arXiv id in disguise
    year, published = _date_of(fields)
    venue = decode_latex(fields.get("journal") or fields.get("journaltitle")
                         or fields.get("booktitle")) or None
    if venue and _ARXIV_VENUE.match(venue):
        venue = None  # "arXiv preprint arXiv:..." / DBLP's "CoRR" are not venues
    url = _unescape(fields.get("url")) or None
    if url and ((arxiv_id and "arxiv.org/" in url.lower())
                or (doi and "doi.org/" in url.lower())):
        url = None  # the paper's arXiv / DOI link is derived from its id
    code = find_code_urls(*(_unescape(fields.get(k)) for k in ("url", "code", "github")),
                          *(fields.get(k) for k in ("note", "howpublished")))
    kind = "paper"
    if entry_type.lower() in _WEB_TYPES and not (doi or arxiv_id or venue):
        kind = "article"  # a blog post or web page cited as @online
    return PaperRecord(
        title=title,
        abstract=decode_latex(fields.get("abstract")),
        authors=split_bibtex_authors(fields.get("author")),
        arxiv_id=arxiv_id,
        doi=doi,
        published=published,
        venue=venue,
        year=year,
        url=url,
        code_urls=code,
        kind=kind,
        source="bibtex",
    )


def _arxiv_of(fields: dict[str, str], doi: str | None) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = _unescape(fields.get("eprint"))
    if eprint and prefix in ("", "arxiv") and (found := normalize_arxiv_id(eprint)):
        return found
    for name in ("arxiv", "arxivid", "arxiv_id"):
        if found := normalize_arxiv_id(_unescape(fields.get(name))):
            return found
    if doi and (found := is_arxiv_doi(doi)):
        return found
    for name in ("url", "pdf", "eprint", "howpublished"):
        ids = find_arxiv_ids(_unescape(fields.get(name)))
        if ids:
            return ids[0]
    venue = fields.get("journal") or fields.get("journaltitle") or ""
    if _ARXIV_VENUE.match(venue):
        # Google Scholar: journal={arXiv preprint arXiv:1706.03762};
        # DBLP / Semantic Scholar: journal={CoRR}, volume={abs/1706.03762}.
        ids = find_arxiv_ids(venue)
        if ids:
            return ids[0]
        volume = (fields.get("volume") or "").strip()
        if volume.lower().startswith("abs/") and (found := normalize_arxiv_id(volume[4:])):
            return found
    # Zotero puts "arXiv:1706.03762 [cs]" in note for preprints; trust it only when the note
    # names exactly one paper (a note may also cite related work).
    ids = find_arxiv_ids(fields.get("note") or "")
    return ids[0] if len(ids) == 1 else None


def _date_of(fields: dict[str, str]) -> tuple[int | None, date | None]:
    """(year, publication date) from BibLaTeX `date` or BibTeX `year` + `month`. A date is
    only given when the month is known: a bare year says nothing about the day."""
    raw_date = (fields.get("date") or "").strip()
    m = re.match(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", raw_date)
    if m:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else 1
    else:
        ym = re.search(r"\d{4}", fields.get("year") or "")
        if not ym:
            return None, None
        year, month, day = int(ym.group(0)), _month_of(fields.get("month")), 1
    if year < 1000:
        return None, None
    if month is None:
        return year, None
    try:
        return year, date(year, month, day)
    except ValueError:
        try:
            return year, date(year, month, 1)
        except ValueError:
            return year, None


def _month_of(value: str | None) -> int | None:
    text = clean_ws(value).lower().strip("{}. ")
    if not text:
        return None
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else None
    return _MONTHS.get(text[:3])


# ---- storing ------------------------------------------------------------------------------

def import_bibtex(lib: Library, source: str | Path) -> ImportReport:
    """Import every entry of a .bib file (path) or BibTeX source text.

    Bad entries are skipped and reported with their line numbers; all good entries are
    stored in one transaction, so an error while writing leaves the library unchanged.
    """
    from sqlalchemy import func, select

    from paperpath.store.db import write_tx
    from paperpath.store.schema import papers
    from paperpath.store.writer import prepare, write_records

    if isinstance(source, str) and looks_like_bibtex(source):
        text, label = source, "<bibtex>"
    else:
        text, label = read_bib_file(source), str(source)
    parsed = parse_bibtex(text)
    report = ImportReport(source=label, entries=parsed.seen, problems=list(parsed.problems))
    prepared = []
    for item in parsed.entries:
        try:
            prepared.append(prepare(item.record))
        except RecordError as exc:
            report.problems.append(ImportProblem(item.line, item.key, str(exc)))
    report.problems.sort(key=lambda p: p.line or 0)
    report.skipped = sum(1 for p in report.problems if p.skipped)
    if not parsed.seen:
        report.problems.append(ImportProblem(None, None, "no BibTeX entries found",
                                            skipped=False))
    if not prepared:
        return report
    with write_tx(lib.engine) as conn:
        # New rows get primary keys above the current maximum: that tells added from merged.
        before = conn.execute(select(func.max(papers.c.pk))).scalar() or 0
        result = write_records(conn, prepared)
    seen: set[int] = set()
    for pk in result.pks:
        if pk > before and pk not in seen:
            report.added += 1
        else:
            report.merged += 1
        seen.add(pk)
    report.pks = list(result.pks)
    return report


def single_entry_record(source: str | Path) -> PaperRecord:
    """The record of a BibTeX string or .bib file holding exactly one entry (for `add`)."""
    if isinstance(source, str) and looks_like_bibtex(source):
        text, label = source, "BibTeX entry"
    else:
        text, label = read_bib_file(source), str(source)
    parsed = parse_bibtex(text)
    if parsed.seen > 1:
        hint = (f"`paperpath import {source}`" if label != "BibTeX entry"
                else "`paperpath import FILE.bib`")
        raise BibtexError(f"{label}: holds {parsed.seen} BibTeX entries but add takes one; use "
                          f"Library.import_bibtex(...) or {hint}")
    if not parsed.entries:
        why = "; ".join(str(p) for p in parsed.problems if p.skipped) or "no BibTeX entry found"
        raise BibtexError(f"{label}: {why}")
    return parsed.entries[0].record
