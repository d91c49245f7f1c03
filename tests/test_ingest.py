"""Snapshot ingest: counts, bad lines, truncated files, idempotence, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from snapshot_data import synthetic_record, write_snapshot

from paperpath import Library
from paperpath.ingest import Progress


def _ids_in_db(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT arxiv_id FROM papers")]
    finally:
        conn.close()


@pytest.mark.parametrize("gz", [False, True])
def test_ingest_counts_and_search(tmp_path: Path, library: Library, gz: bool) -> None:
    path = write_snapshot(tmp_path / ("s.jsonl.gz" if gz else "s.jsonl"),
                          [synthetic_record(i) for i in range(1, 301)], gz=gz)
    seen: list[Progress] = []
    report = library.ingest_snapshot(path, progress=seen.append)
    assert (report.inserted, report.error_count, report.status) == (300, 0, "done")
    assert len(library) == 300 and seen and seen[-1].records == 300
    hits = library.search("Paper 42")
    assert hits and hits[0].paper.title.startswith("Paper 42:")


def test_bad_lines_are_skipped_and_reported(tmp_path: Path, library: Library) -> None:
    lines = [synthetic_record(1), "{broken json", synthetic_record(2), "",
             '{"id": "2501.00009"}', '"just a string"', synthetic_record(3)]
    report = library.ingest_snapshot(write_snapshot(tmp_path / "s.jsonl", lines))
    assert report.inserted == 3 and report.error_count == 3
    assert [e.line for e in report.errors] == [2, 5, 6]
    assert "malformed JSON" in str(report.errors[0])
    assert "missing 'title'" in str(report.errors[1])


def test_a_huge_line_is_skipped_without_reading_it(tmp_path: Path, library: Library,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from paperpath.sources import snapshot

    monkeypatch.setattr(snapshot, "MAX_LINE", 1000)
    huge = json.dumps(synthetic_record(2, abstract="x " * 5000))
    path = write_snapshot(tmp_path / "s.jsonl", [synthetic_record(1), huge, synthetic_record(3)])
    report = library.ingest_snapshot(path)
    assert report.inserted == 2 and report.error_count == 1
    assert report.errors[0].line == 2 and "longer than" in str(report.errors[0])


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path, library: Library) -> None:
    full = write_snapshot(tmp_path / "full.jsonl.gz",
                          [synthetic_record(i) for i in range(1, 2001)], gz=True)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    report = library.ingest_snapshot(cut, progress=None)
    assert report.status == "failed"
    assert "truncated or corrupt gzip stream" in report.message and str(cut) in report.message
    assert 0 < len(library) < 2000 and len(library) == report.inserted
    # The complete file later finishes the job without duplicates.
    report = library.ingest_snapshot(full)
    assert report.status == "done" and len(library) == 2000


def test_reingest_is_idempotent(tmp_path: Path, library: Library) -> None:
    path = write_snapshot(tmp_path / "s.jsonl", [synthetic_record(i) for i in range(1, 501)])
    first = library.ingest_snapshot(path)
    before = [p.to_dict() for p in library.papers()]
    second = library.ingest_snapshot(path)
    assert first.inserted == 500
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 500)
    after = [p.to_dict() for p in library.papers()]
    assert before == after
    assert len(library.search("Paper 7:", limit=5)) >= 1


def test_changed_record_updates_the_paper_and_its_index(tmp_path: Path,
                                                       library: Library) -> None:
    library.ingest_snapshot(write_snapshot(tmp_path / "a.jsonl", [synthetic_record(1)]))
    changed = synthetic_record(1, title="Completely zygomorphic retitled work",
                               update_date="2026-01-01")
    report = library.ingest_snapshot(write_snapshot(tmp_path / "b.jsonl", [changed]))
    assert report.updated == 1 and len(library) == 1
    assert [h.id for h in library.search("zygomorphic")] == ["2502.00001"]
    assert library.search('"Paper 1:"') == []


def test_missing_file_is_a_clear_error(tmp_path: Path, library: Library) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        library.ingest_snapshot(tmp_path / "nope.jsonl")


def _start_ingest(path: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PAPERPATH_INGEST_BATCH": "500"}
    return subprocess.Popen(
        [sys.executable, "-m", "paperpath.cli.app", "ingest", str(path), "--db", str(db),
         "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)


@pytest.mark.parametrize("gz", [False, True])
def test_kill_9_mid_file_then_rerun_completes(tmp_path: Path, gz: bool) -> None:
    n = 20_000
    path = write_snapshot(tmp_path / ("big.jsonl.gz" if gz else "big.jsonl"),
                          [synthetic_record(i) for i in range(1, n + 1)], gz=gz)
    db = tmp_path / "lib.db"
    proc = _start_ingest(path, db)
    deadline = time.time() + 60
    done = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                conn = sqlite3.connect(db)
                row = conn.execute("SELECT lines_done FROM ingest_runs").fetchone()
                conn.close()
            except sqlite3.OperationalError:
                continue
            done = row[0] if row else 0
            if done >= 2000:
                break
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)  # the writer and its indexing processes
    proc.wait()
    assert 0 < done < n
    partial = _ids_in_db(db)
    assert 0 < len(partial) < n

    again = _start_ingest(path, db)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert json.loads(out)["resumed_from"] >= 2000
    ids = _ids_in_db(db)
    assert len(ids) == n and len(set(ids)) == n  # nothing lost, nothing doubled
    lib = Library(db)
    assert len(lib.search("Paper 19999:", limit=3)) >= 1
    assert lib.search("zzznotaword") == []
