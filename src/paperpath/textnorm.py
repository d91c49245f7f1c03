"""Text normalisation shared by sources: whitespace, titles, author names, code links."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# GitHub / GitLab / Bitbucket / HF / PapersWithCode links as they appear in abstracts and
# comments; LaTeX often wraps them in \url{...} or breaks them over lines.
_CODE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?"
    r"(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|codeberg\.org)"
    r"/[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)?",
    re.IGNORECASE,
)
_CODE_HOST_ONLY = {"github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org"}


def clean_ws(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv abstracts are hard-wrapped) and strip."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalize_title(title: str) -> str:
    """Title reduced to lower-case ASCII words: 'Attention Is All You Need!' -> 'attention is
    all you need'. LaTeX markup and punctuation vanish so BibTeX and arXiv titles agree."""
    text = re.sub(r"\\[a-zA-Z]+\s*", " ", title or "")  # \emph, \textbf ...
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
    """GitHub-style repository links found in the texts, normalised to https, unique."""
    found: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        # Undo hard wraps inside URLs ("https://github.com/foo/\nbar").
        joined = re.sub(r"(?<=[/\-_.])\s*\n\s*", "", text)
        for m in _CODE_URL.finditer(joined):
            url = m.group(0).rstrip(".,;:)]}'\"")
            low = url.lower()
            if not low.startswith("http"):
                url = "https://" + url
            url = re.sub(r"^http://", "https://", url, flags=re.IGNORECASE)
            url = re.sub(r"^https://www\.", "https://", url, flags=re.IGNORECASE)
            host_path = url.split("://", 1)[1]
            if host_path.lower() in _CODE_HOST_ONLY or host_path.count("/") < 1:
                continue
            if url.endswith(".git"):
                url = url[:-4]
            found.setdefault(url, None)
    return list(found)
