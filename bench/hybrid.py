"""Hybrid search vs keyword-only vs vector-only, on a known-item query set.

    python bench/hybrid.py                               # default static embedder
    python bench/hybrid.py --model all-MiniLM-L6-v2

Query set: SciTLDR-A (../shared/data/scitldr): a library of its 2,610 train + dev papers
(title + abstract); each dev paper's first human TLDR (written by its authors, in their own
words) is a query whose one right answer is that paper. 619 queries. Reports MRR@20 and
Recall@1/5/20 for `Library.search` (BM25), vector search alone (the query embedded, nearest
papers) and `Library.hybrid_search` (both fused by RRF), hybrid's MRR@20 minus each of the
others with a 95% paired bootstrap interval over queries, and the latency of hybrid search.
The fusion constants were chosen on the train papers' TLDRs, never on these dev queries.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from common import OUT, SHARED, machine, percentile

from paperpath import Library
from paperpath.records import PaperRecord
from paperpath.related.hybrid import vector_ranking
from paperpath.search.filters import make_filters

DATA = SHARED / "data" / "scitldr"


def load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    def read(name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (DATA / name).open(encoding="utf-8")]
    return read("train.jsonl"), read("dev.jsonl")


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {"MRR@20": round(sum(1 / r for r in ranks if r and r <= 20) / n, 4),
            **{f"R@{k}": round(sum(1 for r in ranks if r and r <= k) / n, 4) for k in (1, 5, 20)}}


def paired_ci(a: list[int | None], b: list[int | None], samples: int = 2000,
              seed: int = 0) -> dict[str, float]:
    """MRR@20 of a minus that of b, with a 95% paired bootstrap interval over queries."""
    rr = [((1 / x if x and x <= 20 else 0.0) - (1 / y if y and y <= 20 else 0.0))
          for x, y in zip(a, b, strict=True)]
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(rr, k=len(rr))) / len(rr) for _ in range(samples))
    return {"MRR@20": round(sum(rr) / len(rr), 4),
            "ci95": [round(means[int(0.025 * samples)], 4),
                     round(means[int(0.975 * samples)], 4)]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="static")
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"{DATA}: SciTLDR not found (set PAPERPATH_SHARED)", file=sys.stderr)
        return 2
    train, dev = load()
    slug = "".join(c if c.isalnum() else "-" for c in args.model).strip("-")
    db = args.db or OUT / f"hybrid-scitldr-{slug}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    lib = Library(db)
    if len(lib) < len(train) + len(dev):
        lib.add_records([PaperRecord(title=p["title"] or "untitled",
                                     abstract=" ".join(p["source"]),
                                     doi=f"10.0000/scitldr.{p['paper_id']}",
                                     authors=[f"scitldr {p['paper_id']}"], source="scitldr")
                         for p in [*train, *dev]])
    lib.analyze(workers=1)
    lib.embed(model=args.model)
    service = lib.related(args.model)
    want = {p["paper_id"]: p["target"][0] for p in dev if p.get("target")}
    # DOIs are stored lower-cased.
    pk_of = {p.doi.removeprefix("10.0000/scitldr."): p.pk for p in lib.papers() if p.doi}
    ranks: dict[str, list[int | None]] = {"keyword": [], "vector": [], "hybrid": []}
    times: list[float] = []
    none = make_filters()
    for pid, query in want.items():
        target = pk_of[pid.lower()]
        kw = [h.paper.pk for h in lib.search(query, limit=20)]
        with lib.engine.connect() as conn:
            vec = vector_ranking(conn, service.index, service.embedder.embed([query])[0],
                                 none, depth=20)
        t0 = time.perf_counter()
        hy = [h.paper.pk for h in lib.hybrid_search(query, limit=20, model=args.model)]
        times.append((time.perf_counter() - t0) * 1000)
        for name, got in (("keyword", kw), ("vector", vec), ("hybrid", hy)):
            ranks[name].append(got.index(target) + 1 if target in got else None)
    result = {"queries": len(want), "papers": len(lib), "model": service.embedder.name,
              **{name: scores(r) for name, r in ranks.items()},
              "hybrid_minus": {other: paired_ci(ranks["hybrid"], ranks[other])
                               for other in ("keyword", "vector")},
              "hybrid_ms": {"p50": round(statistics.median(times), 1),
                            "p95": round(percentile(times, 0.95), 1)},
              "machine": machine()}
    text = json.dumps(result, indent=2)
    print(text)
    (args.out or OUT / f"hybrid-{slug}.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
