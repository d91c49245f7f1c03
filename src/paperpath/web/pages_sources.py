"""The sources page: what the library holds, where papers come from (feeds, the arXiv
snapshot, arXiv sync, BibTeX and PDF files) and the background jobs that fill it.

Every form posts and redirects back with a message code (post/redirect/get); bad input
re-renders the page with a one-line error and status 400. Long or online work runs as a
job (`app.state.jobs`), so a network failure ends that job with a message, never a request.
Tests may set ``app.state.http_client`` (a `PoliteClient`) for the online jobs.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from paperpath.library import Library
from paperpath.web import jobs_work
from paperpath.web.jobs import Job, JobManager, Work
from paperpath.web.pages_library import derived_counts
from paperpath.web.render import MESSAGES, lib_of, page, redirect

router = APIRouter()

MESSAGES.update({
    "job-running": "That job is already running; its progress shows below.",
})

MAX_UPLOAD = 64 * 1024 * 1024  # bytes; BibTeX exports and paper PDFs are far smaller
KEEP_RESULTS = 20  # import results kept for the page after the redirect
BIB_SUFFIXES = (".bib", ".bibtex")


class BadInput(ValueError):
    """A form value that cannot be used: shown as the page's one-line error (400)."""


def _jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


def _results(request: Request) -> OrderedDict[str, dict[str, Any]]:
    """Import outcomes by token: the redirect after an upload names one, so a reload of the
    result page shows it again (and nothing else can put text on the page)."""
    state = request.app.state
    found: OrderedDict[str, dict[str, Any]] | None = getattr(state, "import_results", None)
    if found is None:
        found = OrderedDict()
        state.import_results = found
    return found


def _render(request: Request, *, error: str | None = None, form: dict[str, Any] | None = None,
            status_code: int = 200) -> HTMLResponse:
    from paperpath.sources.feeds import FEED_KINDS

    lib = lib_of(request)
    jobs = _jobs(request)
    running = jobs.running()
    ids = {j.id for j in running}
    listed = running + [j for j in jobs.all() if j.id not in ids]
    result = _results(request).get(request.query_params.get("result", ""))
    return page(request, "sources.html", title="Sources", status_code=status_code,
                stats=lib.stats(top=20), counts=derived_counts(lib), feeds=lib.feeds(),
                jobs=listed, error=error, form=form or {}, imported=result,
                feed_kinds=FEED_KINDS)


def _fail(request: Request, exc: Exception, **form: Any) -> HTMLResponse:
    message = " ".join(str(exc).split())  # one line, whatever the source said
    return _render(request, error=message, form=form, status_code=400)


def _start(request: Request, kind: str, label: str, work: Work) -> Response:
    jobs = _jobs(request)
    already = any(j.kind == kind for j in jobs.running())
    job: Job = jobs.start(kind, label, work)
    return redirect("/sources", "job-running" if already else "job", job=job.id)


@router.get("/sources", response_class=HTMLResponse, include_in_schema=False)
def sources(request: Request) -> HTMLResponse:
    return _render(request)


# -- feeds -----------------------------------------------------------------------------------
@router.post("/sources/feeds/add", include_in_schema=False)
def add_feed(request: Request, url: Annotated[str, Form()] = "",
             kind: Annotated[str, Form()] = "") -> Response:
    from paperpath.sources.feeds import FeedError

    try:
        if not url.strip():
            raise BadInput("Give the address of a feed (RSS or Atom) or a YouTube channel.")
        lib_of(request).add_feed(url.strip(), kind or None)
    except (BadInput, FeedError) as exc:
        return _fail(request, exc, url=url, kind=kind)
    return redirect("/sources", "feed-added")


@router.post("/sources/feeds/remove", include_in_schema=False)
def remove_feed(request: Request, url: Annotated[str, Form()] = "") -> Response:
    if not lib_of(request).remove_feed(url):
        return _fail(request, BadInput(f"{url or '(no address)'}: not a feed you follow"))
    return redirect("/sources", "feed-removed")


@router.post("/sources/feeds/sync", include_in_schema=False)
def sync_feeds(request: Request, url: Annotated[str, Form()] = "") -> Response:
    lib = lib_of(request)
    followed = {f.url for f in lib.feeds()}
    if not followed:
        return _fail(request, BadInput("No feeds yet: add one first."))
    if url and url not in followed:
        return _fail(request, BadInput(f"{url}: not a feed you follow"))
    label = f"Sync feed {url}" if url else f"Sync {len(followed)} feed(s)"
    client = getattr(request.app.state, "http_client", None)
    return _start(request, "feeds", label, jobs_work.feeds_job(url or None, client=client))


