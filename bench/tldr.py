"""One-line summary (TLDR) quality and speed on SciTLDR-A (dev split by default).

    python bench/tldr.py                         # dev split, markdown table + JSON
    python bench/tldr.py --out bench/out/tldr.json

Protocol (SciTLDR, Cachola et al. 2020): ROUGE-1/2/L F with the ``rouge-score`` package,
stemming on. A paper has one or more gold TLDRs; for each paper the gold with the highest
ROUGE-1 F against the output is its target, and R1, R2 and RL are all taken against that same
target, then averaged over papers. Rows: ``paperpath.tldr`` (fed the title and the abstract,
its sentences joined by spaces), the lead-1 baseline (the first source sentence) and the
extractive oracle (the single source sentence whose best-matching gold scores the highest
ROUGE-1 F). Timing: per-abstract latency of ``tldr`` after one warm-up pass (the model load is
reported separately), median of ``--repeat`` timings per paper.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from common import SHARED, machine, percentile
from rouge_score import rouge_scorer

_SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)


def best_match(output: str, targets: list[str]) -> tuple[float, float, float]:
    """R1, R2, RL F (x100) of ``output`` against the target with the best ROUGE-1 F."""
    scores = [_SCORER.score(t, output) for t in targets]
    best = max(scores, key=lambda s: s["rouge1"].fmeasure)
    return tuple(100 * best[k].fmeasure for k in ("rouge1", "rouge2", "rougeL"))  # type: ignore[return-value]


def mean3(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    return {k: round(statistics.fmean(r[i] for r in rows), 2)
            for i, k in enumerate(("rouge1", "rouge2", "rougeL"))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", help="SciTLDR split file name (dev, train)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--show", type=int, default=0, help="print this many example outputs")
    args = ap.parse_args()
    path = SHARED / "data" / "scitldr" / f"{args.split}.jsonl"
    if not path.exists():
        print(f"SciTLDR split not found at {path}", file=sys.stderr)
        return 1
    papers = [json.loads(line) for line in path.open(encoding="utf-8")]

    t0 = time.perf_counter()
    from paperpath.text.tldr import _weights, tldr
    import_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    _weights()
    load_ms = (time.perf_counter() - t0) * 1000

    inputs = [(p["title"], " ".join(p["source"])) for p in papers]
    outputs = [tldr(title, abstract) for title, abstract in inputs]  # warm-up pass
    per_paper_us: list[float] = []
    for title, abstract in inputs:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            tldr(title, abstract)
            times.append((time.perf_counter() - t) * 1e6)
        per_paper_us.append(statistics.median(times))
    t = time.perf_counter()
    for title, abstract in inputs:
        tldr(title, abstract)
    throughput = len(inputs) / (time.perf_counter() - t)

    ours = [best_match(o, p["target"]) for o, p in zip(outputs, papers, strict=True)]
    lead = [best_match(p["source"][0], p["target"]) for p in papers]
    oracle = [max((best_match(s, p["target"]) for s in p["source"]), key=lambda r: r[0])
              for p in papers]
    rows = {"paperpath.tldr": mean3(ours), "lead-1": mean3(lead), "oracle sentence": mean3(oracle)}
    words = [len(o.split()) for o in outputs]
    result = {
        "benchmark": "tldr", "data": f"SciTLDR-A {args.split}", "papers": len(papers),
        "golds_per_paper": round(statistics.fmean(len(p["target"]) for p in papers), 2),
        "protocol": "rouge-score F, stemmed; best-R1 gold per paper; mean over papers",
        "scores": rows,
        "output_words": {"mean": round(statistics.fmean(words), 1),
                         "median": statistics.median(words)},
        "empty_outputs": sum(not o for o in outputs),
        "speed": {"import_ms": round(import_ms, 1), "model_load_ms": round(load_ms, 1),
                  "median_us": round(percentile(per_paper_us, 0.5), 1),
                  "p95_us": round(percentile(per_paper_us, 0.95), 1),
                  "max_us": round(max(per_paper_us), 1),
                  "papers_per_s_one_core": round(throughput)},
        "machine": machine(),
    }
    print(f"\nSciTLDR-A {args.split}: {len(papers)} papers, "
          f"{result['golds_per_paper']} gold TLDRs each on average\n")
    print("| system | ROUGE-1 | ROUGE-2 | ROUGE-L |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['rouge1']:.2f} | {r['rouge2']:.2f} | {r['rougeL']:.2f} |")
    s = result["speed"]
    print(f"\ntldr(): median {s['median_us']} µs, p95 {s['p95_us']} µs per abstract, "
          f"{s['papers_per_s_one_core']} papers/s on one core; "
          f"model load {s['model_load_ms']} ms\n")
    for o, p in list(zip(outputs, papers, strict=True))[: args.show]:
        print(f"- {p['title']}\n  -> {o}")
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
