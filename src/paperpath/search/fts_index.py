"""The full-text index of a SQLite library: FTS5 tables sharded over a few side files.

Why side files: FTS5 tokenising and indexing costs ~65 µs a paper, more than the whole ingest
budget of one core. SQLite has one writer per database file, so the index lives in N shard
files (paper pk mod N) next to the library, each built by its own process while the main
process stores papers: on 2 cores ingest runs about twice as fast.

The index is derived data. Each shard remembers the last write counter (`papers.rev`) it has
indexed and catches up by reading newer rows, so a crash, a kill -9 or a copied library
without its index only costs a catch-up, never a wrong answer: a shard whose library id or
schema does not match is rebuilt.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
FTS = "papers_fts"
TOKENIZE = "porter unicode61 remove_diacritics 2"
# Title matches count most, then authors, then the abstract.
BM25_WEIGHTS = (8.0, 1.0, 2.0)
CHUNK_ROWS = 10_000
ENV_SHARDS = "PAPERPATH_FTS_SHARDS"

IndexProgress = Callable[[int, int], None]  # (rows indexed so far, rows pending at start)


def default_shards() -> int:
    env = os.environ.get(ENV_SHARDS)
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(2, min(4, os.cpu_count() or 2))


def _connect(path: Path | str, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                               timeout=30)
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")
    return conn


def _create_shard(conn: sqlite3.Connection, library_id: str, shard: int, shards: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DROP TABLE IF EXISTS meta")
    conn.execute(f"DROP TABLE IF EXISTS {FTS}")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, abstract, authors, "
                 f"tokenize='{TOKENIZE}')")
    w = BM25_WEIGHTS
    conn.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('rank', 'bm25({w[0]}, {w[1]}, {w[2]})')")
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("library_id", library_id), ("shard", str(shard)), ("shards", str(shards)),
        ("rev", "0"), ("max_pk", "0"),
    ])
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    conn.execute("COMMIT")


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return {}


def index_step(main: sqlite3.Connection, shard_conn: sqlite3.Connection, shard: int,
               shards: int, max_rows: int = CHUNK_ROWS) -> int:
    """Index the next chunk of changed papers into one shard; returns rows read (0: done)."""
    meta = _meta(shard_conn)
    done_rev, max_pk = int(meta["rev"]), int(meta["max_pk"])
    revs = main.execute("SELECT rev, count(*) FROM papers WHERE rev > ? GROUP BY rev "
                        "ORDER BY rev LIMIT 1000", (done_rev,)).fetchall()
    if not revs:
        return 0
    hi, total = revs[0][0], 0
    for rev, n in revs:  # whole revs only: a rev is one committed write
        if total and total + n > max_rows:
            break
        hi, total = rev, total + n
    rows = main.execute(
        "SELECT pk, title, abstract, authors FROM papers WHERE rev > ? AND rev <= ? "
        "AND pk % ? = ?", (done_rev, hi, shards, shard)).fetchall()
    shard_conn.execute("BEGIN IMMEDIATE")
    try:
        old = [(r[0],) for r in rows if r[0] <= max_pk]  # re-indexed (updated) papers
        if old:
            shard_conn.executemany(f"DELETE FROM {FTS} WHERE rowid = ?", old)
        shard_conn.executemany(
            f"INSERT INTO {FTS}(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)", rows)
        new_max = max([max_pk, *(r[0] for r in rows)])
        shard_conn.executemany("UPDATE meta SET value = ? WHERE key = ?",
                               [(str(hi), "rev"), (str(new_max), "max_pk")])
        shard_conn.execute("COMMIT")
    except BaseException:
        shard_conn.execute("ROLLBACK")
        raise
    return total


def run_worker(main_path: str, shard_path: str, shard: int, shards: int) -> None:
    """Body of `python -m paperpath.search.fts_worker`: index one shard until stdin closes
    (the writer is done) and nothing is pending; report rows done on stdout."""
    finished = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        finished.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    main = _connect(main_path, readonly=True)
    conn = _connect(shard_path)
    try:
        while True:
            ending = finished.is_set()  # read before stepping: no write can be missed
            n = index_step(main, conn, shard, shards)
            if n:
                print(n, flush=True)
                continue
            if ending:
                return
            time.sleep(0.05)
    finally:
        main.close()
        conn.close()


@dataclass
class FtsIndex:
    """The shard files of one SQLite library."""

    main_path: Path
    directory: Path
    library_id: str
    shards: int

    @classmethod
    def open(cls, main_path: Path, library_id: str) -> FtsIndex:
        directory = main_path.with_name(main_path.name + "-search")
        directory.mkdir(parents=True, exist_ok=True)
        existing = sorted(directory.glob("shard-*.db"))
        shards = len(existing) or default_shards()
        index = cls(main_path, directory, library_id, shards)
        index._validate()
        return index

    def path(self, shard: int) -> Path:
        return self.directory / f"shard-{shard}.db"

    def _validate(self) -> None:
        """Create missing shards; rebuild ones from another library, schema or layout."""
        for k in range(self.shards):
            conn = _connect(self.path(k))
            try:
                meta = _meta(conn)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if (meta.get("library_id") != self.library_id or version != SCHEMA_VERSION
                        or meta.get("shards") != str(self.shards)):
                    _create_shard(conn, self.library_id, k, self.shards)
            finally:
                conn.close()

    def reset(self) -> None:
        """Forget everything indexed: the next catch-up rebuilds from the library."""
        for k in range(self.shards):
            conn = _connect(self.path(k))
            try:
                _create_shard(conn, self.library_id, k, self.shards)
            finally:
                conn.close()

    def pending(self, main: sqlite3.Connection) -> int:
        """Papers written since the least up-to-date shard last caught up."""
        low = min(self._done_rev(k) for k in range(self.shards))
        top = main.execute("SELECT max(rev) FROM papers").fetchone()[0] or 0
        if low > top:  # the library went back in time (restored backup): start over
            self.reset()
            low = 0
        return int(main.execute("SELECT count(*) FROM papers WHERE rev > ?",
                                (low,)).fetchone()[0])

    def _done_rev(self, shard: int) -> int:
        conn = _connect(self.path(shard), readonly=True)
        try:
            return int(_meta(conn).get("rev", "0"))
        finally:
            conn.close()

    def catch_up(self, progress: IndexProgress | None = None, parallel: bool | None = None
                 ) -> int:
        """Index everything written since the last catch-up. Large backlogs use one process
        per shard. Returns the number of rows indexed."""
        main = _connect(self.main_path, readonly=True)
        try:
            pending = self.pending(main)
            if not pending:
                return 0
            if parallel is None:
                parallel = pending > 20_000
            if not parallel:
                done = 0
                for k in range(self.shards):
                    conn = _connect(self.path(k))
                    try:
                        while n := index_step(main, conn, k, self.shards):
                            done += n
                            if progress:
                                progress(done // self.shards, pending)
                    finally:
                        conn.close()
                return pending
        finally:
            main.close()
        with self.workers() as pool:
            pool.finish()
            while pool.alive():
                if progress:
                    progress(pool.indexed() // self.shards, pending)
                time.sleep(0.1)
            pool.check()
        return pending

    def workers(self) -> IndexWorkers:
        return IndexWorkers(self)

    def attach_sql(self) -> list[str]:
        return [f"ATTACH DATABASE '{_sql_str(self.path(k))}' AS fts{k}"
                for k in range(self.shards)]


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


class IndexWorkers:
    """One indexing process per shard, running alongside a bulk write.

    Plain subprocesses rather than multiprocessing: spawn would re-import the caller's
    __main__, breaking any user script that lacks an `if __name__ == "__main__"` guard.
    """

    def __init__(self, index: FtsIndex) -> None:
        self.index = index
        self.procs: list[subprocess.Popen[str]] = []
        self.logs: list[Any] = []
        self._indexed = 0
        self._lock = threading.Lock()

    def __enter__(self) -> IndexWorkers:
        for k in range(self.index.shards):
            log = tempfile.TemporaryFile(mode="w+")
            proc = subprocess.Popen(
                [sys.executable, "-m", "paperpath.search.fts_worker", str(self.index.main_path),
                 str(self.index.path(k)), str(k), str(self.index.shards)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
            self.procs.append(proc)
            self.logs.append(log)
            threading.Thread(target=self._count, args=(proc,), daemon=True).start()
        return self

    def _count(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip().isdigit():
                with self._lock:
                    self._indexed += int(line)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            for p in self.procs:
                p.terminate()
        self.finish()
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in self.logs:
            log.close()

    def finish(self) -> None:
        """No more writes are coming: the workers exit once caught up."""
        for p in self.procs:
            if p.stdin and not p.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    p.stdin.close()

    def alive(self) -> bool:
        return any(p.poll() is None for p in self.procs)

    def indexed(self) -> int:
        with self._lock:
            return self._indexed

    def check(self) -> None:
        for k, p in enumerate(self.procs):
            if p.poll() not in (0, None):
                self.logs[k].seek(0)
                tail = self.logs[k].read().strip().splitlines()[-1:] or ["no message"]
                raise RuntimeError(f"full-text indexing of shard {k} failed (exit code "
                                   f"{p.returncode}: {tail[0]}); run `paperpath reindex`")


def new_library_id() -> str:
    return uuid.uuid4().hex
