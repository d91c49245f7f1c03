"""Search latency benchmark: p50/p95 over 200 realistic queries (see queries.py).

    python bench/search.py                                   # library of the shared corpus
    python bench/search.py --corpus bench/out/arxiv-1m.jsonl.gz --db bench/out/lib-1m.db

Builds the library from --corpus into --db if it is empty, warms up with one pass, then times
each query 3 times through the public API (`Library.search`, top 20 with snippets) and reports
the median per query, then p50/p95 across queries. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from common import CORPUS, OUT, machine, percentile
from queries import query_set

from paperpath import Library


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--db", type=Path, default=OUT / "lib-75k.db")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    lib = Library(args.db)
    if len(lib) == 0:
        print(f"building {args.db} from {args.corpus} ...", file=sys.stderr)
        lib.ingest_snapshot(args.corpus)
    queries = query_set(args.corpus)
    for q, f in queries:  # warm-up: page cache and index catch-up
        lib.search(q, limit=20, **f)
    per_query: list[float] = []
    slowest: list[tuple[float, str]] = []
    hits_total = 0
    for q, f in queries:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            hits = lib.search(q, limit=20, **f)
            times.append((time.perf_counter() - t0) * 1000)
        ms = statistics.median(times)
        per_query.append(ms)
        slowest.append((ms, f"{q} {f or ''}".strip()))
        hits_total += len(hits)
    slowest.sort(reverse=True)
    result = {
        "benchmark": "search", "library": str(args.db), "papers": len(lib),
        "queries": len(queries), "machine": machine(),
        "p50_ms": round(percentile(per_query, 0.5), 2),
        "p95_ms": round(percentile(per_query, 0.95), 2),
        "max_ms": round(max(per_query), 2),
        "mean_hits": round(hits_total / len(queries), 1),
        "slowest": [{"ms": round(ms, 1), "query": q} for ms, q in slowest[:5]],
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
