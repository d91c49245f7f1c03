"""Train the abstract-facet models (problem / method / result / other) for paperpath.text.facets.

Data (both usable for training; nothing from the facet benchmarks is read here):
- the shared arXiv corpus (CC0): abstracts are weakly labelled by structure and cue phrases —
  sentences before the first "we propose/introduce/..." are problem, from there up to the first
  "experiments show / outperforms / ..." are method, the rest result, code/data links other.
  About 60% of abstracts have both anchors; the others are not used for stage 1.
- ``scripts/train/data/facets-labels.tsv``: sentences of arXiv abstracts from the same corpus
  labelled by hand (ids and sentence indexes only; the text is re-read from the corpus).

Stage 1 (sentence model): multinomial logistic regression on sparse word/position features of
the weakly labelled sentences (hand-labelled abstracts held out). Stage 2 (context model):
logistic regression on dense context features (stage-1 scores of the sentence and its
neighbours, progress through the abstract, cue phrases, position), trained on the hand labels;
its regularisation is chosen by 5-fold cross-validation over hand-labelled abstracts, and the
cross-validated figures are printed.

    .venv/bin/python scripts/train/facets.py            # writes data/models/facets-v1.npz
    .venv/bin/python scripts/train/facets.py --cv-only  # figures only
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from paperpath.text import facets as fc  # noqa: E402
from paperpath.text.latex import strip_latex  # noqa: E402
from paperpath.text.sentences import split_sentences  # noqa: E402

SHARED = Path(os.environ.get("PAPERPATH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "data" / "arxiv" / "arxiv-cs-2025-2026.jsonl.gz"
HAND_LABELS = REPO / "scripts" / "train" / "data" / "facets-labels.tsv"
OUT = REPO / "src" / "paperpath" / "data" / "models" / fc.MODEL_FILE
LABEL_INDEX = {label: i for i, label in enumerate(fc.LABELS)}

# High-precision anchors for the weak labels (training only; run time uses cheaper token cues).
METHOD_CUE = re.compile(
    r"\b(?:we|this (?:paper|work|study|article|letter)|our (?:work|paper|approach|method|"
    r"framework)|here)\b[^.]{0,80}?\b(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|"
    r"develop(?:s|ed)?|design(?:s|ed)?|devise[sd]?|put forward|formulate[sd]?|build|"
    r"construct|contribute)\b", re.IGNORECASE)
RESULT_CUE = re.compile(
    r"\b(?:experiments?|experimental(?:ly)?|results? (?:show|demonstrate|indicate|suggest|"
    r"reveal)|evaluations? (?:on|show|demonstrate|across)|empirical(?:ly)?|extensive|"
    r"we (?:show|find|found|observe|demonstrate) that|outperform\w*|surpass\w*|"
    r"state-of-the-art (?:performance|results)|ablations?)\b", re.IGNORECASE)
OTHER_CUE = re.compile(
    r"https?://|github\.com|\b(?:code|data(?:set)?s?|models?|implementation|project page|"
    r"weights)\b[^.]{0,60}\b(?:(?:is|are|will be|be|has been|have been) (?:made )?"
    r"(?:publicly |freely |openly )?(?:available|released|open[- ]?sourced)|at:?\s*$)",
    re.IGNORECASE)


def load_corpus() -> dict[str, list[str]]:
    """arXiv id -> sentences of its abstract, split exactly as at run time."""
    docs: dict[str, list[str]] = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            text = strip_latex((record.get("abstract") or "")[: fc.MAX_CHARS])
            docs[record["id"]] = split_sentences(text)[: fc.MAX_SENTENCES]
    return docs


def load_hand_labels(docs: dict[str, list[str]]) -> dict[str, list[int]]:
    """arXiv id -> one label index per sentence; abstracts whose split changed are skipped."""
    rows: dict[str, dict[int, str]] = {}
    for line in HAND_LABELS.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        arxiv_id, index, label = line.split("\t")
        rows.setdefault(arxiv_id, {})[int(index)] = label
    out: dict[str, list[int]] = {}
    for arxiv_id, labels in rows.items():
        sentences = docs.get(arxiv_id)
        if sentences is None or sorted(labels) != list(range(len(sentences))):
            print(f"skipping {arxiv_id}: sentence split no longer matches", file=sys.stderr)
            continue
        out[arxiv_id] = [LABEL_INDEX[labels[i]] for i in range(len(sentences))]
    return out


def weak_labels(sentences: list[str]) -> list[int] | None:
    """Structure + cue labels for one abstract, or None when it lacks either anchor."""
    method = result = None
    for i, sentence in enumerate(sentences):
        if method is None and METHOD_CUE.search(sentence):
            method = i
        elif method is not None and result is None and RESULT_CUE.search(sentence):
            result = i
    if method is None or result is None:
        return None
    labels = []
    for i, sentence in enumerate(sentences):
        if OTHER_CUE.search(sentence):
            labels.append(LABEL_INDEX["other"])
        elif i < method:
            labels.append(LABEL_INDEX["problem"])
        elif i < result:
            labels.append(LABEL_INDEX["method"])
        else:
            labels.append(LABEL_INDEX["result"])
    return labels


def featurize(abstracts: list[list[str]]) -> list[list[str]]:
    rows = []
    for sentences in abstracts:
        tokens = [fc.tokenize(s[: fc.MAX_CHARS]) for s in sentences]
        rows.extend(fc.sentence_features(t, i, len(tokens)) for i, t in enumerate(tokens))
    return rows


def build_matrix(rows: list[list[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    indptr, indices = [0], []
    for feats in rows:
        ids = sorted({vocab[f] for f in feats if f in vocab})
        indices.extend(ids)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)))


def train_stage1(abstracts: list[list[str]], labels: list[int], min_count: int, c: float
                 ) -> tuple[list[str], np.ndarray]:
    rows = featurize(abstracts)
    counts = Counter(f for feats in rows for f in set(feats))
    names = sorted(f for f, n in counts.items() if n >= min_count)
    vocab = {f: i for i, f in enumerate(names)}
    x = build_matrix(rows, vocab)
    clf = LogisticRegression(C=c, max_iter=300, fit_intercept=False)
    clf.fit(x, np.asarray(labels))
    w1 = np.zeros((len(names), len(fc.LABELS)))
    w1[:, clf.classes_] = clf.coef_.T
    return names, w1


def stage2_inputs(abstracts: list[list[str]], vocab: dict[str, int], w1: np.ndarray
                  ) -> np.ndarray:
    """Context-model inputs for each sentence, computed exactly as at run time."""
    model = fc._Model(vocab={f: i + 1 for f, i in vocab.items()},
                      w1=np.vstack([np.zeros((1, w1.shape[1])), w1]),
                      w2=np.zeros((1, 4)), b2=np.zeros(4))
    return np.vstack([fc.context_features(*fc.sentence_scores(model, sentences))
                      for sentences in abstracts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--min-count", type=int, default=40)
    parser.add_argument("--c1", type=float, default=0.005)
    parser.add_argument("--max-weak", type=int, default=0, help="cap weak abstracts (0 = all)")
    args = parser.parse_args()

    t0 = time.time()
    docs = load_corpus()
    hand = load_hand_labels(docs)
    print(f"corpus {len(docs)} abstracts, hand-labelled {len(hand)} "
          f"({sum(map(len, hand.values()))} sentences)  {time.time() - t0:.0f}s")

    weak_docs, weak_y = [], []
    for arxiv_id in sorted(docs):
        if arxiv_id in hand:
            continue
        labels = weak_labels(docs[arxiv_id])
        if labels is not None:
            weak_docs.append(docs[arxiv_id])
            weak_y.extend(labels)
        if args.max_weak and len(weak_docs) >= args.max_weak:
            break
    print(f"weakly labelled {len(weak_docs)} abstracts, {len(weak_y)} sentences, "
          f"{Counter(fc.LABELS[y] for y in weak_y)}")

    names, w1 = train_stage1(weak_docs, weak_y, args.min_count, args.c1)
    vocab = {f: i for i, f in enumerate(names)}
    print(f"stage 1: {len(names)} features  {time.time() - t0:.0f}s")

    ids = sorted(hand)
    hand_docs = [docs[i] for i in ids]
    y = np.asarray([lab for i in ids for lab in hand[i]])
    groups = np.asarray([k for k, i in enumerate(ids) for _ in hand[i]])
    x2 = stage2_inputs(hand_docs, vocab, w1)
    stage1_pred = x2[:, :4].argmax(axis=1)  # the first columns are the stage-1 scores
    print("stage 1 alone on hand labels: macro F1 (p/m/r) "
          f"{f1_score(y, stage1_pred, labels=[0, 1, 2], average='macro'):.3f}")

    best = None
    folds = 5
    for c2 in (0.1, 0.3, 1.0, 3.0, 10.0, 30.0):
        pred = np.zeros_like(y)
        for k in range(folds):
            test = groups % folds == k
            clf = LogisticRegression(C=c2, max_iter=2000)
            clf.fit(x2[~test], y[~test])
            pred[test] = clf.classes_[clf.predict_proba(x2[test]).argmax(axis=1)]
        score = f1_score(y, pred, labels=[0, 1, 2], average="macro")
        print(f"stage 2 C={c2}: 5-fold macro F1 (p/m/r) {score:.3f}")
        if best is None or score > best[0]:
            best = (score, c2, pred)
    assert best is not None
    print(classification_report(y, best[2], target_names=list(fc.LABELS), digits=3))
    if args.cv_only:
        return

    clf = LogisticRegression(C=best[1], max_iter=2000)
    clf.fit(x2, y)
    w2 = np.zeros((x2.shape[1], len(fc.LABELS)))
    b2 = np.full(len(fc.LABELS), -30.0)
    w2[:, clf.classes_] = clf.coef_.T
    b2[clf.classes_] = clf.intercept_
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, vocab=np.frombuffer("\n".join(names).encode("utf-8"), np.uint8),
                        w1=w1.astype(np.float32), w2=w2.astype(np.float32),
                        b2=b2.astype(np.float32))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)  {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
