"""Text normalisation shared by sources: whitespace, titles, author names, code links."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_PARENS = re.compile(r"\([^()]*\)")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*")
# Repository hosts learners want links to, and the path after the host name.
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")
_CODE_PATH = re.compile(r"/[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)?")
# Every link has one of these: a cheap test before looking closer.
_CODE_HINTS = (".com/", ".co/", ".org/", ".COM/")


_ODD_WS = ("  ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def clean_ws(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv abstracts are hard-wrapped) and strip; exactly
    `" ".join(text.split())`, with a fast path for plain hard-wrapped ASCII."""
    if not text:
        return ""
    flat = text.replace("\n", " ")
    if flat.isascii() and not any(w in flat for w in _ODD_WS):
        return flat.strip()
    return " ".join(flat.split())


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


def title_hash(normalized: str) -> str:
    """16 hex digits standing for a normalized title (64 bits: no collisions in practice)."""
    return hashlib.blake2b(normalized.encode(), digest_size=8).hexdigest()


def title_key(title: str, authors: list[str] | None) -> str | None:
    """Dedup key: hash of the normalized title, '|', first author's family name; None if the
    title is too short. Hashed so its index stays small: it is written for every paper."""
    norm = normalize_title(title)
    if len(norm) < 4:
        return None
    first = author_surname(authors[0]) if authors else ""
    return f"{title_hash(norm)}|{first[:60]}"


def split_authors(authors: str) -> list[str]:
    """Split arXiv's comma/'and'-separated author string into clean names."""
    text = clean_ws(authors)
    if not text:
        return []
    if " and " in text:
        text = text.replace(" and ", ", ")
    if ";" in text:  # some listings separate names with semicolons
        text = text.replace(";", ",")
    if "(" in text:  # affiliations in parentheses can hold commas: drop them first
        text = _PARENS.sub("", text)
    out = []
    for part in text.split(","):
        name = part.strip()
        if name:
            out.append(name if "  " not in name else " ".join(name.split()))
    return out


def find_code_urls(*texts: str | None) -> list[str]:
    """Repository links (GitHub, GitLab, ...) found in the texts as https URLs, unique."""
    found: dict[str, None] = {}
    for text in texts:
        if not text or not any(h in text for h in _CODE_HINTS):  # most texts have none
            continue
        # Undo hard wraps inside URLs ("https://github.com/foo/\nbar").
        joined = text.replace("/\n", "/").replace("-\n", "-").replace("_\n", "_")
        low = joined.lower()
        hits = []
        for host in _CODE_HOSTS:
            start = low.find(host)
            while start >= 0:
                hits.append((start, host))
                start = low.find(host, start + len(host))
        for start, host in sorted(hits):
            m = _CODE_PATH.match(joined, start + len(host))
            if not m:
                continue
            path = m.group(0).rstrip(".,;:)]}'\"")
            if path.endswith(".git"):
                path = path[:-4]
            if len(path) >= 2:
                found.setdefault(f"https://{host}{path}", None)
    return list(found)
