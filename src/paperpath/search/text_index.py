"""The full-text index of a library: a tantivy (BM25) index in a directory next to it.

Why tantivy and not SQLite FTS5: FTS5 scores every matching paper (~1 µs each) before it can
return the top 20, so a common query ("large language models") on a million papers took
1.3-2.3 s here; tantivy's block-max WAND top-k answers it in ~10-20 ms, and it indexes
faster, on its own threads. Measured figures are in bench/README.md.

The index is derived data. It remembers the last library write counter (`papers.rev`) it
has indexed and catches up by reading newer rows, so a crash, a kill -9 or a library copied
without its index only costs a catch-up, never a wrong answer. An index built for another
library or another index version is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

INDEX_VERSION = 3
# Papers per index commit: fewer, larger segments mean less merging as the index grows.
CHUNK_ROWS = 100_000
WRITER_HEAP = 256 * 2**20
FIELDS = ("title", "abstract", "authors")
# Title matches count most, then authors, then the abstract.
BOOSTS = {"title": 4.0, "authors": 2.0, "abstract": 1.0}

IndexProgress = Callable[[int, int], None]  # (rows indexed so far, rows pending at start)


class IndexBusyError(RuntimeError):
    """Another process is writing the index (e.g. an ingest in progress)."""


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("pk", stored=True, indexed=True, fast=True)
    # Words are indexed as written (lower-cased): stemming at index time doubled the cost of
    # indexing; the search expands each query word to the forms sharing its stem instead.
    sb.add_text_field("title", tokenizer_name="default")
    sb.add_text_field("abstract", tokenizer_name="default")
    sb.add_text_field("authors", tokenizer_name="default", index_option="freq")
    # Filters: categories plus their archives ("cs.LG cs"), day ordinal, has code, kind.
    sb.add_text_field("categories", tokenizer_name="whitespace", index_option="basic")
    sb.add_integer_field("day", indexed=True, fast=True)
    sb.add_integer_field("code", indexed=True, fast=True)
    sb.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    return sb.build()


def _categories(cats: str) -> str:
    words = cats.split()
    archives = {c.split(".", 1)[0] for c in words if "." in c}
    return " ".join([*words, *sorted(archives - set(words))])


def _day(value: Any) -> int:
    if not value:
        return -1
    if isinstance(value, date):
        return value.toordinal()
    try:
        return date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        return -1


_ROW_SQL = ("SELECT pk, title, abstract, authors, categories, published, has_code, kind "
            "FROM papers WHERE rev > ? AND rev <= ?")


def _document(schema: tantivy.Schema, row: tuple[Any, ...]) -> tantivy.Document:
    pk, title, abstract, authors, cats, published, has_code, kind = row
    return tantivy.Document.from_dict({
        "pk": pk, "title": title or "", "abstract": abstract or "", "authors": authors or "",
        "categories": _categories(cats or ""), "day": _day(published),
        "code": 1 if has_code else 0, "kind": kind or "paper",
    }, schema)


@dataclass
class _State:
    """What the index holds, kept in state.json beside it (written atomically)."""

    library_id: str
    version: int = INDEX_VERSION
    rev: int = 0  # every paper with papers.rev <= this is indexed
    max_pk: int = 0  # no paper above this pk is in the index
    inflight: dict[str, int] = field(default_factory=dict)  # chunk being committed

    @classmethod
    def load(cls, path: Path) -> _State | None:
        try:
            data = json.loads(path.read_text())
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__))
        os.replace(tmp, path)


class TextIndex:
    """The tantivy index of one SQLite library file."""

    def __init__(self, main_path: Path, library_id: str) -> None:
        self.main_path = main_path
        self.directory = main_path.with_name(main_path.name + "-search")
        self.library_id = library_id
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._loaded_state: tuple[int, int] | None = None
        # Stem forms of query words found in this index (search.engine), kept until it changes.
        self.forms: dict[tuple[str, str], list[str]] = {}
        self._validate()

    # -- files ---------------------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    @property
    def tantivy_dir(self) -> Path:
        return self.directory / "tantivy"

    def state(self) -> _State:
        st = _State.load(self.state_path)
        if st is None:
            raise RuntimeError(f"{self.state_path}: missing or unreadable index state")
        return st

    def _validate(self) -> None:
        """Rebuild an index that is missing, unreadable, or belongs to another library."""
        st = _State.load(self.state_path)
        ok = (st is not None and st.library_id == self.library_id
              and st.version == INDEX_VERSION and self.tantivy_dir.is_dir())
        if ok:
            try:
                tantivy.Index.open(str(self.tantivy_dir))
            except Exception:  # corrupt files: tantivy raises several kinds
                ok = False
        if not ok:
            self.reset()

    def reset(self) -> None:
        """Forget everything indexed: the next catch-up rebuilds from the library."""
        self._index = None
        self.forms = {}
        shutil.rmtree(self.tantivy_dir, ignore_errors=True)
        self.tantivy_dir.mkdir(parents=True, exist_ok=True)
        tantivy.Index(self.schema, path=str(self.tantivy_dir), reuse=False)
        _State(self.library_id).save(self.state_path)

    # -- reading -------------------------------------------------------------------------
    def index(self) -> tantivy.Index:
        """The index, reloaded when a writer (this or another process) has committed."""
        st = self.state()
        key = (st.rev, st.max_pk)
        if self._index is None:
            self._index = tantivy.Index.open(str(self.tantivy_dir))
        elif key != self._loaded_state:
            self._index.reload()
        if key != self._loaded_state:
            self.forms = {}
        self._loaded_state = key
        return self._index

    def pending(self, main: sqlite3.Connection) -> int:
        st = self.state()
        top = main.execute("SELECT max(rev) FROM papers").fetchone()[0] or 0
        if st.rev > top:  # the library went back in time (restored backup): start over
            self.reset()
            st = self.state()
        return int(main.execute("SELECT count(*) FROM papers WHERE rev > ?",
                                (st.rev,)).fetchone()[0])

    # -- writing -------------------------------------------------------------------------
    def catch_up(self, progress: IndexProgress | None = None) -> int:
        """Index everything written since the last catch-up, in this process. Returns the
        number of papers indexed; raises IndexBusyError if another process is writing."""
        main = _connect_ro(self.main_path)
        try:
            pending = self.pending(main)
            if not pending:
                return 0
            try:
                writer = self.index().writer(heap_size=WRITER_HEAP, num_threads=_threads())
            except ValueError as exc:  # the writer lock is held elsewhere
                raise IndexBusyError(f"{self.directory}: index is being written by another "
                                     f"process ({exc})") from None
            done = 0
            try:
                while n := index_step(main, self, writer):
                    done += n
                    if progress:
                        progress(done, pending)
            finally:
                with contextlib.suppress(Exception):
                    writer.wait_merging_threads()
            return done
        finally:
            main.close()

    def worker(self) -> IndexWorker:
        return IndexWorker(self)


def _threads() -> int:
    env = os.environ.get("PAPERPATH_INDEX_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    # One core is the ingest's: on 2 cores one indexing thread beat two (12.3k vs 10.2k
    # papers/s end to end) and made fewer segments to merge.
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=30)
    conn.execute("PRAGMA cache_size=-65536")
    return conn


def index_step(main: sqlite3.Connection, index: TextIndex, writer: tantivy.IndexWriter,
               max_rows: int = CHUNK_ROWS) -> int:
    """Index the next chunk of changed papers and commit it; returns papers read (0: done)."""
    st = index.state()
    revs = main.execute("SELECT rev, count(*) FROM papers WHERE rev > ? GROUP BY rev "
                        "ORDER BY rev LIMIT 1000", (st.rev,)).fetchall()
    if not revs:
        return 0
    hi, total = revs[0][0], 0
    for rev, n in revs:  # whole revs only: a rev is one committed write
        if total and total + n > max_rows:
            break
        hi, total = rev, total + n
    rows = main.execute(_ROW_SQL, (st.rev, hi)).fetchall()
    # Papers already in the index are replaced; after a crash mid-commit (inflight set) the
    # whole chunk may be in the index already, so every paper in it is replaced.
    replay = bool(st.inflight)
    new_max = max([st.max_pk, *(r[0] for r in rows)])
    for row in rows:
        if replay or row[0] <= st.max_pk:
            writer.delete_documents_by_term("pk", row[0])
        writer.add_document(_document(index.schema, row))
    st.inflight = {"rev": hi, "max_pk": new_max}
    st.save(index.state_path)
    writer.commit()
    st.rev, st.max_pk, st.inflight = hi, new_max, {}
    st.save(index.state_path)
    return total


def run_worker(main_path: str, library_id: str) -> None:
    """Body of `python -m paperpath.search.index_worker`: index until stdin closes (the
    writer is done) and nothing is pending; report papers indexed on stdout."""
    finished = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        finished.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    index = TextIndex(Path(main_path), library_id)
    main = _connect_ro(Path(main_path))
    writer = index.index().writer(heap_size=WRITER_HEAP, num_threads=_threads())
    try:
        while True:
            ending = finished.is_set()  # read before stepping: no write can be missed
            n = index_step(main, index, writer)
            if n:
                print(n, flush=True)
                continue
            if ending:
                return
            time.sleep(0.05)
    finally:
        writer.wait_merging_threads()
        main.close()


class IndexWorker:
    """An indexing process running alongside a bulk write.

    A plain subprocess rather than multiprocessing: spawn would re-import the caller's
    __main__, breaking any user script that lacks an `if __name__ == "__main__"` guard.
    """

    def __init__(self, index: TextIndex) -> None:
        self.index = index
        self.proc: subprocess.Popen[str] | None = None
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in __exit__
        self._indexed = 0
        self._lock = threading.Lock()

    def __enter__(self) -> IndexWorker:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "paperpath.search.index_worker", str(self.index.main_path),
             self.index.library_id],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        threading.Thread(target=self._count, daemon=True).start()
        return self

    def _count(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip().isdigit():
                with self._lock:
                    self._indexed += int(line)

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        if exc[0] is not None:
            self.proc.terminate()
        self.finish()
        try:
            self.proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def finish(self) -> None:
        """No more writes are coming: the worker exits once caught up."""
        if self.proc and self.proc.stdin and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def indexed(self) -> int:
        with self._lock:
            return self._indexed

    def check(self) -> None:
        """Raise if the indexing process failed. Another process already writing the index
        (two ingests at once) is not a failure: the papers are stored, and the index catches
        up with them at the next search."""
        if self.proc is None or self.proc.poll() in (0, None):
            return
        self.log.seek(0)
        log = self.log.read()
        if "LockBusy" in log:
            return
        tail = log.strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"full-text indexing failed (exit code {self.proc.returncode}: "
                           f"{tail[0]}); the papers are stored — the index catches up at the "
                           "next search, or run `paperpath reindex`")


def new_library_id() -> str:
    return uuid.uuid4().hex
