"""`paperpath guide / analyze / terms / define` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from paperpath import Library, PaperRecord
from paperpath.cli.app import app

runner = CliRunner()

PAPER = PaperRecord(
    arxiv_id="1706.03762", title="Attention Is All You Need", authors=["Ashish Vaswani"],
    categories=["cs.CL", "cs.LG"], comments="15 pages, 5 figures",
    abstract=("The dominant sequence transduction models are based on complex recurrent or "
              "convolutional neural networks that include an encoder and a decoder. We propose "
              "a new simple network architecture, the Transformer, based solely on attention "
              "mechanisms, dispensing with recurrence and convolutions entirely. Experiments on "
              "two machine translation tasks show these models to be superior in quality while "
              "being more parallelizable and requiring significantly less time to train. Our "
              "model achieves 28.4 BLEU on the WMT 2014 English-to-German translation task."))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_guide_rich_and_json(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    Library(db).add_records([PAPER])
    code, out = run("guide", "1706.03762", "--db", db)
    assert code == 0, out
    for part in ("In one line", "Difficulty", "Reading time", "Key terms",
                 "Questions to read with", "first pass", "15 pages"):
        assert part in out, part
    code, out = run("guide", "arxiv.org/abs/1706.03762v5", "--db", db, "--json", "--level", "1")
    data = json.loads(out)
    assert code == 0 and data["id"] == "1706.03762" and data["reader_level"] == 1
    assert data["tldr"] and data["questions"] and data["key_terms"]


def test_guide_missing_paper_is_one_line_error(tmp_path: Path) -> None:
    code, out = run("guide", "2401.99999", "--db", str(tmp_path / "lib.db"))
    assert code == 1 and "not in the library" in out and "Traceback" not in out


def test_analyze_then_define_and_terms(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    Library(db).add_records([PAPER])
    code, out = run("analyze", "--db", db, "--json", "--workers", "1")
    assert code == 0, out
    assert json.loads(out)["analyzed"] == 1
    code, out = run("define", "transformer", "--db", db)
    assert code == 0 and "Transformer" in out
    code, out = run("define", "KL divergence", "--db", db, "--json")
    assert json.loads(out)["glossary"]["id"]
    code, out = run("define", "zxqv florbulation", "--db", db)
    assert code == 1 and "not in the glossary" in out

    code, out = run("terms", "--know", "attention mechanism", "--know", "BLEU", "--db", db)
    assert code == 0 and "2 term(s) marked known" in out
    code, out = run("terms", "--known", "--db", db, "--json")
    assert {t["source"] for t in json.loads(out)} == {"marked"}
    code, out = run("terms", "--area", "evaluation", "--db", db)
    assert code == 0 and "✓" in out
    code, out = run("terms", "--area", "nonsense", "--db", db)
    assert code == 1 and "no such glossary area" in out
    code, out = run("terms", "--find", "divergence", "--json", "--db", db)
    assert code == 0 and any("KL" in t["term"] or "KL" in " ".join(t["aliases"])
                             for t in json.loads(out))
