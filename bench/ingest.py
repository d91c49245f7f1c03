"""Ingest benchmark: records/s end to end (file → searchable library) and peak memory.

    python bench/ingest.py                      # the shared 74,728-paper corpus, 3 runs
    python bench/ingest.py --corpus bench/out/arxiv-1m.jsonl.gz --runs 3

Each run is `paperpath ingest FILE --json` in a fresh process into a fresh library; the time
includes start-up and waiting for the full-text index to catch up. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CORPUS, OUT, PeakMemory, machine


def one_run(corpus: Path, workdir: Path) -> dict[str, float]:
    db = workdir / "lib.db"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "paperpath.cli.app", "ingest", str(corpus),
                             "--db", str(db), "--json"], stdout=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as mem:
        out, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed with exit code {proc.returncode}")
    report = json.loads(out)
    records = report["inserted"] + report["updated"] + report["unchanged"]
    size = sum(f.stat().st_size for f in workdir.rglob("*") if f.is_file())
    return {"records": records, "seconds": round(seconds, 2),
            "records_per_second": round(records / seconds), "peak_rss_mib": mem.peak_mib,
            "library_mib": round(size / 2**20, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = ap.parse_args()
    runs = []
    for i in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="pp-bench-", dir=OUT if OUT.exists() else None))
        try:
            runs.append(one_run(args.corpus, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"run {i + 1}: {runs[-1]}", file=sys.stderr)
    result = {
        "benchmark": "ingest", "corpus": str(args.corpus), "machine": machine(),
        "runs": runs,
        "median_records_per_second": statistics.median(r["records_per_second"] for r in runs),
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "max_peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
