"""Explain-back scorer on SciTLDR-A: does a paper's own TLDR outscore its neighbours' TLDRs?

    python bench/explain.py                                  # dev split
    python bench/explain.py --split train --offset 600       # held-out part of train
    python bench/explain.py --out bench/out/explain-dev.json --limit 100

Protocol. For each paper P of the set (a SciTLDR jsonl file; ``source`` is the abstract's
sentences, joined by spaces): its 5 nearest other papers by TF-IDF cosine of title + abstract
(scikit-learn ``TfidfVectorizer``, English stop words, sublinear tf, fitted on the whole file;
rows L2-normalised, so the dot product is the cosine). Positives: ``score_explanation(P.title,
P.abstract, t)`` for each of P's own TLDRs (author first, then reviewers). Negatives: P scored
with every TLDR of those 5 neighbours. AUC = P(a positive outscores a negative), ties 0.5,
counted over the (positive, negative) pairs *within* each paper:

* primary, "pooled": all within-paper pairs of all papers together (papers with more TLDRs
  weigh more);
* "macro": the per-paper AUC averaged over papers.

Both for ``.score`` (with the paste cap) and for the uncapped weighted sum of components, and
per component. ``--offset``/``--limit`` pick which papers are evaluated; neighbours are still
searched in the whole file. The scorer's weights were set on train[:600]; dev and train[600:]
are the checks it did not see.

Also: score distributions, the worst papers with a reason type, time per call (the first call
for a paper analyses its abstract: "cold"; later ones reuse it: "warm"), and the paste check:
the share of abstract text (the whole abstract, single sentences of 12+ words, the first two
sentences lightly edited) that is flagged as pasted, and of human TLDRs that is.
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

import numpy as np
from common import SHARED, machine, percentile
from sklearn.feature_extraction.text import TfidfVectorizer

from paperpath.coach.explain import WEIGHTS, ExplanationScore, calibrated, score_explanation

NEIGHBOURS = 5


def neighbours(papers: list[dict[str, Any]], k: int = NEIGHBOURS) -> np.ndarray:
    """Indices of each paper's ``k`` most similar other papers (TF-IDF cosine)."""
    docs = [p["title"] + " " + " ".join(p["source"]) for p in papers]
    x = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(docs)
    sims = (x @ x.T).toarray()
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def pair_auc(pos: list[float], neg: list[float]) -> tuple[float, int]:
    """(wins, pairs): wins counts a tie as half."""
    p = np.asarray(pos)[:, None]
    n = np.asarray(neg)[None, :]
    return float((p > n).sum() + 0.5 * (p == n).sum()), p.size * n.size


def raw(result: ExplanationScore) -> float:
    """The score before the paste cap."""
    return calibrated(result.components)


def aucs(per_paper: list[tuple[list[float], list[float]]]) -> dict[str, float]:
    wins = pairs = 0.0
    macro = []
    for pos, neg in per_paper:
        if pos and neg:
            w, n = pair_auc(pos, neg)
            wins += w
            pairs += n
            macro.append(w / n)
    return {"pooled": round(wins / pairs, 4) if pairs else float("nan"),
            "macro": round(statistics.fmean(macro), 4) if macro else float("nan"),
            "papers": len(macro), "pairs": int(pairs)}


def reason(own: ExplanationScore, other: ExplanationScore) -> str:
    """A short reason type for a pair that the own TLDR loses (or ties)."""
    if any("pasted" in w for w in own.warnings) and other.score >= own.score:
        return "own TLDR copied from the abstract (capped)"
    if own.components["relevance"] < 0.3:
        return "own TLDR in other words (little shared vocabulary)"
    if other.components["relevance"] >= own.components["relevance"]:
        return "neighbour's TLDR uses this paper's specific words"
    return "close call on coverage / similarity"


