"""Third-party browser code served from the installed Python packages, never from a CDN:
the app must work offline. Today that is plotly.js, which the `plotly` package bundles."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from importlib import metadata, resources

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

router = APIRouter()

# The bundle's URL carries the version (?v=...), so a browser may keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str


_assets: dict[str, Asset] = {}
_lock = threading.Lock()


def plotly_version() -> str:
    try:
        return metadata.version("plotly")
    except metadata.PackageNotFoundError:
        return "unknown"


def _plotly_asset() -> Asset:
    with _lock:
        asset = _assets.get("plotly")
        if asset is None:
            try:
                body = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
            except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
                raise HTTPException(404, f"plotly.js is not installed ({exc})") from None
            # Compressed once per process: 4.8 MB of script becomes ~1.4 MB on the wire.
            asset = Asset(body, gzip.compress(body, 6, mtime=0),
                          f'"plotly-{plotly_version()}-{len(body)}"')
            _assets["plotly"] = asset
        return asset


def send(request: Request, body: bytes, *, etag: str, media_type: str, cache: str,
         gzipped: bytes | None = None) -> Response:
    """``body`` with its ETag (304 when the browser has it) and gzip when accepted."""
    headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(gzipped, media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    asset = _plotly_asset()
    return send(request, asset.body, etag=asset.etag, cache=IMMUTABLE, gzipped=asset.gzipped,
                media_type="text/javascript; charset=utf-8")