# -- arXiv: the snapshot and the API ---------------------------------------------------------
def snapshot_path(raw: str) -> Path:
    """The snapshot file named by a form, or BadInput naming the path."""
    text = raw.strip().strip("\"'")
    if not text:
        raise BadInput("Give the path of the arXiv snapshot file on this computer "
                       "(arxiv-metadata-oai-snapshot.json, or .json.gz).")
    path = Path(text).expanduser()
    if not path.exists():
        raise BadInput(f"{text}: no such file on this computer")
    if not path.is_file():
        raise BadInput(f"{text}: is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise BadInput(f"{text}: cannot be read (permissions)")
    return path.resolve()


@router.post("/sources/ingest", include_in_schema=False)
def ingest(request: Request, path: Annotated[str, Form()] = "") -> Response:
    try:
        file = snapshot_path(path)
    except BadInput as exc:
        return _fail(request, exc, path=path)
    return _start(request, "ingest", f"Ingest {file.name}", jobs_work.ingest_job(file))


@router.post("/sources/arxiv", include_in_schema=False)
def sync_arxiv(request: Request, category: Annotated[str, Form()] = "",
               query: Annotated[str, Form()] = "", since: Annotated[str, Form()] = ""
               ) -> Response:
    from paperpath.sources.arxiv_api import build_search_query

    cat, words, day = category.strip() or None, " ".join(query.split()) or None, since.strip()
    try:
        if not cat and not words:
            raise BadInput("Give an arXiv category (e.g. cs.LG), a search query, or both.")
        build_search_query(cat, words)  # checks the category before any network
        if day:
            try:
                date.fromisoformat(day)
            except ValueError:
                raise BadInput(f"{day!r} is not a date (use YYYY-MM-DD)") from None
    except ValueError as exc:
        return _fail(request, exc, category=category, query=query, since=since)
    label = "Sync arXiv " + " ".join(x for x in (cat, words and f"“{words}”") if x)
    client = getattr(request.app.state, "http_client", None)
    return _start(request, "arxiv", label,
                  jobs_work.arxiv_job(cat, words, day or None, client=client))


# -- derived data ----------------------------------------------------------------------------
@router.post("/sources/embed", include_in_schema=False)
def embed(request: Request) -> Response:
    return _start(request, "embed", "Compute embeddings", jobs_work.embed_job())


@router.post("/sources/analyze", include_in_schema=False)
def analyze(request: Request) -> Response:
    return _start(request, "analyze", "Precompute reading guides", jobs_work.analyze_job())


# -- files -----------------------------------------------------------------------------------
def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\-]+", "_", base)[-120:] or "upload"


def _read_upload(upload: UploadFile) -> bytes:
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise BadInput(f"{upload.filename}: larger than {MAX_UPLOAD // 2**20} MB")
    if not data:
        raise BadInput(f"{upload.filename}: the file is empty")
    return data


def import_bib(lib: Library, name: str, data: bytes) -> dict[str, Any]:
    """Import a BibTeX upload (from a temporary file carrying the upload's name)."""
    from paperpath.sources.bibtex import BibtexError

    with tempfile.TemporaryDirectory(prefix="paperpath-upload-") as tmp:
        path = Path(tmp) / _safe_name(name)
        path.write_bytes(data)
        try:
            report = lib.import_bibtex(path)
        except BibtexError as exc:
            raise BadInput(str(exc).replace(str(path), name)) from None
    if report.failed:
        first = f" ({report.problems[0]})" if report.problems else ""
        raise BadInput(f"{name}: nothing imported{first}")
    return {"file": name, "kind": "BibTeX", "entries": report.entries, "added": report.added,
            "merged": report.merged, "skipped": report.skipped,
            "problems": [("skipped " if p.skipped else "") + str(p) for p in report.problems]}


def import_pdf(lib: Library, name: str, data: bytes, fetch: bool) -> dict[str, Any]:
    """Keep an uploaded PDF beside the library (the paper's text links to it) and import it."""
    from paperpath.sources.pdf import PdfError, import_pdf_result
    from paperpath.store.db import derived_path

    folder = derived_path(lib.engine, "pdfs")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{_safe_name(name)}"
    path.write_bytes(data)
    try:
        res = import_pdf_result(lib, path, fetch=fetch)
    except PdfError as exc:
        path.unlink(missing_ok=True)
        raise BadInput(str(exc).replace(str(path), name)) from None
    return {"file": name, "kind": "PDF", "entries": 1, "added": int(res.matched == "new"),
            "merged": int(res.matched != "new"), "skipped": 0, "problems": list(res.notes),
            "paper": res.paper.id, "title": res.paper.title, "pages": res.pages,
            "matched": res.matched}


@router.post("/sources/import", include_in_schema=False)
def import_file(request: Request, file: Annotated[UploadFile | None, File()] = None,
                fetch: Annotated[bool, Form()] = False) -> Response:
    lib = lib_of(request)
    try:
        if file is None or not file.filename:
            raise BadInput("Choose a BibTeX (.bib) or PDF file to import.")
        name = _safe_name(file.filename)
        suffix = Path(name).suffix.lower()
        if suffix not in (*BIB_SUFFIXES, ".pdf"):
            raise BadInput(f"{name}: not a BibTeX (.bib) or PDF (.pdf) file — export BibTeX "
                           "from Zotero or your reference manager, or upload a paper's PDF.")
        data = _read_upload(file)
        if suffix == ".pdf":
            result = import_pdf(lib, name, data, fetch)
        else:
            result = import_bib(lib, name, data)
    except BadInput as exc:
        return _fail(request, exc)
    results = _results(request)
    token = secrets.token_urlsafe(8)
    results[token] = result
    while len(results) > KEEP_RESULTS:
        results.popitem(last=False)
    return redirect("/sources", "imported", result=token)
