"""Speed and output-stability check for key terms and TLDRs on real arXiv abstracts.

Protocol: the first ``--n`` (3,000) papers of the shared arXiv CS corpus; per paper the text
``title + ". " + abstract``; `key_terms(text, k=12)` with (a) ``stats=None`` (the shipped
background table) and (b) ``stats`` = `CorpusStats.build` over those texts; `tldr(title,
abstract)`; `key_terms_many` over all texts with (b). Timings are single-process, per call,
after one warm-up pass, over ``--passes`` passes through all papers in order: per paper the
fastest pass (this shared 2-core machine is noisy; a pass through 3,000 papers keeps every call
cache-cold), then the median and p95 over papers in microseconds. ``key_terms_many`` is timed
as a whole, per paper.

    python bench/textspeed.py --save /tmp/textspeed-ref.json    # before a change
    python bench/textspeed.py --check /tmp/textspeed-ref.json   # after: outputs identical?
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CORPUS, machine

from paperpath.text.corpus_stats import CorpusStats
from paperpath.text.keyterms import key_terms
from paperpath.text.tldr import tldr

K = 12


def load(n: int) -> list[tuple[str, str]]:
    """(title, abstract) of the first ``n`` papers of the corpus."""
    out: list[tuple[str, str]] = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            out.append((row.get("title") or "", row.get("abstract") or ""))
            if len(out) >= n:
                break
    return out


def stats_digest(stats: CorpusStats) -> str:
    """A hash of every table of ``stats`` (to show that `CorpusStats.build` is unchanged)."""
    h = hashlib.sha256(str(stats.n_docs).encode())
    for table in (stats.word_df, stats.phrase_df, stats.maximal_df):
        for key, df in sorted(table.items()):
            h.update(f"{key}\t{df}\n".encode())
        h.update(b"--\n")
    return h.hexdigest()


def outputs(papers: list[tuple[str, str]], stats: CorpusStats) -> dict[str, Any]:
    texts = [f"{t}. {a}" for t, a in papers]
    return {
        "stats_digest": stats_digest(stats),
        "key_terms_none": [key_terms(t, k=K) for t in texts],
        "key_terms_stats": [key_terms(t, k=K, stats=stats) for t in texts],
        "tldr": [tldr(t, a) for t, a in papers],
    }


def timed(fn: Callable[[int], object], n: int, passes: int) -> dict[str, float]:
    best = [math.inf] * n
    first: list[float] = []
    for p in range(passes):
        for i in range(n):
            start = time.perf_counter()
            fn(i)
            elapsed = (time.perf_counter() - start) * 1e6
            best[i] = min(best[i], elapsed)
            if not p:
                first.append(elapsed)
    best.sort()
    return {"median_us": round(statistics.median(best), 1),
            "p95_us": round(best[int(0.95 * (n - 1))], 1),
            "mean_us": round(sum(best) / n, 1),
            "first_pass_median_us": round(statistics.median(first), 1)}


def speed(papers: list[tuple[str, str]], stats: CorpusStats, passes: int) -> dict[str, Any]:
    texts = [f"{t}. {a}" for t, a in papers]
    n = len(texts)
    for t, (title, abstract) in zip(texts, papers, strict=True):  # warm-up: models, caches
        key_terms(t, k=K, stats=stats)
        tldr(title, abstract)
    result: dict[str, Any] = {
        "key_terms_stats": timed(lambda i: key_terms(texts[i], k=K, stats=stats), n, passes),
        "key_terms_none": timed(lambda i: key_terms(texts[i], k=K), n, passes),
        "tldr": timed(lambda i: tldr(*papers[i]), n, passes),
    }
    try:
        from paperpath.text.keyterms import key_terms_many
    except ImportError:
        return result
    best = math.inf
    for _ in range(passes):
        start = time.perf_counter()
        key_terms_many(texts, k=K, stats=stats)
        best = min(best, time.perf_counter() - start)
    result["key_terms_many_stats"] = {"mean_us": round(best * 1e6 / n, 1)}
    return result


def compare(ref: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Differences between two `outputs` (printing the first few of each kind)."""
    if len(ref["tldr"]) != len(new["tldr"]):
        raise SystemExit(f"the reference has {len(ref['tldr'])} papers: run with that --n")
    report: dict[str, Any] = {"stats_digest_equal": ref["stats_digest"] == new["stats_digest"]}
    for name in ("key_terms_none", "key_terms_stats", "tldr"):
        diffs = [i for i, (a, b) in enumerate(zip(ref[name], new[name], strict=True)) if a != b]
        report[name + "_differences"] = len(diffs)
        for i in diffs[:5]:
            print(f"{name}[{i}]:\n  ref {ref[name][i]!r}\n  new {new[name][i]!r}",
                  file=sys.stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--save", type=Path, help="write the outputs here (the reference)")
    parser.add_argument("--check", type=Path, help="compare the outputs with this reference")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    papers = load(args.n)
    stats = CorpusStats.build(f"{t}. {a}" for t, a in papers)
    summary: dict[str, Any] = {"papers": len(papers), "machine": machine(),
                               "load_avg_before": os.getloadavg()}
    if args.save or args.check:
        new = outputs(papers, stats)
        if args.save:
            args.save.write_text(json.dumps(new), encoding="utf-8")
        if args.check:
            ref = json.loads(args.check.read_text(encoding="utf-8"))
            summary["equality"] = compare(ref, new)
            try:
                from paperpath.text.keyterms import key_terms_many
            except ImportError:
                pass
            else:
                many = {"key_terms_stats": key_terms_many([f"{t}. {a}" for t, a in papers], K,
                                                          stats)}
                summary["equality"]["key_terms_many_stats_differences"] = sum(
                    a != b for a, b in zip(ref["key_terms_stats"], many["key_terms_stats"],
                                           strict=True))
    if not args.no_speed:
        summary["speed"] = speed(papers, stats, args.passes)
    summary["load_avg_after"] = os.getloadavg()
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
