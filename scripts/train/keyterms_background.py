"""Build the background document-frequency table that `paperpath.text.keyterms` ships with.

    .venv/bin/python scripts/train/keyterms_background.py [--limit N]

Reads the shared arXiv corpus (74,728 CS abstracts, metadata released CC0; found at
``$PAPERPATH_SHARED`` or ``../shared``), counts per document its stemmed words and candidate
phrases with `CorpusStats` (title + ". " + abstract, exactly what the library counts), and
writes ``src/paperpath/data/models/keyterms-background.tsv.gz``: the document count, words
seen in >= 2 abstracts and phrases seen in >= ``--min-phrase-df`` abstracts. Only counts of
stems are written, no text. Takes about two minutes on one core.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from paperpath.text.corpus_stats import CorpusStats  # noqa: E402
from paperpath.text.keyterms import BACKGROUND_FILE  # noqa: E402

SHARED = Path(os.environ.get("PAPERPATH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "data" / "arxiv" / "arxiv-cs-2025-2026.jsonl.gz"
OUT = REPO / "src" / "paperpath" / "data" / "models" / BACKGROUND_FILE


def texts(limit: int | None) -> Iterator[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if limit is not None and i >= limit:
                return
            record = json.loads(line)
            yield f"{record['title']}. {record['abstract']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="read only the first N papers")
    parser.add_argument("--min-phrase-df", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    start = time.perf_counter()
    stats = CorpusStats.build(
        texts(args.limit), prune_every=0,  # 75k abstracts fit in memory: exact counts
        progress=lambda n: print(f"\r{n:,} papers", end="", flush=True) if n % 10_000 == 0
        else None)
    stats.save(args.out, min_phrase_df=args.min_phrase_df, min_word_df=2)
    saved = CorpusStats.load(args.out)
    print(f"\n{stats.n_docs:,} papers in {time.perf_counter() - start:.0f} s -> {args.out} "
          f"({args.out.stat().st_size / 2**20:.1f} MiB: {len(saved.word_df):,} words, "
          f"{len(saved.phrase_df):,} phrases, {len(saved.maximal_df):,} noun phrases)")


if __name__ == "__main__":
    main()
