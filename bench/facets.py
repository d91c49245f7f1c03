"""Facet benchmark: problem / method / result labels of abstract spans (Scholar Inbox set).

    python bench/facets.py [--out bench/out/facets.json]

Data: ``shared/data/facets/scholar-inbox-abstract-sentences.csv`` (evaluation only — nothing
here is used for training). Each row is a labelled span ``abstract[start_idx:end_idx]``; gold
labels map problem + task -> problem, idea -> method, result -> result.

Protocol: each abstract is split into sentences (``split_sentences``), the sentences are
located in the raw text, LaTeX-stripped and labelled together as one abstract by
``classify_sentences`` (so position and neighbours count); each span takes the label of the
sentence it overlaps most (an empty span: the sentence at its position). The headline is the
three-way task (``allow_other=False``: every span is known to be one of the three facets);
the four-way output of ``facets()`` (``other`` counted as a miss) is reported too, as are the
figures over rows that carry an arXiv id (58 rows come without one). Per-label precision,
recall, F1, macro F1 over the three labels, confusion matrix; timing is ``facets()`` per
abstract, the best of 3 runs each, wall and CPU time.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from common import SHARED, machine, percentile

from paperpath.text.facets import classify_sentences, facets
from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences

DATA = SHARED / "data" / "facets" / "scholar-inbox-abstract-sentences.csv"
GOLD = {"problem": "problem", "task": "problem", "idea": "method", "result": "result"}
LABELS = ("problem", "method", "result")


def sentence_offsets(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    """Character range of each sentence in ``text`` (the splitter normalises whitespace)."""
    spans, pos = [], 0
    for sentence in sentences:
        start = end = None
        for word in sentence.split():
            found = text.find(word, pos)
            if found < 0:  # cannot happen for the splitter's output; stay robust anyway
                continue
            if start is None:
                start = found
            pos = end = found + len(word)
        spans.append((start if start is not None else pos, end if end is not None else pos))
    return spans


def span_sentence(offsets: list[tuple[int, int]], start: int, end: int) -> int:
    """Index of the sentence a span overlaps most (else the nearest one)."""
    end = max(end, start + 1)  # an empty span stands for the character at its start
    best, best_overlap = 0, float("-inf")
    for i, (s, e) in enumerate(offsets):
        overlap = min(e, end) - max(s, start)  # negative: minus the gap to the sentence
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best


def scores(pairs: list[tuple[str, str]]) -> dict[str, object]:
    """Per-label P/R/F1, macro F1 over the three labels, accuracy and confusion matrix."""
    predicted = [*LABELS, *sorted({p for _, p in pairs} - set(LABELS))]
    confusion = {g: {p: 0 for p in predicted} for g in LABELS}
    for gold, pred in pairs:
        confusion[gold][pred] += 1
    per_label = {}
    for label in LABELS:
        tp = confusion[label][label]
        n_pred = sum(confusion[g][label] for g in LABELS)
        n_gold = sum(confusion[label].values())
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_label[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                            "support": n_gold}
    macro = sum(v["f1"] for v in per_label.values()) / len(LABELS)
    accuracy = sum(confusion[g][g] for g in LABELS) / max(len(pairs), 1)
    return {"n": len(pairs), "macro_f1": round(macro, 4), "accuracy": round(accuracy, 4),
            "per_label": per_label, "confusion": confusion}


def markdown(name: str, result: dict) -> str:
    lines = [f"**{name}** — n={result['n']}, macro F1 **{result['macro_f1']:.3f}**, "
             f"accuracy {result['accuracy']:.3f}", "",
             "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, v in result["per_label"].items():
        lines.append(f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} "
                     f"| {v['support']} |")
    predicted = list(next(iter(result["confusion"].values())))
    lines += ["", "| gold \\ predicted | " + " | ".join(predicted) + " |",
              "|---" * (len(predicted) + 1) + "|"]
    for gold, row in result["confusion"].items():
        lines.append(f"| {gold} | " + " | ".join(str(row[p]) for p in predicted) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not args.data.exists():
        print(f"missing {args.data}", file=sys.stderr)
        return 2
    with args.data.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_abstract: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_abstract[row["abstract"]].append(row)

    three, four, three_with_id = [], [], []
    for abstract, spans in by_abstract.items():
        sentences = split_sentences(abstract)
        offsets = sentence_offsets(abstract, sentences)
        cleaned = [strip_latex(s) for s in sentences]
        labels3 = classify_sentences(cleaned, allow_other=False)
        labels4 = classify_sentences(cleaned)
        for row in spans:
            gold = GOLD[row["label"]]
            if not sentences:
                three.append((gold, "other"))
                four.append((gold, "other"))
                continue
            k = span_sentence(offsets, int(row["start_idx"]), int(row["end_idx"]))
            three.append((gold, labels3[k]))
            four.append((gold, labels4[k]))
            if row["arxiv_id"].strip():
                three_with_id.append((gold, labels3[k]))

    wall, cpu = [], []
    abstracts = list(by_abstract)
    for abstract in abstracts:  # warm-up (model load) outside the timings
        facets(abstract)
    for abstract in abstracts:
        best_wall = best_cpu = float("inf")
        for _ in range(3):
            w0, c0 = time.perf_counter(), time.process_time()
            facets(abstract)
            best_cpu = min(best_cpu, time.process_time() - c0)
            best_wall = min(best_wall, time.perf_counter() - w0)
        wall.append(best_wall * 1e3)
        cpu.append(best_cpu * 1e3)

    result = {
        "benchmark": "facets", "data": str(args.data), "rows": len(rows),
        "abstracts": len(abstracts), "machine": machine(),
        "three_way": scores(three),
        "four_way": scores(four),
        "three_way_rows_with_arxiv_id": scores(three_with_id),
        "timing_ms_per_abstract": {
            "wall_p50": round(percentile(wall, 0.5), 3),
            "wall_p95": round(percentile(wall, 0.95), 3),
            "cpu_p50": round(percentile(cpu, 0.5), 3),
            "cpu_p95": round(percentile(cpu, 0.95), 3),
            "abstracts_per_s_wall": round(len(wall) / (sum(wall) / 1e3), 1),
        },
    }
    print(json.dumps(result, indent=2))
    print()
    print(markdown("three-way (headline)", result["three_way"]))
    print()
    print(markdown("four-way (facets() output, other = miss)", result["four_way"]))
    print()
    print(markdown("three-way, rows with an arXiv id", result["three_way_rows_with_arxiv_id"]))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
