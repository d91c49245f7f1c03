"""The schema is created and upgraded by Alembic only, and matches the table definitions."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from paperpath import Library
from paperpath.store.db import SCHEMA_HEAD, current_revision, head_revision
from paperpath.store.schema import metadata


def test_new_library_is_at_head_and_matches_schema(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    assert current_revision(lib.engine) == head_revision(lib.engine)
    with lib.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []
    tables = set(inspect(lib.engine).get_table_names())
    assert {"papers", "paper_texts", "ingest_runs", "sync_state", "feeds",
            "feed_items"} <= tables


def test_schema_head_names_the_newest_migration(tmp_path: Path) -> None:
    # Opening a library compares its version with SCHEMA_HEAD without loading alembic: a new
    # migration must move it, or libraries would never be upgraded.
    lib = Library(tmp_path / "lib.db")
    assert SCHEMA_HEAD == head_revision(lib.engine) == current_revision(lib.engine)


def test_reopening_keeps_data_and_needs_no_backup(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    lib.add(title="A paper that must survive", authors=["Someone"])
    lib.close()
    again = Library(tmp_path / "lib.db")
    assert again.backup is None
    assert len(again) == 1


def test_sqlite_defaults_wal(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    with lib.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_db_url_resolution(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from paperpath.config import resolve_db_url

    monkeypatch.setenv("PAPERPATH_DB", str(tmp_path / "env.db"))
    assert resolve_db_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_db_url("postgresql://u@h/db") == "postgresql://u@h/db"
    monkeypatch.delenv("PAPERPATH_DB")
    assert resolve_db_url().endswith("paperpath/library.db")


def test_upgrade_from_0001_keeps_papers_and_backs_up(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from paperpath.store.db import alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO papers (key, arxiv_id, kind, title, abstract, authors, categories,"
            " code_urls, has_code, versions, sources, content_hash, rev, added_at, modified_at)"
            " VALUES ('2401.00001', '2401.00001', 'paper', 'Kept across upgrades', '', '', '',"
            " '[]', 0, '[]', 'manual', 'h', 1, '2026-01-01', '2026-01-01')"))
    engine.dispose()
    lib = Library(url)
    assert lib.backup is not None and Path(lib.backup).exists()
    assert current_revision(lib.engine) == head_revision(lib.engine)
    paper = lib.get("2401.00001")
    assert paper is not None and paper.title == "Kept across upgrades"
    assert {"paper_analysis", "mined_definitions", "known_terms"} <= set(
        inspect(lib.engine).get_table_names())
