"""The reader's profile: interests, math comfort, weekly hours and papers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_HOURS = 3.0
DEFAULT_PAPERS = 2
DEFAULT_COMFORT = 3
CHECKLIST_SIZE = 30
# What each math-comfort level means, for the onboarding question (CLI and web).
COMFORT_LEVELS = {1: "little math: words and pictures", 2: "school algebra, some statistics",
                  3: "calculus and linear algebra basics", 4: "comfortable with derivations",
                  5: "proofs and measure theory are fine"}


class ProfileError(ValueError):
    """A profile value out of range."""


@dataclass(frozen=True)
class Profile:
    interests: list[str] = field(default_factory=list)
    math_comfort: int = DEFAULT_COMFORT
    hours_per_week: float = DEFAULT_HOURS
    papers_per_week: int = DEFAULT_PAPERS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_interests(values: Iterable[str]) -> list[str]:
    """Interests as typed, trimmed and de-duplicated (case-insensitively); commas split."""
    out: dict[str, str] = {}
    for value in values:
        for part in str(value).split(","):
            text = " ".join(part.split())
            if not text:
                continue
            if len(text) > 120:
                raise ProfileError(f"interest {text[:40]!r}...: keep an interest under 120 "
                                   "characters")
            out.setdefault(text.lower(), text)
    return list(out.values())


def checked(*, interests: Iterable[str], math_comfort: int, hours_per_week: float,
            papers_per_week: int) -> Profile:
    """A Profile, or a ProfileError naming the value that is out of range."""
    if not 1 <= int(math_comfort) <= 5:
        raise ProfileError(f"math comfort {math_comfort}: choose 1 (little math) to 5 "
                           "(proofs are fine)")
    if not 0.5 <= float(hours_per_week) <= 40:
        raise ProfileError(f"hours per week {hours_per_week}: choose between 0.5 and 40")
    if not 1 <= int(papers_per_week) <= 20:
        raise ProfileError(f"papers per week {papers_per_week}: choose between 1 and 20")
    return Profile(clean_interests(interests), int(math_comfort), float(hours_per_week),
                   int(papers_per_week))


def from_row(row: dict[str, Any] | None) -> Profile | None:
    if row is None:
        return None
    return Profile(list(row["interests"] or []), int(row["math_comfort"]),
                   float(row["hours_per_week"]), int(row["papers_per_week"]))


def checklist_terms(n: int = CHECKLIST_SIZE) -> list[tuple[str, str]]:
    """(id, term) of the glossary terms most other terms build on: a quick 'which of these do
    you know?' list for onboarding."""
    from paperpath.glossary import glossary

    entries = glossary()
    used = Counter(p for e in entries for p in e.prerequisites)
    by_id = {e.id: e for e in entries}
    return [(i, by_id[i].term) for i, _ in used.most_common() if i in by_id][:n]
