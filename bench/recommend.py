"""Recommendations (`Library.recommend`) against an arxiv-sanity-lite-style SVM, offline.

    python bench/recommend.py --corpus ../shared/data/arxiv/arxiv-cs-2025-2026.jsonl.gz \\
        --readers 300 --out bench/out/recommend.json [--model static] [--seed 0] [--sample 0]

Protocol (a time split over the shared arXiv corpus, 74,728 cs papers, 2025-03..2026-07):
- Readers are authors (names as written; the *benchmark* uses them to define readers, the
  recommender never sees a name): at least ``--min-before`` (3) papers updated before the
  split date (``--split``, 2026-01-01) and ``--min-after`` (2) on or after it. Names of one
  word, and names on more than ``--max-papers`` (30) papers (usually several people sharing a
  name, e.g. "Yang Liu" on 289), are left out as too ambiguous.
- Liked = the reader's ``--liked`` (10) most recent papers before the split; targets = all
  their papers on or after it. Candidates = every paper on or after the split (~34k), passed
  as ``candidates=``; liked papers are never among them.
- Readers are shuffled once with ``--seed``; ``--sample k`` takes the k-th block of
  ``--readers`` readers, so samples 0 and 1 are disjoint (sample 0 was used for tuning).
- Metrics per reader: recall@100 (targets found in the top 100 / targets) and nDCG@100
  (binary relevance, log2 discount, ideal = min(|targets|, 100) hits at the top); means with
  a 95% bootstrap interval over readers (2,000 resamples), and the paired bootstrap interval
  of the nDCG ratio to the baseline.
- Baseline, as arxiv-sanity-lite (compute.py, serve.py `svm_rank`): scikit-learn TF-IDF over
  title + abstract of every paper (1-2-grams, 20,000 features, English stop words, its
  token pattern, min_df 5, max_df 0.5, sublinear tf, smooth idf, l2; float32 — unlike
  arxiv-sanity-lite, author names are not part of the text), then per reader a LinearSVC
  (C=0.01, balanced classes, tol 1e-6, max_iter 10,000) fitted on every paper of the library
  with the liked papers positive and all the rest negative (``--baseline-negatives before``:
  only the papers before the split are negatives), scoring the candidates.
- Time per request: `Library.recommend` wall time after one warm-up call (which builds the
  caches); baseline: SVM fit + scoring of the candidates (the TF-IDF matrix is shared).
The library is built once under bench/out/ (``--db``): copied from bench/out/lib-75k.db
(with its analyses) when that exists, else ingested and analysed; then embedded.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from common import CORPUS, OUT, machine, percentile

from paperpath import Library

K = 100


@dataclass
class Reader:
    name: str
    liked: list[str]
    targets: list[str]


def read_corpus(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def author_names(field: str) -> list[str]:
    names = (a.strip() for a in re.split(r",|\band\b", field or ""))
    return list(dict.fromkeys(n for n in names if n))


def make_readers(rows: list[dict[str, Any]], split: str, *, min_before: int = 3,
                 min_after: int = 2, liked: int = 10, max_papers: int = 30) -> list[Reader]:
    """Every eligible reader, in name order (the caller shuffles)."""
    papers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        for name in author_names(r["authors"]):
            papers[name].append((r["update_date"], r["id"]))
    out = []
    for name in sorted(papers):
        mine = sorted(set(papers[name]))
        before = [pid for d, pid in mine if d < split]
        after = [pid for d, pid in mine if d >= split]
        if len(name.split()) < 2 or len(mine) > max_papers:
            continue
        if len(before) >= min_before and len(after) >= min_after:
            out.append(Reader(name, before[-liked:], after))
    return out


def sample_readers(readers: list[Reader], n: int, seed: int, sample: int) -> list[Reader]:
    order = list(range(len(readers)))
    random.Random(seed).shuffle(order)
    return [readers[i] for i in order[sample * n:(sample + 1) * n]]


def ndcg_recall(ranked: list[str], targets: set[str], k: int = K) -> tuple[float, float]:
    gains = [1.0 / np.log2(i + 2) for i, pid in enumerate(ranked[:k]) if pid in targets]
    ideal = sum(1.0 / np.log2(i + 2) for i in range(min(len(targets), k)))
    hits = sum(1 for pid in ranked[:k] if pid in targets)
    return float(sum(gains) / ideal), hits / len(targets)


def bootstrap(values: list[float], other: list[float] | None = None, n: int = 2000,
              seed: int = 0) -> tuple[float, float]:
    """95% interval of the mean (or of mean(values) / mean(other), paired by reader)."""
    rng = np.random.default_rng(seed)
    a = np.asarray(values)
    b = np.asarray(other) if other is not None else None
    idx = rng.integers(0, len(a), size=(n, len(a)))
    stat = a[idx].mean(axis=1)
    if b is not None:
        stat = stat / np.maximum(b[idx].mean(axis=1), 1e-12)
    lo, hi = np.percentile(stat, [2.5, 97.5])
    return round(float(lo), 4), round(float(hi), 4)


def ensure_library(db: Path, corpus: Path, model: str) -> Library:
    """The benchmark library: reused if present, else copied from lib-75k.db or built."""
    source = OUT / "lib-75k.db"
    if not db.exists() and source.exists() and corpus.resolve() == CORPUS.resolve():
        print(f"copying {source} -> {db}", file=sys.stderr)
        shutil.copyfile(source, db)
        stats = source.with_name(source.name + "-keyterms-stats")
        if stats.exists():
            shutil.copyfile(stats, db.with_name(db.name + "-keyterms-stats"))
    lib = Library(db)
    if not len(lib):
        print("ingesting ...", file=sys.stderr)
        lib.ingest_snapshot(corpus)
    report = lib.analyze()
    if report.analyzed:
        print(f"analysed {report.analyzed} papers", file=sys.stderr)
    t0 = time.perf_counter()
    emb = lib.embed(model=model)
    if emb.embedded:
        print(f"embedded {emb.embedded} papers in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    return lib


class Baseline:
    """arxiv-sanity-lite: TF-IDF features and a per-reader linear SVM."""

    def __init__(self, rows: list[dict[str, Any]], candidates: list[str], split: str,
                 negatives: str = "all") -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            input="content", encoding="utf-8", decode_error="replace",
            strip_accents="unicode", lowercase=True, analyzer="word", stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
            max_features=20_000, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True,
            max_df=0.5, min_df=5)
        texts = [" ".join([r["title"], r["abstract"]]) for r in rows]
        self.x = self.vectorizer.fit_transform(texts).astype(np.float32).tocsr()
        self.row = {r["id"]: i for i, r in enumerate(rows)}
        self.ids = [r["id"] for r in rows]
        self.cand = np.array([self.row[c] for c in candidates])
        train = np.arange(len(rows)) if negatives == "all" else \
            np.array([i for i, r in enumerate(rows) if r["update_date"] < split])
        self.train = train

    def rank(self, liked: list[str], k: int = K) -> list[str]:
        from sklearn import svm

        y = np.zeros(len(self.ids), dtype=np.float32)
        y[[self.row[p] for p in liked]] = 1.0
        clf = svm.LinearSVC(class_weight="balanced", verbose=False, max_iter=10_000, tol=1e-6,
                            C=0.01)
        clf.fit(self.x[self.train], y[self.train])
        s = clf.decision_function(self.x[self.cand])
        top = np.argsort(-s, kind="stable")[:k]
        return [self.ids[self.cand[i]] for i in top]


def summarize(name: str, ndcg: list[float], recall: list[float], ms: list[float]
              ) -> dict[str, Any]:
    return {"method": name, "recall@100": round(statistics.fmean(recall), 4),
            "recall@100_ci95": bootstrap(recall), "ndcg@100": round(statistics.fmean(ndcg), 4),
            "ndcg@100_ci95": bootstrap(ndcg),
            "ms_median": round(statistics.median(ms), 2), "ms_p95": round(percentile(ms, 0.95), 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--readers", type=int, default=300)
    ap.add_argument("--out", type=Path, default=OUT / "recommend.json")
    ap.add_argument("--model", default="static")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sample", type=int, default=0, help="which disjoint block of readers")
    ap.add_argument("--split", default="2026-01-01")
    ap.add_argument("--liked", type=int, default=10)
    ap.add_argument("--min-before", type=int, default=3)
    ap.add_argument("--min-after", type=int, default=2)
    ap.add_argument("--max-papers", type=int, default=30)
    ap.add_argument("--baseline-negatives", choices=("all", "before"), default="all")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus}: corpus not found", file=sys.stderr)
        return 2
    rows = read_corpus(args.corpus)
    readers = make_readers(rows, args.split, min_before=args.min_before,
                           min_after=args.min_after, liked=args.liked,
                           max_papers=args.max_papers)
    chosen = sample_readers(readers, args.readers, args.seed, args.sample)
    candidates = [r["id"] for r in rows if r["update_date"] >= args.split]
    print(f"{len(readers)} eligible readers, {len(chosen)} sampled; {len(candidates)} "
          f"candidates", file=sys.stderr)
    slug = "".join(c if c.isalnum() else "-" for c in args.model).strip("-")
    db = args.db or OUT / ("recommend-75k.db" if slug == "static" else f"recommend-75k-{slug}.db")
    db.parent.mkdir(parents=True, exist_ok=True)
    lib = ensure_library(db, args.corpus, args.model)

    t0 = time.perf_counter()
    lib.recommend(chosen[0].liked, candidates=candidates, limit=K, model=args.model)
    warm_s = time.perf_counter() - t0
    ours: dict[str, list[float]] = {"ndcg": [], "recall": [], "ms": []}
    per_reader: list[dict[str, Any]] = []
    for i, reader in enumerate(chosen):
        t0 = time.perf_counter()
        got = lib.recommend(reader.liked, candidates=candidates, limit=K, model=args.model)
        ours["ms"].append((time.perf_counter() - t0) * 1000)
        nd, rc = ndcg_recall([pid for pid, _, _ in got], set(reader.targets))
        ours["ndcg"].append(nd)
        ours["recall"].append(rc)
        per_reader.append({"reader": i, "liked": len(reader.liked),
                           "targets": len(reader.targets), "ours_ndcg": round(nd, 4)})
    table = [summarize(f"paperpath ({args.model})", ours["ndcg"], ours["recall"], ours["ms"])]

    base: dict[str, list[float]] = {"ndcg": [], "recall": [], "ms": []}
    if not args.skip_baseline:
        t0 = time.perf_counter()
        baseline = Baseline(rows, candidates, args.split, args.baseline_negatives)
        tfidf_s = time.perf_counter() - t0
        for i, reader in enumerate(chosen):
            t0 = time.perf_counter()
            ranked = baseline.rank(reader.liked)
            base["ms"].append((time.perf_counter() - t0) * 1000)
            nd, rc = ndcg_recall(ranked, set(reader.targets))
            base["ndcg"].append(nd)
            base["recall"].append(rc)
            per_reader[i]["baseline_ndcg"] = round(nd, 4)
            if (i + 1) % 50 == 0:
                print(f"baseline {i + 1}/{len(chosen)}", file=sys.stderr)
        table.append(summarize("arxiv-sanity-lite SVM", base["ndcg"], base["recall"],
                               base["ms"]))
    result: dict[str, Any] = {
        "protocol": {"split": args.split, "liked": args.liked, "min_before": args.min_before,
                     "min_after": args.min_after, "max_papers": args.max_papers,
                     "seed": args.seed, "sample": args.sample,
                     "baseline_negatives": args.baseline_negatives},
        "readers_eligible": len(readers), "readers": len(chosen),
        "candidates": len(candidates), "papers": len(lib), "model": args.model,
        "first_call_s": round(warm_s, 2), "table": table}
    print(f"\n{'method':32} {'recall@100':>10} {'nDCG@100':>9} {'ms p50':>9} {'ms p95':>9}")
    for row in table:
        print(f"{row['method']:32} {row['recall@100']:>10.4f} {row['ndcg@100']:>9.4f} "
              f"{row['ms_median']:>9.2f} {row['ms_p95']:>9.2f}")
    if base["ndcg"]:
        ratio = statistics.fmean(ours["ndcg"]) / max(statistics.fmean(base["ndcg"]), 1e-12)
        rec_ratio = statistics.fmean(ours["recall"]) / max(statistics.fmean(base["recall"]),
                                                           1e-12)
        speed = statistics.median(base["ms"]) / statistics.median(ours["ms"])
        result["ratios"] = {"ndcg": round(ratio, 3),
                            "ndcg_ci95": bootstrap(ours["ndcg"], base["ndcg"]),
                            "recall": round(rec_ratio, 3), "speedup_median": round(speed, 1),
                            "tfidf_fit_s": round(tfidf_s, 1)}
        print(f"\nnDCG@100 ratio {ratio:.3f} (95% CI {result['ratios']['ndcg_ci95']}; target "
              f">= 1.5), recall@100 ratio {rec_ratio:.3f}, speed-up x{speed:.0f} "
              f"(target >= 100)")
    result["per_reader"] = per_reader
    result["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
