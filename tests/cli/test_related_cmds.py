"""`paperpath embed`, `paperpath related` and `paperpath search --hybrid` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from related_data import TOPIC, records
from typer.testing import CliRunner

from paperpath import Library
from paperpath.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_embed_then_related_views(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    Library(db).add_records(records())
    code, out = run("embed", "--db", db, "--json")
    assert code == 0, out
    assert json.loads(out)["embedded"] == 12
    code, out = run("related", "2501.00011", "--db", db, "--limit", "3")
    assert code == 0, out
    for heading in ("Similar papers", "Same problem, different approach",
                    "Same method, other problems"):
        assert heading in out
    code, out = run("related", "2501.00011", "--db", db, "--view", "similar", "--facet",
                    "method", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["paper"] == "2501.00011" and len(data["similar"]) == 10
    assert all(r["reason"] for r in data["similar"])
    assert TOPIC[data["similar"][0]["id"]] == "1"


def test_related_errors_are_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    Library(db).add_records(records())
    code, out = run("related", "2409.99999", "--db", db)
    assert code == 1 and "not in the library" in out
    code, out = run("related", "2501.00011", "--db", db, "--view", "nonsense")
    assert code == 1 and "--view" in out
    code, out = run("related", "2501.00011", "--db", db, "--view", "similar", "--facet", "x")
    assert code == 1 and "facet" in out
    code, out = run("embed", "--db", db, "--model", "someone/not-a-model")
    assert code == 1 and "not available offline" in out


def test_hybrid_search_finds_paraphrases(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    Library(db).add_records(records())
    code, out = run("search", "teaching robots skills by showing them", "--hybrid", "--db", db,
                    "--json", "-n", "3")
    assert code == 0, out
    hits = json.loads(out)
    assert hits and all(TOPIC[h["id"]] == "2" for h in hits)
