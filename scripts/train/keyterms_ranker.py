"""Train the key-term ranker of `paperpath.text.keyterms` (a tiny MLP over generic features).

    .venv/bin/python scripts/train/keyterms_ranker.py          # writes the shipped model
    .venv/bin/python bench/keyphrase.py                        # out-of-fold figures

Data: the two shared keyphrase sets (Inspec, SemEval-2017; ``$PAPERPATH_SHARED`` or
``../shared``). Every candidate phrase of a document (see `keyterms.candidate_table`) is one
example, labelled 1 when it matches a gold keyphrase under the benchmark's protocol (lower
case, NLTK Porter stems). Corpus statistics for a document are those of its own dataset, as in
the benchmark. The features name no word: frequencies, positions, lengths, part-of-speech
shape, IDFs and background-corpus phrase statistics, so the model carries no vocabulary from
its training data, only how such numbers relate to being a key phrase.

Model: features standardised, one hidden layer of ``HIDDEN`` tanh units, logistic output,
sklearn's MLPClassifier (L2 ``ALPHA``, early stopping on a 10% split, fixed seed); the two
datasets weigh the same (SemEval's fewer candidates are repeated). These few settings were
chosen by comparing a handful of options (linear, 16/32/64 hidden units, two layers, dataset
weighting, gradient boosting) on out-of-fold figures (train on the other dataset plus half of
this one, test on the other half), the figures ``bench/keyphrase.py`` reports, so those are
mildly optimistic; gradient-boosted trees were ~1 F1 point better but cost ~1 ms per abstract
to evaluate in numpy. Output:
``src/paperpath/data/models/keyterms-ranker.json`` (plain JSON weights).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from keyphrase import load_dataset, normalize  # noqa: E402  (the benchmark's protocol)

from paperpath.text.corpus_stats import CorpusStats  # noqa: E402
from paperpath.text.keyterms import FEATURES, RANKER_FILE, candidate_table  # noqa: E402

SHARED = Path(os.environ.get("PAPERPATH_SHARED", REPO.parent / "shared"))
OUT = REPO / "src" / "paperpath" / "data" / "models" / RANKER_FILE
DATASETS = ("inspec", "semeval2017")
HIDDEN = 32
ALPHA = 1e-2
SEED = 0

Table = tuple[np.ndarray, np.ndarray, list[str]]  # features, labels, surface forms


def dataset_tables(docs: Sequence[dict[str, Any]]) -> list[Table]:
    """Candidate features and labels for each document, with the dataset's own statistics."""
    stats = CorpusStats.build(doc["text"] for doc in docs)
    tables: list[Table] = []
    for doc in docs:
        gold = {normalize(k) for k in doc["keyphrases"]}
        _, surfaces, features = candidate_table(doc["text"], stats)
        labels = np.array([float(normalize(s) in gold) for s in surfaces])
        tables.append((features, labels, surfaces))
    return tables


def fit(groups: Sequence[Sequence[Table]], seed: int = SEED) -> dict[str, Any]:
    """Train on the candidates of ``groups`` (one per dataset); the model as a JSON-ready dict.

    Each group weighs about the same (a smaller one's examples are repeated), so that the
    ranker does not simply learn the habits of the dataset with the most candidates.
    """
    from sklearn.neural_network import MLPClassifier

    sizes = [sum(len(t[2]) for t in group) for group in groups]
    repeats = [max(1, round(max(sizes) / size)) if size else 0 for size in sizes]
    kept = [t for group, r in zip(groups, repeats, strict=True) for t in group for _ in range(r)
            if len(t[2])]
    x = np.vstack([t[0] for t in kept])
    y = np.concatenate([t[1] for t in kept])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="tanh", alpha=ALPHA,
                          batch_size=512, learning_rate_init=1e-3, max_iter=500,
                          early_stopping=True, n_iter_no_change=20, random_state=seed)
    model.fit((x - mean) / scale, y)
    layers = [{"W": np.round(w, 6).tolist(), "b": np.round(b, 6).tolist()}
              for w, b in zip(model.coefs_, model.intercepts_, strict=True)]
    return {"format": "paperpath-keyterms-ranker", "version": 1, "features": list(FEATURES),
            "activation": "tanh", "mean": np.round(mean, 6).tolist(),
            "scale": np.round(scale, 6).tolist(), "layers": layers,
            "examples": len(y), "positives": int(y.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    start = time.perf_counter()
    groups: list[list[Table]] = []
    for name in DATASETS:
        docs = load_dataset(name)
        groups.append(dataset_tables(docs))
        print(f"{name}: {len(docs)} documents")
    model = fit(groups)
    model["trained_on"] = list(DATASETS)
    args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{model['examples']:,} candidates ({model['positives']:,} key phrases) -> "
          f"{args.out} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
