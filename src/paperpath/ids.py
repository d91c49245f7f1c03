"""Identifiers: arXiv ids (new and old style, versions, URLs) and DOIs.

Every source funnels its identifiers through here so that dedup keys agree.
"""

from __future__ import annotations

import re

# New style: 0704.0001 .. 2512.12345 (4 or 5 digits after the dot since 2015).
_NEW = r"(?P<new>\d{4}\.\d{4,5})"
# Old style: archive(.subject)?/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136, cs/0101001.
_OLD = r"(?P<old>[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})"
_VERSION = r"(?:v(?P<version>\d+))?"

ARXIV_ID_RE = re.compile(rf"^(?:arxiv:)?(?:{_NEW}|{_OLD}){_VERSION}$", re.IGNORECASE)
# Finds ids inside free text and URLs (arxiv.org/abs/..., /pdf/..., arXiv:2401.00001v2).
ARXIV_IN_TEXT_RE = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*)(?:{_NEW}|{_OLD}){_VERSION}",
    re.IGNORECASE,
)
DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)


class InvalidIdError(ValueError):
    """An identifier that is not a valid arXiv id, arXiv URL or DOI."""


def _canon(match: re.Match[str]) -> str:
    if match.group("new"):
        return match.group("new")
    old = match.group("old")
    archive, number = old.split("/", 1)
    # Archive names are lower case except the subject class (math.GT).
    if "." in archive:
        arch, subj = archive.split(".", 1)
        archive = f"{arch.lower()}.{subj.upper()}"
    else:
        archive = archive.lower()
    return f"{archive}/{number}"


def parse_arxiv_id(value: str) -> tuple[str, int | None]:
    """Return (versionless id, version or None) for an arXiv id or arXiv URL.

    Raises InvalidIdError with a message naming the input when it is not one.
    """
    text = value.strip()
    m = ARXIV_ID_RE.match(text)
    if not m:
        m = ARXIV_IN_TEXT_RE.search(text)
        if not m or not _looks_like_arxiv_url(text):
            raise InvalidIdError(f"{value!r} is not an arXiv id (expected e.g. 2401.01234 or "
                                 "hep-th/9901001, optionally with vN or as an arxiv.org URL)")
    version = int(m.group("version")) if m.group("version") else None
    ident = _canon(m)
    if m.group("new"):
        _check_new_style(ident, value)
    return ident, version


def _looks_like_arxiv_url(text: str) -> bool:
    low = text.lower()
    return low.startswith(("http://", "https://", "arxiv.org", "www.arxiv.org", "export.arxiv.org",
                           "arxiv:"))


def _check_new_style(ident: str, original: str) -> None:
    yymm, number = ident.split(".")
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        raise InvalidIdError(f"{original!r} is not an arXiv id: month {month:02d} does not exist")
    # Five-digit numbers started in 2015-01; before that ids had four.
    if len(number) == 5 and int(yymm) < 1501:
        raise InvalidIdError(f"{original!r} is not an arXiv id: 5-digit numbers start in 1501")


def normalize_arxiv_id(value: str | None) -> str | None:
    """Versionless canonical arXiv id, or None when value is empty or not an id."""
    if not value:
        return None
    try:
        return parse_arxiv_id(value)[0]
    except InvalidIdError:
        return None


def find_arxiv_ids(text: str) -> list[str]:
    """All arXiv ids mentioned in text as URLs or 'arXiv:' references, in order, unique."""
    seen: dict[str, None] = {}
    for m in ARXIV_IN_TEXT_RE.finditer(text or ""):
        ident = _canon(m)
        if m.group("new"):
            try:
                _check_new_style(ident, ident)
            except InvalidIdError:
                continue
        seen.setdefault(ident, None)
    return list(seen)


def normalize_doi(value: str | None) -> str | None:
    """Lower-cased bare DOI ("10.xxxx/yyy") from a DOI, doi: prefix or doi.org URL."""
    if not value:
        return None
    text = value.strip()
    m = DOI_RE.search(text)
    if not m:
        return None
    doi = m.group(1).rstrip(".,;)]")
    return doi.lower()


def arxiv_doi(arxiv_id: str) -> str:
    """The DataCite DOI arXiv assigns to every paper."""
    return f"10.48550/arxiv.{arxiv_id}".lower()


def is_arxiv_doi(doi: str) -> str | None:
    """If doi is an arXiv DataCite DOI, the arXiv id it names."""
    low = doi.lower()
    if low.startswith("10.48550/arxiv."):
        return normalize_arxiv_id(low.removeprefix("10.48550/arxiv."))
    return None
