"""Key-term extraction quality and speed on Inspec and SemEval-2017.

    python bench/keyphrase.py                          # both datasets, markdown + JSON
    python bench/keyphrase.py --dataset inspec --out bench/out/keyphrase.json
    python bench/keyphrase.py --no-oof                 # skip the out-of-fold retraining

Protocol (pke / PromptRank style): predicted and gold phrases are lower-cased, split into
words (runs of letters/digits), each stemmed with NLTK's PorterStemmer and re-joined; a
prediction is correct when it equals a gold phrase exactly. Gold is ALL of a document's
keyphrases (Inspec: uncontrolled + controlled, so ~40% of Inspec gold never occurs in the
text), de-duplicated after stemming; predictions are de-duplicated too and cut at k. Per
document P = hits / predictions, R = hits / gold; F1@k is reported macro (mean of per-document
F1) and micro (from hits, predictions and gold pooled over documents).

Corpus statistics: a `CorpusStats` over the dataset's own documents (titles + abstracts for
Inspec, paragraphs for SemEval), plus the background table shipped with paperpath.

Rows:
- ``shipped``: `key_terms` with the shipped ranker. The ranker was trained on these two
  datasets, so this row is in-sample: a reference, not a result.
- ``out-of-fold``: the honest figure for the shipped recipe. Documents are split in two halves
  (fixed seed); each half is ranked by a ranker trained, with the same script and settings, on
  the other half plus the whole other dataset (the two weighted equally). The few settings of
  the training script were chosen on these figures, so they are slightly optimistic.
- ``cross-dataset``: a ranker trained on the other dataset only (a held-out dataset).
- ``tf-idf``: a reference baseline on the same candidates (whole noun phrases ranked by the
  sum of their words' tf x idf), no training.
Timing: `key_terms` per document (median and p95 of ``--repeat`` timings after a warm-up).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, SHARED, machine, percentile
from nltk.stem import PorterStemmer

DATASETS = ("inspec", "semeval2017")
PUBLISHED = {  # F1@10, from the shared README
    "inspec": "TF-IDF 34.94 (macro, pke, uncontrolled gold, test split); PromptRank 37.88 (micro)",
    "semeval2017": "PromptRank 37.76 (micro)",
}
_WORD = re.compile(r"\w+")
_PORTER = PorterStemmer()


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _PORTER.stem(word)


def normalize(phrase: str) -> str:
    """The protocol's form of a phrase: lower case, words Porter-stemmed, single spaces."""
    return " ".join(_stem(w) for w in _WORD.findall(phrase.lower()))


def load_dataset(name: str) -> list[dict[str, Any]]:
    path = SHARED / "data" / "keyphrase" / f"{name}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"keyphrase dataset not found at {path}")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def gold_set(doc: dict[str, Any], present_only: bool = False) -> set[str]:
    gold = {n for n in (normalize(k) for k in doc["keyphrases"]) if n}
    if present_only:  # the gold phrases that occur in the text (stemmed, word-aligned)
        text = f" {normalize(doc['text'])} "
        gold = {g for g in gold if f" {g} " in text}
    return gold


def evaluate(predictions: Sequence[Sequence[str]], docs: Sequence[dict[str, Any]],
             k: int, present_only: bool = False) -> dict[str, float]:
    """Macro and micro P/R/F1 at ``k`` (x100); documents without gold count as F1 = 0."""
    hits_total = pred_total = gold_total = 0
    f1s: list[float] = []
    for pred, doc in zip(predictions, docs, strict=True):
        seen: list[str] = []
        for phrase in pred:
            n = normalize(phrase)
            if n and n not in seen:
                seen.append(n)
            if len(seen) == k:
                break
        gold = gold_set(doc, present_only)
        hits = sum(1 for n in seen if n in gold)
        hits_total += hits
        pred_total += len(seen)
        gold_total += len(gold)
        p = hits / len(seen) if seen else 0.0
        r = hits / len(gold) if gold else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    p = hits_total / pred_total if pred_total else 0.0
    r = hits_total / gold_total if gold_total else 0.0
    micro = 2 * p * r / (p + r) if p + r else 0.0
    return {"macro_f1": round(100 * statistics.fmean(f1s), 2), "micro_f1": round(100 * micro, 2),
            "micro_p": round(100 * p, 2), "micro_r": round(100 * r, 2)}


def scores(predictions: Sequence[Sequence[str]], docs: Sequence[dict[str, Any]],
           ) -> dict[str, dict[str, float]]:
    out = {f"@{k}": evaluate(predictions, docs, k) for k in (5, 10)}
    out["@10 present gold"] = evaluate(predictions, docs, 10, present_only=True)
    return out


