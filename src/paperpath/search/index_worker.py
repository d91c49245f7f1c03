"""Entry point of the indexing process: `python -m paperpath.search.index_worker MAIN_DB
LIBRARY_ID` (started by text_index.IndexWorker during bulk writes)."""

from __future__ import annotations

import sys

from paperpath.search.text_index import run_worker


def main(argv: list[str]) -> int:
    main_db, library_id = argv
    try:
        run_worker(main_db, library_id)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
