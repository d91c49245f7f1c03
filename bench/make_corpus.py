"""Write a large snapshot file by replicating the shared corpus with new arXiv ids.

    python bench/make_corpus.py --records 1000000 --out bench/out/arxiv-1m.jsonl.gz

Ids are new-style ids in months 3001..3912 (years that do not exist yet), so they never clash
with the real papers; everything else is the real record, so text statistics are realistic.
With --vary, every copy after the first drops a random 20% of its abstract's words and one of
its title's words, so copies are near neighbours rather than exact duplicates (vector search
on exact duplicates has no single right answer).
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
from pathlib import Path

import orjson
from common import CORPUS, OUT


def new_id(k: int) -> str:
    month, number = divmod(k, 99_999)
    year, mon = divmod(month, 12)
    return f"{30 + year:02d}{mon + 1:02d}.{number + 1:05d}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=OUT / "arxiv-1m.jsonl.gz")
    ap.add_argument("--vary", action="store_true", help="perturb the text of each copy")
    args = ap.parse_args()
    rng = random.Random(0)
    with gzip.open(args.corpus, "rb") as fh:
        source = [orjson.loads(line) for line in fh if line.strip()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wb", compresslevel=1) as out:
        for k in range(args.records):
            rec = dict(source[k % len(source)])
            rec["id"] = new_id(k)
            if args.vary and k >= len(source):
                words = rec.get("abstract", "").split()
                rec["abstract"] = " ".join(w for w in words if rng.random() >= 0.2)
                title = rec.get("title", "").split()
                if len(title) > 3:
                    del title[rng.randrange(len(title))]
                    rec["title"] = " ".join(title)
            out.write(orjson.dumps(rec) + b"\n")
    print(f"wrote {args.records:,} records to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
