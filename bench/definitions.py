"""Definition and acronym mining benchmark: throughput over the shared corpus, yields, and
random samples for judging precision by hand.

    python bench/definitions.py                     # all 74,728 abstracts; writes the samples
    python bench/definitions.py --score             # precision from the judged samples

Protocol
- Throughput: `mine_definitions` and `find_acronyms` each run over every abstract of the
  corpus in this one process (one core), after a warm-up of 500 abstracts; best of `--runs`.
- Samples: 100 mined definitions and 100 acronym pairs drawn uniformly (seed `--seed`) from the
  abstracts at odd line numbers only, plus `--rare` (50) definitions from the patterns other
  than "appositive" (which otherwise fill ~93% of the sample), for a per-pattern view. The
  rules were developed by reading output from the even-numbered abstracts, so the odd half is
  held out for the precision figures.
- Judging: each sample entry carries a `verdict: ?` line; a reader replaces `?` with `y` (a
  correct, useful definition of that term as the sentence states it, or a correct expansion) or
  `n`, and `--score` counts them. The sample files live in bench/out (never committed: they
  quote the corpus).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

from common import CORPUS, OUT, machine

from paperpath.text.definitions import find_acronyms, mine_definitions

DEF_SAMPLE = OUT / "definitions-sample.md"
RARE_SAMPLE = OUT / "definitions-sample-rare.md"
ACR_SAMPLE = OUT / "acronyms-sample.md"
_VERDICT = re.compile(r"^verdict:\s*([yn?])", re.MULTILINE)


def load(corpus: Path) -> list[tuple[str, str]]:
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        return [(row["id"], row.get("abstract") or "") for row in map(json.loads, handle)]


def timed(func, texts: list[str], runs: int) -> tuple[float, list]:
    for text in texts[:500]:
        func(text)
    best, results = float("inf"), []
    for _ in range(runs):
        t0 = time.perf_counter()
        results = [func(text) for text in texts]
        best = min(best, time.perf_counter() - t0)
    return best, results


def write_definitions(path: Path, title: str, papers: list[tuple[str, str]], picked: list
                      ) -> None:
    lines = [f"# {title}", "", "Replace `?` with `y` or `n` after each `verdict:`.", ""]
    for n, (i, d) in enumerate(picked, 1):
        alias = f" ({d.alias})" if d.alias else ""
        lines += [f"## {n}. {d.term}{alias}  [{d.pattern}, arXiv {papers[i][0]}]", "",
                  f"**definition:** {d.definition}", "", f"> {d.sentence}", "", "verdict: ?",
                  ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_samples(papers: list[tuple[str, str]], defs: list, acrs: list, seed: int,
                  size: int, rare: int) -> None:
    held_out = [i for i in range(len(papers)) if i % 2 == 1]
    def_pool = [(i, d) for i in held_out for d in defs[i]]
    acr_pool = [(i, k, v) for i in held_out for k, v in acrs[i].items()]
    rare_pool = [(i, d) for i, d in def_pool if d.pattern != "appositive"]
    rng = random.Random(seed)  # draws in a fixed order: definitions, acronyms, rare patterns
    OUT.mkdir(parents=True, exist_ok=True)
    write_definitions(DEF_SAMPLE, f"Mined definitions: random sample of {size} (seed {seed}, "
                      "held-out half)", papers, rng.sample(def_pool, min(size, len(def_pool))))
    lines = [f"# Acronyms: random sample of {size} (seed {seed}, held-out half)", "",
             "Replace `?` with `y` or `n` after each `verdict:`.", ""]
    for n, (i, short, long) in enumerate(rng.sample(acr_pool, min(size, len(acr_pool))), 1):
        lines += [f"## {n}. {short} = {long}  [arXiv {papers[i][0]}]", "", "verdict: ?", ""]
    ACR_SAMPLE.write_text("\n".join(lines), encoding="utf-8")
    write_definitions(RARE_SAMPLE, f"Mined definitions, patterns other than appositive: "
                      f"random sample of {rare} (seed {seed}, held-out half)", papers,
                      rng.sample(rare_pool, min(rare, len(rare_pool))))


def score(path: Path) -> dict[str, float | int]:
    verdicts = _VERDICT.findall(path.read_text(encoding="utf-8")) if path.exists() else []
    yes, no = verdicts.count("y"), verdicts.count("n")
    return {"judged": yes + no, "correct": yes, "unjudged": verdicts.count("?"),
            "precision": round(yes / (yes + no), 3) if yes + no else float("nan")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--sample", type=int, default=100)
    ap.add_argument("--rare", type=int, default=50)
    ap.add_argument("--score", action="store_true", help="only score the judged samples")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = ap.parse_args()
    if args.score:
        print(json.dumps({"definitions": score(DEF_SAMPLE), "acronyms": score(ACR_SAMPLE),
                          "definitions_other_patterns": score(RARE_SAMPLE)}, indent=2))
        return 0
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (set PAPERPATH_SHARED)")
    papers = load(args.corpus)
    texts = [abstract for _, abstract in papers]
    def_s, defs = timed(mine_definitions, texts, args.runs)
    acr_s, acrs = timed(find_acronyms, texts, args.runs)
    big = " ".join(texts[:800])[:1_000_000]  # a ~1 MB "full text"
    t0 = time.perf_counter()
    mine_definitions(big)
    find_acronyms(big)
    big_ms = (time.perf_counter() - t0) * 1000
    write_samples(papers, defs, acrs, args.seed, args.sample, args.rare)
    patterns = collections.Counter(d.pattern for found in defs for d in found)
    n = len(texts)
    result = {
        "benchmark": "definitions", "corpus": str(args.corpus), "machine": machine(),
        "abstracts": n,
        "mine_definitions_per_second": round(n / def_s),
        "find_acronyms_per_second": round(n / acr_s),
        "both_per_second": round(n / (def_s + acr_s)),
        "one_mb_text_ms": round(big_ms, 1),
        "definitions": sum(patterns.values()),
        "abstracts_with_definition": sum(1 for found in defs if found),
        "definitions_by_pattern": dict(patterns.most_common()),
        "acronyms": sum(len(a) for a in acrs),
        "distinct_acronym_pairs": len({(k, v.lower()) for a in acrs for k, v in a.items()}),
        "samples": [str(DEF_SAMPLE), str(ACR_SAMPLE), str(RARE_SAMPLE)],
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
