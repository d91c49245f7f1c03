"""The export page: every download parses, the data document imports back, bad uploads."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import httpx
import pytest
from fastapi.testclient import TestClient

from paperpath.coach.export import LOG_FIELDS
from paperpath.coach.review import Reviewer
from paperpath.library import Library
from paperpath.records import PaperRecord
from paperpath.web import create_app

READ = ("2611.00001", "2611.00003")  # from conftest's recent papers
TAGGED = "2611.00002"


@pytest.fixture
def reader(client: TestClient, web_lib: Library) -> TestClient:
    """A client whose reader finished two papers, tagged a third and explained one."""
    for pid in READ:
        web_lib.coach.read(pid, minutes=30, rating=4)
    web_lib.coach.tag(TAGGED, ["to-discuss"])
    web_lib.coach.save_note(READ[0], "Four steps instead of hundreds.")
    web_lib.coach.explain(READ[0], "Diffusion sampling is slow; a distilled four-step student "
                                   "keeps quality at a twentieth of the cost.")
    return client


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the exporters' temporary folders go, to check they are removed."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def other(tmp_path: Path) -> Iterator[tuple[TestClient, Library]]:
    """A second, empty library and its app: where a backup is restored."""
    lib = Library(tmp_path / "other.db")
    with TestClient(create_app(lib, seed=False)) as c:
        yield c, lib
    lib.close()


def assert_download(r: httpx.Response, media: str, filename: str) -> None:
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'


def test_the_page_links_every_download_and_the_import_form(reader: TestClient) -> None:
    r = reader.get("/export")
    assert r.status_code == 200
    page = r.text
    for href in ("/export/anki.apkg", "/export/notes.zip", "/export/notes.zip?read=1",
                 "/export/library.bib", "/export/log.csv", "/export/log.json",
                 "/export/paperpath-data.json"):
        assert f'href="{href}"' in page
    assert '<option value="to-discuss">' in page  # BibTeX by tag
    assert 'action="/export/import" enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'name="file"' in page
    assert "2 papers you have read" in page and "2 reading sessions" in page


def test_a_fresh_reader_sees_what_is_not_there_yet(client: TestClient) -> None:
    page = client.get("/export").text
    assert "No cards yet" in page and "Nothing read yet" in page
    assert client.get("/export/anki.apkg").status_code == 404
    r = client.get("/export/library.bib")
    assert r.status_code == 404 and "No papers read yet" in r.text
    r = client.get("/export/log.csv")  # an empty log is still a log: its header
    assert r.text.splitlines() == [",".join(LOG_FIELDS)]


def test_anki_deck_is_an_apkg_with_every_card(reader: TestClient, web_lib: Library,
                                              tmp_path: Path, scratch: Path) -> None:
    r = reader.get("/export/anki.apkg")
    assert_download(r, "application/octet-stream", "paperpath.apkg")
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert "collection.anki2" in zf.namelist()
        zf.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    notes = db.execute("select count(*) from notes").fetchone()[0]
    db.close()
    assert notes == len(Reviewer(web_lib).cards()) > 0
    # Nothing is left behind (genanki's own write_to_file would leave its database).
    assert list(scratch.iterdir()) == []


def test_markdown_notes_zip(reader: TestClient, scratch: Path) -> None:
    r = reader.get("/export/notes.zip")
    assert_download(r, "application/zip", "paperpath-notes.zip")
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        assert "paperpath-notes/index.md" in names
        index = zf.read("paperpath-notes/index.md").decode()
        note = zf.read("paperpath-notes/Score Distillation for Fast Video Diffusion.md").decode()
    assert len(names) == 4  # two read, one tagged, the index
    assert "[[" in index and "Four steps instead of hundreds." in note
    with zipfile.ZipFile(io.BytesIO(reader.get("/export/notes.zip?read=1").content)) as zf:
        assert len(zf.namelist()) == 3
    assert list(scratch.iterdir()) == []


def test_bibtex_of_the_papers_read_or_a_tag(reader: TestClient, scratch: Path) -> None:
    r = reader.get("/export/library.bib")
    assert_download(r, "application/x-bibtex", "paperpath-read.bib")
    entries = bibtexparser.parse_string(r.text).entries
    assert len(entries) == 2
    titles = {e.fields_dict["title"].value for e in entries}
    assert any("Score Distillation" in t for t in titles)
    assert any("Sparse Attention" in t for t in titles)
    r = reader.get("/export/library.bib?tag=to-discuss")
    assert_download(r, "application/x-bibtex", "paperpath-to-discuss.bib")
    entries = bibtexparser.parse_string(r.text).entries
    assert len(entries) == 1 and "Retrieval-Augmented" in entries[0].fields_dict["title"].value
    r = reader.get("/export/library.bib?tag=nothing-here")
    assert r.status_code == 404 and "No papers tagged" in r.text
    assert reader.get("/export/library.bib?tag=" + "x" * 120).status_code == 400
    assert list(scratch.iterdir()) == []


def test_reading_log_as_csv_and_json(reader: TestClient) -> None:
    r = reader.get("/export/log.csv")
    assert_download(r, "text/csv", "paperpath-log.csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == list(LOG_FIELDS)
    assert sorted(row["paper_id"] for row in rows) == sorted(READ)
    assert {row["status"] for row in rows} == {"finished"}
    r = reader.get("/export/log.json")
    assert_download(r, "application/json", "paperpath-log.json")
    records = r.json()
    assert len(records) == 2 and records[0]["minutes"] == 30


def test_the_data_document(reader: TestClient) -> None:
    r = reader.get("/export/paperpath-data.json")
    assert_download(r, "application/json", "paperpath-data-2026-11-25.json")
    doc = json.loads(r.content)
    assert doc["format"] == "paperpath-data" and doc["version"] == 1
    assert len(doc["reading_log"]) == 2 and len(doc["explanations"]) == 1
    assert doc["tags"] == [{"paper": TAGGED, "tag": "to-discuss"}]
    assert doc["review_cards"]  # the cards were made before exporting


def test_a_backup_imports_into_another_library(reader: TestClient,
                                               other: tuple[TestClient, Library]) -> None:
    backup = reader.get("/export/paperpath-data.json").content
    target, lib = other
    r = target.post("/export/import", files={"file": ("backup.json", backup,
                                                      "application/json")},
                    follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/export?msg=data-imported&added=")
    page = target.get(r.headers["location"]).text
    assert "Imported: your data is merged" in page and "records added or updated" in page
    assert sorted(lib.coach.read_ids()) == sorted(READ)
    assert lib.coach.tag(TAGGED, []) == ["to-discuss"]
    assert len(lib.coach.explanations(READ[0])) == 1
    assert lib.coach.note(READ[0]) == "Four steps instead of hundreds."
    # Importing the same file again changes nothing.
    r = target.post("/export/import", files={"file": ("backup.json", backup)},
                    follow_redirects=False)
    assert r.status_code == 303 and "added=0" in r.headers["location"]
    assert len(lib.coach.log()) == 2


def test_a_reading_log_csv_imports_too(reader: TestClient, web_lib: Library,
                                       other: tuple[TestClient, Library]) -> None:
    target, lib = other
    papers = [web_lib.get(pid) for pid in READ]
    lib.add_records([PaperRecord(title=p.title, abstract=p.abstract, arxiv_id=p.arxiv_id)
                     for p in papers if p is not None])
    log = reader.get("/export/log.csv").content
    r = target.post("/export/import", files={"file": ("log.csv", log, "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303
    assert sorted(lib.coach.read_ids()) == sorted(READ)


@pytest.mark.parametrize(("name", "body", "error"), [
    ("notes.txt", b"just some words", "notes.txt: not a paperpath export"),
    ("broken.json", b"{\"format\": ", "broken.json: not valid JSON"),
    ("other.json", b"{\"format\": \"something-else\"}", "other.json: not a paperpath data export"),
    ("future.json", b"{\"format\": \"paperpath-data\", \"version\": 99}", "format version 99"),
    ("empty.json", b"", "empty.json: the file is empty"),
    ("binary.json", b"\xff\xfe\x00\x81", "binary.json: not a text file"),
])
def test_bad_uploads_are_400_with_one_line(client: TestClient, scratch: Path, name: str,
                                           body: bytes, error: str) -> None:
    r = client.post("/export/import", files={"file": (name, body)})
    assert r.status_code == 400
    alert = r.text[r.text.index('role="alert">'):]
    alert = alert[len('role="alert">'):alert.index("</p>")]
    assert error in alert.replace("&#34;", '"') and "\n" not in alert
    assert str(scratch) not in r.text  # names the upload, not the temporary copy
    assert list(scratch.iterdir()) == []


def test_an_import_without_a_file_is_400(client: TestClient) -> None:
    r = client.post("/export/import", data={})
    assert r.status_code == 400 and "Choose a file to import" in r.text


def test_skipped_records_are_listed(reader: TestClient,
                                    other: tuple[TestClient, Library]) -> None:
    doc = reader.get("/export/paperpath-data.json").json()
    doc["reading_log"][0]["minutes"] = "a lot"
    target, lib = other
    r = target.post("/export/import", files={"file": ("backup.json", json.dumps(doc))})
    assert r.status_code == 200
    assert "Imported, with problems" in r.text and "backup.json: reading_log" in r.text
    assert len(lib.coach.log()) == 1
