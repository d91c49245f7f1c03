"""Glossary coverage: list the terms we cover, or measure coverage of a term list.

    python bench/glossary.py --list                     # every covered term, by area (markdown)
    python bench/glossary.py --terms FILE               # coverage of FILE (one term per line)
    python bench/glossary.py                            # coverage of bench/data/glossary-probe.txt

Protocol: each non-blank line of FILE not starting with '#' is one term; it counts as covered
when `paperpath.glossary.lookup(term)` returns an entry (the same look-up the reading guide
uses: case, plurals, hyphen/space variants, acronyms, a leading "the", parentheticals and
generic words around a name such as "layer" or "algorithm" are forgiven). Prints JSON:
coverage %, the missing terms, with --hits every hit (term -> entry id, to eyeball wrong
matches), and the uncached cost of one look-up.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import REPO, machine

from paperpath.glossary import GlossaryEntry, glossary, lookup

PROBE = REPO / "bench" / "data" / "glossary-probe.txt"


def read_terms(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#")]


def print_list() -> None:
    """Markdown: every entry under its area, with its aliases."""
    by_area: dict[str, list[GlossaryEntry]] = defaultdict(list)
    for entry in glossary():
        by_area[entry.area].append(entry)
    names = sum(1 + len(e.aliases) for e in glossary())
    print(f"# paperpath glossary: {len(glossary())} entries, {names} names, "
          f"{len(by_area)} areas\n")
    for area in sorted(by_area):
        entries = sorted(by_area[area], key=lambda e: e.term.casefold())
        print(f"## {area} ({len(entries)})\n")
        for e in entries:
            aliases = f" — {', '.join(e.aliases)}" if e.aliases else ""
            print(f"- {e.term}{aliases}")
        print()


def coverage(terms: list[str]) -> dict[str, object]:
    hits = {t: lookup(t) for t in terms}
    missing = [t for t, e in hits.items() if e is None]
    covered = len(terms) - len(missing)
    # Uncached cost of one look-up (normalisation + candidate keys), on the same terms.
    raw = lookup.__wrapped__  # type: ignore[attr-defined]
    reps = max(1, 20_000 // max(1, len(terms)))
    start = time.perf_counter()
    for _ in range(reps):
        for t in terms:
            raw(t)
    per_us = (time.perf_counter() - start) / (reps * max(1, len(terms))) * 1e6
    return {
        "terms": len(terms),
        "covered": covered,
        "coverage_pct": round(100 * covered / len(terms), 1) if terms else 0.0,
        "missing": missing,
        "hits": {t: e.id for t, e in hits.items() if e is not None},
        "uncached_lookup_us": round(per_us, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print every covered term, by area")
    ap.add_argument("--terms", type=Path, default=PROBE, help="term list, one per line")
    ap.add_argument("--hits", action="store_true", help="include term -> entry id for every hit")
    args = ap.parse_args()
    if args.list:
        print_list()
        return 0
    if not args.terms.is_file():
        print(f"no such term list: {args.terms}", file=sys.stderr)
        return 2
    entries = glossary()
    report = {
        "machine": machine(),
        "term_list": str(args.terms),
        "glossary": {
            "entries": len(entries),
            "names": sum(1 + len(e.aliases) for e in entries),
            "per_area": dict(sorted(Counter(e.area for e in entries).items())),
        },
        **coverage(read_terms(args.terms)),
    }
    if not args.hits:
        report.pop("hits")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