def light_edit(text: str, rng: random.Random) -> str:
    """About 15% of the words dropped or swapped for a filler: a lightly edited paste."""
    out = []
    for word in text.split():
        r = rng.random()
        if r < 0.08:
            continue
        out.append("really" if r < 0.15 else word)
    return " ".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None,
                    help="SciTLDR jsonl (default: the shared split named by --split)")
    ap.add_argument("--split", default="dev", help="shared SciTLDR split: dev or train")
    ap.add_argument("--offset", type=int, default=0, help="first paper evaluated")
    ap.add_argument("--limit", type=int, default=0, help="papers evaluated (0: all)")
    ap.add_argument("--worst", type=int, default=10, help="worst papers listed")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    path = args.data or SHARED / "data" / "scitldr" / f"{args.split}.jsonl"
    if not path.exists():
        print(f"SciTLDR file not found at {path}", file=sys.stderr)
        return 1
    papers = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    near = neighbours(papers)
    end = args.offset + args.limit if args.limit else len(papers)
    chosen = range(args.offset, min(end, len(papers)))

    t0 = time.perf_counter()
    score_explanation("Warm-up", "A warm-up abstract loads the models.", "warm up")
    load_ms = (time.perf_counter() - t0) * 1000

    cold_ms: list[float] = []
    warm_ms: list[float] = []
    results: list[tuple[int, list[ExplanationScore], list[ExplanationScore], list[str]]] = []
    for i in chosen:
        p = papers[i]
        title, abstract = p["title"], " ".join(p["source"])
        texts = list(p["target"]) + [t for j in near[i] for t in papers[j]["target"]]
        scored = []
        for n, text in enumerate(texts):
            t = time.perf_counter()
            scored.append(score_explanation(title, abstract, text))
            (cold_ms if n == 0 else warm_ms).append((time.perf_counter() - t) * 1000)
        k = len(p["target"])
        results.append((i, scored[:k], scored[k:], texts))

    def table(key: Any) -> list[tuple[list[float], list[float]]]:
        return [([key(r) for r in pos], [key(r) for r in neg]) for _, pos, neg, _ in results]

    auc = {"score": aucs(table(lambda r: r.score)), "uncapped": aucs(table(raw))}
    auc.update({f"component:{c}": aucs(table(lambda r, c=c: r.components[c])) for c in WEIGHTS})
    auc["author TLDR only"] = aucs([(pos[:1], neg) for pos, neg in table(lambda r: r.score)])
    pos_scores = [r.score for _, pos, _, _ in results for r in pos]
    neg_scores = [r.score for _, _, neg, _ in results for r in neg]

    worst_rows = []
    reasons: dict[str, int] = {}  # over the lost (or tied) pairs
    for (i, pos, neg, texts), (ps, ns) in zip(results, table(lambda r: r.score), strict=True):
        if not pos or not neg:
            continue
        for own in pos:
            for other in neg:
                if other.score >= own.score:
                    why = reason(own, other)
                    reasons[why] = reasons.get(why, 0) + 1
        w, n = pair_auc(ps, ns)
        if w / n < 1.0:
            lo = min(range(len(pos)), key=lambda j: pos[j].score)
            hi = max(range(len(neg)), key=lambda j: neg[j].score)
            worst_rows.append({
                "auc": round(w / n, 3), "paper_id": papers[i]["paper_id"],
                "title": papers[i]["title"], "reason": reason(pos[lo], neg[hi]),
                "own_tldr": texts[lo], "own_score": pos[lo].score,
                "own_components": {k: round(v, 3) for k, v in pos[lo].components.items()},
                "neighbour_tldr": texts[len(pos) + hi], "neighbour_score": neg[hi].score,
                "neighbour_components": {k: round(v, 3) for k, v in neg[hi].components.items()}})
    worst_rows.sort(key=lambda r: (r["auc"], r["paper_id"]))
    lost_pairs = sum(reasons.values())

    # The paste check.
    rng = random.Random(0)
    def flagged(r: ExplanationScore) -> bool:
        return any("pasted" in w for w in r.warnings)
    paste: dict[str, list[ExplanationScore]] = {
        "whole abstract": [], "one sentence (12+ words)": [],
        "first two sentences, lightly edited": []}
    for i in chosen:
        p = papers[i]
        title, abstract = p["title"], " ".join(p["source"])
        paste["whole abstract"].append(score_explanation(title, abstract, abstract))
        paste["one sentence (12+ words)"] += [score_explanation(title, abstract, s)
                                              for s in p["source"] if len(s.split()) >= 12]
        paste["first two sentences, lightly edited"].append(
            score_explanation(title, abstract, light_edit(" ".join(p["source"][:2]), rng)))
    paste_rows = {name: {"n": len(rs), "flagged": round(statistics.fmean(map(flagged, rs)), 4),
                         "median_score": round(statistics.median(r.score for r in rs), 3)}
                  for name, rs in paste.items() if rs}
    authors = [pos[0] for _, pos, _, _ in results]
    reviewers = [r for _, pos, _, _ in results for r in pos[1:]]
    for name, rs in (("human TLDR, author", authors), ("human TLDR, reviewer", reviewers)):
        if rs:
            paste_rows[name] = {
                "n": len(rs), "flagged": round(statistics.fmean(map(flagged, rs)), 4),
                "median_score": round(statistics.median(r.score for r in rs), 3)}

    result = {
        "benchmark": "explain", "data": str(path), "papers": len(results),
        "offset": args.offset, "neighbours": NEIGHBOURS,
        "protocol": "own TLDRs vs the TLDRs of the 5 TF-IDF-nearest papers, scored on the same "
                    "paper; AUC over within-paper pairs (pooled) and per paper (macro)",
        "auc": auc,
        "scores": {"median_positive": round(statistics.median(pos_scores), 3),
                   "median_negative": round(statistics.median(neg_scores), 3),
                   "positive_quartiles": [round(percentile(pos_scores, q), 3) for q in (.25, .75)],
                   "negative_quartiles": [round(percentile(neg_scores, q), 3) for q in (.25, .75)],
                   "positives": len(pos_scores), "negatives": len(neg_scores)},
        "losing_papers": {"auc_below_1": len(worst_rows),
                          "auc_below_0.5": sum(r["auc"] < 0.5 for r in worst_rows)},
        "lost_pairs": {"count": lost_pairs, "by_reason": dict(sorted(
            reasons.items(), key=lambda kv: -kv[1]))},
        "worst": worst_rows[: args.worst],
        "paste_check": paste_rows,
        "speed": {"load_ms": round(load_ms, 1),
                  "median_ms": round(percentile(cold_ms + warm_ms, 0.5), 3),
                  "cold_median_ms": round(percentile(cold_ms, 0.5), 3),
                  "cold_p95_ms": round(percentile(cold_ms, 0.95), 3),
                  "warm_median_ms": round(percentile(warm_ms, 0.5), 3),
                  "warm_p95_ms": round(percentile(warm_ms, 0.95), 3)},
        "machine": machine(),
    }
    print(f"\n{path.name}: {len(results)} papers (from #{args.offset}), "
          f"{len(pos_scores)} own TLDRs vs {len(neg_scores)} neighbour TLDRs\n")
    print("| AUC | pooled | macro |")
    print("|---|---|---|")
    for name, row in auc.items():
        print(f"| {name} | {row['pooled']:.4f} | {row['macro']:.4f} |")
    s, sp = result["scores"], result["speed"]
    print(f"\nmedian score: own {s['median_positive']}, neighbours' {s['median_negative']}; "
          f"per call: median {sp['median_ms']} ms (cold {sp['cold_median_ms']} ms, "
          f"warm {sp['warm_median_ms']} ms), load {sp['load_ms']} ms")
    print("\n| paste check | n | flagged | median score |")
    print("|---|---|---|---|")
    for name, row in paste_rows.items():
        print(f"| {name} | {row['n']} | {row['flagged']:.1%} | {row['median_score']} |")
    print(f"\nlosing papers: {result['losing_papers']}")
    print(f"lost or tied pairs: {lost_pairs}")
    for why, count in result["lost_pairs"]["by_reason"].items():
        print(f"  {count:5d} ({count / max(lost_pairs, 1):.0%}) {why}")
    for row in worst_rows[: args.worst]:
        print(f"- {row['auc']:.2f} {row['title'][:70]} [{row['reason']}]\n"
              f"    own {row['own_score']:.2f}: {row['own_tldr'][:110]}\n"
              f"    nbr {row['neighbour_score']:.2f}: {row['neighbour_tldr'][:110]}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
