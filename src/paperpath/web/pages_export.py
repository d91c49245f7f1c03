"""Export and import: the reader's work as downloads (Anki, Markdown notes, BibTeX, the
reading log, the full data document) and the data document uploaded back.

The exporters in `coach.export` write files; each download runs one into a temporary folder
and sends the bytes, so nothing is left behind on disk."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from paperpath.coach import clock
from paperpath.coach import export as exp
from paperpath.coach.importer import COUNT_KEYS, DataImportError, import_data
from paperpath.coach.review import Reviewer
from paperpath.library import Library
from paperpath.store import coach_store, review_store
from paperpath.web.pages_review import sync
from paperpath.web.render import MESSAGES, lib_of, page, redirect

router = APIRouter()

MESSAGES.update({
    "data-imported": "Imported: your data is merged into this library (what was here is kept).",
})

CONTENT_TYPES = {
    "apkg": "application/octet-stream",  # Anki registers no media type of its own
    "zip": "application/zip",
    "bib": "application/x-bibtex; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
_UPLOAD_SUFFIXES = (".json", ".csv")  # the importer tells a CSV log by its suffix
_MAX_PROBLEMS_SHOWN = 20


def _download(name: str, body: bytes) -> Response:
    kind = name.rsplit(".", 1)[-1]
    return Response(body, media_type=CONTENT_TYPES[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _written(write: Callable[[Path], Any], name: str) -> bytes:
    """Run an exporter into a temporary folder and return what it wrote."""
    with tempfile.TemporaryDirectory(prefix="paperpath-export-") as tmp:
        target = Path(tmp) / name
        write(target)
        return target.read_bytes()


def _today() -> str:
    return clock.local_date().isoformat()


# -- the page ------------------------------------------------------------------------------
def _context(lib: Library) -> dict[str, Any]:
    with lib.engine.connect() as conn:
        cards = len(review_store.card_rows(conn, include_suspended=False))
        finished = len(coach_store.finished_pks(conn))
        sessions = len(coach_store.log_rows(conn))
        tags = sorted({tag for _key, tag in coach_store.tag_rows(conn)})
    return {"cards": cards, "finished": finished, "sessions": sessions, "tags": tags,
            "error": None, "result": None}


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@router.get("/export", response_class=HTMLResponse, include_in_schema=False)
def export_page(request: Request) -> HTMLResponse:
    lib = lib_of(request)
    sync(request, Reviewer(lib))  # so the card count matches the deck a download gets
    params = request.query_params
    imported = {"added": _count(params.get("added")), "skipped": _count(params.get("skipped"))}
    return page(request, "export.html", title="Export and import", imported=imported,
                **_context(lib))


# -- downloads -----------------------------------------------------------------------------
@router.get("/export/anki.apkg", include_in_schema=False)
def anki(request: Request) -> Response:
    lib = lib_of(request)
    sync(request, Reviewer(lib))  # cards of papers read since the last review session too
    with lib.engine.connect() as conn:
        if not review_store.card_rows(conn, include_suspended=False):
            raise HTTPException(404, "No review cards yet: finish a paper or explain one back, "
                                     "and its cards can be exported.")
    body = _written(lambda path: exp.export_anki(lib, path), "deck.apkg")
    return _download("paperpath.apkg", body)


@router.get("/export/notes.zip", include_in_schema=False)
def notes(request: Request, read: str = "") -> Response:
    """The Markdown notes folder (one note per paper, index.md) zipped under one folder."""
    lib = lib_of(request)
    only_read = read not in ("", "0")
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="paperpath-notes-") as tmp:
        folder = Path(tmp) / "paperpath-notes"
        exp.export_markdown(lib, folder, only_read=only_read)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(tmp).as_posix())
    return _download("paperpath-notes.zip", buffer.getvalue())


@router.get("/export/library.bib", include_in_schema=False)
def bibtex(request: Request, tag: str = "") -> Response:
    """BibTeX of the papers read, or of the papers with ``tag``."""
    lib = lib_of(request)
    wanted = tag.strip() or None
    try:
        chosen = exp.select_papers(lib, tag=wanted, read=wanted is None)
    except (ValueError, LookupError) as exc:
        raise HTTPException(400, str(exc)) from None
    if not chosen:
        raise HTTPException(404, f"No papers tagged “{wanted}”." if wanted else
                                 "No papers read yet: mark a paper read and it goes on the "
                                 "reading list.")
    body = _written(lambda path: exp.export_bibtex(lib, path, tag=wanted,
                                                   read=wanted is None), "library.bib")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", wanted).strip("-") if wanted else ""
    return _download(f"paperpath-{slug or 'tagged'}.bib" if wanted else "paperpath-read.bib",
                     body)


@router.get("/export/log.csv", include_in_schema=False)
def log_csv(request: Request) -> Response:
    lib = lib_of(request)
    body = _written(lambda path: exp.export_log(lib, path, fmt="csv"), "log.csv")
    return _download("paperpath-log.csv", body)


@router.get("/export/log.json", include_in_schema=False)
def log_json(request: Request) -> Response:
    lib = lib_of(request)
    body = _written(lambda path: exp.export_log(lib, path, fmt="json"), "log.json")
    return _download("paperpath-log.json", body)


@router.get("/export/paperpath-data.json", include_in_schema=False)
def data(request: Request) -> Response:
    lib = lib_of(request)
    sync(request, Reviewer(lib))  # a backup holds the cards of everything read so far
    body = _written(lambda path: exp.export_data(lib, path), "data.json")
    return _download(f"paperpath-data-{_today()}.json", body)


# -- import --------------------------------------------------------------------------------
@router.post("/export/import", include_in_schema=False)
def import_upload(request: Request,
                  file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Merge an uploaded data document (or reading log) into the library."""
    lib = lib_of(request)
    name = Path(file.filename or "").name if file is not None else ""
    if file is None or not name:
        return _failed(request, lib, "Choose a file to import: a paperpath-data JSON file "
                                     "(or a reading log CSV/JSON).")
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="paperpath-import-") as tmp:
        path = Path(tmp) / ("upload" + (suffix if suffix in _UPLOAD_SUFFIXES else ".json"))
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        if path.stat().st_size == 0:
            return _failed(request, lib, f"{name}: the file is empty.")
        try:
            result = import_data(lib, path)
        except DataImportError as exc:
            # One line, naming the upload rather than the temporary copy.
            message = " ".join(str(exc).replace(str(path), name).split())
            return _failed(request, lib, message)
    added = sum(int(result[k]) for k in COUNT_KEYS)
    problems: list[str] = [p.replace(str(path), name) for p in result["problems"]]
    if problems:  # shown now, not after a redirect: the list does not fit in a URL
        context = _context(lib)
        context["result"] = {"added": added, "problems": problems[:_MAX_PROBLEMS_SHOWN],
                             "more": max(len(problems) - _MAX_PROBLEMS_SHOWN, 0),
                             "counts": {k: result[k] for k in COUNT_KEYS if result[k]}}
        return page(request, "export.html", title="Export and import",
                    imported={"added": None, "skipped": None}, **context)
    return redirect("/export", "data-imported", added=added, skipped=0)


def _failed(request: Request, lib: Library, message: str) -> HTMLResponse:
    context = _context(lib)
    context["error"] = message
    return page(request, "export.html", title="Export and import", status_code=400,
                imported={"added": None, "skipped": None}, **context)
