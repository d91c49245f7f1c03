"""The FastAPI application: one library per server, pages and the JSON API as routers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperpath.library import Library
from paperpath.web.render import page

STATIC = Path(__file__).parent / "static"


def create_app(db: str | Path | Library | None = None, *, seed: bool = True) -> FastAPI:
    """The paperpath web app over the library at ``db`` (a URL, a SQLite path, an open
    `Library`, or None for the default). ``seed`` adds the built-in canon on first start so
    a new library is useful offline."""
    lib = db if isinstance(db, Library) else Library(db)
    if seed:
        lib.coach.seed_canon()
    # The OpenAPI schema is served at /api/openapi.json and shown by our own offline page
    # (/api/docs); FastAPI's Swagger page would load its scripts from a CDN.
    app = FastAPI(title="paperpath", version=_version(), docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.lib = lib
    from paperpath.web.jobs import JobManager

    app.state.jobs = JobManager(lib)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _server_timing(app)
    _include_routers(app)
    _error_pages(app)
    return app


def _version() -> str:
    from paperpath import __version__

    return __version__


def _include_routers(app: FastAPI) -> None:
    from paperpath.web import (
        api,
        pages_export,
        pages_library,
        pages_map,
        pages_paper,
        pages_progress,
        pages_review,
        pages_sources,
        pages_week,
        vendor,
    )

    for module in (pages_week, pages_paper, pages_library, pages_review, pages_progress,
                   pages_map, pages_sources, pages_export, vendor, api):
        app.include_router(module.router)


def _server_timing(app: FastAPI) -> None:
    """Each response says how long the server took (`Server-Timing: app;dur=ms`): the
    browser's devtools show it and bench/web.py measures pages with it."""

    @app.middleware("http")
    async def timing(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response: Response = await call_next(request)
        ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={ms:.1f}"
        return response


def _one_line(exc: RequestValidationError) -> str:
    """FastAPI's list of validation errors as one line: "minutes (form): not a number"."""
    parts = []
    for err in exc.errors():
        where = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        parts.append(f"{'.'.join(where) or 'input'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid input"


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        message = _one_line(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=422)
        response: HTMLResponse = page(request, "error.html", title="Invalid input",
                                      message=message, status_code=400)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        title = {404: "Not found", 405: "Not allowed"}.get(exc.status_code, "Something went wrong")
        response: HTMLResponse = page(request, "error.html", title=title,
                                      message=str(exc.detail), status_code=exc.status_code)
        return response
