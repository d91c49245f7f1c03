"""The map of the field: a WebGL scatter of the whole library with the reader's papers on
top, a search that finds a paper on it, and a text list of the areas for readers without
JavaScript or a pointer. The data routes keep a 75k-paper map fast (see `map_data`)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from paperpath.library import Library
from paperpath.search.query import QueryError
from paperpath.web.jobs import Job, Reporter, Work
from paperpath.web.map_data import CHUNK, MapView, current_view, points_payload, reader_marks
from paperpath.web.render import MESSAGES, lib_of, page, paper_url, redirect
from paperpath.web.vendor import IMMUTABLE, plotly_version, send

router = APIRouter()

MESSAGES.update({"map-job": "Building the map in the background; progress shows below."})

LOCATE_LIMIT = 50
STAGES = {"key terms": "finding key terms", "neighbours": "finding neighbours",
          "layout": "laying out the map", "placing": "placing the rest",
          "clusters": "grouping areas", "labels": "naming areas"}
REVALIDATE = "no-cache"  # may be kept, but asked about (ETag) each time


def map_job(rebuild: bool = False) -> Work:
    """Embed what is new, then build (or extend) the saved map."""

    def work(lib: Library, report: Reporter) -> str:
        from paperpath.related.map_service import library_map

        service = lib.related()
        report(0, 0, "embedding new papers…")
        service.ensure_current(progress=lambda done, total: report(
            done, total, f"embedding papers: {done:,} of {total:,}"))

        def progress(stage: str, done: int, total: int) -> None:
            report(done, total, f"{STAGES.get(stage, stage)} ({done:,} of {total:,})")

        fmap = library_map(lib.engine, service.index, lib.guides.stats(), rebuild=rebuild,
                           progress=progress)
        return f"The map is ready: {len(fmap):,} papers in {len(fmap.labels)} areas."

    return work


def _map_job(request: Request, job_id: str | None) -> Job | None:
    jobs = request.app.state.jobs
    job: Job | None = jobs.get(job_id) if job_id else None
    if job is None or job.kind != "map":
        job = next((j for j in jobs.running() if j.kind == "map"), None)
    return job


def locate(lib: Library, view: MapView, q: str, limit: int = LOCATE_LIMIT
           ) -> tuple[list[dict[str, Any]], str | None]:
    """Points matching ``q`` — the paper with that id, else a keyword search of the library
    (titles weigh most) kept to the papers on the map, best first — and a note when the
    paper asked for is in the library but not on the map yet."""
    q = q.strip()
    if not q:
        return [], None
    paper = lib.get(q) if len(q) < 300 else None
    if paper is not None:
        if paper.id not in view.point_of:
            return [], (f"{paper.id} ({paper.title}) is in your library but not on the map "
                        "yet: update the map to place it.")
        points = [view.point_of[paper.id]]
    else:
        hits = lib.search(q, limit=limit * 2)  # some hits may postdate the map
        points = [view.point_of[h.id] for h in hits if h.id in view.point_of][:limit]
    titles = view.titles(lib, points)
    return [{"i": p, "id": view.ids[p], "title": titles[p],
             "area": view.cluster_of(p).label} for p in points], None


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, q: str = "", job: str | None = None) -> HTMLResponse:
    lib = lib_of(request)
    view = current_view(lib)
    running = _map_job(request, job)
    if view is None:
        return page(request, "map.html", title="Map of the field", view=None, job=running,
                    papers=len(lib))
    marks = reader_marks(lib, view)
    read_per: dict[int, int] = {}
    for p in marks["read"]:
        cid = view.cluster_of(p).id
        read_per[cid] = read_per.get(cid, 0) + 1
    examples = view.titles(lib, [p for c in view.clusters for p in c.examples])
    areas = sorted(view.clusters, key=lambda c: (c.id < 0, -c.count))
    results: list[dict[str, Any]] = []
    error = note = None
    if q.strip():
        try:
            results, note = locate(lib, view, q)
        except (QueryError, ValueError) as exc:
            error = str(exc)
    return page(request, "map.html", title="Map of the field", view=view, job=running,
                papers=len(lib), unplaced=max(0, len(lib) - len(view)), areas=areas,
                read_per=read_per, examples=examples, marks=marks, q=q, results=results,
                error=error, note=note, plotly=plotly_version())


@router.post("/map/build", include_in_schema=False)
def build_map(request: Request, rebuild: Annotated[str, Form()] = "") -> Response:
    job = request.app.state.jobs.start("map", "Building the map", map_job(rebuild == "1"))
    return redirect("/map", "map-job", job=job.id)


@router.get("/map/points.json", include_in_schema=False)
def points_json(request: Request) -> Response:
    lib = lib_of(request)
    view = _view_or_404(lib)
    body = orjson.dumps(points_payload(lib, view))
    # the reader's papers change without the map changing: the ETag covers both
    etag = f'"{view.version}-{hashlib.blake2b(body, digest_size=6).hexdigest()}"'
    return send(request, body, etag=etag, media_type="application/json", cache=REVALIDATE)


@router.get("/map/points.bin", include_in_schema=False)
def points_bin(request: Request, v: str = "") -> Response:
    view = _view_or_404(lib_of(request))
    return send(request, view.coords, etag=f'"{view.version}"',
                media_type="application/octet-stream",
                cache=IMMUTABLE if v == view.version else REVALIDATE)


@router.get("/map/titles/{chunk}.json", include_in_schema=False)
def titles_json(request: Request, chunk: int, v: str = "") -> Response:
    lib = lib_of(request)
    view = _view_or_404(lib)
    if not 0 <= chunk * CHUNK < len(view):
        raise HTTPException(404, f"chunk {chunk}: the map has {len(view):,} papers")
    body, gzipped = view.chunk_json(lib, chunk)
    return send(request, body, etag=f'"{view.version}-{chunk}"', gzipped=gzipped,
                media_type="application/json",
                cache=IMMUTABLE if v == view.version else REVALIDATE)


@router.get("/map/locate", include_in_schema=False)
def locate_json(request: Request, q: str = "", limit: int = LOCATE_LIMIT) -> Response:
    lib = lib_of(request)
    view = _view_or_404(lib)
    try:
        found, note = locate(lib, view, q, limit=max(1, min(limit, 500)))
    except (QueryError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
    return Response(orjson.dumps({"q": q, "total": len(found), "points": found, "note": note}),
                    media_type="application/json")


@router.get("/map/go/{point}", include_in_schema=False)
def go(request: Request, point: int) -> Response:
    """A click on a point whose id the page has not loaded yet."""
    view = _view_or_404(lib_of(request))
    if not 0 <= point < len(view):
        raise HTTPException(404, f"point {point}: the map has {len(view):,} papers")
    return redirect(paper_url(view.ids[point]))


def _view_or_404(lib: Library) -> MapView:
    view = current_view(lib)
    if view is None:
        raise HTTPException(404, "no map yet: build it on the Map page")
    return view
