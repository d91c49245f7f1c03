"""The library commands as a user runs them (typer's runner, real files and database)."""

from __future__ import annotations

import json
from pathlib import Path

from snapshot_data import synthetic_record, write_snapshot
from typer.testing import CliRunner

from paperpath.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_ingest_search_show_stats(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    snap = write_snapshot(tmp_path / "s.jsonl",
                          [synthetic_record(i) for i in range(1, 51)] + ["{oops"])
    code, out = run("ingest", str(snap), "--db", db)
    assert code == 0, out
    assert "50 new" in out and "1 bad lines" in out and "line 51" in out

    code, out = run("search", "Paper 7:", "--db", db, "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["title"].startswith("Paper 7:") and "«" in hits[0]["title_highlighted"]

    code, out = run("search", "paper", "--db", db, "-n", "3", "--category", "cs.CV")
    assert code == 0 and out.count("cs.CV") == 3

    code, out = run("show", hits[0]["id"], "--db", db)
    assert code == 0 and "Ada Lovelace7" in out
    code, out = run("show", hits[0]["id"], "--db", db, "--json")
    assert json.loads(out)["arxiv_id"] == hits[0]["id"]

    code, out = run("stats", "--db", db, "--json")
    assert code == 0 and json.loads(out)["papers"] == 50
    code, out = run("stats", "--db", db)
    assert code == 0 and "papers" in out


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    code, out = run("ingest", str(tmp_path / "missing.jsonl"), "--db", db)
    assert code == 1 and "no such file" in out and "Traceback" not in out
    code, out = run("show", "2401.99999", "--db", db)
    assert code == 1 and "not in the library" in out
    code, out = run("search", "--db", db, "--", "-only -excluded")
    assert code == 1 and "only excludes" in out
    code, out = run("search", "x", "--since", "yesterday", "--db", db)
    assert code == 1 and "not a date" in out


def test_search_with_no_results_says_what_to_do(tmp_path: Path) -> None:
    code, out = run("search", "nothing", "--db", str(tmp_path / "lib.db"))
    assert code == 0 and "No papers found" in out
