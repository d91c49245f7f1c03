"""Reading-guide speed: precomputing the whole library, and one guide on demand.

    python bench/guide.py                       # the shared 75k corpus in bench/out/lib-75k.db

1. Corpus statistics: time to build them over the library (reported, not part of the rate).
2. Precompute: drops every stored analysis, then times `Library.analyze()` (key terms, TLDR,
   facets, difficulty, mined definitions for every paper) — papers/s. Target >= 1,000/s.
3. One guide: `Library.guide(id)` for 200 random papers, 3 runs each (median per paper), both
   from the stored analysis and cold (analysis computed on the fly) — p50/p95 ms.
   Target p95 < 50 ms.
Prints JSON (and writes it to --out), with the load average before and after: this machine is
shared, and other jobs slow the precompute down (``--skip-guides`` times the precompute only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from common import CORPUS, OUT, machine, percentile
from sqlalchemy import delete, select

from paperpath import Library
from paperpath.guide.precompute import default_workers
from paperpath.guide.service import build_stats
from paperpath.store.db import write_tx
from paperpath.store.schema import mined_definitions, paper_analysis, papers


def _time_guides(lib: Library, ids: list[str], repeat: int) -> list[float]:
    per_paper = []
    for pid in ids:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            lib.guide(pid)
            times.append((time.perf_counter() - t0) * 1000)
        per_paper.append(statistics.median(times))
    return per_paper


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--db", type=Path, default=OUT / "lib-75k.db")
    ap.add_argument("--workers", type=int, default=0, help="0 = one per core")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-precompute", action="store_true")
    ap.add_argument("--skip-guides", action="store_true", help="time the precompute only")
    ap.add_argument("--reuse-stats", action="store_true",
                    help="keep the library's corpus statistics when present (no rebuild)")
    ap.add_argument("--out", type=Path, default=OUT / "guide-75k.json")
    args = ap.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    lib = Library(args.db)
    if len(lib) == 0:
        print(f"building {args.db} from {args.corpus} ...", file=sys.stderr)
        lib.ingest_snapshot(args.corpus)
    n = len(lib)
    result: dict[str, object] = {"benchmark": "guide", "library": str(args.db), "papers": n,
                                 "machine": machine(), "load_avg_before": os.getloadavg()}
    if not (args.reuse_stats and lib.guides.stats_path.exists()):
        t0 = time.perf_counter()
        build_stats(lib.engine, lib.guides.stats_path)
        result["stats_build_s"] = round(time.perf_counter() - t0, 2)
    if not args.skip_precompute:
        with write_tx(lib.engine) as conn:
            conn.execute(delete(mined_definitions))
            conn.execute(delete(paper_analysis))
        cpu, workers_cpu = time.process_time(), _children_cpu()
        report = lib.analyze(workers=args.workers or None)
        main_cpu = time.process_time() - cpu
        workers_cpu = _children_cpu() - workers_cpu  # the pool's processes, once joined
        total_cpu = main_cpu + workers_cpu
        result.update(precompute_papers=report.analyzed, precompute_s=round(report.seconds, 2),
                      precompute_papers_per_s=round(report.rate, 1),
                      precompute_workers=args.workers or default_workers(),
                      precompute_main_cpu_s=round(main_cpu, 2),
                      precompute_workers_cpu_s=round(workers_cpu, 2),
                      # What the run would reach with every core to itself: CPU seconds
                      # spread over the cores (other jobs on a shared machine stretch the
                      # wall-clock time, and somewhat the CPU time too).
                      precompute_cpu_ms_per_paper=round(
                          1000 * total_cpu / max(report.analyzed, 1), 3),
                      precompute_cpu_bound_papers_per_s=round(
                          report.analyzed / total_cpu * min(os.cpu_count() or 1,
                                                            args.workers or default_workers())
                          if total_cpu else 0.0, 1),
                      definitions_mined=report.definitions, errors=report.errors)
    if not args.skip_guides:
        _guides(lib, args, result)
    result["load_avg_after"] = os.getloadavg()
    text = json.dumps(result, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _guides(lib: Library, args: argparse.Namespace, result: dict[str, object]) -> None:
    with lib.engine.connect() as conn:
        keys = list(conn.execute(select(papers.c.key)).scalars())
    ids = random.Random(7).sample(keys, min(args.sample, len(keys)))
    lib.guide(ids[0])  # load models and statistics once
    stored = _time_guides(lib, ids, args.repeat)
    with write_tx(lib.engine) as conn:  # cold: the same papers without stored analyses
        pks = select(papers.c.pk).where(papers.c.key.in_(ids))
        conn.execute(delete(paper_analysis).where(paper_analysis.c.paper_pk.in_(pks)))
    cold = _time_guides(lib, ids, args.repeat)
    result.update(
        guide_stored_p50_ms=round(percentile(stored, 0.5), 2),
        guide_stored_p95_ms=round(percentile(stored, 0.95), 2),
        guide_cold_p50_ms=round(percentile(cold, 0.5), 2),
        guide_cold_p95_ms=round(percentile(cold, 0.95), 2),
        guide_cold_max_ms=round(max(cold), 2),
    )


if __name__ == "__main__":
    raise SystemExit(main())
