"""Text normalisation shared by sources: whitespace, titles, author names, code links."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*")
# GitHub / GitLab / Bitbucket / HF / Codeberg repository links as they appear in abstracts and
# comments. The pattern starts at the host name so the regex engine can scan quickly.
_CODE_URL = re.compile(
    r"([Gg]it[Hh]ub\.com|[Gg]it[Ll]ab\.com|[Bb]itbucket\.org|huggingface\.co|codeberg\.org)"
    r"(/[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)?)"
)
# Every link the pattern can match has one of these: a cheap test before the regex.
_CODE_HINTS = (".com/", ".co/", ".org/")


def clean_ws(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv abstracts are hard-wrapped) and strip."""
    if not text:
        return ""
    return " ".join(text.split())


def ascii_fold(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalize_title(title: str) -> str:
    """Title reduced to lower-case ASCII words: 'Attention Is All You Need!' -> 'attention is
    all you need'. LaTeX markup and punctuation vanish so BibTeX and arXiv titles agree."""
    text = title or ""
    if "\\" in text:
        text = _LATEX_CMD.sub(" ", text)  # \emph, \textbf ...
    text = ascii_fold(text).lower()
    return _NON_WORD.sub(" ", text).strip()


def author_surname(name: str) -> str:
    """Best-effort family name: 'Vaswani, Ashish' -> 'vaswani'; 'Ashish Vaswani' -> 'vaswani'."""
    name = clean_ws(name)
    if not name:
        return ""
    if "," in name:
        family = name.split(",", 1)[0]
    else:
        parts = [p for p in name.split(" ") if p]
        family = parts[-1] if parts else ""
        # Suffixes such as 'Jr.' are not family names.
        if family.rstrip(".").lower() in {"jr", "sr", "ii", "iii", "iv"} and len(parts) > 1:
            family = parts[-2]
    return _NON_WORD.sub("", ascii_fold(family).lower())


def title_key(title: str, authors: list[str] | None) -> str | None:
    """Dedup key from normalized title and first author's family name; None if no title."""
    norm = normalize_title(title)
    if len(norm) < 4:
        return None
    first = author_surname(authors[0]) if authors else ""
    return f"{norm[:240]}|{first}"


def split_authors(authors: str) -> list[str]:
    """Split arXiv's comma/'and'-separated author string into names."""
    text = clean_ws(authors)
    if not text:
        return []
    text = re.sub(r"\s+and\s+", ", ", text)
    # Affiliations in parentheses can hold commas: drop them first.
    text = re.sub(r"\([^()]*\)", "", text)
    return [a.strip() for a in text.split(",") if a.strip()]


def find_code_urls(*texts: str | None) -> list[str]:
    """Repository links (GitHub, GitLab, ...) found in the texts as https URLs, unique."""
    found: dict[str, None] = {}
    for text in texts:
        if not text or not any(h in text for h in _CODE_HINTS):  # most texts have none
            continue
        # Undo hard wraps inside URLs ("https://github.com/foo/\nbar").
        joined = text.replace("/\n", "/").replace("-\n", "-").replace("_\n", "_")
        for m in _CODE_URL.finditer(joined):
            host, path = m.group(1).lower(), m.group(2).rstrip(".,;:)]}'\"")
            if path.endswith(".git"):
                path = path[:-4]
            if len(path) < 2:
                continue
            found.setdefault(f"https://{host}{path}", None)
    return list(found)
