"""Map of the field: build, extend, save and draw a map of N real-like paper vectors.

    python bench/fieldmap.py                          # 75k: the shared corpus, 1,000 held out
    python bench/fieldmap.py --n 20000 --jobs 1
    python bench/fieldmap.py --n 1000000 --out bench/out/fieldmap-1m.json  # replicated
    python bench/fieldmap.py --vectors vecs.npy       # rows in corpus file order

Vectors: TF-IDF of the shared arXiv abstracts (title + abstract, sublinear tf, English stop
words, min_df 2) reduced to 256-d by truncated SVD (LSA, seeded; the default) or by a seeded
Gaussian random projection (`--projection random`), or read from `--vectors`. SVD is the
default because a random projection of sparse TF-IDF to 256-d is mostly noise: a paper's 10
nearest neighbours (among the first 10k papers) share its primary category 49% of the time
against 62% with SVD, and its t-SNE map is a structureless disc.
Above the corpus size rows are replicated with small noise and new ids (for 1M-scale runs).
Key terms: the stored analyses of `--keyterms-db` (bench/out/lib-75k.db, made by
bench/guide.py) when present, else `paperpath.text.keyterms.key_terms_many` (not timed).

Measures: `build_map` time per stage, `extend_map` time for `--extend` new papers (held out
of the build), save/load, HTML and PNG size and write time, peak RSS; layout quality as the
overlap of 10 nearest neighbours in 2-D with those in vector space, and how often a paper's
10 nearest neighbours in 2-D share its primary arXiv category (vs. in vector space).
Prints JSON and writes it to --out; the map, HTML and PNG go next to it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
from common import CORPUS, OUT, PeakMemory, machine

from paperpath.related.fieldmap import (
    build_map,
    extend_map,
    load_map,
    save_map,
    write_html,
    write_png,
)
from paperpath.related.fieldmap_layout import nearest, unit_rows


def _read_corpus(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [{"id": r["id"], "title": " ".join(r["title"].split()),
                 "abstract": r["abstract"], "category": r["categories"].split()[0]}
                for r in map(json.loads, handle)]


def _vectors(records: list[dict[str, str]], projection: str, dim: int, seed: int) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r['title']}. {r['abstract']}" for r in records]
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2,
                            dtype=np.float32).fit_transform(texts)
    if projection == "svd":
        from sklearn.decomposition import TruncatedSVD

        return TruncatedSVD(dim, random_state=seed).fit_transform(tfidf).astype(np.float32)
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((tfidf.shape[1], dim), dtype=np.float32) / np.sqrt(dim)
    return np.asarray(tfidf @ basis, dtype=np.float32)


def _key_terms(records: list[dict[str, str]], db: Path) -> tuple[list[list[str]], str]:
    stored: dict[str, list[str]] = {}
    if db.exists():
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT p.arxiv_id, a.key_terms FROM paper_analysis a "
                                "JOIN papers p ON p.pk = a.paper_pk")
            stored = {aid: json.loads(terms) for aid, terms in rows if aid}
        except sqlite3.Error:
            stored = {}
        finally:
            conn.close()
    if len(stored) >= 0.9 * len(records):
        return [stored.get(r["id"], []) for r in records], f"stored analyses in {db}"
    from paperpath.text.keyterms import key_terms_many

    texts = [f"{r['title']}. {r['abstract']}" for r in records]
    return key_terms_many(texts), "paperpath.text.keyterms.key_terms_many"


def _quality(unit: np.ndarray, coords: np.ndarray, cats: np.ndarray, rows: np.ndarray,
             k: int = 10) -> dict[str, float]:
    """10-NN overlap between 2-D and vector space, and category agreement of each, for the
    papers at ``rows``."""
    vec_nn = nearest(unit, unit[rows], k + 1)[0][:, 1:]
    from sklearn.neighbors import NearestNeighbors

    tree = NearestNeighbors(n_neighbors=k + 1).fit(coords)
    map_nn = tree.kneighbors(coords[rows], return_distance=False)[:, 1:]
    overlap = np.mean([len(set(a) & set(b)) / k for a, b in zip(vec_nn, map_nn, strict=True)])
    return {"knn10_overlap_2d_vs_vectors": round(float(overlap), 3),
            "knn10_same_category_2d": round(float((cats[map_nn] == cats[rows, None]).mean()), 3),
            "knn10_same_category_vectors": round(float((cats[vec_nn] == cats[rows, None]).mean()),
                                                 3)}


def pick(seq: list, rows: np.ndarray) -> list:
    """The items of ``seq`` at ``rows``."""
    return [seq[i] for i in rows]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--n", type=int, default=75_000, help="papers in all, held-out ones included")
    ap.add_argument("--vectors", type=Path, help=".npy, one row per corpus paper in file order")
    ap.add_argument("--projection", choices=["svd", "random"], default="svd")
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--keyterms-db", type=Path, default=OUT / "lib-75k.db")
    ap.add_argument("--extend", type=int, default=1000, help="papers held out, then added")
    ap.add_argument("--sample", type=int, default=50_000, help="build_map's sample size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=-1, help="threads for openTSNE (-1: all)")
    ap.add_argument("--out", type=Path, default=OUT / "fieldmap.json")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    records = _read_corpus(args.corpus)
    if args.vectors:
        vectors = np.load(args.vectors, mmap_mode="r")[: len(records)].astype(np.float32)
        source = str(args.vectors)
    else:
        vectors = _vectors(records, args.projection, args.dim, args.seed)
        source = f"tf-idf + {args.projection} projection to {args.dim}-d"
    terms, terms_source = _key_terms(records, args.keyterms_db)
    ids = [r["id"] for r in records]
    titles = [r["title"] for r in records]
    cats = [r["category"] for r in records]
    rng = np.random.default_rng(args.seed)
    copies = 0
    while len(ids) < args.n:  # replicate with new ids and a little noise, for 1M-scale runs
        copies += 1
        m = min(len(records), args.n - len(ids))
        ids += [f"{pid}.r{copies}" for pid in ids[:m]]
        titles += titles[:m]
        cats += cats[:m]
        terms += terms[:m]
        noise = rng.standard_normal((m, vectors.shape[1]), dtype=np.float32)
        scale = 0.05 * np.linalg.norm(vectors[:m], axis=1, keepdims=True) / np.sqrt(
            vectors.shape[1])
        vectors = np.concatenate([vectors, vectors[:m] + noise * scale])
    n = min(args.n, len(ids))
    prep_s = time.perf_counter() - t0
    order = rng.permutation(n)
    held = order[:args.extend]
    built = np.sort(order[args.extend:])
    stages: dict[str, float] = {}
    started = time.perf_counter()
    last = [started, ""]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != last[1]:
            print(f"[{now - started:7.1f}s] {stage}", file=sys.stderr, flush=True)
            last[1] = stage
        stages[stage] = round(now - started, 2)  # elapsed when the stage last reported

    with PeakMemory(os.getpid()) as peak:
        t0 = time.perf_counter()
        fmap = build_map(pick(ids, built), vectors[built], pick(terms, built), model=source,
                         seed=args.seed, sample=args.sample, n_jobs=args.jobs, progress=progress)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        fmap = extend_map(fmap, vectors[built], pick(ids, held), vectors[held],
                          pick(terms, held), n_jobs=args.jobs)
        extend_s = time.perf_counter() - t0
    order_rows = np.concatenate([built, held])
    out_dir = args.out.parent
    stem = args.out.stem
    t0 = time.perf_counter()
    npz = save_map(fmap, out_dir / f"{stem}.npz")
    save_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_map(npz)
    load_s = time.perf_counter() - t0
    picked = rng.choice(len(fmap.ids), size=min(60, len(fmap.ids)), replace=False)
    highlight = {fmap.ids[i]: "liked" if j < 10 else "read" for j, i in enumerate(picked)}
    map_titles = pick(titles, order_rows)
    urls = [f"https://arxiv.org/abs/{pid.split('.r')[0]}" for pid in fmap.ids]
    t0 = time.perf_counter()
    page = write_html(fmap, out_dir / f"{stem}.html", titles=map_titles, highlight=highlight,
                      urls=urls, title=f"Map of {len(fmap.ids):,} arXiv papers")
    html_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    png = write_png(fmap, out_dir / f"{stem}.png", highlight=highlight,
                    title=f"{len(fmap.ids):,} arXiv papers")
    png_s = time.perf_counter() - t0
    unit, map_cats = unit_rows(vectors[order_rows]), np.array(pick(cats, order_rows))
    probes = np.random.default_rng(args.seed + 1).choice(len(built), min(2000, len(built)),
                                                         replace=False)
    quality = {"built": _quality(unit, fmap.coords, map_cats, probes)}
    if len(held):
        quality["extended"] = _quality(unit, fmap.coords, map_cats,
                                       np.arange(len(built), len(fmap.ids)))
    result = {
        "benchmark": "fieldmap", "machine": machine(), "papers_built": len(built),
        "papers_extended": len(held), "vectors": source, "dim": int(vectors.shape[1]),
        "key_terms": terms_source, "sample": args.sample, "jobs": args.jobs,
        "clusters": len(fmap.centers),
        "prepare_s (not part of the map)": round(prep_s, 1),
        "build_s": round(build_s, 1), "build_stage_done_at_s": stages,
        "extend_s": round(extend_s, 2), "save_s": round(save_s, 2), "load_s": round(load_s, 2),
        "npz_mib": round(npz.stat().st_size / 2**20, 2),
        "html_s": round(html_s, 2), "html_mib": round(page.stat().st_size / 2**20, 2),
        "png_s": round(png_s, 2), "png_kib": round(png.stat().st_size / 2**10, 1),
        "build_extend_peak_rss_mib": peak.peak_mib,
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                      1),
        "quality": quality,
        "labels": {str(c): label for c, label in sorted(fmap.labels.items())},
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