def rank_tables(tables: Sequence[Any], scorer: Callable[[np.ndarray], np.ndarray],
                k: int = 10) -> list[list[str]]:
    """Top-k surface forms per document, ranked like `key_terms` ranks them."""
    out: list[list[str]] = []
    for features, _labels, surfaces in tables:
        if not surfaces:
            out.append([])
            continue
        order = np.argsort(-scorer(features), kind="stable")[:k]
        out.append([surfaces[i] for i in order])
    return out


def tfidf_baseline(features: np.ndarray) -> np.ndarray:
    """Whole noun phrases by the sum of their words' tf x idf (sub-phrases score 0)."""
    from paperpath.text.keyterms import FEATURES

    col = {name: FEATURES.index(name) for name in ("tfidf_mean", "len", "maximal")}
    return features[:, col["tfidf_mean"]] * features[:, col["len"]] * features[:, col["maximal"]]


def halves(n: int, seed: int = 13) -> tuple[list[int], list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return sorted(order[: n // 2]), sorted(order[n // 2:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=[*DATASETS, "all"], default="all")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="timings per document")
    ap.add_argument("--no-oof", action="store_true", help="skip out-of-fold/cross-dataset rows")
    args = ap.parse_args()
    names = DATASETS if args.dataset == "all" else (args.dataset,)
    try:
        data = {name: load_dataset(name) for name in DATASETS}
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1

    from paperpath.text import keyterms
    from paperpath.text.corpus_stats import CorpusStats

    t0 = time.perf_counter()
    keyterms.background_stats()
    keyterms.default_ranker()
    keyterms.key_terms("Warm-up: the tagger lexicon loads on first use.")
    load_ms = (time.perf_counter() - t0) * 1000

    tables: dict[str, Any] = {}
    if not args.no_oof:
        sys.path.insert(0, str(REPO / "scripts" / "train"))
        from keyterms_ranker import dataset_tables, fit

        tables = {name: dataset_tables(data[name]) for name in DATASETS}

    def scorer(model: dict[str, Any]) -> Callable[[np.ndarray], np.ndarray]:
        return keyterms.Ranker.from_json(model).score

    result: dict[str, Any] = {"machine": machine(), "protocol": "all gold, NLTK Porter, exact",
                              "model_load_ms": round(load_ms, 1), "datasets": {}}
    for name in names:
        docs = data[name]
        t0 = time.perf_counter()
        stats = CorpusStats.build(doc["text"] for doc in docs)
        stats_s = time.perf_counter() - t0
        predictions = [keyterms.key_terms(doc["text"], 10, stats) for doc in docs]
        timings: list[float] = []
        for doc in docs:
            runs = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                keyterms.key_terms(doc["text"], 10, stats)
                runs.append((time.perf_counter() - t0) * 1000)
            timings.append(min(runs))
        rows: dict[str, Any] = {"shipped (in-sample)": scores(predictions, docs)}
        if tables:
            other = next(d for d in DATASETS if d != name)
            oof: list[list[str]] = [[] for _ in docs]
            for test, train in (halves(len(docs)), halves(len(docs))[::-1]):
                model = fit([[tables[name][i] for i in train], tables[other]])
                ranked = rank_tables([tables[name][i] for i in test], scorer(model))
                for i, pred in zip(test, ranked, strict=True):
                    oof[i] = pred
            rows["out-of-fold"] = scores(oof, docs)
            rows["cross-dataset"] = scores(
                rank_tables(tables[name], scorer(fit([tables[other]]))), docs)
            rows["tf-idf (reference)"] = scores(rank_tables(tables[name], tfidf_baseline), docs)
        words = [len(doc["text"].split()) for doc in docs]
        result["datasets"][name] = {
            "documents": len(docs), "median_words": statistics.median(words),
            "gold_per_doc": round(statistics.fmean(len(gold_set(d)) for d in docs), 2),
            "stats_build_s": round(stats_s, 2), "rows": rows,
            "ms_per_doc": {"median": round(statistics.median(timings), 3),
                           "p95": round(percentile(timings, 0.95), 3)},
            "published_f1_at_10": PUBLISHED[name],
        }

    print("| dataset | ranker | F1@5 macro | F1@5 micro | F1@10 macro | F1@10 micro "
          "| F1@10 macro, present gold | F1@10 micro, present gold |")
    print("|---|---|---|---|---|---|---|---|")
    for name, res in result["datasets"].items():
        for row, s in res["rows"].items():
            cells = [s["@5"]["macro_f1"], s["@5"]["micro_f1"], s["@10"]["macro_f1"],
                     s["@10"]["micro_f1"], s["@10 present gold"]["macro_f1"],
                     s["@10 present gold"]["micro_f1"]]
            print(f"| {name} | {row} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    for name, res in result["datasets"].items():
        t = res["ms_per_doc"]
        print(f"{name}: {res['documents']} docs, median {res['median_words']} words, "
              f"key_terms median {t['median']} ms / p95 {t['p95']} ms per doc; "
              f"corpus stats built in {res['stats_build_s']} s")
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
