"""`paperpath review` as a reader runs it: front, Enter, back, rating; q resumes later."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import typer
from related_data import records
from sqlalchemy import func, select
from typer.testing import CliRunner

from paperpath import Library
from paperpath.cli import review_cmds
from paperpath.store.coach_store import add_log
from paperpath.store.db import write_tx
from paperpath.store.schema import review_log

NOW = datetime(2026, 3, 2, 9, 0)
app = typer.Typer()
review_cmds.register(app)


@app.callback()
def _group() -> None:
    """Keep `review` a subcommand, as in the real app."""


runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PAPERPATH_NOW", NOW.isoformat())
    path = str(tmp_path / "lib.db")
    with Library(path) as lib:
        lib.add_records(records())
    return path


def finish(db: str, paper_id: str) -> None:
    with Library(db) as lib:
        paper = lib.get(paper_id)
        assert paper is not None
        with write_tx(lib.engine) as conn:
            add_log(conn, paper.pk, "finished", 25, 4, "2026-W10", NOW)


def reviews(db: str) -> int:
    with Library(db) as lib, lib.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(review_log)).scalar_one())


def run(db: str, answers: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["review", "--db", db, *args], input=answers)
    return result.exit_code, result.output


def test_nothing_to_review_yet(db: str) -> None:
    code, out = run(db, "")
    assert code == 0, out
    assert "No review cards yet" in out


def test_session_quit_and_resume(db: str) -> None:
    finish(db, "2501.00001")  # a paper card and two glossary term cards
    code, out = run(db, "\n3\n\nmaybe\n1\nq\n")
    assert code == 0, out
    assert "3 new cards from your reading" in out and "3 cards due" in out
    assert "what does it contribute?" in out
    assert "type 1, 2, 3 or 4" in out  # "maybe" is asked again, not a crash
    assert "Reviewed 2 cards (1 again · 1 good)." in out
    assert "Stopped with 1 still due" in out
    assert reviews(db) == 2
    # The next session starts where this one stopped; then nothing is left for now.
    code, out = run(db, "\n4\n")
    assert code == 0, out
    assert "1 card due" in out and "Reviewed 1 card (1 easy)." in out
    assert "Next card due in 1 minute" in out
    code, out = run(db, "")
    assert code == 0, out
    assert "Nothing to review right now. Next card due in 1 minute." in out
    assert reviews(db) == 3


def test_limit_and_end_of_input(db: str) -> None:
    finish(db, "2501.00001")
    code, out = run(db, "\ngood\n\n3\n", "--limit", "1")
    assert code == 0, out
    assert "reviewing up to 1" in out and "Reviewed 1 card (1 good)." in out
    code, out = run(db, "\n")  # input ends before a rating: stop quietly, keep nothing half
    assert code == 0, out
    assert "Reviewed 0 cards." in out and "Stopped with 2 still due" in out
    assert reviews(db) == 1
