"""Exports (Anki, Markdown, BibTeX, reading log, full data) and importing the data back."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from related_data import records
from sqlalchemy import func, select

from paperpath import Library
from paperpath.coach import export as exp
from paperpath.coach.export import (
    export_anki,
    export_bibtex,
    export_data,
    export_log,
    export_markdown,
)
from paperpath.coach.importer import DataImportError, import_data
from paperpath.coach.review import Reviewer
from paperpath.records import PaperRecord
from paperpath.store import coach_store
from paperpath.store.db import write_tx
from paperpath.store.schema import reading_log

NOW = datetime(2026, 3, 2, 9, 0, 0, 123456)
DIFFUSION, LATENT, MOLECULES = "2501.00001", "2501.00002", "2501.00013"
ODD_TITLE = "Fast & cheap: 50% of $cost_x {braces} a\\b -- ``q'' #1 / why?"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERPATH_NOW", NOW.isoformat())


def build(lib: Library) -> dict[str, str]:
    """A library with one of everything the reader makes; returns ids of the odd papers."""
    lib.add_records(records())
    odd = lib.add(PaperRecord(title=ODD_TITLE, authors=["José Smith", "John von Neumann, Jr"],
                              doi="10.1000/odd_doi", year=2024, abstract="Costs 50% less."))
    post = lib.add(PaperRecord(title="A blog post on attention", kind="article",
                               url="https://example.com/attention", authors=["Jane Doe"]))
    pk = {pid: lib.get(pid).pk for pid in (DIFFUSION, LATENT, MOLECULES)}  # type: ignore[union-attr]
    with write_tx(lib.engine) as conn:
        coach_store.save_profile(conn, {"interests": ["diffusion", "graphs"],
                                        "math_comfort": 2, "hours_per_week": 2.5,
                                        "papers_per_week": 2}, NOW)
        coach_store.set_feedback(conn, pk[DIFFUSION], "like", NOW)
        coach_store.set_feedback(conn, odd.pk, "too_hard", NOW)
        coach_store.add_log(conn, pk[DIFFUSION], "started", 20, None, "2026-W10", NOW)
        coach_store.add_log(conn, pk[DIFFUSION], "finished", 35, 4,
                            "2026-W10", NOW + timedelta(hours=1))
        coach_store.add_log(conn, pk[MOLECULES], "started", 15, None, "2026-W10", NOW)
        coach_store.add_tags(conn, pk[DIFFUSION], ["diffusion", "to reread"])
        coach_store.add_tags(conn, post.pk, ["diffusion"])
        coach_store.save_note(conn, pk[DIFFUSION], "Noise in, images out.\n\n- U-Net", NOW)
        coach_store.save_note(conn, odd.pk, "Odd one.", NOW)
        coach_store.add_explanation(conn, pk[MOLECULES], "It pretrains <graph> encoders & "
                                    "compares views.", 0.62, {"missing": ["QM9"]}, NOW)
        coach_store.save_plan(conn, "2026-W10", [
            {"paper_pk": pk[DIFFUSION], "kind": "read", "reason": "you liked it", "minutes": 40},
            {"paper_pk": pk[LATENT], "kind": "skim", "reason": "same problem", "minutes": 15}],
            2.5, NOW)
    lib.mark_known(["neural network"])
    rev = Reviewer(lib)
    rev.sync_cards()
    cards = rev.cards()
    rev.review(cards[0].id, "good", duration_ms=3000)
    rev.review(cards[1].id, "again")
    rev.suspend(next(c.id for c in cards if c.ref == "g:generative-model"))
    return {"odd": odd.id, "post": post.id}


@pytest.fixture(scope="module")
def lib_a(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, dict[str, str]]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAPERPATH_NOW", NOW.isoformat())
        lib = Library(tmp_path_factory.mktemp("a") / "a.db")
        ids = build(lib)
    yield lib, ids
    lib.close()


def without_stamp(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def test_data_round_trip_into_an_empty_library(lib_a: tuple[Library, dict[str, str]],
                                                tmp_path: Path) -> None:
    lib, ids = lib_a
    counts = export_data(lib, tmp_path / "a.json")
    doc_a = json.loads((tmp_path / "a.json").read_text())
    assert doc_a["format"] == "paperpath-data" and doc_a["version"] == 1
    assert counts["reading_log"] == 3 and counts["review_cards"] >= 4 and counts["profile"] == 1
    assert counts["reviews"] == 2 and counts["known_terms"] == 1
    assert {p["id"] for p in doc_a["papers"]} == {DIFFUSION, LATENT, MOLECULES, ids["odd"],
                                                 ids["post"]}
    assert doc_a["week_plans"][0]["items"][1]["paper"] == LATENT  # keys, not pks
    assert all("paper_pk" not in i for p in doc_a["week_plans"] for i in p["items"])

    with Library(tmp_path / "b.db") as lib_b:
        got = import_data(lib_b, tmp_path / "a.json")
        assert got["problems"] == [] and got["papers"] == 5 and got["reading_log"] == 3
        export_data(lib_b, tmp_path / "b.json")
        doc_b = json.loads((tmp_path / "b.json").read_text())
        assert without_stamp(doc_b) == without_stamp(doc_a)
        # Importing again changes nothing.
        again = import_data(lib_b, tmp_path / "a.json")
        assert not any(again[k] for k in ("papers", "reading_log", "review_cards", "reviews",
                                          "notes", "tags", "explanations", "known_terms",
                                          "feedback", "week_plans", "profile"))
        export_data(lib_b, tmp_path / "b2.json")
        assert without_stamp(json.loads((tmp_path / "b2.json").read_text())) == \
            without_stamp(doc_a)
        # The imported cards schedule on: reviews work in B.
        rev = Reviewer(lib_b)
        assert rev.warnings == [] and rev.sync_cards() == 0
        assert all(c.state != "new" or c.last_review is None for c in rev.cards())


def test_import_merges_newer_and_later_reviewed(lib_a: tuple[Library, dict[str, str]],
                                                tmp_path: Path) -> None:
    lib, _ = lib_a
    export_data(lib, tmp_path / "a.json")
    doc = json.loads((tmp_path / "a.json").read_text())
    with Library(tmp_path / "b.db") as lib_b:
        import_data(lib_b, tmp_path / "a.json")
        diffusion = lib_b.get(DIFFUSION)
        assert diffusion is not None
        later = NOW + timedelta(days=1)
        with write_tx(lib_b.engine) as conn:  # B's note is newer than the file's
            coach_store.save_note(conn, diffusion.pk, "B's newer note", later)
        reviewed = next(c for c in Reviewer(lib_b).cards()
                        if c.last_review is not None and not c.suspended)
        Reviewer(lib_b).review(reviewed.id, "easy", now=later)
        import_data(lib_b, tmp_path / "a.json")
        with lib_b.engine.connect() as conn:
            assert coach_store.get_note(conn, diffusion.pk) == "B's newer note"
        assert Reviewer(lib_b).card(reviewed.id).last_review == later  # B's state kept
        # A file whose note is newer wins.
        doc["notes"][0]["updated_at"] = (later + timedelta(hours=1)).isoformat()
        doc["notes"][0]["body"] = "the file's even newer note"
        (tmp_path / "newer.json").write_text(json.dumps(doc))
        assert import_data(lib_b, tmp_path / "newer.json")["notes"] == 1
        with lib_b.engine.connect() as conn:
            notes = {r["key"]: r["body"] for r in coach_store.note_rows(conn)}
        assert notes[doc["notes"][0]["paper"]] == "the file's even newer note"


def test_bad_files_and_records(lib_a: tuple[Library, dict[str, str]], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    lib, _ = lib_a
    export_data(lib, tmp_path / "a.json")
    doc = json.loads((tmp_path / "a.json").read_text())
    b = Library(tmp_path / "b.db")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "paperpath-data", "version": 1,,}')
    with pytest.raises(DataImportError, match=r"bad\.json: not valid JSON \(line 1"):
        import_data(b, bad)
    bad.write_text('{"hello": 1}')
    with pytest.raises(DataImportError, match="not a paperpath data export"):
        import_data(b, bad)
    bad.write_text('{"format": "paperpath-data", "version": 99}')
    with pytest.raises(DataImportError, match="newer than this paperpath"):
        import_data(b, bad)
    with pytest.raises(DataImportError, match="cannot read"):
        import_data(b, tmp_path / "missing.json")

    doc["reading_log"][0].pop("logged_at")
    doc["reading_log"][1]["rating"] = 9
    doc["reading_log"].append({"paper": "2999.99999", "status": "finished",
                               "logged_at": NOW.isoformat()})
    doc["tags"].append("not an object")
    bad.write_text(json.dumps(doc))
    got = import_data(b, bad)
    assert got["skipped"] == 4 and got["reading_log"] == 1
    text = "\n".join(got["problems"])
    assert "bad.json: reading_log[0]: missing 'logged_at'" in text
    assert "reading_log[1]: 'rating' must be a whole number from 1 to 5" in text
    assert "reading_log[3]: paper '2999.99999' is neither" in text
    assert "tags[" in text and all("\n" not in p for p in got["problems"])
    assert got["notes"] == 2  # good records still came in

    # A failure while writing leaves nothing behind.
    def boom(*_: object, **__: object) -> int:
        raise RuntimeError("disk on fire")

    c = Library(tmp_path / "c.db")
    monkeypatch.setattr(coach_store, "add_explanation", boom)
    with pytest.raises(RuntimeError):
        import_data(c, tmp_path / "a.json")
    assert len(c) == 0
    with c.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reading_log)).scalar() == 0
    b.close()
    c.close()


def test_log_export_csv_json_and_reimport(lib_a: tuple[Library, dict[str, str]],
                                          tmp_path: Path) -> None:
    lib, _ = lib_a
    assert export_log(lib, tmp_path / "log.csv") == 3
    rows = list(csv.DictReader((tmp_path / "log.csv").open()))
    assert list(rows[0]) == list(exp.LOG_FIELDS)
    finished = next(r for r in rows if r["status"] == "finished")
    assert finished["paper_id"] == DIFFUSION and finished["rating"] == "4"
    assert finished["minutes"] == "35" and finished["week"] == "2026-W10"
    assert export_log(lib, tmp_path / "log.json", fmt="json") == 3
    assert json.loads((tmp_path / "log.json").read_text())[0]["logged_at"] == NOW.isoformat()
    with pytest.raises(ValueError, match="csv or json"):
        export_log(lib, tmp_path / "log.x", fmt="xml")
    with Library(tmp_path / "b.db") as b:
        b.add_records(records())
        got = import_data(b, tmp_path / "log.csv")
        assert got["reading_log"] == 3 and got["problems"] == []
        assert import_data(b, tmp_path / "log.json")["reading_log"] == 0  # same rows
        with b.engine.connect() as conn:
            assert [(r["key"], r["status"]) for r in coach_store.log_rows(conn)] == [
                (r["paper_id"], r["status"]) for r in rows]
    (tmp_path / "broken.csv").write_text("paper_id,status,logged_at\n2501.00001,done,x\n")
    with Library(tmp_path / "c.db") as c:
        c.add_records(records())
        got = import_data(c, tmp_path / "broken.csv")
        assert got["problems"] == [f"{tmp_path / 'broken.csv'}: line 2: status 'done' is not "
                                   "started or finished"]


def test_anki_package(lib_a: tuple[Library, dict[str, str]], tmp_path: Path) -> None:
    lib, _ = lib_a
    active = [c for c in Reviewer(lib).cards() if not c.suspended]
    assert export_anki(lib, tmp_path / "deck.apkg") == len(active)
    notes = anki_notes(tmp_path / "deck.apkg", tmp_path / "x")
    assert len(notes) == len(active)
    fields = {flds.split("\x1f")[3]: flds.split("\x1f") for _, flds in notes}
    expl = fields[MOLECULES]
    assert expl[2] == "explanation" and expl[0].startswith("Explain")
    assert "&lt;graph&gt; encoders &amp; compares" in expl[1]
    assert fields["g:diffusion-model"][0] == "What is “Diffusion model”?"
    # Re-exports keep each note's guid: Anki updates instead of duplicating.
    export_anki(lib, tmp_path / "again.apkg")
    assert sorted(anki_notes(tmp_path / "again.apkg", tmp_path / "y")) == sorted(notes)


def anki_notes(apkg: Path, folder: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(apkg) as zf:
        zf.extract("collection.anki2", folder)
    db = sqlite3.connect(folder / "collection.anki2")
    try:
        return [(g, f) for g, f in db.execute("SELECT guid, flds FROM notes")]
    finally:
        db.close()


def test_markdown_notes(lib_a: tuple[Library, dict[str, str]], tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    lib, _ = lib_a
    out = tmp_path / "vault"
    assert export_markdown(lib, out) == 4  # read, noted, explained or tagged
    names = sorted(p.name for p in out.glob("*.md"))
    assert "index.md" in names and len(names) == 5
    odd = next(p for p in out.glob("*.md") if p.name.startswith("Fast"))
    assert not set(odd.stem) & set('/\\:*?"<>|#^[]')
    text = (out / "Denoising diffusion models for high-resolution image synthesis.md"
            ).read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"id": DIFFUSION, "title": lib.get(DIFFUSION).title,  # type: ignore[union-attr]
                     "year": None, "tags": ["diffusion", "to-reread"], "status": "finished",
                     "rating": 4, "minutes": 55}
    assert f"> {lib.guide(DIFFUSION).tldr}" in text
    assert "## Method" in text and "[[pixel space]]" in text
    assert "[[Diffusion model|diffusion models]] — A generative model" in text
    assert "## My notes\n\nNoise in, images out." in text
    molecules = next(p for p in out.glob("Contrastive*.md")).read_text()
    assert "*score 0.62 · 2026-03-02*" in molecules
    odd_front = yaml.safe_load(odd.read_text().split("---\n")[1])
    assert odd_front["title"] == ODD_TITLE and odd_front["status"] == "unread"
    index = (out / "index.md").read_text()
    assert "- [[Denoising diffusion models for high-resolution image synthesis]] — finished" \
        in index
    assert "[[Fast & cheap 50% of $cost_x {braces} a b -- ``q'' 1 why|Fast & cheap: 50%" in index
    assert export_markdown(lib, tmp_path / "read", only_read=True) == 1


def test_bibtex_round_trips_through_the_importer(lib_a: tuple[Library, dict[str, str]],
                                                 tmp_path: Path) -> None:
    lib, ids = lib_a
    assert export_bibtex(lib, tmp_path / "all.bib") == len(lib) == 14
    with Library(tmp_path / "b.db") as b:
        report = b.import_bibtex(tmp_path / "all.bib")
        assert report.problems == [] and report.added == 14
        for paper in lib.papers():
            copy = b.get(paper.id)
            assert copy is not None, paper.id
            assert (copy.title, copy.authors, copy.year, copy.arxiv_id, copy.doi) == (
                paper.title, paper.authors, paper.year, paper.arxiv_id, paper.doi)
            assert copy.abstract == paper.abstract
    text = (tmp_path / "all.bib").read_text()
    assert "@misc{smith2024fast," in text and "\\&" in text
    assert "author = {José Smith and von Neumann, Jr, John}" in text
    assert export_bibtex(lib, tmp_path / "t.bib", tag="diffusion") == 2
    assert export_bibtex(lib, tmp_path / "r.bib", read=True) == 1
    assert export_bibtex(lib, tmp_path / "w.bib", week="2026-W10") == 2
    assert export_bibtex(lib, tmp_path / "w.bib", week="2026-W10", read=True) == 1
    assert export_bibtex(lib, tmp_path / "k.bib", keys=[MOLECULES, ids["odd"]]) == 2
    assert "doi = {10.1000/odd\\_doi}" in (tmp_path / "k.bib").read_text()
    with pytest.raises(exp.ExportError, match="no such paper"):
        export_bibtex(lib, tmp_path / "x.bib", keys=["2999.00001"])
    with pytest.raises(exp.ExportError, match="no plan"):
        export_bibtex(lib, tmp_path / "x.bib", week="2026-W11")
    with pytest.raises(ValueError, match="ISO week"):
        export_bibtex(lib, tmp_path / "x.bib", week="soon")


def test_safe_file_names() -> None:
    assert exp.safe_file_name("a/b: c?", "x") == "a b c"
    assert exp.safe_file_name("...", "2501.00001") == "2501.00001"
    assert exp.safe_file_name("CON", "x") == "CON_"
    assert len(exp.safe_file_name("w" * 500, "x")) == 100
