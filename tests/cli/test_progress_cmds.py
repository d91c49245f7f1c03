"""`paperpath progress` as a user runs it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from paperpath import Library
from paperpath.cli import progress_cmds
from paperpath.records import PaperRecord
from paperpath.store import coach_store
from paperpath.store.db import write_tx

runner = CliRunner()
# A test app of its own: the command is checked whether or not cli/app.py registers it yet.
app = typer.Typer()


@app.callback()
def _root() -> None:
    """Keeps `progress` a subcommand, as in the real app."""


progress_cmds.register(app)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERPATH_NOW", "2026-03-11T12:00:00")  # Wednesday of 2026-W11


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "lib.db")
    lib = Library(path)
    lib.add_records([PaperRecord(title=f"Paper {i}", arxiv_id=f"2601.{i:05d}",
                                 categories=["cs.LG" if i % 2 else "cs.CV"]) for i in range(1, 9)])
    rows = [(1, "2026-W08"), (2, "2026-W08"), (3, "2026-W09"), (4, "2026-W09"),
            (5, "2026-W10"), (6, "2026-W10"), (7, "2026-W11")]
    with write_tx(lib.engine) as conn:
        for n, week in rows:
            paper = lib.get(f"2601.{n:05d}")
            assert paper is not None
            coach_store.add_log(conn, paper.pk, "finished", 75, 4, week, datetime(2026, 3, 1))
    lib.close()
    return path


def test_progress_shows_streak_table_and_totals(db: str) -> None:
    code, out = run("progress", "--db", db)
    assert code == 0, out
    assert "3-week streak — 1 more paper this week keeps it." in out
    assert "Recent weeks" in out and "2026-W11 (this week)" in out and "2/2" in out
    assert "✓" in out
    assert "7 papers read" in out and "8.75 hours" in out
    assert "Coverage of the field" in out and "cs.LG Machine Learning" in out
    assert "papers read  " in out and "▁" in out and "█" in out


def test_progress_json_and_weeks(db: str) -> None:
    code, out = run("progress", "--db", db, "--json", "--weeks", "2")
    assert code == 0, out
    data = json.loads(out)
    assert [w["week"] for w in data["weeks"]] == ["2026-W10", "2026-W11"]
    assert data["streak"] == 3 and data["streak_alive_this_week"] is True
    assert data["needed_this_week"] == 1 and data["totals"]["papers_read"] == 7
    assert data["coverage"]["source"] == "category"


def test_progress_chart(db: str, tmp_path: Path) -> None:
    png = tmp_path / "charts" / "progress.png"
    code, out = run("progress", "--db", db, "--chart", str(png))
    assert code == 0, out
    assert f"chart written to {png}" in out
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_progress_without_chart_writes_nothing(db: str, tmp_path: Path) -> None:
    before = set(tmp_path.rglob("*.png"))
    code, _ = run("progress", "--db", db)
    assert code == 0 and set(tmp_path.rglob("*.png")) == before


def test_progress_of_an_empty_library(tmp_path: Path) -> None:
    code, out = run("progress", "--db", str(tmp_path / "empty.db"))
    assert code == 0, out
    assert "No reading logged yet" in out and "No streak yet" in out
    assert "0 papers read" in out


def test_progress_errors_are_one_line(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run("progress", "--db", db, "--weeks", "0")
    assert code != 0
    monkeypatch.setenv("PAPERPATH_NOW", "not a date")
    code, out = run("progress", "--db", db)
    assert code == 1 and "PAPERPATH_NOW" in out
