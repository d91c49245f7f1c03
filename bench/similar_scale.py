"""Related work at scale: embedding throughput, index build, `similar` and hybrid search
latency, and recall of the HNSW index against exact search.

    python bench/make_corpus.py --records 1000000 --vary --out bench/out/arxiv-1m-varied.jsonl.gz
    python bench/similar_scale.py --corpus bench/out/arxiv-1m-varied.jsonl.gz \\
        --db bench/out/lib-1m-varied.db --out bench/out/similar-1m.json
    python bench/similar_scale.py                      # the 75k shared corpus (exact search)

Steps: ingest --corpus into --db if empty; `Library.embed()` (papers/s of the default static
embedder, timed on whatever is not embedded yet); the vector index and, above 100k papers, its
HNSW graph (build time, peak RSS of the process); then for --sample random papers
`Library.similar(id)` and `similar(id, facet="method")` (median of --repeat runs each, after a
warm-up pass), `Library.hybrid_search` over the search benchmark's queries, and recall@20 of
the index's answer for each sampled paper's vector against exact (brute-force) search.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from common import CORPUS, OUT, PeakMemory, machine, percentile
from queries import query_set

from paperpath import Library

FIRST: dict[str, list[float]] = {}  # the first (page-cache cold) call of each, per measure


def _timed(fn, repeat: int, name: str) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    FIRST.setdefault(name, []).append(times[0])
    return statistics.median(times)


def _summary(ms: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(ms), 2), "p95": round(percentile(ms, 0.95), 2),
            "max": round(max(ms), 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--db", type=Path, default=OUT / "lib-75k.db")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    lib = Library(args.db)
    if len(lib) == 0:
        print(f"building {args.db} from {args.corpus} ...", file=sys.stderr)
        lib.ingest_snapshot(args.corpus)
    n = len(lib)
    result: dict[str, object] = {"papers": n, "machine": machine()}
    service = lib.related()

    def tick(done: int, total: int) -> None:
        print(f"\rembedding {done:,}/{total:,}", end="", file=sys.stderr)

    with PeakMemory(os.getpid()) as mem:
        report = lib.embed(progress=tick)
        print(file=sys.stderr)
        index = service.index
        t0 = time.perf_counter()
        exact = index.n < index.ann_threshold
        if not exact:
            index.ann("doc")
        build_s = time.perf_counter() - t0
    result["embed"] = {"model": report.model, "embedded": report.embedded,
                       "seconds": round(report.seconds, 1), "papers_per_s": round(report.rate)}
    result["index"] = {"vectors": index.n, "dim": index.dim,
                       "kind": "exact" if exact else "hnsw (usearch, f16)",
                       "graph_build_s": round(build_s, 1),
                       "peak_rss_mib_embed_and_build": mem.peak_mib}
    rng = random.Random(0)
    rows = sorted(rng.sample(range(index.n), min(args.sample, index.n)))
    pks = [int(index.pks[r]) for r in rows]
    ids = {p.pk: p.id for p in (lib.get_pk(pk) for pk in pks) if p is not None}
    sample = [ids[pk] for pk in pks if pk in ids]
    for pid in sample[:20]:  # warm-up: page cache, models, statistics
        lib.similar(pid)
    result["similar_ms"] = _summary([_timed(lambda p=pid: lib.similar(p), args.repeat, "similar")
                                     for pid in sample])
    result["similar_method_ms"] = _summary(
        [_timed(lambda p=pid: lib.similar(p, facet="method"), args.repeat,
                       "similar_method") for pid in sample])
    queries = query_set(CORPUS)
    for q, f in queries[:20]:
        lib.hybrid_search(q, **f)
    result["hybrid_search_ms"] = _summary(
        [_timed(lambda q=q, f=f: lib.hybrid_search(q, limit=20, **f), args.repeat,
                       "hybrid")
         for q, f in queries])
    # Recall@20 of the index against brute force, for the sampled papers' own vectors.
    matrix = index.matrix("doc")
    recalls = []
    for r in rows:
        q = matrix[r]
        got = set(index.search(q, "doc", 20).pks.tolist())
        scores = matrix @ q
        top = np.argpartition(-scores, 20)[:20]
        truth = set(index.pks[top].tolist())
        recalls.append(len(got & truth) / 20)
    result["recall_at_20"] = round(float(np.mean(recalls)), 4)
    result["first_call_ms"] = {k: _summary(v) for k, v in FIRST.items()}
    text = json.dumps(result, indent=2)
    print(text)
    (args.out or OUT / f"similar-{args.db.stem}.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
