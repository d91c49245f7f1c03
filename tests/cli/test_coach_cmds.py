"""The weekly loop from the command line: init, week, read, log, note, tag, like, explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from related_data import records
from typer.testing import CliRunner

from paperpath import Library
from paperpath.cli.app import app

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PAPERPATH_NOW", "2026-11-25T10:00:00")
    path = str(tmp_path / "lib.db")
    Library(path).add_records(records())
    return path


def test_init_with_flags_then_week_read_explain(db: str) -> None:
    code, out = run("init", "--db", db, "--interest", "diffusion models", "--comfort", "2",
                    "--hours", "3", "--papers", "2", "--know", "gradient descent")
    assert code == 0, out
    assert "landmark papers" in out and "diffusion models" in out and "2/5" in out
    code, out = run("week", "--db", db)
    assert code == 0, out
    assert "Week 2026-W48" in out and "why:" in out and "in one line:" in out
    code, out = run("week", "--db", db, "--json", "--brief")
    plan = json.loads(out)
    assert len(plan["items"]) == 2 and not plan["fresh"]
    first = plan["items"][0]["id"]
    code, out = run("read", first, "--db", db, "--minutes", "50", "--rating", "4",
                    "--tag", "week-1")
    assert code == 0, out
    assert "read:" in out and "paperpath explain" in out
    code, out = run("log", "--db", db, "--json")
    assert json.loads(out)[0]["minutes"] == 50
    code, out = run("explain", first, "--db", db, "--text", "I did not read it.")
    assert code == 0, out
    assert "score:" in out
    code, out = run("explain", first, "--db", db, "--json", "--text", "")
    assert code == 0, out
    assert json.loads(out)["score"] == 0


def test_init_interactive(db: str) -> None:
    answers = "\n".join(["graph neural networks, molecules", "3", "2", "2", "2501.00011",
                         "1,2"]) + "\n"
    code, out = run("init", "--db", db, input=answers)
    assert code == 0, out
    code, out = run("profile", "--db", db, "--json")
    data = json.loads(out)
    assert data["profile"]["interests"] == ["graph neural networks", "molecules"]
    assert data["profile"]["hours_per_week"] == 2.0
    assert data["liked"] == ["2501.00011"]


def test_notes_tags_feedback_and_errors(db: str) -> None:
    code, out = run("note", "2501.00003", "--db", db, "--text", "# GANs\nA critic.")
    assert code == 0, out
    code, out = run("note", "2501.00003", "--db", db, "--show")
    assert "A critic." in out
    code, out = run("tag", "2501.00003", "gans", "classics", "--db", db)
    assert "classics, gans" in out
    code, out = run("like", "2501.00003", "--db", db)
    assert code == 0 and "liked" in out
    code, out = run("too-hard", "2501.00003", "--db", db, "--undo")
    assert code == 0 and "no longer too hard" in out
    code, out = run("read", "1234.56789", "--db", db)
    assert code == 1 and "1234.56789: no such paper" in out
    code, out = run("week", "--db", db, "--week", "soon")
    assert code == 1 and "not an ISO week" in out
