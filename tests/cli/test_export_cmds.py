"""`paperpath export ...` and `paperpath import-data` as a reader runs them."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import typer
from related_data import records
from typer.testing import CliRunner

from paperpath import Library
from paperpath.cli import export_cmds
from paperpath.coach.review import Reviewer
from paperpath.store.coach_store import add_log, add_tags, save_plan
from paperpath.store.db import write_tx

NOW = datetime(2026, 3, 2, 9, 0)
app = typer.Typer()
export_cmds.register(app)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A library where the reader finished one paper, started and tagged another, and
    planned this week."""
    monkeypatch.setenv("PAPERPATH_NOW", NOW.isoformat())
    path = str(tmp_path / "lib.db")
    with Library(path) as lib:
        lib.add_records(records())
        done, started = lib.get("2501.00011"), lib.get("2501.00021")
        assert done is not None and started is not None
        with write_tx(lib.engine) as conn:
            add_log(conn, done.pk, "finished", 40, 5, "2026-W10", NOW)
            add_log(conn, started.pk, "started", 10, None, "2026-W10", NOW)
            add_tags(conn, started.pk, ["robots"])
            save_plan(conn, "2026-W10", [{"paper_pk": done.pk, "kind": "read"},
                                         {"paper_pk": started.pk, "kind": "read"}], 2.0, NOW)
        Reviewer(lib).sync_cards()
    return path


def test_every_export(db: str, tmp_path: Path) -> None:
    code, out = run("export", "anki", "-o", str(tmp_path / "d.apkg"), "--db", db)
    assert code == 0, out
    assert "review card(s) to" in out and zipfile.is_zipfile(tmp_path / "d.apkg")
    code, out = run("export", "markdown", "-o", str(tmp_path / "vault"), "--db", db, "--read")
    assert code == 0, out
    assert "wrote 1 paper note(s)" in out and (tmp_path / "vault" / "index.md").exists()
    code, out = run("export", "bibtex", "-o", str(tmp_path / "w.bib"), "--db", db,
                    "--week", "this")
    assert code == 0, out
    assert "wrote 2 BibTeX entries" in out
    code, out = run("export", "bibtex", "-o", str(tmp_path / "t.bib"), "--db", db,
                    "--tag", "robots", "--json")
    assert code == 0, out
    assert json.loads(out)["count"] == 1
    code, out = run("export", "bibtex", "-o", str(tmp_path / "p.bib"), "--db", db,
                    "--paper", "2501.00001", "--paper", "2501.00002")
    assert code == 0 and "wrote 2 BibTeX entries" in out
    code, out = run("export", "bibtex", "-o", str(tmp_path / "all.bib"), "--db", db)
    assert code == 0 and "wrote 12 BibTeX entries" in out
    code, out = run("export", "log", "-o", str(tmp_path / "log.json"), "--format", "json",
                    "--db", db)
    assert code == 0 and "wrote 2 reading session(s)" in out
    assert len(json.loads((tmp_path / "log.json").read_text())) == 2
    code, out = run("export", "data", "-o", str(tmp_path / "all.json"), "--db", db)
    assert code == 0, out
    assert "reading log: 2" in out and "papers: 2" in out


def test_export_errors_are_one_line(db: str, tmp_path: Path) -> None:
    for args, expected in [
        (["export", "pdf", "-o", "x"], "export one of"),
        (["export", "anki", "-o", "x", "--tag", "t"], "`export bibtex` only"),
        (["export", "log", "-o", "x", "--format", "xml"], "use csv or json"),
        (["export", "data", "-o", "x", "--format", "json"], "`export log` only"),
        (["export", "bibtex", "-o", str(tmp_path / "x.bib"), "--week", "2026-W11"],
         "no plan"),
        (["export", "bibtex", "-o", str(tmp_path / "x.bib"), "--paper", "2999.1"],
         "no such paper"),
    ]:
        code, out = run(*args, "--db", db)
        assert code == 1 and expected in out, (args, out)
        assert out.count("\n") == 1


def test_import_data_round_trip_and_problems(db: str, tmp_path: Path) -> None:
    data = tmp_path / "all.json"
    assert run("export", "data", "-o", str(data), "--db", db)[0] == 0
    other = str(tmp_path / "other.db")
    code, out = run("import-data", str(data), "--db", other)
    assert code == 0, out
    assert "imported from" in out and "papers: 2" in out and "reading log: 2" in out
    code, out = run("import-data", str(data), "--db", other)
    assert code == 0 and "nothing new" in out
    doc = json.loads(data.read_text())
    doc["reading_log"][0]["status"] = "skimmed"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc))
    code, out = run("import-data", str(broken), "--db", str(tmp_path / "third.db"))
    assert code == 0, out
    assert "skipped: " in out and "reading_log[0]: status 'skimmed'" in out
    code, out = run("import-data", str(broken), "--db", str(tmp_path / "third.db"), "--json")
    assert code == 0 and json.loads(out)["skipped"] == 1
    (tmp_path / "junk.json").write_text("{nope")
    code, out = run("import-data", str(tmp_path / "junk.json"), "--db", other)
    assert code == 1 and "junk.json: not valid JSON" in out
