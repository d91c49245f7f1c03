"""Entry point of one full-text indexing process: `python -m paperpath.search.fts_worker
MAIN_DB SHARD_DB SHARD SHARDS` (started by fts_index.IndexWorkers)."""

from __future__ import annotations

import sys

from paperpath.search.fts_index import run_worker


def main(argv: list[str]) -> int:
    main_db, shard_db, shard, shards = argv
    try:
        run_worker(main_db, shard_db, int(shard), int(shards))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
