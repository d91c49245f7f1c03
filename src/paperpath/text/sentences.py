"""Split abstracts and full texts into sentences.

A rule-based splitter tuned to scientific English: it does not break after common
abbreviations (``e.g.``, ``et al.``, ``Fig.``), inside numbers (``3.5``), version strings,
URLs or initials, and it treats a blank line as a hard break (arXiv abstracts are hard-wrapped,
so a single newline is just a space).
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """e.g i.e et al etc cf vs viz fig figs eq eqs eqn sec secs tab ref refs approx resp
    no nos vol pp ch dr prof mr mrs ms st jr sr inc ltd co corp dept univ est min max
    avg std var w.r.t w.r.t approx incl e.g.,""".split()
)
# A candidate boundary: ., ! or ? (optionally closing quote/bracket) then whitespace.
_BOUNDARY = re.compile(r"([.!?])([\"'”’)\]]*)\s+")
_STARTER = re.compile(r"[\"'“‘(\[]*[A-Z0-9]")


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.lstrip("(\"'[").lower()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():  # an initial: "J. Smith", "Section A. We"
        return True
    # Dotted abbreviations such as "u.s" or "w.r.t".
    parts = word.split(".")
    return len(parts) > 1 and all(len(part) <= 2 and part.isalpha() for part in parts)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace-normalized, empty ones dropped.

    >>> split_sentences("We use e.g. SGD. It works (see Fig. 2). Accuracy is 93.5%!")
    ['We use e.g. SGD.', 'It works (see Fig. 2).', 'Accuracy is 93.5%!']
    """
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            end = match.end()
            if not _STARTER.match(paragraph, end):
                continue
            if match.group(1) == "." and _is_abbreviation(paragraph[start:match.start()]):
                continue
            sentence = paragraph[start:end].strip()
            if sentence:
                out.append(sentence)
            start = end
        tail = paragraph[start:].strip()
        if tail:
            out.append(tail)
    return out
