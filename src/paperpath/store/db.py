"""Engine creation, SQLite tuning and automatic, data-preserving migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

    from paperpath.search.text_index import TextIndex

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest migration. Opening a library that is already there reads its version with one
# query and never imports alembic (a fifth of every command's start-up); a test keeps this
# equal to the head of migrations/versions.
SCHEMA_HEAD = "0004"


class StoreError(RuntimeError):
    """The library database cannot be opened or upgraded."""


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself so transactions are explicit (pysqlite quirk).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # 8 KiB pages: ~6% faster bulk ingest and a 16% smaller file than 4 KiB for paper rows.
    # Only takes effect when the file is created.
    cur.execute("PRAGMA page_size=8192")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process in WAL
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache: FTS merges need it
    cur.execute("PRAGMA temp_store=MEMORY")
    # Checkpoint the WAL every ~40 MB rather than 4 MB: bulk ingest writes that much a batch.
    cur.execute("PRAGMA wal_autocheckpoint=10000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: no SQLITE_BUSY upgrade deadlocks mid-batch.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def make_engine(url: str) -> Engine:
    """Create an engine for url; SQLite files get their directory, WAL and pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def _at_head(engine: Engine) -> bool:
    """Whether the library's recorded schema version is SCHEMA_HEAD (False when unknown)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no version table yet: a new library
        return False
    return [r[0] for r in rows] == [SCHEMA_HEAD]


def migrate(engine: Engine) -> str | None:
    """Bring the schema to head. Before upgrading an existing SQLite library a backup copy is
    written next to it, so a failed or buggy migration can never cost user data.

    Returns the backup path (as a string) when one was made.
    """
    if _at_head(engine):
        return None
    from alembic import command

    cfg = alembic_config(engine)
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return None
    backup = None
    if current is not None and engine.url.get_backend_name() == "sqlite":
        backup = _backup_sqlite(engine, current)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:  # pragma: no cover - exercised only by broken migrations
        hint = f"; your data is safe in {backup}" if backup else ""
        raise StoreError(f"{engine.url}: schema upgrade failed: {exc}{hint}") from exc
    return backup


def _backup_sqlite(engine: Engine, revision: str) -> str | None:
    db = engine.url.database
    if not db or db == ":memory:" or not Path(db).exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(db).with_name(f"{Path(db).name}.before-{revision}-{stamp}.bak")
    src = sqlite3.connect(db)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return str(target)


# Key of the library's write lock on PostgreSQL (advisory locks are per database).
_PG_WRITE_LOCK = 0x70617065


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction. Writers take turns, as the merge in store.writer reads before it
    writes: SQLite takes its write lock at BEGIN (IMMEDIATE), PostgreSQL a transaction-level
    advisory lock (readers are never blocked)."""
    with engine.connect() as conn:
        conn.info["write"] = True
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": _PG_WRITE_LOCK})
                yield conn
        finally:
            conn.info.pop("write", None)


def library_id(engine: Engine) -> str:
    """A random id stamped on the library at creation; derived indexes check it."""
    from paperpath.search.text_index import new_library_id
    from paperpath.store.schema import sync_state

    with write_tx(engine) as conn:
        row = conn.execute(select(sync_state.c.state)
                           .where(sync_state.c.key == "library:id")).first()
        if row is not None:
            return str(row[0]["id"])
        ident = new_library_id()
        conn.execute(insert(sync_state).values(key="library:id", state={"id": ident},
                                               updated_at=datetime.now()))
        return ident


def derived_path(engine: Engine, name: str) -> Path:
    """Where a library keeps derived data called ``name`` (statistics, vector caches): beside
    a SQLite file as ``<db>-<name>``, else in the user cache directory under the library id."""
    from platformdirs import user_cache_dir

    db = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and db and db != ":memory:" \
            and not db.startswith("file:"):
        return Path(db).resolve().with_name(f"{Path(db).name}-{name}")
    return Path(user_cache_dir("paperpath")) / library_id(engine) / name


def open_text_index(engine: Engine) -> TextIndex | None:
    """The full-text index of a file-backed SQLite library; None for other databases (they
    search with the portable backend until they get an index of their own)."""
    from paperpath.search.text_index import TextIndex

    if engine.url.get_backend_name() != "sqlite":
        return None
    db = engine.url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return TextIndex(Path(db).resolve(), library_id(engine))
