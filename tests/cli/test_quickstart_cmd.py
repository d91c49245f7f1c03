"""`paperpath quickstart` (what `make run` runs): ingest, show search, a guide, related work
and this week's plan — on a fresh library and again, instantly, on the same one."""

from __future__ import annotations

from pathlib import Path

import pytest
from related_data import PAPERS
from snapshot_data import write_snapshot
from typer.testing import CliRunner

from paperpath.cli.app import app

runner = CliRunner()


def test_quickstart_fresh_then_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERPATH_NOW", "2026-11-25T10:00:00")
    rows = [{"id": pid, "authors": "A. Author, B. Author", "title": title, "comments": None,
             "categories": "cs.LG", "abstract": abstract, "update_date": "2026-11-20"}
            for pid, title, abstract in PAPERS]
    rows.append({"id": "2601.00099", "title": "Diffusion models for video generation",
                 "authors": "C. Author", "comments": None, "categories": "cs.CV",
                 "abstract": "We extend image diffusion models to video with temporal "
                             "attention layers and generate coherent clips.",
                 "update_date": "2026-11-21"})
    snap = write_snapshot(tmp_path / "snap.jsonl", rows)
    db = str(tmp_path / "lib.db")
    result = runner.invoke(app, ["quickstart", "--snapshot", str(snap), "--db", db])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Ingested 13 papers" in out
    assert 'paperpath search "diffusion models for video"' in out
    assert "paperpath guide 2601.00099" in out
    assert "paperpath week --brief" in out and "Week 2026-W48" in out and "why:" in out
    assert "Your weekly loop" in out
    again = runner.invoke(app, ["quickstart", "--snapshot", str(snap), "--db", db])
    assert again.exit_code == 0, again.output
    assert "already ingested" in again.output and "plan made" in again.output
